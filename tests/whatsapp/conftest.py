"""The real WhatsApp channel (`assistant whatsapp --port`) in a subprocess, talking to a fake Graph API."""

from __future__ import annotations

from pathlib import Path

import pytest
from whatsapp_process import AppProcess
from fake_graph import FakeGraph, WebhookSender

from assistant.config import ROOT


@pytest.fixture(scope="session")
def fake_graph():
    """Fake WhatsApp Cloud API, recording every message the app sends."""
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def whatsapp_index_dir(request) -> Path:
    """The repo's index when it is complete and current (saves a build), else the session's freshly built one."""
    from assistant.config import Settings
    from assistant.knowledge.base import KnowledgeBase

    try:
        stats = KnowledgeBase.from_settings(Settings(index_dir=ROOT / "index")).stats()
        if stats["indexed"] == stats["paragraphs"] > 0 and not stats["stale"]:
            return ROOT / "index"
    except Exception:  # noqa: BLE001 - any problem with the repo's index: build one
        pass
    return request.getfixturevalue("built_settings").index_dir


@pytest.fixture(scope="session")
def whatsapp_app(fake_graph, whatsapp_index_dir, tmp_path_factory):
    """`assistant whatsapp --port PORT` on the real index, its Graph API calls going to the fake."""
    app = AppProcess(fake_graph, whatsapp_index_dir, tmp_path_factory.mktemp("whatsapp") / "data").wait_healthy()
    yield app
    assert app.stop() == 0, app.log()[-2000:]  # SIGTERM: acknowledged work finished, a clean exit


@pytest.fixture(scope="session")
def webhook(whatsapp_app) -> WebhookSender:
    """Sends signed webhooks to the running app."""
    return WebhookSender(whatsapp_app.url)
