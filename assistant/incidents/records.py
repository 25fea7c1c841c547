"""Incident records: references, creating an incident from a finished conversation, and typed read views."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from assistant.errors import InvalidInput, NotFound
from assistant.incidents.answers import display_answer
from assistant.incidents.form import FormDefinition
from assistant.incidents.models import AuditEntry, Conversation, Incident, Notification
from assistant.incidents.steps import EvidenceInfo

STATUSES = ("submitted", "acknowledged", "under_review", "closed")
# The Monitoring Officer's workflow; closing straight after acknowledging covers duplicates and withdrawn reports.
TRANSITIONS = {
    "submitted": ("acknowledged",),
    "acknowledged": ("under_review", "closed"),
    "under_review": ("closed",),
    "closed": (),
}
_REFERENCE_LOCK = 715_244_002  # arbitrary; the migrations' lock is 715_244_001
_REFERENCE = re.compile(r"^INC-(\d{4})-(\d{4,})$")


def format_reference(year: int, sequence: int) -> str:
    """``INC-2026-0001``: the year of submission and a sequence number that restarts each year."""
    return f"INC-{year}-{sequence:04d}"


def normalise_reference(text: str) -> str:
    """The reference in its canonical form (raises NotFound for something that cannot be one)."""
    reference = text.strip().upper()
    if not _REFERENCE.match(reference):
        raise NotFound(f"{text.strip()!r} is not an incident reference.", hint="References look like INC-2026-0001.")
    return reference


def normalise_status(text: str) -> str:
    """A status as typed ("under review", "Under-Review") in its stored form (raises InvalidInput)."""
    status = re.sub(r"[\s-]+", "_", text.strip().lower())
    if status not in STATUSES:
        raise InvalidInput(f"{text!r} is not a status. Use one of: {', '.join(s.replace('_', ' ') for s in STATUSES)}.")
    return status


def create_incident(
    session: Session,
    conversation: Conversation,
    *,
    form: FormDefinition,
    now: datetime,
    recipients: Sequence[tuple[str, str]],
) -> Incident:
    """Turn a finished conversation into an incident with the next reference, an audit entry and outbox rows.

    ``recipients`` are (recipient, kind) pairs for the notification outbox. A concurrent submission that takes
    the same sequence number fails on the unique constraint; the caller retries the whole transaction.
    """
    year = now.year
    if session.get_bind().dialect.name == "postgresql":
        # Hand out the year's references one at a time: without this, a burst of submissions from several
        # processes would keep colliding on (year, sequence) and use up the caller's retries. SQLite needs no
        # lock: its transactions already begin with the write lock (BEGIN IMMEDIATE).
        session.execute(text("SELECT pg_advisory_xact_lock(CAST(:key AS integer), CAST(:year AS integer))"),
                        {"key": _REFERENCE_LOCK, "year": year})
    last = session.scalar(select(func.max(Incident.sequence)).where(Incident.year == year)) or 0
    applicable = form.applicable(conversation.answers, now.date())
    answers = {spec.id: conversation.answers.get(spec.id) for spec in applicable}
    incident = Incident(
        reference=format_reference(year, last + 1),
        year=year,
        sequence=last + 1,
        conversation_id=conversation.id,
        reporter_id=conversation.user_id,
        reporter_channel=conversation.channel,
        reporter_name=answers.get("reporter_name"),
        status="submitted",
        answers=answers,
        form_version=form.version,
        safeguarding=answers.get("safeguarding") == "yes",
        immediate_danger=answers.get("immediate_danger") == "yes",
        confidential=answers.get("confidential") == "yes",
        submitted_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    session.add(AuditEntry(incident_id=incident.id, actor_id=conversation.user_id, actor_role="reporter",
                           action="submitted",
                           detail=f"via {conversation.channel}", at=now))
    for recipient, kind in recipients:
        session.add(Notification(incident_id=incident.id, reference=incident.reference, recipient=recipient,
                                 kind=kind, created_at=now))
    return incident


@dataclass(frozen=True)
class IncidentSummary:
    """One line of the incident log."""

    reference: str
    status: str
    submitted_at: datetime
    updated_at: datetime
    reporter_id: str
    reporter_name: str | None
    platform: str | None
    kinds: tuple[str, ...]
    safeguarding: bool
    immediate_danger: bool
    confidential: bool
    outcome: str | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (timestamps as ISO 8601)."""
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class AnswerView:
    """One answered question of a submitted incident, as text."""

    field_id: str
    section: str
    prompt: str
    answer: str


@dataclass(frozen=True)
class AuditRecord:
    """One audit trail entry."""

    at: datetime
    actor_id: str
    actor_role: str
    action: str
    detail: str | None


@dataclass(frozen=True)
class IncidentDetail:
    """A whole incident: summary, answers, evidence and (for Monitoring Officers) the audit trail."""

    summary: IncidentSummary
    answers: tuple[AnswerView, ...]
    evidence: tuple[EvidenceInfo, ...]
    audit: tuple[AuditRecord, ...]

    @property
    def reference(self) -> str:
        """The incident's reference."""
        return self.summary.reference

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (timestamps as ISO 8601), the reference first."""
        return {"reference": self.reference, **_jsonable(asdict(self))}


def summarise(incident: Incident, form: FormDefinition) -> IncidentSummary:
    """The list view of an incident."""
    answers = incident.answers or {}
    platform = None
    if answers.get("platform"):
        platform = answers.get("platform_other") if answers["platform"] == "other" and answers.get(
            "platform_other") else form.field("platform").label_of(answers["platform"])
    kinds = tuple(form.field("kinds").label_of(k) for k in answers.get("kinds") or ())
    return IncidentSummary(
        reference=incident.reference,
        status=incident.status,
        submitted_at=incident.submitted_at,
        updated_at=incident.updated_at,
        reporter_id=incident.reporter_id,
        reporter_name=incident.reporter_name,
        platform=platform,
        kinds=kinds,
        safeguarding=incident.safeguarding,
        immediate_danger=incident.immediate_danger,
        confidential=incident.confidential,
        outcome=incident.outcome,
    )


def detail(incident: Incident, form: FormDefinition, *, with_audit: bool) -> IncidentDetail:
    """The full view of an incident."""
    views = []
    for field_id, value in (incident.answers or {}).items():
        if form.has_field(field_id):
            spec = form.field(field_id)
            views.append(AnswerView(field_id, spec.section, spec.prompt, display_answer(spec, value)))
        else:  # answered on an older form version
            views.append(AnswerView(field_id, "", field_id, "" if value is None else str(value)))
    evidence = tuple(EvidenceInfo(e.sha256, e.filename, e.content_type, e.size)
                     for e in incident.conversation.evidence)
    audit = (tuple(AuditRecord(a.at, a.actor_id, a.actor_role, a.action, a.detail) for a in incident.audit)
             if with_audit else ())
    return IncidentDetail(summarise(incident, form), tuple(views), evidence, audit)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
