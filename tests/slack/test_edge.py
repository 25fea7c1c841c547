"""The HTTP edge's checks (size, signature and timestamp, structure) and the one error handler's choice of where to
reply, as functions: no app process, no network."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from types import SimpleNamespace

import pytest

from assistant.channels.slack import edge
from assistant.channels.slack.listeners.errors import report_error
from assistant.errors import InvalidInput
from malformed_bodies import MALFORMED, as_payload, click_body, event_body, form

SECRET = "unit-test-secret"


def signature(ts: str, body: bytes, secret: str = SECRET) -> str:
    """Slack's signature, computed here independently of the code under test."""
    return "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()


class CountingStream(io.BytesIO):
    """A request body that counts how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, n: int = -1) -> bytes:
        chunk = super().read(n)
        self.taken += len(chunk)
        return chunk


# --- size -------------------------------------------------------------------------------------------------------
def test_a_body_within_the_cap_is_read_whole():
    stream = CountingStream(b"x" * edge.MAX_BODY_BYTES)
    assert edge.read_body({"CONTENT_LENGTH": str(edge.MAX_BODY_BYTES), "wsgi.input": stream}) == b"x" * (1 << 20)


@pytest.mark.parametrize("declared", [str(edge.MAX_BODY_BYTES + 1), "5000000", "9" * 40])
def test_a_declared_length_over_the_cap_is_413_without_reading(declared):
    stream = CountingStream(b"x" * (edge.MAX_BODY_BYTES + 10))
    with pytest.raises(edge.Refused) as refused:
        edge.read_body({"CONTENT_LENGTH": declared, "wsgi.input": stream})
    assert refused.value.status == 413 and stream.taken == 0


def test_an_unterminated_stream_without_length_is_read_only_to_the_cap_plus_one():
    stream = CountingStream(b"x" * (3 * edge.MAX_BODY_BYTES))
    with pytest.raises(edge.Refused) as refused:
        edge.read_body({"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": stream,
                        "wsgi.input_terminated": True})
    assert refused.value.status == 413 and stream.taken == edge.MAX_BODY_BYTES + 1


def test_no_length_and_no_chunked_body_is_411_even_when_the_server_marks_input_terminated():
    stream = CountingStream(b"x" * 100)
    with pytest.raises(edge.Refused) as refused:
        edge.read_body({"wsgi.input": stream, "wsgi.input_terminated": True})  # what gunicorn hands every request
    assert refused.value.status == 411 and stream.taken == 0


@pytest.mark.parametrize("declared, status", [("", 411), (None, 411), ("abc", 400), ("-1", 400), ("1e3", 400),
                                              (" 12 x", 400), ("12", 400)])  # "12": the body is shorter
def test_missing_malformed_or_lying_content_length(declared, status):
    environ = {"wsgi.input": CountingStream(b"short")}
    if declared is not None:
        environ["CONTENT_LENGTH"] = declared
    with pytest.raises(edge.Refused) as refused:
        edge.read_body(environ)
    assert refused.value.status == status


# --- signature and timestamp ------------------------------------------------------------------------------------
BODY = b"command=%2Fask&text=hi&user_id=UX&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fx"


def test_a_fresh_correct_signature_passes():
    ts = str(int(time.time()))
    edge.verify(SECRET, ts, signature(ts, BODY), BODY)


@pytest.mark.parametrize("ts", ["abc", "1e3", "", None, " 1700000000", "+1700000000", "1700000000.5", "0x1",
                                "1_700_000_000", "١٧٠٠٠٠٠٠٠٠", "9" * 40, "99999999999", "0",
                                "NOW-301", "NOW+301"])
def test_a_malformed_huge_or_stale_timestamp_is_401(ts):
    now = int(time.time())
    if ts and ts.startswith("NOW"):
        ts = str(now + int(ts[3:]))
    sig = signature(ts, BODY) if ts and ts.isascii() else "v0=00"
    with pytest.raises(edge.Refused) as refused:
        edge.verify(SECRET, ts, sig, BODY, now=now)
    assert refused.value.status == 401


WRONG_SIGNATURES = {
    "none": lambda ts: None, "empty": lambda ts: "", "short": lambda ts: "v0=00", "zeros": lambda ts: "v0=" + "0" * 64,
    "other version": lambda ts: "v1=" + signature(ts, BODY)[3:], "not ASCII": lambda ts: "v0=é",
    "a surrogate": lambda ts: "\udcff", "another secret": lambda ts: signature(ts, BODY, "another-secret"),
    "another body": lambda ts: signature(ts, BODY + b"&x=1"), "another timestamp": lambda ts: signature("1", BODY),
    "upper case": lambda ts: signature(ts, BODY).upper(),
}


@pytest.mark.parametrize("name", list(WRONG_SIGNATURES))
def test_a_wrong_signature_is_401(name):
    ts = str(int(time.time()))
    with pytest.raises(edge.Refused) as refused:
        edge.verify(SECRET, ts, WRONG_SIGNATURES[name](ts), BODY)
    assert refused.value.status == 401


# --- structure --------------------------------------------------------------------------------------------------
WELL_FORMED = {
    "command": (form(command="/ask", text="hi", user_id="U1", channel_id="C1", trigger_id="t",
                     response_url="https://hooks.slack.com/c"), "application/x-www-form-urlencoded"),
    "command with the word payload": (form(command="/ask", text="what payload?", user_id="U1", trigger_id="t",
                                           response_url="https://hooks.slack.com/c"),
                                      "application/x-www-form-urlencoded"),
    "mention": (json.dumps(event_body({"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.2",
                                       "text": "<@UBOT> hi"})).encode(), "application/json"),
    "dm with a file": (json.dumps(event_body({"type": "message", "channel_type": "im", "user": "U1", "channel": "D1",
                                              "ts": "1.2", "files": [{"id": "F1", "size": 12, "name": "a.pdf"}]})
                                  ).encode(), "application/json"),
    "home": (json.dumps(event_body({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
                        ).encode(), "application/json"),
    "click": (as_payload(click_body()), "application/x-www-form-urlencoded"),
    "menu in the home": (as_payload(click_body(drop=("channel", "response_url"), container={"type": "view"},
                                               actions=[{"type": "static_select", "action_id": "home_set_council",
                                                         "selected_option": {"value": "Powys"}}])),
                         "application/x-www-form-urlencoded"),
    "modal": (as_payload({"type": "view_submission", "user": {"id": "U1"}, "view": {
        "id": "V1", "type": "modal", "callback_id": "report_modal", "state": {"values": {
            "who": {"value": {"type": "plain_text_input", "value": "x"}},
            "kinds": {"value": {"type": "checkboxes", "selected_options": [{"value": "doxing"}]}}}}}}),
        "application/x-www-form-urlencoded"),
    "url verification": (b'{"type": "url_verification", "challenge": "c", "token": "t"}', "application/json"),
    "ssl check": (form(ssl_check="1", token="t"), "application/x-www-form-urlencoded"),
}


@pytest.mark.parametrize("name", list(WELL_FORMED))
def test_well_formed_bodies_pass(name):
    raw, content_type = WELL_FORMED[name]
    edge.check_shape(edge.parse(raw, content_type))


def test_a_command_mentioning_payload_is_still_the_command():
    raw, content_type = WELL_FORMED["command with the word payload"]
    assert edge.parse(raw, content_type)["text"] == "what payload?"


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_bodies_are_400(name):
    raw, content_type = MALFORMED[name]
    with pytest.raises(edge.Refused) as refused:
        edge.check_shape(edge.parse(raw, content_type))
    assert refused.value.status == 400


# --- the one error handler: where the reply goes ----------------------------------------------------------------
class FakeClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def chat_postMessage(self, **kw):  # noqa: N802 - slack_sdk's name
        self.calls.append(("chat.postMessage", kw))

    def chat_postEphemeral(self, **kw):  # noqa: N802
        self.calls.append(("chat.postEphemeral", kw))

    def conversations_open(self, **kw):
        self.calls.append(("conversations.open", kw))
        return {"channel": {"id": "D" + kw["users"]}}


def context(response_url: str | None = None, verified: bool = True):
    responded: list[dict] = []
    ctx = SimpleNamespace(response_url=response_url, authorize_result=object() if verified else None,
                          respond=lambda **kw: responded.append(kw))
    return ctx, responded


TOO_LONG = InvalidInput("That question is 8,000 characters long; please keep it under 4,000.")


def test_error_with_a_response_url_is_responded():
    client, (ctx, responded) = FakeClient(), context("https://hooks.slack.com/r")
    report_error(TOO_LONG, {"command": "/ask", "response_url": "https://hooks.slack.com/r"}, client, ctx)
    assert responded and "keep it under" in responded[0]["text"] and not client.calls


def test_error_in_a_dm_is_a_message_in_its_thread():
    client, (ctx, responded) = FakeClient(), context()
    event = {"type": "message", "channel_type": "im", "user": "U1", "channel": "D1", "ts": "5.1"}
    report_error(TOO_LONG, event_body(event), client, ctx)
    (method, kw), = client.calls
    assert method == "chat.postMessage" and kw["channel"] == "D1" and kw["thread_ts"] == "5.1" and not responded


def test_error_in_a_channel_is_ephemeral_in_its_thread():
    client, (ctx, _) = FakeClient(), context()
    event = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "5.2", "thread_ts": "5.0"}
    report_error(TOO_LONG, event_body(event), client, ctx)
    (method, kw), = client.calls
    assert method == "chat.postEphemeral" and kw["user"] == "U1" and kw["thread_ts"] == "5.0"


@pytest.mark.parametrize("kind", ["block_actions", "view_submission"])
def test_error_on_a_home_button_or_modal_is_a_dm(kind):
    client, (ctx, responded) = FakeClient(), context()
    report_error(RuntimeError("secret words"), {"type": kind, "user": {"id": "U3"}}, client, ctx)
    assert [c[0] for c in client.calls] == ["conversations.open", "chat.postMessage"]
    assert client.calls[1][1]["channel"] == "DU3" and "secret words" not in client.calls[1][1]["text"]
    assert not responded


def test_an_error_before_verification_or_with_nowhere_to_reply_tells_nobody():
    client, (ctx, responded) = FakeClient(), context("http://attacker.example/x", verified=False)
    report_error(RuntimeError(), {"command": "/ask", "response_url": "http://attacker.example/x"}, client, ctx)
    client2, (ctx2, responded2) = FakeClient(), context()
    report_error(RuntimeError(), {"type": "event_callback", "event": None}, client2, ctx2)
    assert not (client.calls or responded or client2.calls or responded2)
