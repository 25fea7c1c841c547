"""A real Chroma server for tests: `chroma run` (installed with chromadb) as a subprocess on a free local port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.knowledge.store import HEARTBEAT_PATH
from tests.served_process import free_port  # noqa: F401 - re-exported for the Chroma tests

CHROMA = Path(sys.executable).parent / "chroma"


class ChromaServer:
    """`chroma run --path PATH --host 127.0.0.1 --port PORT`, its data in a temporary folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = path.parent / f"chroma-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def args(self) -> list[str]:
        return ["run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]

    def start(self) -> "ChromaServer":
        """Start the server and wait for its heartbeat."""
        if not CHROMA.exists():
            pytest.fail(f"the chroma CLI is not installed next to {sys.executable}")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([str(CHROMA), *self.args], stdout=log, stderr=subprocess.STDOUT,
                                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        deadline = time.monotonic() + 60  # a readiness wait, not a timing assertion
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"chroma run exited with {self.process.returncode}:\n{self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}{HEARTBEAT_PATH}", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"chroma run did not answer its heartbeat:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop the server (and wait for it)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)  # in case a test left it stopped
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
