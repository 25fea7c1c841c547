"""The real Slack app (`assistant slack --port`) in a subprocess, talking to a fake Slack Web API server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from fake_slack import BOT_TOKEN, MONITORING_OFFICER, OFFICERS_CHANNEL, SIGNING_SECRET, FakeSlack, SlackSender

from assistant.config import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = free_port()
    data_dir = tmp_path_factory.mktemp("slack-data")
    log_path = data_dir.parent / "slack-app.log"
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake_slack.url, "ASSISTANT_DATA_DIR": str(data_dir),
           "ASSISTANT_INDEX_DIR": str(slack_index_dir), "ASSISTANT_MONITORING_OFFICERS": MONITORING_OFFICER,
           "ASSISTANT_MONITORING_OFFICER_CHANNEL": OFFICERS_CHANNEL, "ASSISTANT_LLM_PROVIDER": "none"}
    for name in ("ASSISTANT_COUNCIL", "ASSISTANT_DATABASE_URL", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    log = open(log_path, "w")
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "-v", "slack", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the Slack app exited:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the Slack app did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    yield {"url": f"{base}/slack/events", "base": base, "data_dir": Path(data_dir), "log": log_path,
           "process": process}
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def slack(slack_app, fake_slack) -> SlackSender:
    """Sends signed Slack requests to the running app."""
    return SlackSender(slack_app["url"], fake_slack)
