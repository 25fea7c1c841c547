"""SQLAlchemy 2 models of the assistant's one database.

The incident log: conversations, incidents, evidence, audit trail and notification outbox. The chat channels'
state (``chat_*``): events and submissions already handled, answers shown and their feedback, each person's
council choice, and which chat thread carries which report conversation. ``maintenance_runs`` records when a
periodic job (the retention purge) last ran, so that one process runs it however many serve the app.

The schema itself is created by the Alembic migrations in ``assistant/incidents/migrations`` (run on start-up by
``Database.migrate``); a test checks that the migrations and these models agree.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of the incident tables."""


class Conversation(Base):
    """One report conversation; its whole state lives here so it survives restarts."""

    __tablename__ = "report_conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(255), index=True)
    # f"{channel}:{user_id}" while active, else NULL: the unique index allows one open conversation per person.
    active_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    # A channel's request id for one-shot submissions (a Slack modal), so a retried request is a no-op.
    request_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|submitted|cancelled|stopped
    cursor: Mapped[str] = mapped_column(String(64))  # a field id, or "review" / "done"
    editing: Mapped[bool] = mapped_column(Boolean, default=False)  # came from the review step
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prefill: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    form_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)  # retention

    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="conversation", order_by="Evidence.id", cascade="all, delete-orphan"
    )
    incident: Mapped[Incident | None] = relationship(back_populates="conversation")


class Evidence(Base):
    """A file attached to a conversation; the bytes live in the content-addressed store under their SHA-256."""

    __tablename__ = "incident_evidence"
    __table_args__ = (UniqueConstraint("conversation_id", "sha256", name="uq_evidence_conversation_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("report_conversations.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="evidence")


class Incident(Base):
    """A submitted report: a snapshot of the answers plus its status in the Monitoring Officer's workflow."""

    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("year", "sequence", name="uq_incident_year_sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    # unique: confirming the same conversation twice (a retried request) can only ever make one incident
    conversation_id: Mapped[str] = mapped_column(ForeignKey("report_conversations.id"), unique=True)
    reporter_id: Mapped[str] = mapped_column(String(255), index=True)
    reporter_channel: Mapped[str] = mapped_column(String(32))
    reporter_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    outcome: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    form_version: Mapped[int] = mapped_column(Integer)
    safeguarding: Mapped[bool] = mapped_column(Boolean, default=False)
    immediate_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="incident")
    audit: Mapped[list[AuditEntry]] = relationship(back_populates="incident", order_by="AuditEntry.id")


class AuditEntry(Base):
    """Who did what to which incident, and when: submissions, views, exports, status changes."""

    __tablename__ = "incident_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    actor_id: Mapped[str] = mapped_column(String(255))
    actor_role: Mapped[str] = mapped_column(String(32))  # monitoring_officer | reporter | user, at the time
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    incident: Mapped[Incident | None] = relationship(back_populates="audit")


class Notification(Base):
    """Outbox: one row per Monitoring Officer (or channel) to tell about a new incident, by reference only."""

    __tablename__ = "incident_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    reference: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # user | channel
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Delivery (assistant.incidents.outbox): a process claims a row until claimed_until under its claim_token,
    # so no other process sends it meanwhile; a permanent failure (an unknown recipient) sets failed_at.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(64))  # an error code, never message text


class ChatClaim(Base):
    """A key claimed once (an event id, a modal submission): the first claimant does the work, others skip it."""

    __tablename__ = "chat_claims"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ChatAnswer(Base):
    """An answer as it was shown in a chat (its question, council and rendered message), for feedback and sharing."""

    __tablename__ = "chat_answers"
    __table_args__ = (Index("ix_chat_answers_thread", "channel", "place_id", "thread_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))  # slack | console | …
    user_id: Mapped[str] = mapped_column(String(255))
    place_id: Mapped[str | None] = mapped_column(String(255))  # the chat's channel or conversation id
    thread_id: Mapped[str | None] = mapped_column(String(255))  # the thread the answer was given in, if any
    question: Mapped[str] = mapped_column(Text)
    council: Mapped[str | None] = mapped_column(String(255))
    abstained: Mapped[bool] = mapped_column(Boolean)
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ChatFeedback(Base):
    """One person's 👍/👎 on an answer (their latest vote)."""

    __tablename__ = "chat_feedback"
    __table_args__ = (PrimaryKeyConstraint("answer_id", "user_id"),)

    answer_id: Mapped[str] = mapped_column(ForeignKey("chat_answers.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(255))
    vote: Mapped[str] = mapped_column(String(8))  # up | down
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChatUserSetting(Base):
    """A person's choices in a chat channel (their council; NULL means all councils equally)."""

    __tablename__ = "chat_user_settings"
    __table_args__ = (PrimaryKeyConstraint("channel", "user_id"),)

    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(255))
    council: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChatThread(Base):
    """A chat thread (e.g. a Slack DM thread) in which a report conversation is carried on."""

    __tablename__ = "chat_threads"
    __table_args__ = (PrimaryKeyConstraint("channel", "place_id", "thread_id"),)

    channel: Mapped[str] = mapped_column(String(32))
    place_id: Mapped[str] = mapped_column(String(255))
    thread_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("report_conversations.id", ondelete="CASCADE"),
                                                 index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MaintenanceRun(Base):
    """When a periodic job last started, and in which process (one row per job)."""

    __tablename__ = "maintenance_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    holder: Mapped[str] = mapped_column(String(255))
