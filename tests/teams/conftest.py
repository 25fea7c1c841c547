"""The real Teams bot (`assistant teams --port`) in a subprocess, replying to a local fake connector."""

from __future__ import annotations


import pytest
from teams_process import TeamsProcess
from fake_connector import FakeConnector, TeamsClient



@pytest.fixture(scope="session")
def connector():
    """The fake Bot Framework connector (the activities' serviceUrl), recording what the bot sends."""
    fake = FakeConnector().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def teams_app(connector, app_index_dir, tmp_path_factory):
    """`assistant teams --port PORT` in anonymous mode on the real index."""
    app = TeamsProcess(connector.url, app_index_dir, tmp_path_factory.mktemp("teams-data") / "data").wait_healthy()
    yield app
    app.stop()


@pytest.fixture(scope="session")
def teams(teams_app, connector) -> TeamsClient:
    """Posts activities to the running bot."""
    return TeamsClient(teams_app.url, connector)
