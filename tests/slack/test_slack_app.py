"""Scenario tests of the Slack app, in the manner of bolt-python's own: signed HTTP requests to the real running app
(`assistant slack --port`), its Web API calls answered and recorded by a local fake Slack."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import urllib.request

import pytest
from fake_slack import MONITORING_OFFICER, OFFICERS_CHANNEL, texts_of
from report_forms import INCIDENT_MARKER, MODAL_ANSWERS, fill, submit_view

pytestmark = pytest.mark.real

DRAFT_MARKER = "Quokka7731"
REFERENCE = re.compile(r"INC-\d{4}-\d{4}")


def buttons(call) -> list[dict]:
    """Every button in a message or view."""
    return [e for b in call.params.get("blocks") or call.params.get("view", {}).get("blocks", [])
            if b.get("type") == "actions" for e in b["elements"]]


def button_named(call, action_id: str) -> dict:
    return next(b for b in buttons(call) if b["action_id"] == action_id)


# --- the HTTP edge ----------------------------------------------------------------------------------------------
def test_url_verification_answers_the_challenge(slack):
    status, body, _ = slack.post(json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}),
                                 "application/json")
    assert status == 200 and "abc123" in body


def test_bad_signature_and_stale_timestamp_are_refused_and_their_bodies_not_logged(slack, fake_slack, slack_app):
    body = (f"command=%2Fcheckpost&text=secret+draft+{DRAFT_MARKER}&user_id=U1&channel_id=C1"
            "&response_url=http%3A%2F%2Fx&trigger_id=t")
    assert slack.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)[0] == 401
    stale = int(time.time()) - 10 * 60
    assert slack.post(body, "application/x-www-form-urlencoded", timestamp=stale)[0] == 401
    assert not fake_slack.find("response", lambda c: c.key == "x")
    log = slack_app["log"].read_text()
    assert "Invalid request signature" in log and DRAFT_MARKER not in log


def test_health_endpoint(slack_app):
    with urllib.request.urlopen(slack_app["base"] + "/healthz") as response:
        assert response.read() == b"ok"


# --- questions --------------------------------------------------------------------------------------------------
def test_ask_answers_ephemerally_with_citations_feedback_and_share(slack, fake_slack, slack_app):
    key, status, body = slack.command("/ask", "Can I use the council logo on my personal social media account?")
    assert status == 200 and body == ""  # acked at once, with nothing shown in the channel
    reply = fake_slack.wait_for("response", lambda c: c.key == key)[0]
    assert reply.params["response_type"] == "ephemeral"
    text = reply.text
    assert "Sandwell Metropolitan Borough Council" in text  # council
    assert "Social Media and Electronic Communications Policy for Elected Members" in text  # document
    assert "¶3" in text or "para" in text  # section and paragraph
    assert "Use the Council's logo on a personal social media account." in text  # quoted text, verbatim
    ids = {b["action_id"] for b in buttons(reply)}
    assert {"share_answer", "feedback_up", "feedback_down"} <= ids

    answer_id = button_named(reply, "feedback_up")["value"]
    fb_key, status, _ = slack.click("feedback_up", answer_id)
    assert status == 200
    thanks = fake_slack.wait_for("response", lambda c: c.key == fb_key)[0]
    assert "Thanks" in thanks.text and thanks.params["response_type"] == "ephemeral"
    slack.click("feedback_down", answer_id, user="U7")
    fake_slack.wait_for("response", lambda c: "Thanks" in c.text, count=2)
    with sqlite3.connect(slack_app["data_dir"] / "incidents.db") as db:  # the one database
        votes = dict(db.execute("SELECT user_id, vote FROM chat_feedback WHERE answer_id = ?", (answer_id,)).fetchall())
    assert votes == {"U1": "up", "U7": "down"}
    assert not (slack_app["data_dir"] / "slack.db").exists()

    share_key, _, _ = slack.click("share_answer", answer_id)
    posted = fake_slack.wait_for("response", lambda c: c.key == share_key, count=2)
    shared = next(c for c in posted if c.params.get("response_type") == "in_channel")
    assert "<@U1> shared an answer" in shared.text and "Use the Council's logo" in shared.text
    assert "share_answer" not in {b["action_id"] for b in buttons(shared)}
    assert any(c.params.get("delete_original") for c in posted)


def test_ask_without_a_question_shows_how(slack, fake_slack):
    key, _, _ = slack.command("/ask", "   ")
    assert "/ask Can I block" in fake_slack.wait_for("response", lambda c: c.key == key)[0].text


def test_mention_is_answered_in_its_thread(slack, fake_slack):
    event = {"type": "app_mention", "user": "U2", "channel": "C2", "ts": "1710000000.000100",
             "text": "<@UBOT> can I use the council logo on my personal account?"}
    assert slack.event(event)[0] == 200
    reply = fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])[0]
    assert reply.params["channel"] == "C2"
    assert "Use the Council's logo" in reply.text
    assert {"feedback_up", "feedback_down"} <= {b["action_id"] for b in buttons(reply)}


def test_a_follow_up_in_the_thread_continues_the_question_before_it(slack, fake_slack):
    first = {"type": "app_mention", "user": "U5", "channel": "C5", "ts": "1710000000.000500",
             "text": "<@UBOT> can I put the council logo on my own campaign leaflets?"}
    slack.event(first)
    fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == first["ts"])
    follow_up = {"type": "app_mention", "user": "U5", "channel": "C5", "ts": "1710000000.000501",
                 "thread_ts": first["ts"], "text": "<@UBOT> and on my Facebook page?"}
    slack.event(follow_up)
    replies = fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == first["ts"], count=2)
    assert replies[1].params["channel"] == "C5"
    assert "logo" in replies[1].text.lower()  # read with the question before it, not as "Facebook page?" alone


def test_direct_message_is_answered_in_thread(slack, fake_slack):
    event = {"type": "message", "channel_type": "im", "user": "U2", "channel": "DU2", "ts": "1710000000.000200",
             "text": "Should I avoid posting when I'm angry?"}
    slack.event(event)
    reply = fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])[0]
    assert reply.params["channel"] == "DU2" and "“" in reply.text


def test_out_of_scope_question_abstains_and_points_to_the_monitoring_officer(slack, fake_slack):
    key, _, _ = slack.command("/ask", "What time does the household recycling centre open on Sundays?")
    assert "Monitoring Officer" in fake_slack.wait_for("response", lambda c: c.key == key)[0].text


def test_retried_and_duplicated_events_are_answered_once(slack, fake_slack):
    event = {"type": "app_mention", "user": "U2", "channel": "C3", "ts": "1710000000.000300",
             "text": "<@UBOT> can I share a resident's phone number on Facebook?"}
    slack.event(event, event_id="EvRetried1")
    fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])
    for attempt in (1, 2, 3):  # Slack's redeliveries carry the same event_id and X-Slack-Retry-Num
        assert slack.event(event, event_id="EvRetried1", retry=attempt)[0] == 200

    twin = {**event, "ts": "1710000000.000301"}
    threads = [threading.Thread(target=slack.event, args=(twin,), kwargs={"event_id": "EvTwin1"}) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == twin["ts"])
    time.sleep(1.5)  # give any second reply time to arrive
    assert len(fake_slack.find("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])) == 1
    assert len(fake_slack.find("chat.postMessage", lambda c: c.params.get("thread_ts") == twin["ts"])) == 1


# --- errors -----------------------------------------------------------------------------------------------------
def test_known_error_gets_its_kind_message(slack, fake_slack):
    key, _, _ = slack.command("/ask", "why " * 8000)
    reply = fake_slack.wait_for("response", lambda c: c.key == key)[0]
    assert "characters long" in reply.text and reply.params["response_type"] == "ephemeral"


def test_unknown_error_gets_an_id_never_the_exception_text(slack, fake_slack, slack_app):
    key, status, _ = slack.click("report_back", "this is not JSON")
    assert status == 200
    reply = fake_slack.wait_for("response", lambda c: c.key == key)[0]
    error_id = re.search(r"error ([0-9a-f]{10})", reply.text).group(1)
    assert "Expecting value" not in reply.text and "JSON" not in reply.text
    deadline = time.monotonic() + 10
    while f"error {error_id}" not in slack_app["log"].read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = slack_app["log"].read_text()
    assert f"error {error_id}" in log and "JSONDecodeError" in log  # the stack and the exception type
    assert "line 1 column 1 (char 0)" not in log  # but not the exception's message


# --- post checks ------------------------------------------------------------------------------------------------
def test_checkpost_is_ephemeral_with_findings_and_a_rewrite_and_never_logged(slack, fake_slack, slack_app):
    draft = (f"{DRAFT_MARKER}: Resident John Smith of 14 Elm Road, phone 07700 900123, is a liar and a thief. "
             "Vote for me on Thursday!")
    key, status, body = slack.command("/checkpost", draft)
    assert status == 200 and body == ""
    reply = fake_slack.wait_for("response", lambda c: c.key == key)[0]
    assert reply.params["response_type"] == "ephemeral"
    text = reply.text
    assert any(label in text for label in ("High risk", "Review before posting"))
    assert "HIGH" in text or "MEDIUM" in text
    assert "Why:" in text and ":book:" in text  # why, and the cited paragraph
    assert "07700 900123" in text  # the quoted words
    assert "A safer version" in text
    log = slack_app["log"].read_text()
    assert DRAFT_MARKER not in log and "07700 900123" not in log
    for stored in slack_app["data_dir"].rglob("*"):  # the database, its WAL, evidence: the draft is nowhere
        assert not stored.is_file() or DRAFT_MARKER.encode() not in stored.read_bytes()


def test_checkpost_without_a_draft_shows_how(slack, fake_slack):
    key, _, _ = slack.command("/checkpost", "")
    assert "Paste the draft" in fake_slack.wait_for("response", lambda c: c.key == key)[0].text


# --- incident reports: the modal --------------------------------------------------------------------------------
def open_report_modal(slack, fake_slack, user: str) -> dict:
    key, status, body = slack.command("/report", "", user=user)
    assert status == 200
    call = fake_slack.wait_for("views.open", lambda c: c.params.get("trigger_id") == f"trigger-{key}")[0]
    return call.params["view"]


def test_report_modal_to_reference_with_evidence_and_monitoring_officer_notification(slack, fake_slack, slack_app):
    view = open_report_modal(slack, fake_slack, "U5")
    assert view["type"] == "modal" and view["callback_id"] == "report_modal"
    block_ids = {b.get("block_id") for b in view["blocks"]}
    assert {"immediate_danger", "what_happened", "kinds", "evidence_files", "reporter_name"} <= block_ids

    # Missing answers: the modal stays open with an error under each question.
    _, status, body = submit_view(slack, view, fill(view, {"immediate_danger": "no"}), "U5", "VMODAL1")
    errors = json.loads(body)
    assert status == 200 and errors["response_action"] == "errors" and "what_happened" in errors["errors"]

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    screenshot = fake_slack.add_file(png, "screenshot.png", "image/png")
    values = fill(view, MODAL_ANSWERS, [screenshot])
    _, status, body = submit_view(slack, view, values, "U5", "VMODAL2")
    assert status == 200 and json.loads(body)["response_action"] == "update"
    dm = fake_slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "DU5" and "INC-" in c.text)[0]
    reference = REFERENCE.search(dm.text).group(0)
    assert "What happens next" in dm.text
    download = fake_slack.find("file", lambda c: c.key == screenshot["id"])[0]
    assert download.headers["Authorization"] == "Bearer xoxb-test-token"

    # The same submission again (a retry) makes no second incident and no second DM.
    assert submit_view(slack, view, values, "U5", "VMODAL2")[1] == 200
    time.sleep(1.0)
    assert len(fake_slack.find("chat.postMessage", lambda c: c.params["channel"] == "DU5" and "INC-" in c.text)) == 1

    # Monitoring Officers: a DM to each configured id and a post in their channel, with the reference only.
    notes = fake_slack.wait_for("chat.postMessage", lambda c: reference in c.text and "Show details" in c.text, count=2)
    assert {n.params["channel"] for n in notes} == {f"D{MONITORING_OFFICER}", OFFICERS_CHANNEL}
    for note in notes:
        assert INCIDENT_MARKER not in note.text and "home address" not in note.text and "troll123" not in note.text

    # "Show details" shows the incident only to a Monitoring Officer, in a modal.
    slack.click("incident_show", reference, user=MONITORING_OFFICER, channel=f"D{MONITORING_OFFICER}")
    details = fake_slack.wait_for("views.open", lambda c: reference in json.dumps(c.params.get("view")))[0]
    shown = "\n".join(texts_of(details.params["view"]))
    assert INCIDENT_MARKER in shown and "screenshot.png" in shown and "Cllr U5" in shown
    key, _, _ = slack.click("incident_show", reference, user="U9", channel="C1")
    assert "Only Monitoring Officers" in fake_slack.wait_for("response", lambda c: c.key == key)[0].text
    key, _, _ = slack.click("incident_show", reference, user="U8", channel=OFFICERS_CHANNEL)
    fake_slack.wait_for("views.open", lambda c: reference in json.dumps(c.params.get("view")), count=2)

    # The incident service decided each time, and audited the views and the refusal alike.
    with sqlite3.connect(slack_app["data_dir"] / "incidents.db") as db:
        trail = db.execute("SELECT a.actor_id, a.actor_role, a.action, a.detail FROM incident_audit a "
                           "JOIN incidents i ON i.id = a.incident_id WHERE i.reference = ?", (reference,)).fetchall()
    assert (MONITORING_OFFICER, "monitoring_officer", "viewed", None) in trail
    assert ("U8", "monitoring_officer", "viewed", None) in trail  # a member of the officers' private channel
    assert ("U9", "user", "access_denied", "view") in trail

    assert INCIDENT_MARKER not in slack_app["log"].read_text()


# --- incident reports: the DM conversation ----------------------------------------------------------------------
DM_TEXT_ANSWERS = {
    "who": "unknown account @anon55", "what_happened": f"Repeated abusive replies. {INCIDENT_MARKER}",
    "when": "3 days ago", "why_abusive": "Personal insults about my family.", "kinds": "1, 2",
    "evidence": "Screenshot uploaded here.", "witnesses": "skip", "other_incidents": "skip", "remedy": "skip",
    "reporter_email": "skip", "reporter_phone": "skip",
}
DM_BUTTON_ANSWERS = {"immediate_danger": "no", "about_member": "no", "safeguarding": "no", "platform": "facebook",
                     "asked_to_stop": "no", "reported_police": "no", "reported_platform": "no",
                     "raised_with_individual": "no", "confidential": "no"}


def field_of(call) -> str | None:
    for b in buttons(call):
        try:
            return json.loads(b["value"])["f"]
        except (ValueError, KeyError):
            continue
    return None


def test_report_in_a_dm_thread_with_an_evidence_file(slack, fake_slack, slack_app):
    user, channel = "U6", "DU6"
    key, status, _ = slack.command("/report", "dm", user=user)
    assert status == 200
    assert "direct message" in fake_slack.wait_for("response", lambda c: c.key == key)[0].text
    in_thread = lambda c: c.params["channel"] == channel and c.params.get("thread_ts")  # noqa: E731
    first = fake_slack.wait_for("chat.postMessage", in_thread)[0]
    root_ts = first.params["thread_ts"]
    assert "999" in first.text and "Question 1 of" in first.text

    def thread_posts():
        return fake_slack.find("chat.postMessage", lambda c: c.params["channel"] == channel
                               and c.params.get("thread_ts") == root_ts)

    n_ts = iter(range(1, 1000))
    reference, uploaded = None, False
    for _ in range(60):
        latest = thread_posts()[-1]
        if REFERENCE.search(latest.text):
            reference = REFERENCE.search(latest.text).group(0)
            break
        field = next(f for f in map(field_of, reversed(thread_posts())) if f)  # "Attached…" has no buttons
        before = len(thread_posts())
        if field == "evidence" and not uploaded:
            shot = fake_slack.add_file(b"%PDF-1.4 evidence", "letter.pdf", "application/pdf")
            slack.event({"type": "message", "subtype": "file_share", "channel_type": "im", "user": user,
                         "channel": channel, "ts": f"1710000001.{next(n_ts):06d}", "thread_ts": root_ts, "text": "",
                         "files": [shot]})
            attached = fake_slack.wait_for("chat.postMessage", lambda c: "Attached" in c.text
                                           and c.params.get("thread_ts") == root_ts)[0]
            assert "letter.pdf" in attached.text and "SHA-256" in attached.text
            uploaded = True
        elif field == "review":
            slack.click("report_confirm", button_named(latest, "report_confirm")["value"], user=user, channel=channel,
                        message={"ts": "1710000009.000001", "thread_ts": root_ts})
        elif field in DM_BUTTON_ANSWERS:
            choice = next(b for b in buttons(latest) if b["action_id"].startswith("report_choice")
                          and json.loads(b["value"])["v"] == DM_BUTTON_ANSWERS[field])
            slack.click(choice["action_id"], choice["value"], user=user, channel=channel,
                        message={"ts": "1710000009.000002", "thread_ts": root_ts})
        elif field == "reporter_name":  # prefilled from the Slack profile
            slack.click("report_keep", button_named(latest, "report_keep")["value"], user=user, channel=channel,
                        message={"ts": "1710000009.000003", "thread_ts": root_ts})
        else:
            assert field in DM_TEXT_ANSWERS, f"unexpected question {field}: {latest.text} {latest.params}"
            slack.event({"type": "message", "channel_type": "im", "user": user, "channel": channel,
                         "ts": f"1710000001.{next(n_ts):06d}", "thread_ts": root_ts, "text": DM_TEXT_ANSWERS[field]})
        fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root_ts, count=before + 1)
    assert reference and uploaded
    notes = fake_slack.wait_for("chat.postMessage", lambda c: reference in c.text and "Show details" in c.text, count=2)
    assert all(INCIDENT_MARKER not in n.text for n in notes)
    slack.click("incident_show", reference, user=MONITORING_OFFICER, channel=f"D{MONITORING_OFFICER}")
    details = fake_slack.wait_for("views.open", lambda c: reference in json.dumps(c.params.get("view")))[0]
    shown = "\n".join(texts_of(details.params["view"]))
    assert "letter.pdf" in shown and "Facebook" in shown
    assert INCIDENT_MARKER not in slack_app["log"].read_text()


def test_a_question_in_the_dm_outside_the_report_thread_is_still_answered(slack, fake_slack):
    event = {"type": "message", "channel_type": "im", "user": "U6", "channel": "DU6", "ts": "1710000002.000001",
             "text": "Can I use the council logo on my personal account?"}
    slack.event(event)
    reply = fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])[0]
    assert "Use the Council's logo" in reply.text


# --- App Home ---------------------------------------------------------------------------------------------------
def test_app_home_shows_capabilities_council_and_own_reports(slack, fake_slack):
    view = open_report_modal(slack, fake_slack, "U4")
    submit_view(slack, view, fill(view, MODAL_ANSWERS), "U4", "VHOME1")
    dm = fake_slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "DU4" and "INC-" in c.text)[0]
    reference = REFERENCE.search(dm.text).group(0)

    slack.event({"type": "app_home_opened", "user": "U4", "channel": "DU4", "tab": "home"})
    home = fake_slack.wait_for("views.publish", lambda c: c.params.get("user_id") == "U4")[0]
    text = "\n".join(texts_of(home.params["view"]))
    assert "/ask" in text and "/checkpost" in text and "/report" in text
    assert "Your council" in text and "All councils equally" in text
    assert reference in text and "Submitted" in text
    assert "INC-" not in text.replace(reference, "")  # only their own reports

    select = next(b["accessory"] for b in home.params["view"]["blocks"] if b.get("accessory"))
    powys = next(o for o in select["options"] if o["value"].startswith("Powys"))
    slack.interaction({"type": "block_actions", "user": {"id": "U4"}, "container": {"type": "view"},
                       "view": {"id": "VH", "type": "home"},
                       "actions": [{"type": "static_select", "action_id": "home_set_council", "block_id": "c",
                                    "selected_option": powys, "action_ts": "1"}]})
    again = fake_slack.wait_for("views.publish", lambda c: c.params.get("user_id") == "U4", count=2)[-1]
    chosen = next(b["accessory"] for b in again.params["view"]["blocks"] if b.get("accessory"))["initial_option"]
    assert chosen["value"] == powys["value"]

    key, _, _ = slack.command("/ask", "Should I avoid posting when I'm angry?", user="U4")
    answer = fake_slack.wait_for("response", lambda c: c.key == key)[0]
    councils = [t for t in texts_of(answer.params["blocks"]) if t.startswith(":classical_building:")]
    # The paragraph that answers best leads; the chosen council's paragraph comes next (first among equals).
    assert councils and any("Powys" in c for c in councils[:2])


def test_a_refused_file_does_not_cost_the_report(slack, fake_slack):
    view = open_report_modal(slack, fake_slack, "U11")
    program = fake_slack.add_file(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "tool.exe", "application/octet-stream")
    submit_view(slack, view, fill(view, MODAL_ANSWERS, [program]), "U11", "VREFUSED1")
    dm = fake_slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "DU11" and "INC-" in c.text)[0]
    note = fake_slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "DU11"
                               and "not attached" in c.text)[0]
    assert note.params["thread_ts"] and "cannot be attached" in note.text
    assert "tool.exe" not in json.dumps(dm.params)


def test_a_dm_report_can_be_cancelled(slack, fake_slack):
    slack.command("/report", "dm", user="U12")
    first = fake_slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "DU12"
                                and c.params.get("thread_ts"))[0]
    cancel = button_named(first, "report_cancel")
    assert cancel["confirm"]  # Slack asks "Cancel this report?" first
    slack.click("report_cancel", cancel["value"], user="U12", channel="DU12",
                message={"ts": "1710000010.000001", "thread_ts": first.params["thread_ts"]})
    done = fake_slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "DU12" and "cancelled" in c.text)
    assert "Nothing was sent" in done[0].text
