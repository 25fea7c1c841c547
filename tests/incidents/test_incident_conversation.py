"""The report conversation through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from assistant.errors import NotFound, PermissionDenied, ServiceUnavailable
from assistant.incidents.db import Database
from assistant.incidents.models import Conversation
from assistant.incidents.steps import FormInvalid

from .conftest import ANSWERS, SECRET, answer_until_review, submit_report

USER = "U-REPORTER"


def test_full_conversation_submits_and_notifies_by_reference_only(service, notifier):
    engine = service.conversations
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    assert step.state == "question" and step.question.field_id == "immediate_danger"
    assert "999" in step.notices[0].text

    review = answer_until_review(engine, step, USER)
    answers = {item.field_id: item.answer for item in review.review}
    assert answers["reporter_name"] == "Cllr Jo Bloggs"  # prefilled from the chat identity
    assert answers["kinds"] == "Abuse, Threat of violence"
    assert answers["when"].startswith("14/03/2026 19:30 (14 March 2026, 19:30)")
    assert answers["police_reference"] == "CAD 4521 of 15/03/2026"
    assert "not_reported_earlier" not in answers  # recent incident: the question does not apply

    done = engine.reply(review.conversation_id, "confirm", user_id=USER)
    assert done.state == "submitted" and done.reference == "INC-2026-0001"
    steps_text = " ".join(done.next_steps)
    assert "101" in steps_text and "999" in steps_text and "platform" in steps_text and "screenshot" in steps_text

    assert notifier.calls == [("INC-2026-0001", ("U-MO",))]
    [pending] = service.pending_notifications()
    assert pending.recipient == "U-MO" and "INC-2026-0001" in pending.text and SECRET not in pending.text
    service.mark_notified([pending.id])
    assert service.pending_notifications() == []

    detail = service.get(service.actor("U-MO"), "INC-2026-0001")
    assert detail.summary.status == "submitted"
    assert any(SECRET in a.answer for a in detail.answers if a.field_id == "what_happened")
    assert [entry.action for entry in detail.audit] == ["submitted", "viewed"]


def test_immediate_danger_gets_999_advice_then_carries_on(service):
    engine = service.conversations
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    step = engine.reply(step.conversation_id, "yes", user_id=USER)
    [notice] = step.notices
    assert notice.level == "urgent" and "call 999 now" in notice.text.lower()
    assert step.question.field_id == "about_member"


def test_report_about_elected_member_explains_code_of_conduct_route_and_can_stop(service):
    engine = service.conversations
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    step = engine.reply(step.conversation_id, "no", user_id=USER)
    step = engine.reply(step.conversation_id, "yes", user_id=USER)
    assert "Code of" in step.notices[0].text and "Conduct" in step.notices[0].text
    assert step.question.field_id == "member_route"
    assert [c.id for c in step.question.choices] == ["continue", "stop"]

    stopped = engine.reply(step.conversation_id, "2", user_id=USER)
    assert stopped.state == "stopped" and stopped.finished
    assert "nothing has been sent" in stopped.notices[0].text
    assert service.list_incidents(service.actor("U-MO")) == []
    again = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    assert again.conversation_id != step.conversation_id and again.question.field_id == "immediate_danger"


def test_elected_member_report_can_continue(service):
    engine = service.conversations
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    for answer in ("no", "yes", "continue"):
        step = engine.reply(step.conversation_id, answer, user_id=USER)
    assert step.question.field_id == "safeguarding"


def test_safeguarding_concern_is_flagged(service):
    done = submit_report(service, safeguarding="yes")
    summary = service.get(service.actor("U-MO"), done.reference).summary
    assert summary.safeguarding and not summary.immediate_danger


def test_safeguarding_answer_tells_the_reporter_it_is_flagged(service):
    engine = service.conversations
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    for answer in ("no", "no", "yes"):
        step = engine.reply(step.conversation_id, answer, user_id=USER)
    assert "safeguarding" in step.notices[0].text


def test_back_skip_and_enter_keeps_the_current_answer(service):
    engine = service.conversations
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    cid = step.conversation_id
    assert "first question" in engine.reply(cid, "back", user_id=USER).error

    engine.reply(cid, "no", user_id=USER)
    step = engine.reply(cid, "back", user_id=USER)
    assert step.question.field_id == "immediate_danger" and step.question.current == "No"
    step = engine.reply(cid, "", user_id=USER)  # Enter keeps "No"
    assert step.question.field_id == "about_member"

    for answer in ("no", "no"):
        step = engine.reply(cid, answer, user_id=USER)
    assert step.question.field_id == "who" and not step.question.optional
    refused = engine.reply(cid, "skip", user_id=USER)
    assert refused.question.field_id == "who" and "cannot be skipped" in refused.error

    review = answer_until_review(engine, step, USER, evidence="skip")
    assert {i.field_id: i.answer for i in review.review}["evidence"] == "(skipped)"


def test_validation_reasks_kindly(service):
    engine = service.conversations
    cid = engine.start("slack", USER, display_name="Cllr Jo Bloggs").conversation_id
    step = engine.reply(cid, "maybe", user_id=USER)
    assert step.question.field_id == "immediate_danger" and "yes or no" in step.error

    for answer in ("no", "no", "no", "@x"):
        step = engine.reply(cid, answer, user_id=USER)
    step = engine.reply(cid, "42", user_id=USER)
    assert step.question.field_id == "platform" and "choose one of" in step.error
    for answer in ("9", "Nextdoor", "It happened", "yesterday", "Threat"):
        step = engine.reply(cid, answer, user_id=USER)
    assert step.question.field_id == "kinds"
    step = engine.reply(cid, "1, 99", user_id=USER)
    assert step.question.field_id == "kinds" and step.error
    step = engine.reply(cid, "Harassment, threat of violence", user_id=USER)
    assert step.question.field_id == "evidence"

    review = answer_until_review(engine, step, USER)
    step = engine.reply(cid, "edit reporter_email", user_id=USER)
    step = engine.reply(cid, "not-an-email", user_id=USER)
    assert step.question.field_id == "reporter_email" and "email address" in step.error
    assert review.state == "review"


def test_future_date_is_refused_politely(service, clock):
    engine = service.conversations
    cid = engine.start("slack", USER, display_name="Cllr Jo Bloggs").conversation_id
    for answer in ("no", "no", "no", "@x", "1", "It happened"):
        step = engine.reply(cid, answer, user_id=USER)
    assert step.question.field_id == "when"
    for future in ("25/12/2026", "tomorrow", "20/03/2026 18:00"):  # the clock says 20 March 2026, 12:00 UTC
        step = engine.reply(cid, future, user_id=USER)
        assert step.question.field_id == "when" and "future" in step.error and "20 March 2026" in step.error
    step = engine.reply(cid, "3 weeks ago", user_id=USER)
    assert step.question.field_id == "why_abusive" and step.error is None


def test_old_incident_asks_why_it_was_not_reported_earlier(service):
    engine = service.conversations
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    review = answer_until_review(engine, step, USER, when="June 2025")
    answers = {item.field_id: item.answer for item in review.review}
    assert answers["when"] == "June 2025 (around June 2025)"
    assert answers["not_reported_earlier"] == ANSWERS["not_reported_earlier"]


def test_edit_at_review_changes_answers_and_asks_new_follow_ups(service):
    engine = service.conversations
    review = answer_until_review(engine, engine.start("slack", USER, display_name="Cllr Jo Bloggs"), USER)
    cid = review.conversation_id
    number = next(i.number for i in review.review if i.field_id == "what_happened")
    step = engine.reply(cid, f"edit {number}", user_id=USER)
    assert step.question.field_id == "what_happened" and SECRET in step.question.current
    step = engine.reply(cid, "They posted my home address", user_id=USER)
    assert step.state == "review"
    assert {i.field_id: i.answer for i in step.review}["what_happened"] == "They posted my home address"

    step = engine.edit(cid, "reported_police", user_id=USER)
    step = engine.answer(cid, "no", user_id=USER)
    assert step.state == "review" and "police_reference" not in {i.field_id for i in step.review}
    step = engine.edit(cid, "raised_with_individual", user_id=USER)
    step = engine.answer(cid, "yes", user_id=USER)
    assert step.question.field_id == "individual_response"  # a new follow-up is asked before the review
    step = engine.answer(cid, "They blocked me", user_id=USER)
    assert step.state == "review"
    assert "no question" in engine.reply(cid, "edit 99", user_id=USER).error


def test_confirm_is_refused_before_the_end(service):
    engine = service.conversations
    cid = engine.start("slack", USER, display_name="Cllr Jo Bloggs").conversation_id
    step = engine.reply(cid, "confirm", user_id=USER)
    assert step.state == "question" and "finish the questions first" in step.error


def test_cancel_deletes_answers_and_the_next_report_starts_fresh(service):
    engine = service.conversations
    cid = engine.start("slack", USER, display_name="Cllr Jo Bloggs").conversation_id
    engine.reply(cid, "no", user_id=USER)
    step = engine.reply(cid, "cancel", user_id=USER)
    assert step.state == "cancelled" and "deleted" in step.notices[0].text
    with service.db.transaction() as session:
        assert session.get(Conversation, cid).answers == {}
    fresh = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    assert fresh.conversation_id != cid and fresh.question.field_id == "immediate_danger"
    assert engine.answer(cid, "no", user_id=USER).state == "cancelled"  # a finished conversation stays finished


def test_conversation_resumes_after_a_restart(make_service):
    first = make_service()
    cid = first.conversations.start("slack", USER).conversation_id
    for answer in ("no", "no", "no", "@troll"):
        first.conversations.reply(cid, answer, user_id=USER)
    first.close()

    later = make_service()  # a new process: new engine, same database
    step = later.conversations.start("slack", USER)
    assert step.conversation_id == cid and "Welcome back" in step.notices[0].text
    assert step.question.field_id == "platform"
    step = later.conversations.back(cid, user_id=USER)
    assert step.question.current == "@troll"
    assert later.conversations.start("teams", USER).conversation_id != cid  # one conversation per channel


def test_conversations_belong_to_their_reporter(service):
    engine = service.conversations
    cid = engine.start("slack", USER, display_name="Cllr Jo Bloggs").conversation_id
    with pytest.raises(PermissionDenied):
        engine.reply(cid, "no", user_id="U-SOMEONE-ELSE")
    with pytest.raises(NotFound):
        engine.current("no-such-conversation", user_id=USER)


def test_confirming_twice_makes_one_incident(make_service, notifier):
    service = make_service()
    done = submit_report(service)
    again = service.conversations.confirm(done.conversation_id, user_id=USER)
    retried = make_service().conversations.confirm(done.conversation_id, user_id=USER)  # another process
    assert done.reference == again.reference == retried.reference == "INC-2026-0001"
    assert len(service.list_incidents(service.actor("U-MO"))) == 1
    assert len(notifier.calls) == 1


def test_concurrent_confirms_make_one_incident(make_service):
    service = make_service()
    engine = service.conversations
    review = answer_until_review(engine, engine.start("slack", USER, display_name="Cllr Jo Bloggs"), USER)
    others = [make_service() for _ in range(3)]
    results, errors = [], []

    def confirm(svc):
        try:
            results.append(svc.conversations.confirm(review.conversation_id, user_id=USER).reference)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=confirm, args=(svc,)) for svc in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == ["INC-2026-0001"] * 3
    assert len(service.list_incidents(service.actor("U-MO"))) == 1


def test_references_follow_a_sequence_per_year(service, clock):
    refs = [submit_report(service, user_id=f"U-{n}").reference for n in range(3)]
    assert refs == ["INC-2026-0001", "INC-2026-0002", "INC-2026-0003"]
    clock.advance(days=300)
    assert submit_report(service, user_id="U-NEXT-YEAR").reference == "INC-2027-0001"


def test_whole_form_submission_validates_and_is_idempotent(service):
    engine = service.conversations
    form = engine.form.as_dict()
    assert [f["id"] for f in form["fields"]][:3] == ["immediate_danger", "about_member", "member_route"]
    assert form["fields"][2]["when"] == {"field": "about_member", "equals": "yes", "includes": None,
                                         "older_than_days": None}
    with pytest.raises(FormInvalid) as invalid:
        engine.submit_form("slack", USER, {"immediate_danger": "no", "when": "tomorrow"}, request_id="V1")
    assert "future" in invalid.value.errors["when"] and "who" in invalid.value.errors

    answers = {k: v for k, v in ANSWERS.items() if v not in ("skip", "")}
    answers["kinds"] = ["abuse", "threat_violence"]
    done = engine.submit_form("slack", USER, answers, request_id="V2", display_name="Cllr Jo Bloggs")
    again = engine.submit_form("slack", USER, answers, request_id="V2", display_name="Cllr Jo Bloggs")
    assert done.state == again.state == "submitted" and done.reference == again.reference
    detail = service.get(service.actor("U-MO"), done.reference)
    assert {a.field_id: a.answer for a in detail.answers}["reporter_name"] == "Cllr Jo Bloggs"
    stopped = engine.submit_form("slack", USER, {"about_member": "yes", "member_route": "stop"}, request_id="V3")
    assert stopped.state == "stopped"  # stopping needs no other answers
    assert len(service.list_incidents(service.actor("U-MO"))) == 1


def test_a_database_outage_is_a_kind_error_and_saved_answers_survive(service):
    engine = service.conversations
    cid = engine.start("slack", USER, display_name="Cllr Jo Bloggs").conversation_id
    for answer in ("no", "no", "no"):
        engine.reply(cid, answer, user_id=USER)
    working = engine.db
    engine.db = Database("postgresql+psycopg://nobody:nothing@127.0.0.1:9/none")  # nothing listens on port 9
    try:
        with pytest.raises(ServiceUnavailable) as outage:
            engine.reply(cid, "@troll", user_id=USER)
        assert "Nothing you have already answered is lost" in outage.value.user_message
    finally:
        engine.db.dispose()
        engine.db = working
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    assert step.question.field_id == "who"
    with service.db.transaction() as session:
        conv = session.scalar(select(Conversation).where(Conversation.id == cid))
        assert conv.answers == {"immediate_danger": "no", "about_member": "no", "safeguarding": "no"}
