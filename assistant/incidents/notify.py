"""Telling Monitoring Officers that an incident was submitted, by reference only.

On submit the service writes one outbox row (``incident_notifications``) per Monitoring Officer, and per
configured channel, in the same transaction as the incident, so a notification is never lost. After the commit
it calls ``Notifier.notify_submitted(reference, monitoring_officer_ids)``. The default ``OutboxNotifier`` only
logs the reference: the outbox rows are the record, waiting for a channel (Slack today; Teams, WhatsApp or email
later) to deliver them through ``IncidentService.outbox.deliver(sender)`` with its own ``Sender``
(assistant.incidents.outbox), which never sends a row twice, even from several processes. A notification never
carries incident details: ``notification_text`` is the only wording.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

logger = logging.getLogger(__name__)


@runtime_checkable
class Notifier(Protocol):
    """Something that tells Monitoring Officers about a new incident; it receives the reference and nothing else."""

    def notify_submitted(self, reference: str, monitoring_officer_ids: Sequence[str]) -> None:
        """Tell these Monitoring Officers that incident ``reference`` was submitted."""


class OutboxNotifier:
    """The default: the outbox rows already record the notification; log the reference for operators."""

    def notify_submitted(self, reference: str, monitoring_officer_ids: Sequence[str]) -> None:
        """Log that ``reference`` waits in the outbox for these Monitoring Officers."""
        if monitoring_officer_ids:
            logger.info("incident %s submitted; %d Monitoring Officer notification(s) in the outbox",
                        reference, len(monitoring_officer_ids))
        else:
            logger.warning("incident %s submitted, but no Monitoring Officers are configured "
                           "(set ASSISTANT_MONITORING_OFFICERS)", reference)


def notification_text(reference: str) -> str:
    """The whole message a Monitoring Officer receives: the reference and where to look, no incident details."""
    return (
        f"A new incident report has been submitted: {reference}. "
        f"Open it in the incident log (assistant incidents show {reference}); it is visible to Monitoring "
        "Officers and the reporter only."
    )
