"""The real Teams bot (`assistant teams --port`) in a subprocess, replying to a local fake connector."""

from __future__ import annotations

from pathlib import Path

import pytest
from teams_process import TeamsProcess
from fake_connector import FakeConnector, TeamsClient

from assistant.config import ROOT


@pytest.fixture(scope="session")
def connector():
    """The fake Bot Framework connector (the activities' serviceUrl), recording what the bot sends."""
    fake = FakeConnector().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def teams_index_dir(request) -> Path:
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
def teams_app(connector, teams_index_dir, tmp_path_factory):
    """`assistant teams --port PORT` in anonymous mode on the real index."""
    app = TeamsProcess(connector.url, teams_index_dir, tmp_path_factory.mktemp("teams-data") / "data").wait_healthy()
    yield app
    app.stop()


@pytest.fixture(scope="session")
def teams(teams_app, connector) -> TeamsClient:
    """Posts activities to the running bot."""
    return TeamsClient(teams_app.url, connector)
