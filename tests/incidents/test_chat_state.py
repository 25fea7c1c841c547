"""The chat channels' state in the one database (formerly Slack's own slack.db): claims, answers and feedback,
council choice, report threads — on SQLite and PostgreSQL, shared by every process; and the upgrade from 0001."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from assistant.incidents.chat_state import ChatStore
from assistant.incidents.db import MIGRATIONS_DIR, Database

from .conftest import submit_report


def store_of(service, channel: str = "slack") -> ChatStore:
    return ChatStore(service.db, channel=channel, clock=service.clock)


def test_a_key_is_claimed_once_across_processes_and_threads(make_service):
    stores = [store_of(make_service()) for _ in range(3)]  # three processes' worth of engines
    barrier = threading.Barrier(12)

    def claim(i: int) -> bool:
        barrier.wait()
        return stores[i % 3].claim("event:Ev1")

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(claim, range(12)))
    assert results.count(True) == 1
    stores[0].release("event:Ev1")
    assert stores[1].claim("event:Ev1")  # given back after a failure: may be tried again
    assert ChatStore(stores[0].db, channel="teams").claim("event:Ev1")  # each channel has its own keys


def test_answers_feedback_council_and_threads_round_trip(service, clock):
    store = store_of(service)
    message = {"text": "An answer", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "“quoted”"}}]}
    answer_id = store.new_answer_id()
    store.record_answer(answer_id, user_id="U1", place_id="C1", question="Can I block a troll?", council=None,
                        abstained=False, message=message)
    stored = store.answer(answer_id)
    assert (stored.question, stored.place_id, stored.message) == ("Can I block a troll?", "C1", message)
    assert store_of(service, "teams").answer(answer_id) is None  # another channel's answers are not ours

    assert store.record_feedback(answer_id, "U1", "up") and store.record_feedback(answer_id, "U7", "down")
    clock.advance(minutes=1)
    assert store.record_feedback(answer_id, "U7", "up")  # a changed vote replaces the old one
    assert not store.record_feedback("no-such-answer", "U1", "up")
    with pytest.raises(ValueError, match="vote must be one of"):
        store.record_feedback(answer_id, "U1", "meh")
    assert store.feedback() == [(answer_id, "Can I block a troll?", "U1", "up"),
                                (answer_id, "Can I block a troll?", "U7", "up")]

    assert store.council_of("U1") == (False, None)
    store.set_council("U1", "Powys County Council")
    store.set_council("U1", None)  # "all councils equally" is a choice too
    assert store.council_of("U1") == (True, None)

    step = service.conversations.start("slack", "U1")
    store.link_thread("DU1", "1700.1", "U1", step.conversation_id)
    clock.advance(minutes=1)
    store.link_thread("DU1", "1700.2", "U1", step.conversation_id)
    assert store.thread("DU1", "1700.1").conversation_id == step.conversation_id
    assert store.thread("DU1", None) is None and store.thread("DU1", "1700.9") is None
    assert store.latest_thread(step.conversation_id).thread_id == "1700.2"


def test_a_follow_up_reads_only_this_persons_recent_questions_in_this_thread(service, clock):
    store = store_of(service)

    def ask(question: str, *, user: str = "U1", place: str = "C1", thread: str | None = "1700.1") -> None:
        store.record_answer(store.new_answer_id(), user_id=user, place_id=place, thread_id=thread, question=question,
                            council=None, abstained=False, message={"text": "answer"})
        clock.advance(seconds=1)

    ask("Can I use the council logo on Facebook?")
    ask("what about Instagram?")
    ask("Someone else's question in the same thread", user="U2")
    ask("A question in another thread", thread="1700.2")
    ask("A question in another channel", place="C2")
    ask("A question outside any thread", thread=None)
    store_of(service, "teams").record_answer("t1", user_id="U1", place_id="C1", thread_id="1700.1",
                                             question="Teams question", council=None, abstained=False, message={})
    assert store.earlier_questions(user_id="U1", place_id="C1", thread_id="1700.1") == [
        "Can I use the council logo on Facebook?", "what about Instagram?"]
    assert store.earlier_questions(user_id="U1", place_id="C1", thread_id=None) == ["A question outside any thread"]
    assert store.earlier_questions(user_id="U3", place_id="C1", thread_id="1700.1") == []
    clock.advance(hours=3)  # a thread picked up again hours later starts afresh
    assert store.earlier_questions(user_id="U1", place_id="C1", thread_id="1700.1") == []


def test_the_state_is_in_the_incident_database_not_a_file_of_its_own(make_service, tmp_path):
    service = make_service()
    store_of(service).claim("event:Ev2")
    assert not list((tmp_path / "data").glob("slack.db*"))
    with service.db.transaction() as session:
        assert session.execute(text("SELECT key FROM chat_claims")).scalars().all() == ["slack:event:Ev2"]


def test_upgrading_an_existing_log_keeps_its_pending_notifications(database_url, tmp_path, clock):
    db = Database(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as connection:  # the log as version 0001 left it, with an undelivered notification
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO report_conversations (id, channel, user_id, status, cursor, editing, answers, prefill, "
            "form_version, created_at, updated_at) VALUES ('c1', 'slack', 'U1', 'submitted', 'done', false, '{}', "
            "'{}', 1, '2026-01-02 10:00:00', '2026-01-02 10:00:00')"))
        connection.execute(text(
            "INSERT INTO incidents (id, reference, year, sequence, conversation_id, reporter_id, reporter_channel, "
            "status, answers, form_version, safeguarding, immediate_danger, confidential, submitted_at, updated_at) "
            "VALUES (1, 'INC-2026-0001', 2026, 1, 'c1', 'U1', 'slack', 'submitted', '{}', 1, false, false, false, "
            "'2026-01-02 10:00:00', '2026-01-02 10:00:00')"))
        connection.execute(text(
            "INSERT INTO incident_notifications (incident_id, reference, recipient, kind, created_at) "
            "VALUES (1, 'INC-2026-0001', 'U-MO', 'user', '2026-01-02 10:00:00')"))
    db.dispose()

    from assistant.config import Settings
    from assistant.incidents.service import build_incident_service

    service = build_incident_service(Settings(data_dir=tmp_path / "data", database_url=database_url,
                                              monitoring_officers=["U-MO"]), clock=clock)
    try:
        [pending] = service.pending_notifications()
        assert pending.reference == "INC-2026-0001"
        assert submit_report(service).reference == "INC-2026-0002"
    finally:
        service.close()
