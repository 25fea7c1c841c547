"""Scenario tests of the Teams bot: Bot Framework activities posted over HTTP to the real running app
(`assistant teams --port`, anonymous mode), its replies received and recorded by a local fake connector."""

from __future__ import annotations

import json

import hashlib
import re
import sqlite3
import time
import urllib.request

import jwt
import pytest
from teams_process import MONITORING_OFFICER, OFFICER_CONVERSATION, TeamsProcess
from fake_connector import TeamsClient

pytestmark = pytest.mark.real

DRAFT_MARKER = "Quokka7731"
INCIDENT_MARKER = "Wombat4242"
REFERENCE = re.compile(r"INC-\d{4}-\d{4}")
APP_ID = "00000000-0000-0000-0000-0000000b0b00"


def replies_to(activity: dict):
    return lambda c: c.conversation == activity["conversation"]["id"] and c.reply_to == activity["id"]


def db(app: TeamsProcess) -> sqlite3.Connection:
    return sqlite3.connect(app.data_dir / "incidents.db")


# --- the HTTP edge ----------------------------------------------------------------------------------------------
def test_health_endpoint(teams_app):
    with urllib.request.urlopen(teams_app.base + "/healthz") as response:
        assert response.read() == b"ok"


def test_anonymous_mode_is_announced_loudly_at_start_up(teams_app):
    assert "ANONYMOUS MODE" in teams_app.log() and "LOCAL TESTING ONLY" in teams_app.log()


@pytest.mark.parametrize("body", [
    b"", b"not json", b"\xff\xfe", b"[]", b"42", b'"message"', b"{}", b'{"type": "message"}',
    b'{"type": "message", "conversation": {"id": "a:1x"}}',  # no serviceUrl
    b'{"type": "message", "conversation": {"id": "a:1x"}, "serviceUrl": "file:///etc/passwd", "from": {"id": "u"}}',
    b'{"type": "message", "conversation": {"id": "a:1x"}, "serviceUrl": "http://127.0.0.1:1/", "from": 5}',
    b'{"type": ["message"], "conversation": {"id": "a:1x"}}', b'{"type": "message", "conversation": "a:1x"}',
    (b'{"type": "message", "conversation": {"id": "a:1x"}, "serviceUrl": "http://127.0.0.1:1/", "from": {"id": "u"},'
     b' "attachments": "not a list"}'),
    b"[" * 100_000,
])
def test_malformed_requests_get_a_4xx_and_no_reply(teams, connector, body):
    before = len(connector.calls)
    status, _ = teams.post(body)
    assert 400 <= status < 500
    time.sleep(0.2)
    assert len(connector.calls) == before


def test_a_body_over_the_size_limit_is_refused(teams):
    assert teams.post(b'{"text": "' + b"x" * (1024 * 1024 + 10) + b'"}')[0] == 413


def test_a_duplicated_activity_is_answered_once(teams, connector):
    activity = teams.activity(user="dup1", text="help")
    assert teams.post(activity)[0] == 202
    assert teams.post(activity)[0] == 202  # Teams redelivers the same activity id
    connector.wait_for(replies_to(activity))
    time.sleep(1.0)
    assert len(connector.posts(replies_to(activity))) == 1


# --- questions --------------------------------------------------------------------------------------------------
def test_question_in_the_personal_chat_gets_a_card_with_citations_and_feedback(teams, connector, teams_app):
    status, activity = teams.send(user="q1", text="Can I use the council logo on my personal social media account?")
    assert status == 202
    reply = connector.wait_for(replies_to(activity))[0]
    card = reply.cards[0]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    containers = [item for item in card["body"] if item.get("type") == "Container"]
    assert containers, "no citations in the answer card"
    where, quote = containers[0]["items"][0]["text"], containers[0]["items"][1]["text"]
    assert "·" in where and quote.startswith("“")  # document · section · paragraph, then the quote
    assert any(t["text"].startswith("🏛️") for t in card["body"] if t.get("type") == "TextBlock")  # the council
    votes = [a for a in reply.actions if a["data"].get("kind") == "feedback"]
    assert [a["data"]["vote"] for a in votes] == ["up", "down"]
    status, click = teams.send(user="q1", value=votes[0]["data"])
    assert status == 202
    assert "Thank you" in connector.wait_for(replies_to(click))[0].text
    with db(teams_app) as conn:
        assert conn.execute("SELECT vote FROM chat_feedback WHERE answer_id = ?",
                            (votes[0]["data"]["answer"],)).fetchall() == [("up",)]


