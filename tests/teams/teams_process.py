"""`assistant teams --port PORT` in a subprocess (anonymous mode unless an app id is given), as the tests start it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.served_process import ServedProcess, free_port

MONITORING_OFFICER = "mo-officer-0001"  # an Entra object id, as Teams gives it
OFFICER_CONVERSATION = "a:1officer-chat"


class TeamsProcess(ServedProcess):
    """The Teams bot in a subprocess, its output in a log file."""

    label = "the Teams bot"
    start_limit_s = 120
    stop_timeout_s = 30

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
        self.launch("teams", full_env)
