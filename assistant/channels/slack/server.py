"""`assistant slack`: serve the Slack app over HTTP (``/slack/events``) or, behind a firewall, Socket Mode."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
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


def wsgi_app(app):
    """The WSGI application: Bolt on ``/slack/events`` (commands, events, interactivity) and ``/healthz``."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok"]
        return bolt(environ, start_response)

    return application


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


def serve_http(app, host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    server = make_server(host, port, wsgi_app(app), server_class=ThreadingWSGIServer, handler_class=QuietHandler)
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
    serve_http(app, host, port)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(slack())
