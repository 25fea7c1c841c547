"""`assistant slack --port PORT` (gunicorn) in a subprocess against a fake Slack, as the tests start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from fake_slack import BOT_TOKEN, MONITORING_OFFICER, OFFICERS_CHANNEL, SIGNING_SECRET, FakeSlack

from assistant.config import ROOT

REQUEST_TIMEOUT_S = 3  # a client that stalls mid-request is dropped after this long (default 30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppProcess:
    """`assistant slack --port PORT` (gunicorn) in a subprocess, its output in a log file."""

    def __init__(self, fake: FakeSlack, index_dir: Path, data_dir: Path, *, env: dict | None = None,
                 args: tuple[str, ...] = (), name: str = "slack-app") -> None:
        self.port = free_port()
        self.data_dir = Path(data_dir)
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir.parent / f"{name}.log"
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/slack/events"
        full_env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.url, "ASSISTANT_DATA_DIR": str(data_dir),
                    "ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_MONITORING_OFFICERS": MONITORING_OFFICER,
                    "ASSISTANT_MONITORING_OFFICER_CHANNEL": OFFICERS_CHANNEL, "ASSISTANT_LLM_PROVIDER": "none",
                    "ASSISTANT_SLACK_REQUEST_TIMEOUT_S": str(REQUEST_TIMEOUT_S)}
        for name_ in ("ASSISTANT_COUNCIL", "ASSISTANT_DATABASE_URL", "SLACK_APP_TOKEN"):
            full_env.pop(name_, None)
        full_env.update(env or {})
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "-v", "slack", "--host", "127.0.0.1", "--port", str(self.port),
             *args], env=full_env, cwd=str(ROOT), stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, limit_s: float = 300) -> "AppProcess":
        """Wait until /healthz answers (a worker has loaded the model and index)."""
        deadline = time.monotonic() + limit_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Slack app exited:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"the Slack app did not start:\n{self.log_path.read_text()}")
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, and wait for the graceful exit; returns the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._log.close()
        return status

    def as_dict(self) -> dict:
        return {"url": self.url, "base": self.base, "data_dir": self.data_dir, "log": self.log_path,
                "process": self.process, "app": self}
