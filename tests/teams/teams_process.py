"""`assistant teams --port PORT` in a subprocess (anonymous mode unless an app id is given), as the tests start it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from assistant.config import ROOT

MONITORING_OFFICER = "mo-officer-0001"  # an Entra object id, as Teams gives it
OFFICER_CONVERSATION = "a:1officer-chat"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TeamsProcess:
    """The Teams bot in a subprocess, its output in a log file."""

    def __init__(self, connector_url: str, index_dir: Path, data_dir: Path, *, env: dict | None = None,
                 name: str = "teams-app") -> None:
        self.port = free_port()
        self.data_dir = Path(data_dir)
        self.log_path = self.data_dir.parent / f"{name}.log"
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/api/messages"
        conversations = {MONITORING_OFFICER: {"service_url": connector_url, "conversation_id": OFFICER_CONVERSATION}}
        full_env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_INDEX_DIR": str(index_dir),
                    "ASSISTANT_MONITORING_OFFICERS": MONITORING_OFFICER, "ASSISTANT_LLM_PROVIDER": "none",
                    "TEAMS_OFFICER_CONVERSATIONS": json.dumps(conversations)}
        for name_ in ("ASSISTANT_COUNCIL", "ASSISTANT_DATABASE_URL", "ASSISTANT_MONITORING_OFFICER_CHANNEL",
                      "TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID"):
            full_env.pop(name_, None)
        full_env.update(env or {})
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "-v", "teams", "--host", "127.0.0.1", "--port", str(self.port)],
            env=full_env, cwd=str(ROOT), stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, limit_s: float = 120) -> "TeamsProcess":
        """Wait until /healthz answers."""
        deadline = time.monotonic() + limit_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Teams bot exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"the Teams bot did not start:\n{self.log()}")
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, and wait for the exit; returns the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._log.close()
        return status
