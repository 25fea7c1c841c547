"""gunicorn for `assistant whatsapp`: the Slack server's set-up (gthread workers, a boot heartbeat while the model
loads, a graceful stop that finishes acknowledged work), each worker serving a ``WhatsAppRuntime``."""

from __future__ import annotations

import logging
import sys

from assistant.channels.slack.gunicorn_app import WORKER_BOOT_ERROR, SlackServer
from assistant.config import Settings
from assistant.errors import UserError

logger = logging.getLogger(__name__)


class WhatsAppServer(SlackServer):
    """`assistant whatsapp` under gunicorn; ``run()`` serves until SIGTERM or Ctrl-C."""

    def __init__(self, settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
        super().__init__(settings, host=host, port=port, workers=workers, threads=threads)
        self.cfg.set("proc_name", "assistant-whatsapp")

    def load(self):
        """In each worker: build and warm up the runtime, then hand gunicorn its WSGI application."""
        from assistant.channels.whatsapp.server import WhatsAppRuntime

        try:
            self.runtime = WhatsAppRuntime.start(self.settings)
        except UserError as exc:
            logger.error("the WhatsApp channel cannot start: %s", exc.display().replace("\n", " "))
            sys.exit(WORKER_BOOT_ERROR)
        return self.runtime.wsgi()
