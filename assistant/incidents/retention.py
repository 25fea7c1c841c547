"""Retention: what the assistant deletes, and when (``assistant data purge``; the server runs it daily).

- questions and answers shown in a chat, with their 👍/👎, after ``question_retention_days``;
- report conversations left unfinished (no reply for ``abandoned_report_days``), with their answers, thread
  links and evidence files no other report uses; cancelled and stopped ones (already emptied of answers) too;
- de-duplication claims after a week;
- evidence files that no report refers to (an upload whose report was never saved), after a day.

Submitted incidents, their evidence and the audit trail are the Monitoring Officer's records: never purged here.
``purge_if_due`` lets one process in a fleet run the daily purge: it takes the job's row in ``maintenance_runs``
under a row lock (SQLite: the write lock), so however many processes ask at once, one of them runs it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from assistant.incidents.chat_state import CLAIM_TTL
from assistant.incidents.db import Database
from assistant.incidents.evidence import EvidenceStore
from assistant.incidents.models import (
    ChatAnswer,
    ChatClaim,
    ChatFeedback,
    ChatThread,
    Conversation,
    Evidence,
    MaintenanceRun,
    utcnow,
)

logger = logging.getLogger(__name__)

PURGE_JOB = "purge"
ORPHAN_FILE_GRACE = timedelta(days=1)  # an upload is written just before its row; never race an attach


@dataclass(frozen=True)
class PurgeReport:
    """How many of each kind of thing a purge deleted (or, in a dry run, would delete)."""

    answers: int = 0
    feedback: int = 0
    conversations: int = 0
    evidence_files: int = 0
    claims: int = 0
    dry_run: bool = False

    def to_json(self) -> dict:
        """The counts as a plain dict."""
        return asdict(self)


class _DryRun(Exception):
    """Raised inside the purge transaction to roll a dry run back."""


class Retention:
    """Deletes what the retention settings say is no longer kept."""

    def __init__(self, db: Database, store: EvidenceStore, *, question_days: int, abandoned_report_days: int,
                 clock: Callable[[], datetime] = utcnow) -> None:
        for name, days in (("question_retention_days", question_days),
                           ("abandoned_report_days", abandoned_report_days)):
            if days < 1:
                raise ValueError(f"{name} must be at least 1. Currently it is {days}")
        self.db = db
        self.store = store
        self.question_days = question_days
        self.abandoned_report_days = abandoned_report_days
        self.clock = clock

    def purge(self, *, dry_run: bool = False) -> PurgeReport:
        """Delete everything past its retention period now; ``dry_run`` only counts."""
        now = self.clock()
        counted: dict[str, int] = {}
        doomed_files: list[str] = []
        try:
            with self.db.transaction() as session:
                counted.update(self._purge_rows(session, now, doomed_files))
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        orphans = self._orphan_files()
        files = sorted(set(doomed_files) | set(orphans))
        if not dry_run:
            for sha in files:
                self.store.delete(sha)
        report = PurgeReport(evidence_files=len(files), dry_run=dry_run, **counted)
        logger.info("retention purge%s: %s", " (dry run)" if dry_run else "",
                    ", ".join(f"{k} {v}" for k, v in report.to_json().items() if k != "dry_run"))
        return report

    def purge_if_due(self, holder: str, *, every: timedelta = timedelta(days=1)) -> PurgeReport | None:
        """Purge if no process has started a purge within ``every``; None when it was not due here."""
        now = self.clock()
        with self.db.transaction() as session:
            row = session.scalar(select(MaintenanceRun).where(MaintenanceRun.name == PURGE_JOB).with_for_update())
            if row is None:
                insert = (postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert)(MaintenanceRun)
                taken = session.execute(insert.values(name=PURGE_JOB, started_at=now, holder=holder[:255])
                                        .on_conflict_do_nothing().returning(MaintenanceRun.name)).first()
                if taken is None:
                    return None  # another process created the row a moment ago, and runs the purge
            elif row.started_at > now - every:
                return None
            else:
                row.started_at, row.holder = now, holder[:255]
        return self.purge()

    # --- internals ------------------------------------------------------------------------------------------
    def _purge_rows(self, session, now: datetime, doomed_files: list[str]) -> dict[str, int]:
        core = session.connection()  # Core statements: their results report the rows deleted on every backend
        old_answers = select(ChatAnswer.id).where(ChatAnswer.created_at < now - timedelta(days=self.question_days))
        feedback = core.execute(delete(ChatFeedback).where(ChatFeedback.answer_id.in_(old_answers))).rowcount
        answers = core.execute(delete(ChatAnswer).where(ChatAnswer.id.in_(old_answers))).rowcount

        stale = now - timedelta(days=self.abandoned_report_days)
        ids = list(session.scalars(select(Conversation.id).where(
            Conversation.updated_at < stale,
            or_(Conversation.status == "active", Conversation.status.in_(("cancelled", "stopped"))))))
        shas = set(session.scalars(select(Evidence.sha256).where(Evidence.conversation_id.in_(ids)))) if ids else set()
        if ids:
            core.execute(delete(Evidence).where(Evidence.conversation_id.in_(ids)))
            core.execute(delete(ChatThread).where(ChatThread.conversation_id.in_(ids)))
            core.execute(delete(Conversation).where(Conversation.id.in_(ids)))
        if shas:
            still_used = set(session.scalars(select(Evidence.sha256).where(Evidence.sha256.in_(shas))))
            doomed_files.extend(shas - still_used)
        claims = core.execute(delete(ChatClaim).where(ChatClaim.at < now - CLAIM_TTL)).rowcount
        return {"answers": answers, "feedback": feedback, "conversations": len(ids), "claims": claims}

    def _orphan_files(self) -> list[str]:
        """Stored files older than the grace period that no evidence row refers to."""
        cutoff = time.time() - ORPHAN_FILE_GRACE.total_seconds()  # file times are the real clock's
        candidates = [sha for sha, mtime in self.store.stored() if mtime < cutoff]
        if not candidates:
            return []
        with self.db.transaction() as session:
            used = set()
            for start in range(0, len(candidates), 500):
                chunk = candidates[start:start + 500]
                used |= set(session.scalars(select(func.distinct(Evidence.sha256)).where(Evidence.sha256.in_(chunk))))
        return [sha for sha in candidates if sha not in used]
