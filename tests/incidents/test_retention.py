"""Retention: old questions and answers and abandoned report conversations are purged (submitted incidents never),
once a day across processes; `assistant data purge`; the database and evidence files are owner-only."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from click.testing import CliRunner

from assistant.cli import cli
from assistant.config import Settings
from assistant.incidents.chat_state import ChatStore
from assistant.incidents.retention import Retention
from assistant.incidents.service import build_incident_service

from .conftest import submit_report

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def retention_for(service, *, question_days: int = 90, abandoned_report_days: int = 30) -> Retention:
    return Retention(service.db, service.store, question_days=question_days,
                     abandoned_report_days=abandoned_report_days, clock=service.clock)


def answer(store: ChatStore, question: str) -> str:
    answer_id = store.new_answer_id()
    store.record_answer(answer_id, user_id="U1", place_id="C1", question=question, council=None, abstained=False,
                        message={"text": question})
    store.record_feedback(answer_id, "U1", "up")
    return answer_id


def test_old_questions_and_answers_go_with_their_feedback_and_recent_ones_stay(service, clock):
    store = ChatStore(service.db, channel="slack", clock=service.clock)
    old = answer(store, "an old question")
    clock.advance(days=60)
    recent = answer(store, "a recent question")
    clock.advance(days=31)  # the old one is now 91 days old, the recent one 31

    report = retention_for(service).purge()
    assert (report.answers, report.feedback) == (1, 1)
    assert store.answer(old) is None and store.answer(recent) is not None
    assert [row[1] for row in store.feedback()] == ["a recent question"]


def test_abandoned_conversations_go_with_their_files_and_submitted_reports_stay(service, clock):
    engine = service.conversations
    abandoned = engine.start("slack", "U-LEFT").conversation_id
    own_file = engine.attach(abandoned, b"only in the abandoned report", "note.txt", user_id="U-LEFT")
    shared = engine.attach(abandoned, PNG, "shot.png", user_id="U-LEFT")
    cancelled = engine.start("slack", "U-CANCELLED").conversation_id
    engine.cancel(cancelled, user_id="U-CANCELLED")
    store = ChatStore(service.db, channel="slack", clock=service.clock)
    store.link_thread("DU-LEFT", "1700.1", "U-LEFT", abandoned)

    done = engine.start("slack", "U-DONE")
    engine.attach(done.conversation_id, PNG, "same-shot.png", user_id="U-DONE")
    ref = submit_report(service, user_id="U-DONE").reference
    clock.advance(days=31)
    active = engine.start("slack", "U-STILL-GOING").conversation_id  # a fresh one: kept

    report = retention_for(service).purge()
    assert report.conversations == 2 and report.evidence_files == 1
    assert not service.store.path(own_file.sha256).exists()
    assert service.store.path(shared.sha256).exists()  # the submitted report has the same screenshot
    assert store.thread("DU-LEFT", "1700.1") is None
    assert engine.current(active, user_id="U-STILL-GOING").state == "question"
    detail = service.get(service.actor("U-MO"), ref)
    assert [e.sha256 for e in detail.evidence] == [shared.sha256]
    resumed = engine.start("slack", "U-LEFT")  # the abandoned report is gone: a new one starts
    assert resumed.conversation_id != abandoned and resumed.question.number == 1


def test_a_dry_run_counts_and_deletes_nothing(service, clock):
    store = ChatStore(service.db, channel="slack", clock=service.clock)
    kept = answer(store, "a question")
    cid = service.conversations.start("slack", "U-LEFT").conversation_id
    info = service.conversations.attach(cid, b"a note", "note.txt", user_id="U-LEFT")
    clock.advance(days=100)
    report = retention_for(service).purge(dry_run=True)
    assert (report.answers, report.conversations, report.evidence_files, report.dry_run) == (1, 1, 1, True)
    assert store.answer(kept) is not None and service.store.path(info.sha256).exists()
    assert retention_for(service).purge().answers == 1


def test_files_no_report_uses_are_removed_after_a_day(service):
    orphan = service.store.put(b"uploaded, but the report was never saved")
    fresh = service.store.put(b"being attached right now")
    day_ago = time.time() - 2 * 86400
    os.utime(service.store.path(orphan), (day_ago, day_ago))
    assert retention_for(service).purge().evidence_files == 1
    assert not service.store.path(orphan).exists() and service.store.path(fresh).exists()


def test_the_daily_purge_runs_in_one_process_however_many_ask(make_service, clock):
    services = [make_service() for _ in range(4)]
    barrier = threading.Barrier(4)

    def ask(i: int):
        barrier.wait()
        return retention_for(services[i]).purge_if_due(f"host:{i}")

    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(ask, range(4)))
    assert sum(r is not None for r in reports) == 1
    clock.advance(hours=23)
    assert retention_for(services[0]).purge_if_due("host:0") is None  # not a day yet
    clock.advance(hours=2)
    assert retention_for(services[1]).purge_if_due("host:1") is not None


def test_the_database_and_evidence_are_owner_only(tmp_path, clock):
    data = tmp_path / "data"
    service = build_incident_service(Settings(data_dir=data, monitoring_officers=["U-MO"]), clock=clock)
    try:
        cid = service.conversations.start("console", "console:jo").conversation_id
        info = service.conversations.attach(cid, PNG, "shot.png", user_id="console:jo")
        files = [data / "incidents.db", data / "incidents.db-wal", data / "incidents.db-shm",
                 service.store.path(info.sha256)]
        folders = [data, data / "evidence", service.store.path(info.sha256).parent]
        assert {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {f.name: "0o600" for f in files}
        assert {str(d): oct(stat.S_IMODE(d.stat().st_mode)) for d in folders} == {str(d): "0o700" for d in folders}
    finally:
        service.close()


def test_an_existing_world_readable_database_is_narrowed(tmp_path, clock):
    data = tmp_path / "data"
    data.mkdir()
    (data / "incidents.db").touch(mode=0o644)
    os.chmod(data / "incidents.db", 0o644)
    service = build_incident_service(Settings(data_dir=data), clock=clock)
    service.close()
    assert stat.S_IMODE((data / "incidents.db").stat().st_mode) == 0o600


def test_assistant_data_purge(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data))
    monkeypatch.delenv("ASSISTANT_DATABASE_URL", raising=False)
    service = build_incident_service(Settings())
    orphan = service.store.put(b"never part of a report")
    os.utime(service.store.path(orphan), (time.time() - 3 * 86400,) * 2)
    service.close()

    dry = CliRunner().invoke(cli, ["data", "purge", "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0 and "Would delete" in dry.output and "1 evidence file(s)" in dry.output
    assert (data / "evidence" / orphan[:2] / orphan).exists()
    done = CliRunner().invoke(cli, ["data", "purge", "--json"], catch_exceptions=False)
    assert done.exit_code == 0 and json.loads(done.output)["evidence_files"] == 1
    assert not (data / "evidence" / orphan[:2] / orphan).exists()
    assert hashlib.sha256(b"never part of a report").hexdigest() == orphan
