"""The notification outbox delivered through a Sender port: once per row, retried when it may help, never twice —
also when several services (as separate processes would) deliver at the same moment. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.incidents.outbox import DeliveryFailed, PendingNotification, Sender, backoff

from .conftest import SECRET, submit_report


class RecordingSender:
    """A Sender that records what it sends, failing as told (``failures``: recipient -> errors to raise, in turn)."""

    def __init__(self, failures: dict[str, list[Exception]] | None = None, pause_s: float = 0.0) -> None:
        self.sent: list[PendingNotification] = []
        self.failures = failures or {}
        self.pause_s = pause_s
        self._lock = threading.Lock()

    def send(self, notification: PendingNotification) -> None:
        time.sleep(self.pause_s)  # a slow channel: other deliverers run meanwhile
        with self._lock:
            queue = self.failures.get(notification.recipient)
            if queue:
                raise queue.pop(0)
            self.sent.append(notification)


def test_a_sender_is_the_port_and_each_notification_goes_once_by_reference_only(make_service):
    service = make_service(monitoring_officers=["U-MO1", "U-MO2"], monitoring_officer_channel="GMO")
    ref = submit_report(service).reference
    sender = RecordingSender()
    assert isinstance(sender, Sender)
    report = service.outbox.deliver(sender)
    assert (report.sent, report.retry_later, report.failed) == (3, 0, 0)
    assert sorted((n.recipient, n.kind) for n in sender.sent) == [("GMO", "channel"), ("U-MO1", "user"),
                                                                   ("U-MO2", "user")]
    assert all(n.reference == ref and ref in n.text and SECRET not in n.text for n in sender.sent)
    assert service.outbox.deliver(sender).sent == 0 and len(sender.sent) == 3
    assert service.pending_notifications() == []


def test_a_permanent_failure_is_not_retried_and_a_transient_one_is_after_a_back_off(make_service, clock):
    service = make_service(monitoring_officers=["U-GONE", "U-BUSY"])
    submit_report(service)
    sender = RecordingSender({"U-GONE": [DeliveryFailed("user_not_found", permanent=True)],
                              "U-BUSY": [DeliveryFailed("ratelimited"), DeliveryFailed("ratelimited")]})
    first = service.outbox.deliver(sender)
    assert (first.sent, first.retry_later, first.failed) == (0, 1, 1)
    assert [n.recipient for n in service.pending_notifications()] == ["U-BUSY"]  # the unknown user is given up

    assert service.outbox.deliver(sender).sent == 0  # not due yet: backing off
    clock.advance(seconds=backoff(1).total_seconds() + 1)
    assert service.outbox.deliver(sender).retry_later == 1  # tried again, refused again
    clock.advance(seconds=backoff(2).total_seconds() + 1)
    assert service.outbox.deliver(sender).sent == 1
    assert [n.recipient for n in sender.sent] == ["U-BUSY"] and service.pending_notifications() == []


def test_a_sender_bug_does_not_lose_the_notification(make_service, clock):
    service = make_service()
    submit_report(service)
    sender = RecordingSender({"U-MO": [RuntimeError("bug in a channel adapter")]})
    assert service.outbox.deliver(sender).retry_later == 1
    clock.advance(hours=2)
    assert service.outbox.deliver(sender).sent == 1


def test_a_claim_left_by_a_process_that_died_is_taken_over_after_its_lease(make_service, clock):
    service = make_service()
    submit_report(service)

    class Dies:
        def send(self, notification):
            raise SystemExit  # the process ends mid-send: its claim stays in the database

    with pytest.raises(SystemExit):
        service.outbox.deliver(Dies())
    other = make_service()  # another process
    sender = RecordingSender()
    assert other.outbox.deliver(sender).sent == 0  # still claimed by the dead process
    clock.advance(minutes=11)
    assert other.outbox.deliver(sender).sent == 1


def test_concurrent_deliverers_in_separate_services_send_each_notification_once(make_service):
    officers = [f"U-MO{i}" for i in range(6)]
    services = [make_service(monitoring_officers=officers) for _ in range(4)]  # like four processes
    references = [submit_report(services[0], user_id=f"U-R{i}").reference for i in range(5)]
    sender = RecordingSender(pause_s=0.01)
    barrier = threading.Barrier(len(services))

    def deliver(service):
        barrier.wait()
        return service.outbox.deliver(sender).sent

    with ThreadPoolExecutor(len(services)) as pool:
        counts = list(pool.map(deliver, services))
    sent = Counter((n.reference, n.recipient) for n in sender.sent)
    assert sum(counts) == len(sender.sent) == len(references) * len(officers)
    assert set(sent.values()) == {1}  # nothing twice
    assert services[0].pending_notifications() == []
