"""Forged, oversized and malformed requests against the real running app (`assistant slack --port`), the fake Slack
recording every request the app makes: forged ones are 401 and cause nothing, oversized ones 413, malformed but
signed ones 400, never a 5xx; an over-long question gets the kind "keep it under" reply wherever it was asked."""

from __future__ import annotations

import collections
import hashlib
import hmac
import http.client
import json
import socket
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from fake_slack import SIGNING_SECRET
from malformed_bodies import MALFORMED
from payload_fuzz import generate

pytestmark = pytest.mark.real

FORM = "application/x-www-form-urlencoded"
LONG_QUESTION = ("Can I block a resident who keeps replying to my posts with insults and false claims? " * 100)[:8000]


def sign(ts: str, body: bytes, secret: str = SIGNING_SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()


def now() -> str:
    return str(int(time.time()))


def post(slack_app, body: bytes, content_type: str = "application/json", *, ts: str | None = None,
         signature: str | None = None, signed: bool = True, timeout: float = 60) -> tuple[int, bytes]:
    """POST raw bytes to /slack/events; signed with the signing secret unless a timestamp/signature is given."""
    ts = now() if ts is None else ts
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    if signed:
        headers["X-Slack-Request-Timestamp"] = ts
        headers["X-Slack-Signature"] = sign(ts, body) if signature is None else signature
    url = urllib.parse.urlsplit(slack_app["url"])
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.request("POST", url.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def raw_exchange(slack_app, head: bytes) -> bytes:
    """Send these bytes (request line and headers, maybe no body) and read the reply until the app closes."""
    url = urllib.parse.urlsplit(slack_app["url"])
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def wait_until_quiet(fake_slack, quiet_s: float = 1.0, limit_s: float = 60) -> None:
    """Let replies to earlier tests' requests finish arriving, so they are not mistaken for new calls."""
    deadline = time.monotonic() + limit_s
    seen, since = len(fake_slack.hits), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if len(fake_slack.hits) != seen:
            seen, since = len(fake_slack.hits), time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return


def new_log(slack_app, offset: int) -> str:
    return slack_app["log"].read_bytes()[offset:].decode("utf-8", "replace")


# --- forged requests: 401 and nothing happens -------------------------------------------------------------------
def test_the_reported_forgery_is_401_and_calls_nothing(slack_app, fake_slack):
    """The issue's curl: a non-numeric timestamp, any signature, a response_url of the attacker's choosing."""
    body = f"command=/ask&text=hi&user_id=UX&response_url={fake_slack.base}/x".encode()
    status, _ = post(slack_app, body, FORM, ts="abc", signature="v0=00")
    assert status == 401
    time.sleep(1.0)  # anything the app was going to send has been sent
    assert not [h for h in fake_slack.hits if urllib.parse.urlsplit(h[1]).path == "/x"]


FORGED_TIMESTAMPS = ["abc", "1e3", "", "9" * 40, "99999999999", "-1", " NOW", "+NOW", "NOW.0", "0xNOW", "STALE",
                     "FUTURE", "NOW,NOW"]


@pytest.mark.parametrize("forged", FORGED_TIMESTAMPS)
def test_forged_timestamps_are_401_with_no_side_effect(slack_app, fake_slack, forged):
    """Each signed correctly for its own timestamp, so only the timestamp is wrong."""
    ts = (forged.replace("STALE", str(int(time.time()) - 301)).replace("FUTURE", str(int(time.time()) + 301))
          .replace("NOW", now()))
    marker = f"zforgedts{FORGED_TIMESTAMPS.index(forged)}"
    offset = slack_app["log"].stat().st_size
    for body, content_type in forged_bodies(fake_slack, marker):
        assert post(slack_app, body, content_type, ts=ts, signature=sign(ts, body))[0] == 401
    time.sleep(0.5)
    assert not fake_slack.hits_mentioning(marker)
    assert marker not in new_log(slack_app, offset).lower()


def forged_bodies(fake_slack, marker: str) -> list[tuple[bytes, str]]:
    """A slash command, an event and a button click that would each make the app call Slack if accepted."""
    url = fake_slack.response_url(marker)
    command = urllib.parse.urlencode({"command": "/ask", "text": "Can I block a troll?", "user_id": f"U{marker}",
                                      "channel_id": f"C{marker}", "response_url": url, "trigger_id": marker})
    event = {"type": "event_callback", "event_id": f"Ev{marker}", "team_id": "T1", "event": {
        "type": "message", "channel_type": "im", "user": f"U{marker}", "channel": f"D{marker}", "ts": "1.2",
        "text": "Can I block a troll?"}}
    click = {"type": "block_actions", "user": {"id": f"U{marker}"}, "channel": {"id": f"C{marker}"},
             "response_url": url, "trigger_id": marker,
             "actions": [{"action_id": "report_back", "block_id": "b", "value": "not JSON"}]}
    return [(command.encode(), FORM), (json.dumps(event).encode(), "application/json"),
            (urllib.parse.urlencode({"payload": json.dumps(click)}).encode(), FORM)]


BAD_SIGNATURES = {
    "no headers": None, "empty": "", "short": "v0=00", "zeros": "v0=" + "0" * 64, "another secret": "OTHER",
    "another body": "BODY", "another timestamp": "TS", "upper case": "UPPER",
}


@pytest.mark.parametrize("name", list(BAD_SIGNATURES))
def test_bad_signatures_are_401_with_no_side_effect(slack_app, fake_slack, name):
    marker = f"zbadsig{list(BAD_SIGNATURES).index(name)}"
    for body, content_type in forged_bodies(fake_slack, marker):
        ts = now()
        signature = {"OTHER": lambda: sign(ts, body, "another-secret"), "BODY": lambda: sign(ts, body + b"&x=1"),
                     "TS": lambda: sign(str(int(ts) - 1), body), "UPPER": lambda: sign(ts, body).upper()
                     }.get(BAD_SIGNATURES[name], lambda: BAD_SIGNATURES[name])()
        status, _ = post(slack_app, body, content_type, ts=ts, signature=signature, signed=signature is not None)
        assert status == 401
    time.sleep(0.5)
    assert not fake_slack.hits_mentioning(marker)


# --- size -------------------------------------------------------------------------------------------------------
def head(length: str | None) -> bytes:
    lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"X-Slack-Request-Timestamp: {now()}", "X-Slack-Signature: v0=00"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize("declared", [str(1024 * 1024 + 1), "5000000", "9" * 30])
def test_a_body_over_1_mb_is_413_without_being_read(slack_app, declared):
    """Only the headers are sent: the 413 comes back without the app waiting for (or reading) the body."""
    assert raw_exchange(slack_app, head(declared)).split(b" ")[1] == b"413"


@pytest.mark.parametrize("declared, status", [(None, b"411"), ("abc", b"400"), ("-5", b"400")])
def test_a_missing_or_malformed_content_length_is_refused(slack_app, declared, status):
    assert raw_exchange(slack_app, head(declared)).split(b" ")[1] == status


def test_a_signed_body_of_exactly_1_mb_is_read_and_checked(slack_app):
    start = b'{"type": "event_callback", "event": null, "pad": "'
    body = start + b"x" * (1024 * 1024 - len(start) - 2) + b'"}'
    assert len(body) == 1024 * 1024
    assert post(slack_app, body)[0] == 400


# --- malformed but signed: 400, no outbound call ----------------------------------------------------------------
def test_malformed_signed_bodies_are_400_and_call_nothing(slack_app, fake_slack):
    wait_until_quiet(fake_slack)
    start, offset = len(fake_slack.hits), slack_app["log"].stat().st_size
    statuses = {name: post(slack_app, body, content_type)[0] for name, (body, content_type) in MALFORMED.items()}
    assert {name: s for name, s in statuses.items() if s != 400} == {}
    time.sleep(1.0)
    assert fake_slack.hits_since(start) == []
    assert "Traceback" not in new_log(slack_app, offset)


def test_a_command_mentioning_payload_is_answered(slack, fake_slack):
    """Bolt reads any form containing the word "payload" as an empty body; the edge hands it the parsed form."""
    key, status, _ = slack.command("/ask", "What is a payload in a social media post?")
    assert status == 200
    assert fake_slack.wait_for("response", lambda c: c.key == key)[0].params["response_type"] == "ephemeral"


# --- fuzz -------------------------------------------------------------------------------------------------------
FUZZ_SEED = 1010
UNSIGNED_COUNT, SIGNED_COUNT = 600, 600


def unsigned_variant(i: int, body: bytes) -> dict:
    """How an unsigned (or wrongly signed) request is sent: every one must be refused with 401."""
    ts = now()
    variants = [
        dict(signed=False), dict(ts="abc", signature="v0=00"), dict(ts="1e3", signature=sign("1e3", body)),
        dict(ts="", signature=sign("", body)), dict(ts="9" * 30, signature=sign("9" * 30, body)),
        dict(ts=str(int(ts) - 600), signature=sign(str(int(ts) - 600), body)),
        dict(ts=ts, signature=sign(ts, body, "not-the-secret")), dict(ts=ts, signature="v0=" + "0" * 64),
        dict(ts=ts, signature=sign(ts, body + b" ")),
    ]
    return variants[i % len(variants)]


def test_fuzz_no_5xx_and_no_calls_from_unsigned_requests(slack_app, fake_slack, slack):
    wait_until_quiet(fake_slack)
    offset = slack_app["log"].stat().st_size

    unsigned = generate(FUZZ_SEED, UNSIGNED_COUNT, "zunsg", fake_slack.response_url)
    start = len(fake_slack.hits)
    with ThreadPoolExecutor(max_workers=8) as pool:
        unsigned_statuses = list(pool.map(
            lambda ic: post(slack_app, ic[1].body, ic[1].content_type, **unsigned_variant(ic[0], ic[1].body))[0],
            list(enumerate(unsigned))))
    time.sleep(1.5)
    caused = fake_slack.hits_since(start)
    assert collections.Counter(unsigned_statuses) == {401: UNSIGNED_COUNT}
    assert caused == [], f"{len(caused)} calls while only unsigned requests were sent"

    signed = generate(FUZZ_SEED + 1, SIGNED_COUNT, "zsgn", fake_slack.response_url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        signed_statuses = list(pool.map(lambda case: post(slack_app, case.body, case.content_type)[0], signed))
    by_status = collections.Counter(signed_statuses)
    assert len(unsigned) + len(signed) >= 1000
    assert all(s < 500 for s in signed_statuses), by_status
    print(f"\nfuzz: {len(unsigned)} unsigned -> {dict(collections.Counter(unsigned_statuses))}; "
          f"{len(signed)} signed -> {dict(sorted(by_status.items()))}")

    # Still serving: a normal signed question is answered.
    key, status, _ = slack.command("/ask", "Can I use the council logo on my personal social media account?")
    assert status == 200
    reply = fake_slack.wait_for("response", lambda c: c.key == key, timeout=180)[0]
    assert reply.params["response_type"] == "ephemeral" and "went wrong" not in reply.text
    assert slack_app["process"].poll() is None

    wait_until_quiet(fake_slack, quiet_s=2, limit_s=180)  # the signed ones' replies, before other tests run
    assert not fake_slack.hits_mentioning("zunsg")  # nothing since either, from any unsigned body
    log = new_log(slack_app, offset)
    assert "Traceback" not in log and "zunsg" not in log.lower()


# --- over-long questions: the kind reply, where they were asked --------------------------------------------------
def test_an_over_long_question_by_dm_gets_the_kind_reply_in_its_thread(slack, fake_slack):
    event = {"type": "message", "channel_type": "im", "user": "ULONG1", "channel": "DULONG1",
             "ts": "1710000100.000001", "text": LONG_QUESTION}
    assert slack.event(event)[0] == 200
    reply = fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "DULONG1")[0]
    assert "keep it under" in reply.text and "8,000 characters" in reply.text
    assert reply.params["thread_ts"] == event["ts"]


def test_an_over_long_question_by_mention_gets_the_kind_reply_only_to_its_asker(slack, fake_slack):
    event = {"type": "app_mention", "user": "ULONG2", "channel": "CLONG2", "ts": "1710000100.000002",
             "text": "<@UBOT> " + LONG_QUESTION}
    assert slack.event(event)[0] == 200
    reply = fake_slack.wait_for("chat.postEphemeral", lambda c: c.params.get("channel") == "CLONG2")[0]
    assert "keep it under" in reply.text
    assert reply.params["user"] == "ULONG2" and reply.params["thread_ts"] == event["ts"]
    assert not fake_slack.find("chat.postMessage", lambda c: c.params.get("channel") == "CLONG2")


def test_an_over_long_question_by_ask_gets_the_kind_reply(slack, fake_slack):
    key, status, _ = slack.command("/ask", LONG_QUESTION, user="ULONG3")
    assert status == 200
    reply = fake_slack.wait_for("response", lambda c: c.key == key)[0]
    assert "keep it under" in reply.text and reply.params["response_type"] == "ephemeral"
