"""Socket Mode (`assistant slack --socket`): the same app over a WebSocket, for councils behind a firewall."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from fake_socket_mode import FakeSocketMode

from assistant.config import ROOT

pytestmark = pytest.mark.real


def test_socket_mode_answers_a_command_and_stops_cleanly(app_index_dir, tmp_path):
    fake, socket_mode = FakeSlack().start(), FakeSocketMode().start()
    fake.socket_url = socket_mode.url
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": fake.url,
           "ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_INDEX_DIR": str(app_index_dir),
           "ASSISTANT_LLM_PROVIDER": "none"}
    for name in ("SLACK_SIGNING_SECRET", "ASSISTANT_DATABASE_URL", "ASSISTANT_COUNCIL"):
        env.pop(name, None)
    log = tmp_path / "socket-mode.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "-v", "slack", "--socket"], env=env,
                                   cwd=str(ROOT), stdout=out, stderr=subprocess.STDOUT)
    try:
        assert socket_mode.connected.wait(300), log.read_text()
        socket_mode.send({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                          "payload": {"command": "/ask", "text": "Can I use the council logo on my personal account?",
                                      "user_id": "U1", "channel_id": "C1", "team_id": "T1", "api_app_id": "A1",
                                      "response_url": fake.response_url("sock1"), "trigger_id": "trigger-sock1"}})
        assert socket_mode.ack("env-1")["envelope_id"] == "env-1"  # acknowledged over the socket
        reply = fake.wait_for("response", lambda c: c.key == "sock1", timeout=120)[0]
        assert reply.params["response_type"] == "ephemeral" and "Use the Council's logo" in reply.text

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert "Traceback" not in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
        socket_mode.stop()
        fake.stop()
