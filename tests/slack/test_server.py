"""The production server: gunicorn serving the app (readiness, request timeout, graceful stop), Web API retries."""

from __future__ import annotations

import json
import signal
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from app_process import AppProcess
from fake_slack import BOT_TOKEN, FakeSlack, SlackSender
from slack_bolt import App
from slack_sdk.errors import SlackApiError

from assistant.channels.slack.app import web_client
from assistant.channels.slack.server import wsgi_app
from assistant.config import Settings
from assistant.wiring import build_services

pytestmark = pytest.mark.real

QUESTION = "Can I use the council logo on my personal social media account?"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def signed_head(sender: SlackSender, body: bytes) -> bytes:
    """The request line and headers of a signed POST whose body is ``body`` (sent separately)."""
    ts = str(int(time.time()))
    signature = sender.verifier.generate_signature(timestamp=ts, body=body.decode())
    path = urllib.parse.urlsplit(sender.app_url).path
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nX-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: {signature}\r\n"
            "\r\n").encode()


def command_body(fake: FakeSlack, key: str, text: str) -> bytes:
    return urllib.parse.urlencode({
        "command": "/ask", "text": text, "user_id": "U1", "channel_id": "C1", "team_id": "T1",
        "response_url": fake.response_url(key), "trigger_id": f"trigger-{key}"}).encode()


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# --- probes ----------------------------------------------------------------------------------------------------
def test_readyz_checks_the_index_and_the_database(slack_app):
    status, body = get(slack_app["base"] + "/readyz")
    assert status == 200
    assert json.loads(body) == {"ready": True, "checks": {"index": "ok", "database": "ok"}}


def test_readyz_is_503_when_the_database_does_not_answer_or_the_index_is_missing(app_index_dir, tmp_path):
    down = build_services(Settings(index_dir=app_index_dir, data_dir=tmp_path / "data",
                                   database_url="postgresql+psycopg://nobody:x@127.0.0.1:1/none"))
    assert down.ready() == {"index": "ok", "database": "ServiceUnavailable"}
    no_index = build_services(Settings(index_dir=tmp_path / "empty-index", data_dir=tmp_path / "data"))
    assert no_index.ready() == {"index": "IndexMissing", "database": "ok"}

    app = App(token="xoxb-unused", signing_secret="s", token_verification_enabled=False)
    application = wsgi_app(app, "s", ready=down.ready)
    replies = []
    body = application({"REQUEST_METHOD": "GET", "PATH_INFO": "/readyz"}, lambda s, h: replies.append(s))
    assert replies == ["503 Service Unavailable"]
    assert json.loads(b"".join(body)) == {"ready": False, "checks": {"index": "ok", "database": "ServiceUnavailable"}}


# --- request timeout -------------------------------------------------------------------------------------------
def test_a_client_that_stalls_mid_body_is_dropped_while_others_are_served(slack_app, slack, fake_slack):
    body = command_body(fake_slack, "stalled", "this request never finishes")
    url = urllib.parse.urlsplit(slack_app["url"])
    with socket.create_connection((url.hostname, url.port), timeout=60) as stalled:
        stalled.sendall(signed_head(slack, body) + body[:10])  # then nothing more
        assert get(slack_app["base"] + "/healthz") == (200, b"ok")  # meanwhile, others are served
        key, status, _ = slack.command("/ask", QUESTION)
        assert status == 200
        fake_slack.wait_for("response", lambda c: c.key == key)
        reply = read_all(stalled)  # returns once the server, after its request timeout, closes the connection
    assert reply.split(b" ")[1] == b"400"
    assert not fake_slack.find("response", lambda c: c.key == "stalled")


# --- Web API retries -------------------------------------------------------------------------------------------
def test_web_api_calls_are_retried_after_rate_limits_and_dropped_connections():
    fake = FakeSlack().start()
    try:
        client = web_client(Settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake.url))
        fake.fail_next("chat.postMessage", "429", "drop")
        assert client.chat_postMessage(channel="C1", text="hello")["ok"]
        assert fake.faulted == [("chat.postMessage", "429"), ("chat.postMessage", "drop")]
        assert len(fake.find("chat.postMessage")) == 1  # delivered once, on the third try

        fake.fail_next("chat.postMessage", *["429"] * 10)  # Slack keeps refusing: the error surfaces in the end
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C1", text="again")
        assert len(fake.find("chat.postMessage")) == 1
    finally:
        fake.stop()


def test_the_running_app_retries_a_rate_limited_reply(slack, fake_slack):
    fake_slack.fail_next("chat.postMessage", "429")
    event = {"type": "app_mention", "user": "U2", "channel": "C9", "ts": "1710000000.009001",
             "text": f"<@UBOT> {QUESTION}"}
    assert slack.event(event)[0] == 200
    reply = fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])
    assert len(reply) == 1 and "Use the Council's logo" in reply[0].text
    assert ("chat.postMessage", "429") in fake_slack.faulted


# --- graceful stop ---------------------------------------------------------------------------------------------
def test_sigterm_finishes_requests_in_flight_and_work_already_acknowledged(app_index_dir, tmp_path):
    fake_slack = FakeSlack().start()
    app = AppProcess(fake_slack, app_index_dir, tmp_path / "data", name="graceful",
                     env={"ASSISTANT_SLACK_REQUEST_TIMEOUT_S": "60"}, args=("--workers", "1")).wait_healthy()
    sender = SlackSender(app.url, fake_slack)
    try:
        url = urllib.parse.urlsplit(app.url)
        in_flight = socket.create_connection((url.hostname, url.port), timeout=120)
        body = command_body(fake_slack, "inflight", QUESTION)
        in_flight.sendall(signed_head(sender, body) + body[:20])
        acked = []
        for _ in range(6):  # acknowledged at once; the answers are worked out after the ack
            key, status, _ = sender.command("/ask", QUESTION)
            assert status == 200
            acked.append(key)

        app.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while "Handling signal: term" not in app.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Handling signal: term" in app.log()
        in_flight.sendall(body[20:])  # the rest of a request that was in flight when the stop began
        reply = read_all(in_flight)
        in_flight.close()
        assert reply.split(b" ")[1] == b"200"

        assert app.process.wait(timeout=60) == 0
        for key in [*acked, "inflight"]:
            answer = fake_slack.find("response", lambda c, k=key: c.key == k)
            assert len(answer) == 1 and "went wrong" not in answer[0].text, key
        assert "Traceback" not in app.log()
    finally:
        app.stop()
        fake_slack.stop()
