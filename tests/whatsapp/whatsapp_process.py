"""`assistant whatsapp --port PORT` (gunicorn) in a subprocess against a fake Graph API, as the tests start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from fake_graph import (
    ACCESS_TOKEN,
    APP_SECRET,
    COUNCILLOR,
    COUNCILLOR_ID,
    MO_ID,
    MO_NUMBER,
    PHONE_NUMBER_ID,
    TEMPLATE,
    VERIFY_TOKEN,
    FakeGraph,
)

from assistant.config import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppProcess:
    """`assistant whatsapp --port PORT` in a subprocess, its output in a log file."""

    def __init__(self, fake: FakeGraph, index_dir: Path, data_dir: Path, *, env: dict | None = None) -> None:
        self.port = free_port()
        self.data_dir = Path(data_dir)
        self.log_path = self.data_dir.parent / "whatsapp-app.log"
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/whatsapp/webhook"
        full_env = {**os.environ, "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET,
                    "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
                    "WHATSAPP_API_URL": fake.url, "WHATSAPP_ALLOWED_NUMBERS": f"{COUNCILLOR}={COUNCILLOR_ID}",
                    "WHATSAPP_MO_NUMBERS": f"{MO_NUMBER}={MO_ID}", "WHATSAPP_MO_TEMPLATE": TEMPLATE,
                    "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_INDEX_DIR": str(index_dir),
                    "ASSISTANT_MONITORING_OFFICERS": MO_ID, "ASSISTANT_LLM_PROVIDER": "none"}
        for name in ("ASSISTANT_COUNCIL", "ASSISTANT_DATABASE_URL", "ASSISTANT_MONITORING_OFFICER_CHANNEL"):
            full_env.pop(name, None)
        full_env.update(env or {})
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "-v", "whatsapp", "--host", "127.0.0.1", "--port", str(self.port),
             "--threads", "4"], env=full_env, cwd=str(ROOT), stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, limit_s: float = 300) -> "AppProcess":
        """Wait until /healthz answers (the worker has loaded the model and index)."""
        deadline = time.monotonic() + limit_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the WhatsApp app exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"the WhatsApp app did not start:\n{self.log()}")
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
