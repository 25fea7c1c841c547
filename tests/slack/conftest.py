"""The real Slack app (`assistant slack --port`) in a subprocess, talking to a fake Slack Web API server."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_process import AppProcess
from fake_slack import FakeSlack, SlackSender

from assistant.config import ROOT


@pytest.fixture(scope="session")
def fake_slack():
    """Fake Slack (Web API, files, response URLs), recording what the app sends."""
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def slack_index_dir(request) -> Path:
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
def slack_app(fake_slack, slack_index_dir, tmp_path_factory):
    """`assistant slack --port PORT` running on the real index, its Web API calls going to fake Slack."""
    app = AppProcess(fake_slack, slack_index_dir, tmp_path_factory.mktemp("slack-data")).wait_healthy()
    yield app.as_dict()
    app.stop()


@pytest.fixture(scope="session")
def slack(slack_app, fake_slack) -> SlackSender:
    """Sends signed Slack requests to the running app."""
    return SlackSender(slack_app["url"], fake_slack)
