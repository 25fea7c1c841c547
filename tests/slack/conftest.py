"""The real Slack app (`assistant slack --port`) in a subprocess, talking to a fake Slack Web API server."""

from __future__ import annotations


import pytest
from app_process import AppProcess
from fake_slack import FakeSlack, SlackSender



@pytest.fixture(scope="session")
def fake_slack():
    """Fake Slack (Web API, files, response URLs), recording what the app sends."""
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def slack_app(fake_slack, app_index_dir, tmp_path_factory):
    """`assistant slack --port PORT` running on the real index, its Web API calls going to fake Slack."""
    app = AppProcess(fake_slack, app_index_dir, tmp_path_factory.mktemp("slack-data")).wait_healthy()
    yield app.as_dict()
    app.stop()


@pytest.fixture(scope="session")
def slack(slack_app, fake_slack) -> SlackSender:
    """Sends signed Slack requests to the running app."""
    return SlackSender(slack_app["url"], fake_slack)
