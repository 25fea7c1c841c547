"""The incident service: report conversations plus the Monitoring Officer's log, with access control and audit.

``build_incident_service(settings, notifier=None)`` migrates the database and returns an ``IncidentService``:

- ``.conversations`` — the ``ReportEngine`` that channels drive (see assistant.incidents.engine);
- ``actor(user_id, in_officer_channel=False) -> Actor``: this service alone decides who is a Monitoring Officer —
  a user id in ``settings.monitoring_officers`` (a bare login there also matches the console's
  ``console:<login>`` id), or a member of the configured Monitoring Officers' private channel, a fact a chat
  adapter passes in (``in_officer_channel``) and never decides on itself. Every method below takes only an
  Actor made by this service;
- ``list_incidents(actor, status=None, mine=False)``, ``get(actor, reference)``, ``change_status(actor, reference,
  new, note=, outcome=)``, ``export_pdf(actor, reference)``, ``export_csv(actor, references=None)``,
  ``evidence_file(actor, reference, sha256)``;
- ``.outbox`` — the notification outbox; ``outbox.deliver(sender)`` sends it through a channel's ``Sender``
  (assistant.incidents.outbox); ``pending_notifications()`` / ``mark_notified(ids)`` remain as shortcuts.

A reporter sees only their own incidents; Monitoring Officers see all and alone change status. Every list, view,
export and status change is written to the audit trail, in the same transaction as the read it records, and so
is every refusal (``access_denied``, with what was attempted), whichever channel it came from.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.config import Settings
from assistant.errors import InvalidInput, NotFound, PermissionDenied
from assistant.incidents.db import Database
from assistant.incidents.engine import ReportEngine
from assistant.incidents.evidence import EvidenceStore
from assistant.incidents.form import FormDefinition, load_form
from assistant.incidents.models import AuditEntry, Conversation, Incident, utcnow
from assistant.incidents.notify import Notifier, OutboxNotifier
from assistant.incidents.outbox import Outbox, PendingNotification
from assistant.incidents.records import (
    TRANSITIONS,
    IncidentDetail,
    IncidentSummary,
    detail,
    normalise_reference,
    normalise_status,
    summarise,
)
from assistant.incidents.steps import EvidenceInfo

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who is asking: a chat or console user id, and whether they are a Monitoring Officer.

    Made by ``IncidentService.actor`` only; the service refuses an Actor it did not make.
    """

    user_id: str
    is_monitoring_officer: bool = False
    seal: bytes = field(default=b"", repr=False, compare=False)  # the issuing service's MAC of the two fields


class _Refused(PermissionDenied):
    """Access refused; carries what the audit entry needs (the incident, if it exists, and what was tried)."""

    def __init__(self, message: str, incident: Incident | None, actor: Actor, attempted: str) -> None:
        super().__init__(message)
        self.incident_id = incident.id if incident is not None else None
        self.role = _role(actor, incident)
        self.actor = actor
        self.attempted = attempted


def _role(actor: Actor, incident: Incident | None = None) -> str:
    if actor.is_monitoring_officer:
        return "monitoring_officer"
    return "reporter" if incident is not None and incident.reporter_id == actor.user_id else "user"


