"""`assistant slack --port PORT` (gunicorn) in a subprocess against a fake Slack, as the tests start it."""

from __future__ import annotations

import os
from pathlib import Path

from fake_slack import BOT_TOKEN, MONITORING_OFFICER, OFFICERS_CHANNEL, SIGNING_SECRET, FakeSlack

from tests.served_process import ServedProcess, free_port

REQUEST_TIMEOUT_S = 3  # a client that stalls mid-request is dropped after this long (default 30)


class AppProcess(ServedProcess):
    """`assistant slack --port PORT` (gunicorn) in a subprocess, its output in a log file."""

    label = "the Slack app"

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
        self.launch("slack", full_env, *args)

    def as_dict(self) -> dict:
        return {"url": self.url, "base": self.base, "data_dir": self.data_dir, "log": self.log_path,
                "process": self.process, "app": self}
