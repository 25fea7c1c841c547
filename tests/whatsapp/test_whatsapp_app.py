"""Scenario tests of the WhatsApp channel: signed webhooks over HTTP to the real running app
(`assistant whatsapp --port`), its Graph API calls answered and recorded by a local fake."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import sqlite3
import threading
import time

import pytest
from fake_graph import COUNCILLOR, COUNCILLOR_ID, MO_NUMBER, STRANGER, TEMPLATE, VERIFY_TOKEN, WebhookSender

pytestmark = pytest.mark.real

REFERENCE = re.compile(r"INC-\d{4}-\d{4}")
INCIDENT_MARKER = "Wombat4471"
DRAFT_MARKER = "Quokka9902"
TIP = "If your situation is not clear-cut"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))


def ask(webhook, fake, text: str, expect: str, *, timeout: float = 60):
    """Send a text and wait for a reply to the councillor containing ``expect``; returns the replies since."""
    mark = fake.mark()
    status, _ = webhook.text(text)
    assert status == 200
    fake.wait_for(lambda s: s.to == COUNCILLOR and expect in s.body, since=mark, timeout=timeout)
    return fake.to(COUNCILLOR, since=mark)


def tap(webhook, fake, replies, title: str, expect: str):
    """Tap the button or list row titled ``title`` in the latest interactive reply; wait for ``expect``."""
    message = next(s for s in reversed(replies) if title in s.reply_ids())
    list_row = message.payload["interactive"]["type"] == "list"
    mark = fake.mark()
    assert webhook.tap(message.reply_ids()[title], title, list_row=list_row)[0] == 200
    fake.wait_for(lambda s: s.to == COUNCILLOR and expect in s.body, since=mark)
    return fake.to(COUNCILLOR, since=mark)


# --- the verification challenge ---------------------------------------------------------------------------------
def test_verification_challenge_is_echoed_with_the_right_token(webhook):
    status, body, content_type = webhook.get({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                                              "hub.challenge": "1158201444"})
    assert (status, body) == (200, "1158201444") and content_type.startswith("text/plain")


@pytest.mark.parametrize("query", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    {"hub.mode": "subscribe", "hub.challenge": "1"},
])
def test_verification_challenge_is_refused_otherwise(webhook, query):
    status, body, _ = webhook.get(query)
    assert status == 403 and "1" not in body


# --- questions and checks ---------------------------------------------------------------------------------------
def test_question_is_answered_with_citations(webhook, fake_graph):
    replies = ask(webhook, fake_graph, "Can I use the council logo on my personal social media account?",
                  "Use the Council's logo on a personal social media account.")
    text = "\n".join(s.body for s in replies)
    assert "Sandwell Metropolitan Borough Council" in text  # council
    assert "Social Media and Electronic Communications Policy for Elected Members" in text  # document
    assert "¶3" in text or "para" in text  # paragraph
    assert all(s.type == "text" and len(s.body) <= 4096 for s in replies)
    assert text.index("*") < text.index("Sandwell")  # the direct answer comes before the citations


def test_a_follow_up_continues_the_question_before_it(webhook, fake_graph):
    ask(webhook, fake_graph, "can I put the council logo on my own campaign leaflets?", "logo")
    replies = ask(webhook, fake_graph, "and on my Facebook page?", "Monitoring Officer")
    assert "logo" in "\n".join(s.body for s in replies).lower()  # read with the question before it


def test_draft_is_checked_with_findings_and_a_safer_rewrite(webhook, fake_graph, whatsapp_app):
    draft = (f"check: {DRAFT_MARKER} Resident John Smith of 12 Acacia Avenue keeps complaining, "
             "call him on 07700 900461!")
    replies = ask(webhook, fake_graph, draft, "safer version")
    text = "\n".join(s.body for s in replies)
    assert "High risk" in text or "Review before posting" in text
    assert "Personal data" in text and "Why:" in text
    if "A safer version:" in text:  # else the reply says no safer version could be made
        assert "07700 900461" not in text.split("A safer version:", 1)[1]
    else:
        assert "No safer version could be made" in text
    assert DRAFT_MARKER not in whatsapp_app.log()


def test_long_answers_are_split_within_the_limit(webhook, fake_graph):
    replies = ask(webhook, fake_graph, "Do all councils say the same about using council logos, blocking residents "
                  "and posting during the pre-election period?", "Monitoring Officer")
    assert replies and all(len(s.body) <= 4096 for s in replies)


# --- incident reports -------------------------------------------------------------------------------------------
def test_report_runs_to_its_reference_with_an_evidence_image(webhook, fake_graph, whatsapp_app):
    r = ask(webhook, fake_graph, "report", "is anyone in immediate danger right now")
    assert any(s.type == "interactive" and s.payload["interactive"]["type"] == "button" for s in r)
    r = tap(webhook, fake_graph, r, "No", "another elected member")
    r = tap(webhook, fake_graph, r, "No", "vulnerable adult")
    r = tap(webhook, fake_graph, r, "No", "Who has harassed")
    r = ask(webhook, fake_graph, "@troll_account_99 on X", "which platform")
    lists = [s for s in r if s.type == "interactive" and s.payload["interactive"]["type"] == "list"]
    assert lists and len(lists[0].reply_ids()) == 9  # more than three choices: a list message
    r = tap(webhook, fake_graph, r, "X (Twitter)", "What happened?")
    ask(webhook, fake_graph, f"They posted my home address and said they would visit. {INCIDENT_MARKER}",
        "When did it happen")
    ask(webhook, fake_graph, "yesterday", "Why do you feel")
    r = ask(webhook, fake_graph, "It names my home and reads as a threat.", "What kind of incident")
    assert "1. Abuse" in "\n".join(s.body for s in r)  # a multiple choice is asked as numbered text
    ask(webhook, fake_graph, "2, 5", "links to the posts")

    media_id = fake_graph.add_media(PNG, "image/png")
    mark = fake_graph.mark()
    assert webhook.image(media_id)[0] == 200
    attached = fake_graph.wait_for(lambda s: s.to == COUNCILLOR and "Attached" in s.body, since=mark)[0]
    assert hashlib.sha256(PNG).hexdigest()[:12] in attached.body

    r = ask(webhook, fake_graph, "Screenshot attached.", "asked the person")
    r = tap(webhook, fake_graph, r, "No", "police")
    r = tap(webhook, fake_graph, r, "No", "to the platform")
    r = tap(webhook, fake_graph, r, "No", "directly with the individual")
    r = tap(webhook, fake_graph, r, "No", "witnesses")
    ask(webhook, fake_graph, "skip", "other harassing")
    ask(webhook, fake_graph, "skip", "What would you like")
    r = ask(webhook, fake_graph, "skip", "confidential")
    r = tap(webhook, fake_graph, r, "No", "Your full name")
    assert "Jo Jones" in "\n".join(s.body for s in r)  # prefilled from the WhatsApp profile
    ask(webhook, fake_graph, ".", "email address")
    ask(webhook, fake_graph, "skip", "phone number")
    r = ask(webhook, fake_graph, "skip", "Send it to the Monitoring Officer?")
    assert INCIDENT_MARKER in "\n".join(s.body for s in r)
    send_id = next(m for m in r if "Send report" in m.reply_ids()).reply_ids()["Send report"]
    r = tap(webhook, fake_graph, r, "Send report", "Your reference: *")
    reference = REFERENCE.search("\n".join(s.body for s in r)).group(0)
    mark = fake_graph.mark()
    assert webhook.post(webhook.last_body)[0] == 200  # the "Send report" tap delivered again
    assert webhook.tap(send_id, "Send report")[0] == 200  # tapped again later: a new message, no new incident
    fake_graph.wait_for(lambda s: s.to == COUNCILLOR and "I can help in three ways" in s.body, since=mark)
    menu = ask(webhook, fake_graph, "help", "Check a draft")
    tap(webhook, fake_graph, menu, "Check a draft", "followed by your draft")

    notice = fake_graph.wait_for(lambda s: s.to == MO_NUMBER and s.type == "template")[0]
    assert notice.payload["template"]["name"] == TEMPLATE and notice.body == reference  # the reference only

    with sqlite3.connect(whatsapp_app.data_dir / "incidents.db") as db:
        reporter, conversation = db.execute("SELECT reporter_id, conversation_id FROM incidents WHERE reference = ?",
                                            (reference,)).fetchone()
        shas = [row[0] for row in db.execute("SELECT sha256 FROM incident_evidence WHERE conversation_id = ?",
                                             (conversation,))]
        claims = [row[0] for row in db.execute("SELECT key FROM chat_claims")]
        incidents = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
    assert incidents == 1  # neither the redelivery nor a later tap made a second one
    assert reporter == COUNCILLOR_ID  # the configured identity, never the number
    assert shas == [hashlib.sha256(PNG).hexdigest()]
    assert not any(COUNCILLOR in key or "wamid" in key for key in claims)
    log = whatsapp_app.log()
    assert INCIDENT_MARKER not in log and COUNCILLOR not in log and MO_NUMBER not in log and "wamid" not in log


def test_during_a_report_old_buttons_report_and_check_behave(webhook, fake_graph):
    first = ask(webhook, fake_graph, "report", "is anyone in immediate danger right now")
    r = tap(webhook, fake_graph, first, "No", "another elected member")
    r = tap(webhook, fake_graph, first, "Yes", "another elected member")  # an old question's button: shown again
    assert not any("Please call 999" in s.body for s in r)
    checked = ask(webhook, fake_graph, f"check: {DRAFT_MARKER} Vote for me on Thursday!", "Your draft was not stored")
    assert not any("another elected member" in s.body for s in checked)  # a draft is never taken as an answer
    r = ask(webhook, fake_graph, "report", "another elected member")
    assert any("Welcome back" in s.body for s in r)
    ask(webhook, fake_graph, "cancel", "Your report has been cancelled")


def test_files_outside_a_report_are_not_fetched(webhook, fake_graph):
    media_id = fake_graph.add_media(b"%PDF-1.4 letter", "application/pdf")
    hits, mark = len(fake_graph.hits), fake_graph.mark()
    assert webhook.image(media_id, "application/pdf", kind="document", filename="letter.pdf")[0] == 200
    assert "type *report* first" in fake_graph.wait_for(lambda s: s.to == COUNCILLOR, since=mark)[0].body
    assert not [h for h in fake_graph.hits_since(hits) if media_id in h[1]]


# --- duplicates, forgeries, malformed bodies, strangers ---------------------------------------------------------
def test_duplicate_deliveries_are_answered_once(webhook, fake_graph):
    mark = fake_graph.mark()
    message_id = webhook.new_id()
    body = webhook.envelope([webhook.message("text", {"body": "Should I avoid posting when I'm angry?"},
                                             message_id=message_id)])
    threads = [threading.Thread(target=webhook.post, args=(body,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fake_graph.wait_for(lambda s: s.to == COUNCILLOR and TIP in s.body, since=mark)
    assert webhook.post(body)[0] == 200  # a retry after the answer went: acknowledged, not answered
    time.sleep(2)
    answers = [s for s in fake_graph.to(COUNCILLOR, since=mark) if TIP in s.body]
    assert len(answers) == 1, [a.body[:300] for a in answers]


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=zz"])
def test_forged_or_unsigned_requests_are_refused_with_no_side_effect(webhook, fake_graph, signature):
    hits = len(fake_graph.hits)
    body = webhook.envelope([webhook.message("text", {"body": "Can I block a resident?"})])
    assert webhook.post(body, signature=signature)[0] == 401
    assert webhook.post(body, signature=WebhookSender(webhook.url, secret="another-secret").signature(body))[0] == 401
    time.sleep(1)
    assert fake_graph.hits_since(hits) == []  # no outbound call at all


@pytest.mark.parametrize("body", [
    b"not json", b"[1, 2]", b'{"entry": "x"}', b'{"entry": [{"changes": [{"field": "messages", "value": []}]}]}',
    *(json.dumps({"entry": [{"changes": [{"field": "messages", "value": {"messages": [message]}}]}]}).encode()
      for message in ({"from": 447, "id": "x", "type": "text"},  # a number where a string belongs
                      {"from": "447", "id": "x", "type": "text", "text": "hi"},  # a string where an object belongs
                      {"from": "447", "id": "x", "type": "image", "image": {"mime_type": "image/png"}})),  # no id
    b"\xff\xfe\x00",
])
def test_malformed_signed_bodies_are_400_never_5xx(webhook, fake_graph, body):
    hits = len(fake_graph.hits)
    assert webhook.post(body)[0] == 400
    time.sleep(0.5)
    assert fake_graph.hits_since(hits) == []


@pytest.mark.parametrize("declared", [str(1024 * 1024 + 1), "9" * 30])
def test_a_body_over_1_mb_is_413_without_being_read(whatsapp_app, declared):
    """Only the headers are sent: the 413 comes back without the app waiting for (or reading) the body."""
    with socket.create_connection(("127.0.0.1", whatsapp_app.port), timeout=10) as sock:
        sock.sendall(f"POST /whatsapp/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     f"X-Hub-Signature-256: sha256={'0' * 64}\r\nContent-Length: {declared}\r\n\r\n".encode())
        assert sock.recv(64).split(b" ")[1] == b"413"


def test_a_signed_body_of_exactly_1_mb_is_read_and_checked(webhook):
    start = b'{"entry": "'
    body = start + b"x" * (1024 * 1024 - len(start) - 2) + b'"}'
    assert len(body) == 1024 * 1024 and webhook.post(body)[0] == 400


def test_status_updates_are_acknowledged_and_ignored(webhook, fake_graph):
    mark = fake_graph.mark()
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "x"},
                                       "statuses": [{"id": "wamid.1", "status": "delivered"}]}}]}]}).encode()
    assert webhook.post(body)[0] == 200
    time.sleep(0.5)
    assert fake_graph.mark() == mark


def test_unknown_numbers_get_one_polite_refusal_and_nothing_else(webhook, fake_graph, whatsapp_app):
    mark = fake_graph.mark()
    assert webhook.text("Can I block a resident who trolls me?", sender=STRANGER)[0] == 200
    refusal = fake_graph.wait_for(lambda s: s.to == STRANGER, since=mark)[0]
    assert "only for councillors" in refusal.body
    webhook.text("report", sender=STRANGER)
    time.sleep(2)
    assert [s.body for s in fake_graph.to(STRANGER, since=mark)] == [refusal.body]
    assert STRANGER not in whatsapp_app.log()
