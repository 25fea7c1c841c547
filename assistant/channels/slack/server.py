"""`assistant slack`: serve the Slack app over HTTP (``/slack/events``) or, behind a firewall, Socket Mode."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import uuid
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click

from assistant.config import Settings
from assistant.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """One thread per request, so a slow request never delays another's ack."""

    daemon_threads = True
    request_queue_size = 128  # a burst of Slack requests must not overflow the listen backlog


class QuietHandler(WSGIRequestHandler):
    """No per-request access log on stderr (Bolt logs what matters)."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass


def wsgi_app(app, signing_secret: str | None = None):
    """The WSGI application: Bolt on ``/slack/events`` (commands, events, interactivity) and ``/healthz``.

    A POST to ``/slack/events`` passes the edge first (``edge.py``): its size is capped (413), its signature and
    timestamp are checked on the raw bytes (401) and its structure is checked (400) — all before Bolt parses it or
    anything can call out. Bolt then verifies the signature again. Nothing Bolt raises becomes a 5xx.
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
        if path == EVENTS_PATH and method == "POST":
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
    from assistant.channels.slack.listeners.errors import stack_without_messages

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


def warm_up(services) -> None:
    """Load the model, index, checker and incident database now, so the first request is as fast as the rest."""
    services.answerer.answer("Can I use the council logo on my personal social media account?")
    checker = services.checker
    if hasattr(checker, "warm_up"):
        checker.warm_up()
    services.incidents  # noqa: B018 - builds the service and runs the database migrations


def _interrupt(*_) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server like Ctrl-C


def serve_http(app, host: str, port: int, signing_secret: str | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    server = make_server(host, port, wsgi_app(app, signing_secret), server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    click.echo(f"Slack app listening on http://{host}:{server.server_port}{EVENTS_PATH}", err=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        click.echo("Slack app stopped.", err=True)


@click.command()
@click.option("--port", type=int, default=3000, show_default=True, envvar="PORT",
              help="HTTP port for Slack's requests (Request URL: https://YOUR-HOST/slack/events).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.option("--socket", "socket_mode", is_flag=True,
              help="Use Socket Mode instead of HTTP (needs SLACK_APP_TOKEN); for servers Slack cannot reach.")
def slack(port: int, host: str, socket_mode: bool) -> None:
    """Run the Slack app: /ask, /checkpost, /report, DMs, @mentions and the App Home."""
    one_blas_thread_per_request()
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackClientError

    from assistant.channels.slack.app import build_app, check_settings
    from assistant.wiring import build_services

    quiet_sdk_debug_logs()
    settings = Settings()
    check_settings(settings, socket_mode=socket_mode)
    services = build_services(settings)
    click.echo("Loading the guidance index and model…", err=True)
    warm_up(services)
    try:
        app, deps = build_app(services, socket_mode=socket_mode)
    except (BoltError, SlackClientError, OSError) as exc:  # Bolt checks the token with auth.test on start-up
        raise ServiceUnavailable(f"Slack did not accept the bot token at {settings.slack_api_url} "
                                 f"({type(exc).__name__}).",
                                 hint="Check SLACK_BOT_TOKEN (xoxb-…) and, if set, SLACK_API_URL.") from exc
    try:
        deps.deliver_notifications(app.client)  # anything left in the outbox from before a restart
    except Exception as exc:  # noqa: BLE001 - start anyway; the rows stay pending
        logger.warning("pending Monitoring Officer notifications not delivered yet (%s)", type(exc).__name__)
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        click.echo("Connecting to Slack in Socket Mode…", err=True)
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        return
    serve_http(app, host, port, settings.slack_signing_secret.get_secret_value())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(slack())
