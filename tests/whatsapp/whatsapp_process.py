"""`assistant whatsapp --port PORT` (gunicorn) in a subprocess against a fake Graph API, as the tests start it."""

from __future__ import annotations

import os
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

from tests.served_process import ServedProcess, free_port


class AppProcess(ServedProcess):
    """`assistant whatsapp --port PORT` in a subprocess, its output in a log file."""

    label = "the WhatsApp app"

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
        self.launch("whatsapp", full_env, "--threads", "4")
