"""`assistant whatsapp`: WhatsApp Cloud API webhooks at ``/whatsapp/webhook``, served by gunicorn.

The master process checks the settings and the access token and migrates the database; each gunicorn worker
(the Slack server's ``gthread`` set-up, boot heartbeat and graceful stop) builds one ``WhatsAppRuntime``: the
services warmed up, the Graph API client, the bot, and the maintenance thread that delivers the Monitoring
Officers' notifications and runs the daily purge. A webhook POST passes the edge (``edge.py``: size, signature,
structure), its messages are queued and it is acknowledged at once; the replies are written on worker threads,
one lane per sender so a person's messages are answered in order. ``/healthz`` and ``/readyz`` as for Slack.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus

import click

from assistant.config import Settings
from assistant.errors import ServiceUnavailable, UserError

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/whatsapp/webhook"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
LANES = 8  # worker threads; each sender's messages always go to the same one, in order
REQUEST_TIMEOUT_S = 30.0  # a client has this long to send its request (a stalled body is a 400)


def check_settings(settings: Settings) -> None:
    """Raise a UserError naming the first missing WhatsApp setting (before anything slow starts)."""
    needed = [("WHATSAPP_ACCESS_TOKEN", settings.whatsapp_access_token,
               "Create a permanent token for a system user with whatsapp_business_messaging (Business Settings)."),
              ("WHATSAPP_APP_SECRET", settings.whatsapp_app_secret, "Copy the App Secret (App settings > Basic)."),
              ("WHATSAPP_VERIFY_TOKEN", settings.whatsapp_verify_token,
               "Choose a long random string and enter the same one as the webhook's Verify token."),
              ("WHATSAPP_PHONE_NUMBER_ID", settings.whatsapp_phone_number_id,
               "Copy the Phone number ID from WhatsApp > API Setup.")]
    for name, value, hint in needed:
        if not value:
            raise UserError(f"{name} is not set.", hint=hint)
    for name, mapping in (("WHATSAPP_ALLOWED_NUMBERS", settings.whatsapp_allowed_numbers),
                          ("WHATSAPP_MO_NUMBERS", settings.whatsapp_mo_numbers)):
        bad = [key.split(":", 1)[1] for key in mapping if key.startswith("invalid:")]
        if bad:
            raise UserError(f"{name} entry {', '.join(bad)} is not NUMBER=IDENTITY.",
                            hint="Write each as international digits = identity, comma-separated, e.g. "
                                 "447700900123=cllr.jones, 447700900456=cllr.smith")


def _plain(status: int, text: str = "") -> tuple[str, list[tuple[str, str]], list[bytes]]:
    body = (text or HTTPStatus(status).phrase).encode()
    return (f"{status} {HTTPStatus(status).phrase}",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))], [body])


def wsgi_app(*, app_secret: str, verify_token: str, phone_number_id: str | None,
             dispatch: Callable[[list], None], ready: Callable[[], dict[str, str]] | None = None):
    """The WSGI application: the webhook (GET challenge, POST messages handed to ``dispatch``), health, readiness."""
    from assistant.channels.whatsapp import edge

    def route(environ) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == HEALTH_PATH and method == "GET":
            return _plain(200, "ok")
        if path == READY_PATH and method == "GET":
            checks = ready() if ready is not None else {}
            ok = all(result == "ok" for result in checks.values())
            body = json.dumps({"ready": ok, "checks": checks}).encode()
            return (f"{200 if ok else 503} {'OK' if ok else 'Service Unavailable'}",
                    [("Content-Type", "application/json"), ("Content-Length", str(len(body)))], [body])
        if path != WEBHOOK_PATH:
            return _plain(404)
        if method == "GET":
            answer = edge.challenge(environ.get("QUERY_STRING", ""), verify_token)
            if answer is None:
                logger.info("webhook verification refused")
                return _plain(403)
            return _plain(200, answer)
        if method != "POST":
            return _plain(405)
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            sock.settimeout(REQUEST_TIMEOUT_S)  # gunicorn makes it blocking again for the next request
        try:
            raw = edge.read_body(environ)
            edge.verify(app_secret, environ.get("HTTP_X_HUB_SIGNATURE_256"), raw)
            messages = edge.messages(raw, phone_number_id)
        except edge.Refused as refused:
            logger.info("WhatsApp webhook refused with %s: %s (body withheld)", refused.status, refused.reason)
            return _plain(refused.status)
        dispatch(messages)
        return _plain(200, "ok")

    def application(environ, start_response):
        try:
            status, headers, body = route(environ)
        except Exception as exc:  # noqa: BLE001 - nothing at the edge may become a 5xx
            logger.error("a WhatsApp webhook request failed at the edge (%s)", type(exc).__name__)
            status, headers, body = _plain(400)
        start_response(status, headers)
        return body

    return application


@dataclass
class WhatsAppRuntime:
    """A serving process: services, the Graph client, the bot, its worker lanes and the maintenance thread."""

    settings: Settings
    services: object
    client: object
    bot: object
    sender: object
    lanes: list
    maintenance: object

    @classmethod
    def start(cls, settings: Settings) -> "WhatsAppRuntime":
        """Build and warm up everything, then start the maintenance thread."""
        from assistant.channels.slack.runtime import Maintenance, warm_up  # channel-neutral; see the report
        from assistant.channels.whatsapp.api import GraphClient
        from assistant.channels.whatsapp.bot import WhatsAppBot
        from assistant.channels.whatsapp.sender import WhatsAppNotificationSender
        from assistant.wiring import build_services

        check_settings(settings)
        services = build_services(settings)
        warm_up(services)
        client = GraphClient(settings)
        sender = WhatsAppNotificationSender(client, template=settings.whatsapp_mo_template,
                                            language=settings.whatsapp_mo_template_language,
                                            numbers=settings.whatsapp_mo_numbers)
        runtime = cls(settings, services, client, None, sender, [], None)
        runtime.bot = WhatsAppBot(services, client, deliver=runtime.deliver_notifications)
        runtime.lanes = [ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"whatsapp-{n}") for n in range(LANES)]
        runtime.maintenance = Maintenance(runtime.deliver_notifications,
                                          lambda holder: services.retention.purge_if_due(holder))
        runtime.maintenance.start()
        return runtime

    def dispatch(self, messages: list) -> None:
        """Queue each message on its sender's lane (called on the request thread: it only queues)."""
        for message in messages:
            self.lanes[zlib.crc32(message.sender.encode()) % len(self.lanes)].submit(self.bot.handle, message)

    def deliver_notifications(self) -> int:
        """Send the outbox's due notifications through WhatsApp; never raises (what is not sent stays queued)."""
        try:
            return self.services.incidents.outbox.deliver(self.sender).sent
        except Exception as exc:  # noqa: BLE001 - see the docstring
            logger.warning("outbox delivery postponed (%s)", type(exc).__name__)
            return 0

    def wsgi(self):
        """The WSGI application of this process."""
        s = self.settings
        return wsgi_app(app_secret=s.whatsapp_app_secret.get_secret_value(),
                        verify_token=s.whatsapp_verify_token.get_secret_value(),
                        phone_number_id=s.whatsapp_phone_number_id, dispatch=self.dispatch, ready=self.services.ready)

    def stop(self, timeout: float) -> None:
        """Finish the messages already acknowledged (up to ``timeout`` seconds in all), then release everything."""
        import threading

        self.maintenance.stop()
        finishing = threading.Thread(target=lambda: [lane.shutdown(wait=True) for lane in self.lanes], daemon=True)
        finishing.start()
        finishing.join(timeout)
        if finishing.is_alive():
            logger.warning("stopping with acknowledged WhatsApp messages unanswered after %.0f s", timeout)
        self.client.close()
        self.services.incidents.close()