def test_a_follow_up_in_the_chat_continues_the_question_before_it(teams, connector):
    _, first = teams.send(user="q9", text="can I put the council logo on my own campaign leaflets?")
    connector.wait_for(replies_to(first))
    _, follow_up = teams.send(user="q9", text="and on my Facebook page?")
    reply = connector.wait_for(replies_to(follow_up))[0]
    assert "logo" in json.dumps(reply.cards).lower()  # read with the question before it


def test_mention_in_a_channel_is_answered_in_its_thread(teams, connector, teams_app):
    thread = "19:general@thread.tacv2;messageid=1710000000999"
    status, activity = teams.send(user="q2", text="Can I block someone on social media?", conversation=thread,
                                  conversation_type="channel", mention=True)
    assert status == 202
    reply = connector.wait_for(replies_to(activity))[0]
    assert reply.conversation == thread and reply.cards  # the thread, not a new post in the channel
    with db(teams_app) as conn:  # the question as asked, without the @mention
        assert conn.execute("SELECT question FROM chat_answers WHERE place_id = ?", (thread,)).fetchall() == [
            ("Can I block someone on social media?",)]
    assert not [a for a in reply.actions if a["data"].get("kind") == "start_report"]  # reports: 1:1 only


def test_checks_and_reports_asked_for_in_a_channel_point_to_the_personal_chat(teams, connector, teams_app):
    thread = "19:general@thread.tacv2;messageid=1710000000888"
    _, activity = teams.send(user="q3", text=f"checkpost Vote for me {DRAFT_MARKER}", conversation=thread,
                             conversation_type="channel", mention=True)
    reply = connector.wait_for(replies_to(activity))[0]
    assert "1:1 chat" in reply.text and DRAFT_MARKER not in reply.text and "Only you can see" not in reply.text
    _, activity = teams.send(user="q3", text="report", conversation=thread, conversation_type="channel", mention=True)
    reply = connector.wait_for(replies_to(activity))[0]
    assert "1:1 chat" in reply.text and not reply.actions  # no report started in the channel


# --- post checks ------------------------------------------------------------------------------------------------
def test_checkpost_in_the_personal_chat_returns_findings_and_a_safer_rewrite(teams, connector, teams_app):
    draft = (f"Ring Mrs Smith on 07700 900123 at 12 Acacia Avenue, she is a liar and a crook. Vote Labour! "
             f"{DRAFT_MARKER}")
    status, activity = teams.send(user="c1", text=f"checkpost {draft}")
    assert status == 202
    reply = connector.wait_for(replies_to(activity))[0]
    assert "Only you can see this" in reply.text
    assert "Why:" in reply.text and "A safer version" in reply.text
    assert "07700 900123" not in reply.text.split("A safer version")[1]
    assert DRAFT_MARKER not in teams_app.log()


def test_checkpost_without_a_draft_shows_how(teams, connector):
    _, activity = teams.send(user="c2", text="checkpost")
    assert "followed by your draft" in connector.wait_for(replies_to(activity))[0].text


# --- incident reports -------------------------------------------------------------------------------------------
TEXT_ANSWERS = {
    "who": "unknown account @anon55", "what_happened": f"Repeated abusive replies. {INCIDENT_MARKER}",
    "when": "3 days ago", "why_abusive": "Personal insults about my family.", "kinds": "1, 2",
    "evidence": "Screenshot attached here.", "witnesses": "skip", "other_incidents": "skip", "remedy": "skip",
    "reporter_email": "skip", "reporter_phone": "skip",
}
BUTTON_ANSWERS = {"immediate_danger": "no", "about_member": "no", "safeguarding": "no", "asked_to_stop": "no",
                  "reported_police": "no", "reported_platform": "no", "raised_with_individual": "no",
                  "confidential": "no"}
