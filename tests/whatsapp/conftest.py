"""The real WhatsApp channel (`assistant whatsapp --port`) in a subprocess, talking to a fake Graph API."""

from __future__ import annotations


import pytest
from whatsapp_process import AppProcess
from fake_graph import FakeGraph, WebhookSender



@pytest.fixture(scope="session")
def fake_graph():
    """Fake WhatsApp Cloud API, recording every message the app sends."""
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def whatsapp_app(fake_graph, app_index_dir, tmp_path_factory):
    """`assistant whatsapp --port PORT` on the real index, its Graph API calls going to the fake."""
    app = AppProcess(fake_graph, app_index_dir, tmp_path_factory.mktemp("whatsapp") / "data").wait_healthy()
    yield app
    assert app.stop() == 0, app.log()[-2000:]  # SIGTERM: acknowledged work finished, a clean exit


@pytest.fixture(scope="session")
def webhook(whatsapp_app) -> WebhookSender:
    """Sends signed webhooks to the running app."""
    return WebhookSender(whatsapp_app.url)
