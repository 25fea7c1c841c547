"""`assistant slack`: the Slack app over HTTP (``/slack/events``, served by gunicorn) or, behind a firewall,
Socket Mode.

HTTP: the master process checks the settings and the bot token, migrates the database and moves an old
``slack.db`` into it, then runs gunicorn (``gunicorn_app.py``): gthread workers, each loading the model and index
once and serving the WSGI app below; a client has ``slack_request_timeout_s`` to send its request; on SIGTERM
each worker stops accepting, finishes the requests in flight and the work already acknowledged to Slack (up to
``slack_graceful_timeout_s``), then exits. ``/healthz`` says the process is alive, ``/readyz`` that the index
opens and the database answers (else 503).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import uuid
from collections.abc import Callable

import click

from assistant.config import Settings
from assistant.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


def wsgi_app(app, signing_secret: str | None = None, *, ready: Callable[[], dict[str, str]] | None = None,
             request_timeout_s: float | None = None):
    """The WSGI application: Bolt on ``/slack/events`` (commands, events, interactivity), ``/healthz`` and
    ``/readyz`` (``ready()`` returns each check's result, "ok" or the type of what went wrong).

    A POST to ``/slack/events`` passes the edge first (``edge.py``): its size is capped (413), its signature and
    timestamp are checked on the raw bytes (401) and its structure is checked (400) — all before Bolt parses it or
    anything can call out. Bolt then verifies the signature again. Nothing Bolt raises becomes a 5xx. Under
    gunicorn, the body must arrive within ``request_timeout_s`` (else 400; gunicorn then closes the connection,
    as it cannot read past an unread body).
    """
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    secret = signing_secret if signing_secret is not None else getattr(app, "_signing_secret", None)
    if not secret:
        raise ValueError("the Slack HTTP endpoint needs the signing secret")
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ, start_response):
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == HEALTH_PATH and method == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok"]
        if path == READY_PATH and method == "GET":
            checks = ready() if ready is not None else {}
            ok = all(result == "ok" for result in checks.values())
            body = json.dumps({"ready": ok, "checks": checks}).encode()
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == EVENTS_PATH and method == "POST":
            sock = environ.get("gunicorn.socket")
            if request_timeout_s and sock is not None:
                sock.settimeout(request_timeout_s)  # gunicorn makes it blocking again for the next request
            status, headers, body = handle_event_request(app, secret, environ)
            start_response(status, headers)
            return [body]
        return bolt(environ, start_response)

    return application


def _plain(status: int, text: str = "") -> tuple[str, list[tuple[str, str]], bytes]:
    from http import HTTPStatus

    body = (text or HTTPStatus(status).phrase).encode()
    return (f"{status} {HTTPStatus(status).phrase}",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))], body)


def handle_event_request(app, secret: str, environ) -> tuple[str, list[tuple[str, str]], bytes]:
    """One POST to /slack/events: the edge's checks, then Bolt; returns (status line, headers, body)."""
    from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
    from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
    from slack_bolt.context import BoltContext
    from slack_bolt.request import BoltRequest
    from slack_bolt.request.internals import build_context

    from assistant.channels.slack import edge
    from assistant.errors import stack_without_messages

    try:
        raw = edge.read_body(environ)
        edge.verify(secret, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE"), raw)
        parsed = edge.parse(raw, environ.get("CONTENT_TYPE"))
        edge.check_shape(parsed)
    except edge.Refused as refused:
        if refused.status == 401:  # as Bolt words it, so one log search finds both; never the body
            logger.info("Invalid request signature or timestamp detected (%s); request refused, body withheld",
                        refused.reason)
        else:
            logger.info("Slack request refused with %s: %s", refused.status, refused.reason)
        return _plain(refused.status)
    try:
        http = WsgiHttpRequest(environ)
        request = BoltRequest(body=raw.decode("utf-8"), query=http.query_string, headers=http.get_headers())
        if request.body != parsed:  # Bolt reads any form containing the word "payload" as an empty body
            request.body = parsed
            request.context = build_context(BoltContext(), parsed)
        response = app.dispatch(request)
        out = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
        body = b"".join(out.get_body())
        return out.status, out.get_headers(), body
    except Exception as error:  # noqa: BLE001 - nothing escaping Bolt may become a 5xx or reach the user
        error_id = uuid.uuid4().hex[:10]
        logger.error("error %s dispatching a Slack request:\n%s", error_id, stack_without_messages(error))
        return _plain(400, f"Bad Request (error {error_id})")


def one_blas_thread_per_request() -> None:
    """Concurrent requests are the server's parallelism: a multi-threaded BLAS under them (or under other busy
    processes) spins for cores and made each question embedding 3-4x slower. Must run before NumPy is imported."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def quiet_sdk_debug_logs() -> None:
    """Keep Bolt's and the SDK's DEBUG output off: it includes request bodies (drafts, incident answers)."""
    for name in ("slack_bolt", "slack_sdk"):
        sdk_logger = logging.getLogger(name)
        if sdk_logger.getEffectiveLevel() < logging.INFO:
            sdk_logger.setLevel(logging.INFO)


def prepare(settings: Settings, *, socket_mode: bool) -> None:
    """Before serving (in the master process): settings, the bot token, the database schema, old Slack state."""
    from slack_sdk.errors import SlackClientError

    from assistant.channels.slack.app import check_settings, web_client
    from assistant.channels.slack.legacy import import_legacy_store
    from assistant.wiring import build_services

    check_settings(settings, socket_mode=socket_mode)
    try:
        web_client(settings).auth_test()
    except (SlackClientError, OSError) as exc:
        raise ServiceUnavailable(f"Slack did not accept the bot token at {settings.slack_api_url} "
                                 f"({type(exc).__name__}).",
                                 hint="Check SLACK_BOT_TOKEN (xoxb-…) and, if set, SLACK_API_URL.") from exc
    services = build_services(settings)
    try:
        import_legacy_store(settings.data_dir / "slack.db", services.chat_store("slack"))  # migrates first
    finally:
        if "incidents" in vars(services):
            services.incidents.close()  # no pooled connection may cross the fork into the workers


def serve(port: int, host: str, socket_mode: bool, workers: int | None, threads: int | None) -> None:
    """Run the Slack app (gunicorn over HTTP, or Socket Mode) until stopped."""
    one_blas_thread_per_request()
    quiet_sdk_debug_logs()
    settings = Settings()
    prepare(settings, socket_mode=socket_mode)
    if socket_mode:
        run_socket_mode(settings)
        return
    from assistant.channels.slack.gunicorn_app import SlackServer

    click.echo(f"Slack app starting on http://{host}:{port}{EVENTS_PATH}", err=True)
    SlackServer(settings, host=host, port=port, workers=workers or settings.slack_workers,
                threads=threads or settings.slack_threads).run()


def run_socket_mode(settings: Settings) -> None:
    """Serve over Socket Mode in this process until Ctrl-C or SIGTERM, then finish the work already acked."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from assistant.channels.slack.runtime import SlackRuntime

    runtime = SlackRuntime.start(settings, socket_mode=True)
    handler = SocketModeHandler(runtime.app, settings.slack_app_token.get_secret_value())

    def interrupt(*_) -> None:
        raise KeyboardInterrupt  # SIGTERM stops it like Ctrl-C

    signal.signal(signal.SIGTERM, interrupt)
    click.echo("Connecting to Slack in Socket Mode…", err=True)
    try:
        handler.start()  # blocks until interrupted
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
        runtime.stop(timeout=settings.slack_graceful_timeout_s)
        click.echo("Slack app stopped.", err=True)