CHOSEN = {"platform": "facebook"}  # more choices than buttons: a drop-down and Submit


def report_field(call) -> str | None:
    return next((a["data"]["f"] for a in call.actions if a["data"].get("kind") == "report"), None)


def test_report_in_the_personal_chat_to_its_reference_with_an_evidence_file(teams, connector, teams_app):
    user, chat = "r1", "a:1r1"
    in_chat = lambda c: c.conversation == chat  # noqa: E731
    status, _ = teams.send(user=user, text="report")
    assert status == 202
    first = connector.wait_for(lambda c: in_chat(c) and report_field(c), timeout=30)[0]
    assert "999" in first.text and "Question 1 of" in first.text
    evidence = b"%PDF-1.4 evidence"
    reference, uploaded = None, False
    for _ in range(60):
        posts = connector.posts(in_chat)
        latest = posts[-1]
        if REFERENCE.search(latest.text):
            reference = REFERENCE.search(latest.text).group(0)
            break
        step = next(c for c in reversed(posts) if report_field(c))  # "Attached…" has no buttons
        field = report_field(step)
        before = len(posts)
        if field == "evidence" and not uploaded:
            _, sent = teams.send(user=user, attachments=[connector.add_file(evidence, "letter.pdf")])
            attached = connector.wait_for(replies_to(sent))[0]
            assert "letter.pdf" in attached.text and "SHA-256" in attached.text
            uploaded = True
        elif field == "review":
            confirm = next(a for a in step.actions if a["data"].get("move") == "confirm")
            teams.send(user=user, value=confirm["data"])
        elif field in BUTTON_ANSWERS:
            choice = next(a for a in step.actions if a["data"].get("v") == BUTTON_ANSWERS[field])
            teams.send(user=user, value=choice["data"])
        elif field in CHOSEN:
            submit = next(a for a in step.actions if a["data"].get("move") == "choices")
            teams.send(user=user, value={**submit["data"], "choices": CHOSEN[field]})
        elif field == "reporter_name":  # prefilled from the Teams display name
            keep = next(a for a in step.actions if a["data"].get("move") == "keep")
            assert "Cllr r1" in keep["title"]
            teams.send(user=user, value=keep["data"])
        else:
            assert field in TEXT_ANSWERS, f"unexpected question {field}: {latest.text}"
            teams.send(user=user, text=TEXT_ANSWERS[field])
        connector.wait_for(in_chat, count=before + 1)
    assert reference and uploaded
    note = connector.wait_for(lambda c: c.conversation == OFFICER_CONVERSATION and reference in c.text)[0]
    assert INCIDENT_MARKER not in note.text and "letter.pdf" not in note.text  # the reference only
    with db(teams_app) as conn:
        incident = conn.execute("SELECT reporter_id, reporter_channel, reporter_name FROM incidents WHERE reference = ?",
                                (reference,)).fetchone()
        files = conn.execute("SELECT e.filename, e.sha256 FROM incident_evidence e JOIN report_conversations c "
                             "ON c.id = e.conversation_id WHERE c.user_id = ?", (user,)).fetchall()
        delivered = conn.execute("SELECT recipient, delivered_at FROM incident_notifications WHERE reference = ?",
                                 (reference,)).fetchall()
    assert incident == (user, "teams", "Cllr r1")
    assert files == [("letter.pdf", hashlib.sha256(evidence).hexdigest())]
    assert [(r, d is not None) for r, d in delivered] == [(MONITORING_OFFICER, True)]
    assert INCIDENT_MARKER not in teams_app.log()


