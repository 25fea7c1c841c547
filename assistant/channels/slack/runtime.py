"""One serving process of the Slack app: its services warmed up, the Bolt app, and the background maintenance.

``SlackRuntime.start(settings)`` runs in each gunicorn worker (or the one Socket Mode process); ``wsgi()`` is the
WSGI application it serves; ``stop(timeout)`` finishes what was acknowledged to Slack before the process exits.

``Maintenance`` is a daemon thread in every serving process: each minute it delivers the outbox's due Monitoring
Officer notifications (rows are claimed in the database, so processes never send one twice), and each hour it
asks for the daily retention purge, which the database lets one process run per day however many ask.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from assistant.config import Settings

logger = logging.getLogger(__name__)

DELIVER_EVERY_S = 60.0
PURGE_CHECK_EVERY_S = 3600.0


def warm_up(services) -> None:
    """Load the model, index, checker and database now, so the first request is as fast as the rest."""
    services.answerer.answer("Can I use the council logo on my personal social media account?")
    checker = services.checker
    if hasattr(checker, "warm_up"):
        checker.warm_up()
    services.incidents  # noqa: B018 - builds the service (the master already migrated the database)


class Maintenance(threading.Thread):
    """Periodic outbox delivery and the daily purge, in the background of a serving process."""

    def __init__(self, deliver: Callable[[], object], purge_if_due: Callable[[str], object], *,
                 deliver_every_s: float = DELIVER_EVERY_S, purge_check_every_s: float = PURGE_CHECK_EVERY_S) -> None:
        super().__init__(name="assistant-maintenance", daemon=True)
        self.deliver = deliver
        self.purge_if_due = purge_if_due
        self.deliver_every_s = deliver_every_s
        self.purge_check_every_s = purge_check_every_s
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self._stopping = threading.Event()

    def run(self) -> None:
        """Deliver at once (anything left from before a restart), then on schedule until stopped."""
        next_purge = 0.0
        elapsed = 0.0
        while not self._stopping.is_set():
            self._safely("outbox delivery", self.deliver)
            if elapsed >= next_purge:
                self._safely("retention purge", lambda: self.purge_if_due(self.holder))
                next_purge = elapsed + self.purge_check_every_s
            self._stopping.wait(self.deliver_every_s)
            elapsed += self.deliver_every_s

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current step."""
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

    @staticmethod
    def _safely(what: str, step: Callable[[], object]) -> None:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - the next round tries again; the server keeps serving
            logger.warning("%s failed (%s); trying again later", what, type(exc).__name__)


@dataclass
class SlackRuntime:
    """A serving process's services, Bolt app, listener deps and maintenance thread."""

    settings: Settings
    services: object
    app: object
    deps: object
    maintenance: Maintenance

    @classmethod
    def start(cls, settings: Settings, *, socket_mode: bool = False) -> "SlackRuntime":
        """Build and warm up everything, then start the maintenance thread."""
        from assistant.channels.slack.app import build_app
        from assistant.wiring import build_services

        services = build_services(settings)
        warm_up(services)
        app, deps = build_app(services, socket_mode=socket_mode)
        maintenance = Maintenance(deps.deliver_notifications, lambda holder: services.retention.purge_if_due(holder))
        maintenance.start()
        return cls(settings, services, app, deps, maintenance)

    def wsgi(self):
        """The WSGI application of this process (see server.wsgi_app)."""
        from assistant.channels.slack.server import wsgi_app

        return wsgi_app(self.app, self.settings.slack_signing_secret.get_secret_value(), ready=self.services.ready,
                        request_timeout_s=self.settings.slack_request_timeout_s)

    def stop(self, timeout: float) -> None:
        """Let acknowledged work finish (answers being written, reports being filed) for up to ``timeout`` s."""
        self.maintenance.stop()
        executor = getattr(self.deps, "listener_executor", None)
        if executor is not None:
            finishing = threading.Thread(target=executor.shutdown, kwargs={"wait": True}, daemon=True)
            finishing.start()
            finishing.join(timeout)
            if finishing.is_alive():
                logger.warning("stopping with acknowledged Slack work unfinished after %.0f s", timeout)
        self.services.incidents.close()
