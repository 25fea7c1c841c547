"""The Teams outbox Sender: a notification goes proactively to the recipient's configured conversation."""

from __future__ import annotations

import asyncio
import threading

import pytest

from assistant.channels.teams.sender import TeamsNotificationSender
from assistant.incidents.outbox import DeliveryFailed, PendingNotification, Sender

NOTE = PendingNotification(1, "INC-2026-0007", "mo-1", "user", "New incident report INC-2026-0007.")
CONVERSATIONS = {"mo-1": {"service_url": "https://smba.trafficmanager.net/uk/", "conversation_id": "a:1mo"},
                 "mo-bad": {"conversation_id": "a:1x"}}


class FakeAdapter:
    """Records proactive turns and what was sent in them (or fails like a connector that is down)."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.turns: list[tuple[str, object, list]] = []

    async def _run(self, how: str, continuation, callback) -> None:
        if self.fail:
            raise ConnectionError("connector down")
        sent: list = []

        class Context:
            async def send_activity(self, activity):
                sent.append(activity)

        await callback(Context())
        self.turns.append((how, continuation, sent))

    async def continue_conversation(self, app_id, continuation, callback):
        await self._run(f"app:{app_id}", continuation, callback)

    async def continue_conversation_with_claims(self, claims, continuation, callback, audience=None):
        await self._run("anonymous", continuation, callback)


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_it_is_an_outbox_sender_posting_the_reference_only_to_the_configured_chat(loop):
    adapter = FakeAdapter()
    sender = TeamsNotificationSender(adapter, loop, app_id="app-1", conversations=CONVERSATIONS)
    assert isinstance(sender, Sender)
    sender.send(NOTE)
    [(how, continuation, sent)] = adapter.turns
    assert how == "app:app-1"
    assert continuation.conversation.id == "a:1mo" and continuation.service_url.startswith("https://smba")
    assert sent[0].text == NOTE.text and "INC-2026-0007" in str(sent[0].attachments[0].content)


def test_anonymous_mode_sends_without_claims(loop):
    adapter = FakeAdapter()
    TeamsNotificationSender(adapter, loop, app_id=None, conversations=CONVERSATIONS).send(NOTE)
    assert adapter.turns[0][0] == "anonymous"


def test_an_unconfigured_recipient_is_retried_later_and_a_broken_reference_is_not():
    sender = TeamsNotificationSender(FakeAdapter(), asyncio.new_event_loop(), app_id="a", conversations=CONVERSATIONS)
    with pytest.raises(DeliveryFailed) as unknown:
        sender.send(PendingNotification(2, "INC-2026-0008", "someone-else", "user", "x"))
    assert not unknown.value.permanent
    with pytest.raises(DeliveryFailed) as broken:
        sender.send(PendingNotification(3, "INC-2026-0009", "mo-bad", "user", "x"))
    assert broken.value.permanent


def test_a_connector_failure_is_retried(loop):
    sender = TeamsNotificationSender(FakeAdapter(fail=True), loop, app_id="a", conversations=CONVERSATIONS)
    with pytest.raises(DeliveryFailed) as failed:
        sender.send(NOTE)
    assert failed.value.code == "ConnectionError" and not failed.value.permanent