def prepare(settings: Settings) -> None:
    """Before serving (in the master process): settings, the access token, the database schema."""
    from assistant.channels.whatsapp.api import GraphClient, GraphError
    from assistant.wiring import build_services

    check_settings(settings)
    if not settings.whatsapp_allowed_numbers:
        logger.warning("WHATSAPP_ALLOWED_NUMBERS is empty: every message will be refused")
    if settings.monitoring_officers and not settings.whatsapp_mo_template:
        logger.warning("WHATSAPP_MO_TEMPLATE is not set: Monitoring Officers will not be notified over WhatsApp")
    client = GraphClient(settings)
    try:
        client.check()
    except GraphError as exc:
        raise ServiceUnavailable(f"The WhatsApp Cloud API at {settings.whatsapp_api_url} did not accept the access "
                                 f"token for this phone number ({exc.code}).",
                                 hint="Check WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID and, if set, "
                                      "WHATSAPP_API_URL.") from exc
    finally:
        client.close()
    services = build_services(settings)
    try:
        services.incidents  # noqa: B018 - migrates the database once, before the workers start
    finally:
        services.incidents.close()  # no pooled connection may cross the fork into the workers


def serve(port: int, host: str, workers: int | None, threads: int | None) -> None:
    """Run the WhatsApp webhook under gunicorn until stopped."""
    from assistant.channels.slack.server import one_blas_thread_per_request

    one_blas_thread_per_request()
    for name in ("httpx", "httpcore"):  # they log every request's URL (a media URL carries a signed token)
        logging.getLogger(name).setLevel(logging.WARNING)
    settings = Settings()
    prepare(settings)
    from assistant.channels.whatsapp.gunicorn_app import WhatsAppServer

    click.echo(f"WhatsApp webhook starting on http://{host}:{port}{WEBHOOK_PATH}", err=True)
    WhatsAppServer(settings, host=host, port=port, workers=workers or settings.whatsapp_workers,
                   threads=threads or settings.whatsapp_threads).run()

