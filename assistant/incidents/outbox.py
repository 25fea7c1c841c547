"""Delivering the Monitoring Officer notification outbox through a channel's ``Sender``, never twice.

A submitted incident writes one ``incident_notifications`` row per recipient in its own transaction
(``records.create_incident``). ``Outbox.deliver(sender)`` then sends the pending rows through a ``Sender`` — the
port a channel implements (Slack today; Teams, WhatsApp or email later) — in three short transactions per batch:

1. **claim**: pending rows that nobody holds are marked ``claimed_until = now + lease`` under a fresh token.
   On PostgreSQL the rows are selected ``FOR UPDATE SKIP LOCKED``, so processes claiming at the same moment get
   disjoint rows without waiting for each other; on SQLite every transaction starts with the write lock
   (``BEGIN IMMEDIATE``), so claims are made one process at a time.
2. **send**, outside any transaction (a slow Slack call holds no lock and no connection);
3. **finish**, only while the claim is still ours: delivered, failed for good (``DeliveryFailed(permanent=True)``,
   e.g. an unknown user id: never tried again), or released to be tried again after a back-off.

A process that dies between sending and finishing leaves its claim to expire, after which the row is sent again:
delivery is at least once across crashes and exactly once otherwise. A notification carries the reference only.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import or_, select

from assistant.incidents.db import Database
from assistant.incidents.models import Notification, utcnow
from assistant.incidents.notify import notification_text

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # far longer than one send, retries included
BATCH = 10
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class PendingNotification:
    """An outbox row to deliver; ``text`` names the reference and nothing else."""

    id: int
    reference: str
    recipient: str
    kind: str  # user | channel
    text: str


class DeliveryFailed(Exception):
    """A Sender could not deliver; ``code`` is for the log (an API error code, never message text)."""

    def __init__(self, code: str, *, permanent: bool = False) -> None:
        super().__init__(code)
        self.code = code[:64]
        self.permanent = permanent


@runtime_checkable
class Sender(Protocol):
    """A channel's way of telling one recipient (a user id or a channel id) about a notification."""

    def send(self, notification: PendingNotification) -> None:
        """Deliver it, or raise DeliveryFailed (permanent when trying again cannot help)."""


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver`` call did."""

    sent: int = 0
    retry_later: int = 0
    failed: int = 0


class Outbox:
    """The notification outbox of one database."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow, lease: timedelta = LEASE) -> None:
        self.db = db
        self.clock = clock
        self.lease = lease

    def pending(self) -> list[PendingNotification]:
        """Rows neither delivered nor failed for good, oldest first (claimed or not)."""
        with self.db.transaction(read_only=True) as session:
            rows = session.scalars(select(Notification).where(Notification.delivered_at.is_(None),
                                                              Notification.failed_at.is_(None))
                                   .order_by(Notification.id)).all()
            return [_pending(row) for row in rows]

    def mark_delivered(self, notification_ids: Sequence[int]) -> None:
        """Record that these rows were delivered by some other means."""
        with self.db.transaction() as session:
            for row in session.scalars(select(Notification).where(Notification.id.in_(list(notification_ids)))):
                row.delivered_at, row.claimed_until, row.claim_token = self.clock(), None, None

    def deliver(self, sender: Sender, *, limit: int = 200) -> DeliveryReport:
        """Send up to ``limit`` due rows through ``sender``; rows another process holds are left to it."""
        sent = retry = failed = 0
        while sent + retry + failed < limit:
            token, batch = self._claim(min(BATCH, limit - sent - retry - failed))
            if not batch:
                break
            for item in batch:
                try:
                    sender.send(item)
                except DeliveryFailed as exc:
                    logger.warning("notification %s for %s not delivered (%s%s)", item.id, item.reference,
                                   exc.code, "; not retried" if exc.permanent else "")
                    self._finish(item.id, token, error=exc)
                    failed, retry = (failed + 1, retry) if exc.permanent else (failed, retry + 1)
                    continue
                except Exception as exc:  # noqa: BLE001 - a sender bug must not lose the row: retry it later
                    logger.warning("notification %s for %s not delivered (%s)", item.id, item.reference,
                                   type(exc).__name__)
                    self._finish(item.id, token, error=DeliveryFailed(type(exc).__name__))
                    retry += 1
                    continue
                self._finish(item.id, token)
                sent += 1
        return DeliveryReport(sent, retry, failed)

    # --- internals ------------------------------------------------------------------------------------------
    def _claim(self, n: int) -> tuple[str, list[PendingNotification]]:
        token, now = uuid.uuid4().hex, self.clock()
        query = (select(Notification)
                 .where(Notification.delivered_at.is_(None), Notification.failed_at.is_(None),
                        or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))
                 .order_by(Notification.id).limit(n))
        if self.db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        with self.db.transaction() as session:
            rows = session.scalars(query).all()
            for row in rows:
                row.claimed_until, row.claim_token, row.attempts = now + self.lease, token, (row.attempts or 0) + 1
            return token, [_pending(row) for row in rows]

    def _finish(self, notification_id: int, token: str, *, error: DeliveryFailed | None = None) -> None:
        now = self.clock()
        with self.db.transaction() as session:
            row = session.scalar(select(Notification).where(Notification.id == notification_id,
                                                            Notification.claim_token == token).with_for_update())
            if row is None:  # our claim expired and another process took the row over
                return
            row.claim_token = None
            if error is None:
                row.delivered_at, row.claimed_until, row.last_error = now, None, None
            elif error.permanent:
                row.failed_at, row.claimed_until, row.last_error = now, None, error.code
            else:
                row.claimed_until, row.last_error = now + backoff(row.attempts), error.code


def backoff(attempts: int) -> timedelta:
    """How long to wait before trying a row again after ``attempts`` failed tries: 30 s, 1 min, 2 min … 1 h."""
    return min(timedelta(seconds=30) * 2 ** max(0, min(attempts - 1, 12)), MAX_BACKOFF)


def _pending(row: Notification) -> PendingNotification:
    return PendingNotification(row.id, row.reference, row.recipient, row.kind, notification_text(row.reference))
