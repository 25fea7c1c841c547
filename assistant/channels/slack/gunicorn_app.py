"""gunicorn, run from `assistant slack` (as bolt-python's own WSGI examples deploy the same app): a small
``BaseApplication`` whose configuration comes from the settings, not from a gunicorn config file.

- ``gthread`` workers: each worker process loads the model and index once (``load``), and serves requests on
  ``threads`` threads; the Bolt listeners' own pool does the work after each ack;
- a worker's boot (loading the model, a few seconds, longer on a busy machine) keeps the master informed, so
  the heartbeat ``timeout`` does not kill a worker that is still loading;
- SIGTERM (or Ctrl-C) to the master: workers stop accepting, finish the HTTP requests in flight, then the work
  already acknowledged to Slack (``worker_exit``), within ``graceful_timeout``; the master then exits 0;
- a worker that cannot start (no index, database down) logs the reason in words and gunicorn stops (exit 3).
"""

from __future__ import annotations

import logging
import sys
import threading

from gunicorn.app.base import BaseApplication

from assistant.config import Settings
from assistant.errors import UserError

logger = logging.getLogger(__name__)

HEARTBEAT_TIMEOUT_S = 30  # a worker whose main loop stops for this long is restarted by the master
KEEPALIVE_S = 5
BOOT_LIMIT_S = 600  # the boot heartbeat stops after this long, so a worker stuck loading is still restarted
WORKER_BOOT_ERROR = 3  # gunicorn's exit status for a worker that could not load the app: the master stops


class SlackServer(BaseApplication):
    """`assistant slack` under gunicorn; ``run()`` serves until SIGTERM or Ctrl-C."""

    def __init__(self, settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
        self.settings = settings
        self.runtime = None  # this worker's SlackRuntime, once loaded
        self.options = {
            "bind": f"{host}:{port}",
            "worker_class": "gthread",
            "workers": workers,
            "threads": threads,
            "timeout": HEARTBEAT_TIMEOUT_S,
            "graceful_timeout": max(1, round(settings.slack_graceful_timeout_s)),
            "keepalive": KEEPALIVE_S,
            "backlog": 512,
            "proc_name": "assistant-slack",
            "control_socket_disable": True,  # no control socket in $HOME; two servers on one host would clash
            "accesslog": None,  # Bolt and the edge log what matters; URLs and timings only would add nothing
            "loglevel": "info",
            "post_fork": _post_fork,
            "post_worker_init": _post_worker_init,
            "worker_exit": _worker_exit,
        }
        super().__init__(prog="assistant slack")

    def load_config(self) -> None:
        """Every option from the settings (gunicorn reads no config file or command line of its own here)."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """In each worker: build and warm up the app, then hand gunicorn its WSGI application."""
        from assistant.channels.slack.runtime import SlackRuntime

        try:
            self.runtime = SlackRuntime.start(self.settings)
        except UserError as exc:
            logger.error("the Slack app cannot start: %s", exc.display().replace("\n", " "))
            sys.exit(WORKER_BOOT_ERROR)
        return self.runtime.wsgi()


def _post_fork(server, worker) -> None:
    """Keep telling the master this worker is alive while it loads the model (``load`` blocks its main loop)."""
    booted = threading.Event()
    worker.assistant_loaded = booted  # (gunicorn's own worker.booted is a flag of its own)

    def beat() -> None:
        for _ in range(int(BOOT_LIMIT_S / 2)):
            if booted.wait(2):
                return
            worker.notify()

    threading.Thread(target=beat, name="boot-heartbeat", daemon=True).start()


def _post_worker_init(worker) -> None:
    worker.assistant_loaded.set()


def _worker_exit(server, worker) -> None:
    """Finish the work this worker acknowledged to Slack (answers, reports) before the process ends."""
    loaded = getattr(worker, "assistant_loaded", None)
    if loaded is not None:
        loaded.set()
    runtime = getattr(worker.app, "runtime", None)
    if runtime is not None:
        runtime.stop(timeout=max(1.0, worker.cfg.graceful_timeout - 2))