class IncidentService:
    """Report conversations and the incident log for one database and evidence store."""

    def __init__(
        self,
        db: Database,
        store: EvidenceStore,
        *,
        monitoring_officers: Sequence[str] = (),
        officer_channel: str | None = None,
        notifier: Notifier | None = None,
        form: FormDefinition | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.store = store
        self.form = form or load_form()
        self.monitoring_officers = tuple(monitoring_officers)
        self.officer_channel = officer_channel
        self.notifier = notifier or OutboxNotifier()
        self.clock = clock
        self.outbox = Outbox(db, clock=clock)
        self._seal_key = os.urandom(32)
        recipients = [(mo, "user") for mo in self.monitoring_officers]
        if officer_channel:
            recipients.append((officer_channel, "channel"))
        self.conversations = ReportEngine(db, store, form=self.form, clock=clock, recipients=recipients,
                                          on_submitted=self._notify)

    def actor(self, user_id: str, *, in_officer_channel: bool = False) -> Actor:
        """The actor for a user id: a Monitoring Officer when configured as one, or when the channel adapter
        reports them a member of the configured Monitoring Officers' private channel.

        Console ids are ``console:<login>``; a bare login in the settings matches them, as the settings document.
        """
        if not user_id:
            raise InvalidInput("An incident log request needs the id of the person making it.")
        officers = self.monitoring_officers
        console_login = user_id.removeprefix("console:") if user_id.startswith("console:") else None
        member = bool(self.officer_channel) and in_officer_channel
        is_officer = user_id in officers or console_login in officers or member
        return Actor(user_id=user_id, is_monitoring_officer=is_officer, seal=self._seal(user_id, is_officer))

    def list_incidents(self, actor: Actor, *, status: str | None = None, mine: bool = False) -> list[IncidentSummary]:
        """Incidents the actor may see, newest first (all for Monitoring Officers, else their own; ``mine``: only
        the ones they reported, whoever they are)."""
        self._check(actor)
        query = select(Incident).order_by(Incident.submitted_at.desc(), Incident.id.desc())
        if mine or not actor.is_monitoring_officer:
            query = query.where(Incident.reporter_id == actor.user_id)
        if status:
            query = query.where(Incident.status == normalise_status(status))
        with self._transaction() as session:
            incidents = session.scalars(query).all()
            self._audit(session, None, actor, "listed", f"{len(incidents)} incident(s)")
            return [summarise(incident, self.form) for incident in incidents]

    def get(self, actor: Actor, reference: str) -> IncidentDetail:
        """One incident in full (the audit trail for Monitoring Officers); the view is audited."""
        self._check(actor)
        with self._transaction() as session:
            incident = self._visible(session, actor, reference, attempted="view")
            self._audit(session, incident, actor, "viewed")
            session.flush()
            return detail(incident, self.form, with_audit=actor.is_monitoring_officer)

    def change_status(self, actor: Actor, reference: str, new_status: str, *, note: str | None = None,
                      outcome: str | None = None) -> IncidentSummary:
        """Move an incident along submitted → acknowledged → under review → closed (closing needs an outcome)."""
        self._check(actor)
        if not actor.is_monitoring_officer:
            self._refuse(actor, reference, "Only a Monitoring Officer can change an incident's status.",
                         attempted="change_status")
        new = normalise_status(new_status)
        outcome = (outcome or "").strip() or None
        if new == "closed" and not outcome:
            raise InvalidInput("Closing an incident needs its outcome.",
                               hint="Say what was done, e.g. --outcome 'Posts removed; police informed'.")
        with self._transaction() as session:
            incident = self._visible(session, actor, reference, lock=True, attempted="change_status")
            old = incident.status
            if new not in TRANSITIONS[old]:
                allowed = ", ".join(s.replace("_", " ") for s in TRANSITIONS[old]) or "nothing (it is closed)"
                raise InvalidInput(f"{incident.reference} is {old.replace('_', ' ')}, so it cannot move to "
                                   f"{new.replace('_', ' ')}. It can move to: {allowed}.")
            incident.status, incident.updated_at = new, self.clock()
            if outcome:
                incident.outcome = outcome
            parts = [f"{old} -> {new}", f"note: {note.strip()}" if note and note.strip() else "",
                     f"outcome: {outcome}" if outcome else ""]
            self._audit(session, incident, actor, "status_changed", "; ".join(p for p in parts if p))
            logger.info("incident %s status %s -> %s", incident.reference, old, new)
            return summarise(incident, self.form)

    def export_pdf(self, actor: Actor, reference: str) -> bytes:
        """The completed form as a PDF (screenshots appended); the export is audited."""
        self._check(actor)
        with self._transaction() as session:
            incident = self._visible(session, actor, reference, attempted="export_pdf")
            self._audit(session, incident, actor, "exported_pdf")
            session.flush()
            view = detail(incident, self.form, with_audit=actor.is_monitoring_officer)
        from assistant.incidents.export import render_pdf  # fpdf takes a second to import; only exports need it

        return render_pdf(view, self.form, load_image=self._image)

    def export_csv(self, actor: Actor, references: Sequence[str] | None = None) -> str:
        """The incidents the actor may see (or just these references) as CSV; each one's export is audited."""
        self._check(actor)
        with self._transaction() as session:
            if references:
                incidents = [self._visible(session, actor, ref, attempted="export_csv") for ref in references]
            else:
                query = select(Incident).order_by(Incident.year, Incident.sequence)
                if not actor.is_monitoring_officer:
                    query = query.where(Incident.reporter_id == actor.user_id)
                incidents = list(session.scalars(query.options(selectinload(Incident.conversation)
                                                               .selectinload(Conversation.evidence))))
            for incident in incidents:
                self._audit(session, incident, actor, "exported_csv")
            views = [detail(incident, self.form, with_audit=False) for incident in incidents]
        from assistant.incidents.export import render_csv

        return render_csv(views, self.form)

    def evidence_file(self, actor: Actor, reference: str, sha256: str) -> tuple[EvidenceInfo, bytes]:
        """One evidence file of an incident the actor may see; the download is audited."""
        self._check(actor)
        with self._transaction() as session:
            incident = self._visible(session, actor, reference, attempted="evidence_download")
            item = next((e for e in incident.conversation.evidence if e.sha256.startswith(sha256.lower())), None)
            if item is None or len(sha256) < 8:
                raise NotFound(f"{incident.reference} has no evidence file {sha256!r}.",
                               hint="Use at least the first 8 characters of the SHA-256 that `show` lists.")
            self._audit(session, incident, actor, "evidence_downloaded", item.sha256)
            info = EvidenceInfo(item.sha256, item.filename, item.content_type, item.size)
        return info, self.store.read(info.sha256)

    def pending_notifications(self) -> list[PendingNotification]:
        """Outbox rows not yet delivered (nor failed for good), oldest first."""
        return self.outbox.pending()

    def mark_notified(self, notification_ids: Sequence[int]) -> None:
        """Record that these outbox rows were delivered."""
        self.outbox.mark_delivered(notification_ids)

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()

    # --- internals ------------------------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A transaction in which refused access is audited too (after the refused work is rolled back)."""
        try:
            with self.db.transaction() as session:
                yield session
        except _Refused as refused:
            with self.db.transaction() as session:
                session.add(AuditEntry(incident_id=refused.incident_id, actor_id=refused.actor.user_id,
                                       actor_role=refused.role, action="access_denied",
                                       detail=refused.attempted, at=self.clock()))
            raise

    def _seal(self, user_id: str, is_officer: bool) -> bytes:
        return hmac.new(self._seal_key, f"{user_id}\0{is_officer}".encode(), hashlib.sha256).digest()

    def _check(self, actor: Actor) -> None:
        """Refuse an Actor this service did not make (or one altered since): only it decides who is an officer."""
        if not isinstance(actor, Actor) or not hmac.compare_digest(
                actor.seal, self._seal(actor.user_id, actor.is_monitoring_officer)):
            raise TypeError("use IncidentService.actor(user_id) for the actor: only this service decides who is a "
                            "Monitoring Officer")

    def _refuse(self, actor: Actor, reference: str, message: str, *, attempted: str) -> None:
        """Refuse, with an audit entry naming the incident when the reference is one."""
        with self._transaction() as session:
            try:
                ref = normalise_reference(reference)
            except NotFound:
                ref = None
            incident = session.scalar(select(Incident).where(Incident.reference == ref)) if ref else None
            raise _Refused(message, incident, actor, attempted)

    def _visible(self, session: Session, actor: Actor, reference: str, *, lock: bool = False,
                 attempted: str) -> Incident:
        ref = normalise_reference(reference)
        query = select(Incident).where(Incident.reference == ref)
        incident = session.scalar(query.with_for_update() if lock else query)
        if actor.is_monitoring_officer:
            if incident is None:
                raise NotFound(f"There is no incident {ref}.", hint="`assistant incidents list` shows the references.")
            return incident
        if incident is None or incident.reporter_id != actor.user_id:
            # The same answer whether or not the incident exists, so references cannot be probed.
            raise _Refused(f"Only the reporter and the Monitoring Officers can see {ref}.", incident, actor,
                           attempted if incident else f"{attempted} {ref}")
        return incident

    def _audit(self, session: Session, incident: Incident | None, actor: Actor, action: str,
               detail_text: str | None = None) -> None:
        session.add(AuditEntry(incident_id=incident.id if incident else None, actor_id=actor.user_id,
                               actor_role=_role(actor, incident), action=action, detail=detail_text, at=self.clock()))

    def _image(self, item: EvidenceInfo) -> bytes | None:
        try:
            return self.store.read(item.sha256)
        except (OSError, InvalidInput):
            logger.warning("evidence file %s… missing or damaged; left out of the PDF", item.sha256[:12])
            return None

    def _notify(self, reference: str) -> None:
        try:
            self.notifier.notify_submitted(reference, self.monitoring_officers)
        except Exception as exc:  # the incident is saved and the outbox row stays pending for a later delivery
            logger.warning("notifying Monitoring Officers of %s failed (%s); it stays in the outbox",
                           reference, type(exc).__name__)


def build_incident_service(settings: Settings, *, notifier: Notifier | None = None,
                           clock: Callable[[], datetime] | None = None) -> IncidentService:
    """The incident service for these settings, its database migrated to the newest schema."""
    db = Database(settings.resolved_database_url)
    db.migrate()
    store = EvidenceStore(settings.data_dir / "evidence", max_bytes=settings.evidence_max_bytes)
    return IncidentService(db, store, monitoring_officers=settings.monitoring_officers,
                           officer_channel=settings.monitoring_officer_channel, notifier=notifier,
                           clock=clock or utcnow)
