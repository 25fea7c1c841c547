"""What the channels' real app processes share in tests: a free port, the start, /healthz, the log, the stop."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from assistant.config import ROOT


def free_port() -> int:
    """A port nothing listens on (the OS picks it; closed again at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedProcess:
    """An `assistant <channel> --port PORT` subprocess, its output in ``log_path``. Subclasses set ``port``,
    ``base`` (http://127.0.0.1:PORT) and ``log_path``, then call :meth:`launch`."""

    label = "the app"
    start_limit_s: float = 300
    stop_timeout_s: float = 60

    def launch(self, command: str, env: dict, *args: str) -> None:
        """Run `assistant -v COMMAND --host 127.0.0.1 --port PORT ARGS` with this environment."""
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "-v", command, "--host", "127.0.0.1", "--port", str(self.port),
             *args], env=env, cwd=str(ROOT), stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, limit_s: float | None = None):
        """Wait until /healthz answers (a worker has loaded the model and index); returns self."""
        deadline = time.monotonic() + (limit_s if limit_s is not None else self.start_limit_s)
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.label} exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"{self.label} did not start:\n{self.log()}")
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float | None = None) -> int:
        """SIGTERM, and wait for the graceful exit; returns the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            status = self.process.wait(timeout=timeout if timeout is not None else self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._log.close()
        return status
