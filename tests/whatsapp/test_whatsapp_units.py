"""The WhatsApp adapter's pure parts in-process: the edge's checks, message splitting, and rendering."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from assistant.answering.service import Answer, CouncilGroup
from assistant.channels.whatsapp import edge, render
from assistant.channels.whatsapp.report_render import parse_reply_id, step_messages
from assistant.channels.whatsapp.sender import WhatsAppNotificationSender
from assistant.config import Settings
from assistant.incidents.form import Choice
from assistant.incidents.outbox import DeliveryFailed, PendingNotification
from assistant.incidents.steps import Question, Step
from assistant.knowledge.models import Citation


# --- the edge ---------------------------------------------------------------------------------------------------
def test_signature_is_checked_on_the_raw_body():
    body = b'{"entry": []}'
    good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    edge.verify("s3cret", good, body)
    for bad in (None, "", good.upper(), good[:-1] + "0", "sha1=" + good[7:]):
        with pytest.raises(edge.Refused) as refused:
            edge.verify("s3cret", bad, body)
        assert refused.value.status == 401
    with pytest.raises(edge.Refused):
        edge.verify("s3cret", good, body + b" ")


def test_challenge_needs_subscribe_and_the_token():
    assert edge.challenge("hub.mode=subscribe&hub.verify_token=tok&hub.challenge=42", "tok") == "42"
    assert edge.challenge("hub.mode=subscribe&hub.verify_token=tok2&hub.challenge=42", "tok") is None
    assert edge.challenge("hub.mode=subscribe&hub.verify_token=tok&hub.challenge=42", "") is None
    assert edge.challenge("", "tok") is None


def test_messages_of_other_numbers_are_dropped_and_kinds_are_read():
    def body(number_id: str, message: dict) -> bytes:
        return json.dumps({"entry": [{"changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": number_id}, "contacts": [{"profile": {"name": "Jo"}, "wa_id": "44"}],
            "messages": [{"from": "44", "id": "wamid.1", "type": message["type"], **message}]}}]}]}).encode()

    assert edge.messages(body("other", {"type": "text", "text": {"body": "hi"}}), "mine") == []
    [text] = edge.messages(body("mine", {"type": "text", "text": {"body": "hi"}}), "mine")
    assert (text.kind, text.text, text.profile_name) == ("text", "hi", "Jo")
    [tap] = edge.messages(body("mine", {"type": "interactive", "interactive": {
        "type": "list_reply", "list_reply": {"id": "rep|c|f|v", "title": "X"}}}), "mine")
    assert (tap.kind, tap.reply_id) == ("reply", "rep|c|f|v")
    [doc] = edge.messages(body("mine", {"type": "document", "document": {
        "id": "m1", "mime_type": "application/pdf", "filename": "letter.pdf"}}), "mine")
    assert (doc.kind, doc.media_id, doc.filename) == ("document", "m1", "letter.pdf")
    [sticker] = edge.messages(body("mine", {"type": "sticker", "sticker": {"id": "s"}}), "mine")
    assert sticker.kind == "other"


# --- splitting and answers --------------------------------------------------------------------------------------
def test_split_keeps_every_piece_within_the_limit_and_loses_nothing():
    paragraphs = [f"Paragraph {n}: " + "word " * 300 for n in range(12)]
    body = "\n\n".join(paragraphs)
    pieces = render.split(body)
    assert len(pieces) > 1 and all(len(p) <= render.MAX_TEXT for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(body.split())
    assert render.split("x" * 9000) == ["x" * 4096, "x" * 4096, "x" * 808]


def test_a_long_answer_is_split_lead_first_with_every_citation():
    citations = tuple(Citation("Sandwell Metropolitan Borough Council", "Social Media Policy", "Conduct",
                               f"para {n}", f"Quoted guidance number {n}. " + "Councillors should be careful. " * 40,
                               "x.md", 0.9) for n in range(8))
    answer = Answer("q?", False, "text", "Do not use the council logo.", citations,
                    groups=(CouncilGroup("Sandwell Metropolitan Borough Council", citations),))
    messages = render.answer_messages(answer)
    bodies = [m["text"]["body"] for m in messages]
    assert len(bodies) > 1 and all(len(b) <= render.MAX_TEXT for b in bodies)
    assert bodies[0].startswith("*Do not use the council logo.*")
    joined = "\n".join(bodies)
    assert all(f"para {n}" in joined for n in range(8)) and render.MONITORING_OFFICER_TIP in bodies[-1]


# --- report steps -----------------------------------------------------------------------------------------------
def question(kind: str, n: int) -> Step:
    choices = tuple(Choice(f"c{i}", f"Choice number {i} with a long label") for i in range(n))
    q = Question("field", "Who", "Pick one", None, kind, False, choices, 1, 5)
    return Step("conv-1", "question", question=q)


def test_up_to_three_choices_are_buttons_more_a_list_multi_choice_text():
    [*_, buttons] = step_messages(question("choice", 3))
    assert buttons["interactive"]["type"] == "button"
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons["interactive"]["action"]["buttons"])
    assert parse_reply_id(buttons["interactive"]["action"]["buttons"][0]["reply"]["id"]) == ("conv-1", "field", "c0")
    [*_, listed] = step_messages(question("choice", 9))
    rows = listed["interactive"]["action"]["sections"][0]["rows"]
    assert listed["interactive"]["type"] == "list" and len(rows) == 9 and all(len(r["title"]) <= 24 for r in rows)
    assert all(m["type"] == "text" for m in step_messages(question("multi_choice", 9)))


# --- the outbox sender ------------------------------------------------------------------------------------------
class RecordingClient:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def send(self, to: str, message: dict) -> dict:
        self.sent.append((to, message))
        return {}


def test_sender_sends_the_template_with_the_reference_only_to_configured_numbers():
    client = RecordingClient()
    sender = WhatsAppNotificationSender(client, template="incident_submitted", language="en_GB",
                                        numbers=Settings(whatsapp_mo_numbers="447700900999=mo.smith")
                                        .whatsapp_mo_numbers)
    sender.send(PendingNotification(1, "INC-2026-0001", "mo.smith", "user", "ignored text"))
    [(to, message)] = client.sent
    assert to == "447700900999" and message["template"]["name"] == "incident_submitted"
    assert message["template"]["components"][0]["parameters"] == [{"type": "text", "text": "INC-2026-0001"}]
    with pytest.raises(DeliveryFailed) as failed:
        sender.send(PendingNotification(2, "INC-2026-0002", "U123SLACK", "user", "x"))
    assert not failed.value.permanent  # another channel's recipient: left for it


def test_number_maps_are_parsed_and_bad_entries_refused_without_echoing_them():
    from assistant.channels.whatsapp.server import check_settings
    from assistant.errors import UserError

    settings = Settings(whatsapp_allowed_numbers="+44 7700 900123=cllr.jones, 447700900456 = cllr.smith")
    assert settings.whatsapp_allowed_numbers == {"447700900123": "cllr.jones", "447700900456": "cllr.smith"}
    bad = Settings(whatsapp_allowed_numbers="447700900111=cllr.a, 447700900222", whatsapp_access_token="t",
                   whatsapp_app_secret="s", whatsapp_verify_token="v", whatsapp_phone_number_id="1")
    with pytest.raises(UserError) as refused:
        check_settings(bad)
    assert "entry 2" in refused.value.display() and "447700900222" not in refused.value.display()
