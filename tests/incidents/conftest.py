"""Incident fixtures: every service test runs on SQLite and on a real PostgreSQL server (its own schema per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from assistant.config import Settings
from assistant.incidents.db import normalise_url
from assistant.incidents.service import build_incident_service

PG_URL = os.environ.get("ASSISTANT_TEST_POSTGRES_URL")
SECRET = "SECRET-MARKER-7731"  # in an answer; must never reach a log line or a notification

# Answers a councillor gives, by field id; the helper below answers whatever question comes next.
ANSWERS = {
    "immediate_danger": "no",
    "about_member": "no",
    "member_route": "continue",
    "safeguarding": "no",
    "who": "@angry_resident99 https://x.com/angry_resident99",
    "platform": "1",
    "platform_other": "A local forum",
    "what_happened": f"Replied to my post saying 'we know where you live' {SECRET}",
    "when": "14/03/2026 19:30",
    "why_abusive": "It is a threat and shows they know my address",
    "kinds": "1, 3",
    "protected_characteristic": "skip",
    "evidence": "https://x.com/angry_resident99/status/123",
    "asked_to_stop": "no",
    "reported_police": "yes",
    "police_reference": "CAD 4521 of 15/03/2026",
    "reported_platform": "no",
    "raised_with_individual": "no",
    "witnesses": "skip",
    "other_incidents": "skip",
    "not_reported_earlier": "I was worried about making it worse",
    "remedy": "Posts taken down",
    "confidential": "no",
    "reporter_name": "",  # accept the prefilled display name
    "reporter_email": "jo.bloggs@example.gov.uk",
    "reporter_phone": "skip",
}


class Clock:
    """A settable clock (UTC) so dates, references and years are deterministic."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RecordingNotifier:
    """A Notifier that remembers its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def notify_submitted(self, reference: str, monitoring_officer_ids: Sequence[str]) -> None:
        self.calls.append((reference, tuple(monitoring_officer_ids)))


def answer_until_review(engine, step, user_id: str, **overrides: str):
    """Answer every question as ANSWERS (with overrides) says, until the review; returns the review step."""
    answers = {**ANSWERS, **overrides}
    for _ in range(60):
        if step.state != "question":
            return step
        assert step.error is None, f"{step.question.field_id}: {step.error}"
        step = engine.reply(step.conversation_id, answers[step.question.field_id], user_id=user_id)
    raise AssertionError("the conversation did not reach the review")


def submit_report(service, user_id: str = "U-REPORTER", channel: str = "slack", **overrides: str):
    """A whole conversation, confirmed; returns the submitted step."""
    engine = service.conversations
    step = engine.start(channel, user_id, display_name="Cllr Jo Bloggs")
    step = answer_until_review(engine, step, user_id, **overrides)
    assert step.state == "review", step
    return engine.reply(step.conversation_id, "confirm", user_id=user_id)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh, empty incident database: a SQLite file, or a new schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'incidents.db'}"
        return
    if not PG_URL:
        pytest.skip("ASSISTANT_TEST_POSTGRES_URL is not set (scripts/ensure-postgres.sh prints one)")
    base = make_url(normalise_url(PG_URL))
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    # libpq's "options" puts the test's schema first on the search path of every connection.
    yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc))


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def make_service(database_url, tmp_path, clock, notifier):
    """Build services over the same database and data folder, as separate processes would."""
    built = []

    def make(**settings):
        options = {"data_dir": tmp_path / "data", "database_url": database_url, "monitoring_officers": ["U-MO"],
                   **settings}
        service = build_incident_service(Settings(**options), notifier=notifier, clock=clock)
        built.append(service)
        return service

    yield make
    for service in built:
        service.close()


@pytest.fixture
def service(make_service):
    return make_service()