def test_a_report_can_be_cancelled_and_a_question_is_then_answered_again(teams, connector):
    user, chat = "r2", "a:1r2"
    teams.send(user=user, text="report")
    step = connector.wait_for(lambda c: c.conversation == chat and report_field(c), timeout=30)[0]
    cancel = next(a for a in step.actions if a["data"].get("move") == "cancel")
    _, click = teams.send(user=user, value=cancel["data"])
    assert "nothing" in connector.wait_for(replies_to(click))[0].text.lower()
    _, question = teams.send(user=user, text="Can I use the council logo on my personal account?")
    assert connector.wait_for(replies_to(question))[0].cards[0]["actions"][0]["data"]["kind"] == "feedback"


def test_a_file_sent_from_an_unknown_host_is_not_fetched(teams, connector):
    user, chat = "r3", "a:1r3"
    teams.send(user=user, text="report")
    connector.wait_for(lambda c: c.conversation == chat and report_field(c), timeout=30)
    forged = {"contentType": "application/vnd.microsoft.teams.file.download.info", "name": "x.pdf",
              "content": {"downloadUrl": "http://169.254.169.254/latest/meta-data", "fileType": "pdf"}}
    _, sent = teams.send(user=user, attachments=[forged])
    assert "could not fetch" in connector.wait_for(replies_to(sent))[0].text
    assert not [c for c in connector.calls if "meta-data" in c.path]


# --- authentication when an app id is configured ----------------------------------------------------------------
@pytest.fixture(scope="module")
def authenticated_app(connector, app_index_dir, tmp_path_factory):
    app = TeamsProcess(connector.url, app_index_dir, tmp_path_factory.mktemp("teams-auth") / "data",
                       env={"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "not-a-real-secret",
                            "TEAMS_TENANT_ID": "11111111-2222-3333-4444-555555555555"},
                       name="teams-auth").wait_healthy()
    yield app
    app.stop()


def forged_token(**claims) -> str:
    payload = {"aud": APP_ID, "iss": "https://api.botframework.com", "serviceurl": "http://127.0.0.1:1/",
               "exp": int(time.time()) + 600, "nbf": int(time.time()) - 10, **claims}
    return jwt.encode(payload, "forged-signing-key-long-enough-for-hs256!", algorithm="HS256",
                      headers={"kid": "forged-key"})


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "FORGED", "Bearer a b",
])
def test_requests_without_a_valid_token_are_refused_when_an_app_id_is_set(authenticated_app, connector,
                                                                          authorization):
    client = TeamsClient(authenticated_app.url, connector)
    before = len(connector.calls)
    if authorization == "FORGED":
        authorization = f"Bearer {forged_token()}"
    headers = {} if authorization is None else {"Authorization": authorization}
    status, _ = client.post(client.activity(user="f1", text="help"), headers=headers)
    assert status == 401
    time.sleep(0.3)
    assert len(connector.calls) == before  # nothing sent anywhere


def test_a_forged_token_is_refused_before_the_body_is_read(authenticated_app, connector):
    client = TeamsClient(authenticated_app.url, connector)
    status, _ = client.post(b"not even json", headers={"Authorization": f"Bearer {forged_token()}"})
    assert status == 401
    assert "ANONYMOUS MODE" not in authenticated_app.log()


# --- the rest of the activity types -----------------------------------------------------------------------------
def test_installing_the_app_in_a_personal_chat_says_what_it_does(teams, connector):
    activity = teams.activity(user="i1")
    activity.update(type="conversationUpdate", membersAdded=[{"id": "29:i1"}])
    assert teams.post(activity)[0] in (200, 202)
    assert "checkpost" in connector.wait_for(replies_to(activity))[0].text


def test_whoami_gives_the_ids_to_configure_notifications(teams, connector):
    _, activity = teams.send(user="mo-new", text="whoami")
    reply = connector.wait_for(replies_to(activity))[0]
    assert "mo-new" in reply.text and "a:1mo-new" in reply.text and "TEAMS_OFFICER_CONVERSATIONS" in reply.text


def test_an_unsupported_invoke_is_not_a_server_error(teams, connector):
    activity = teams.activity(user="v1")
    activity.update(type="invoke", name="composeExtension/query", value={"commandId": "x"})
    status, _ = teams.post(activity)
    assert status < 500
