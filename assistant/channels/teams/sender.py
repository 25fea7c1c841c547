"""The Monitoring Officer notification outbox: a ``Sender`` (assistant.incidents.outbox) that posts to Teams.

A bot can only message someone proactively in a conversation it already shares with them, so each recipient id
(a ``monitoring_officers`` entry or ``monitoring_officer_channel``) is mapped by the ``teams_officer_conversations``
setting to a conversation reference (service URL and conversation id). The outbox calls ``send`` from a worker
thread; the post itself runs on the server's event loop, through the SDK's ``continue_conversation``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount, ConversationReference
from microsoft_agents.hosting.core import ClaimsIdentity
from microsoft_agents.hosting.core.authorization import AuthenticationConstants

from assistant.channels.teams.cards import notification_card
from assistant.incidents.outbox import DeliveryFailed, PendingNotification

logger = logging.getLogger(__name__)

SEND_TIMEOUT_S = 60


def conversation_reference(raw: Mapping[str, str], app_id: str | None) -> ConversationReference:
    """A configured ``{"service_url": …, "conversation_id": …, "tenant_id": …}`` as the SDK's reference."""
    if not raw.get("service_url") or not raw.get("conversation_id"):
        raise ValueError("a Teams conversation reference needs service_url and conversation_id")
    conversation = ConversationAccount(id=raw["conversation_id"], tenant_id=raw.get("tenant_id") or None)
    return ConversationReference(channel_id="msteams", service_url=raw["service_url"], conversation=conversation,
                                 bot=ChannelAccount(id=f"28:{app_id}" if app_id else "bot"))


class TeamsNotificationSender:
    """Posts a notification (the reference only) to the recipient's configured Teams conversation."""

    def __init__(self, adapter, loop: asyncio.AbstractEventLoop, *, app_id: str | None,
                 conversations: Mapping[str, Mapping[str, str]]) -> None:
        self.adapter = adapter
        self.loop = loop
        self.app_id = app_id
        self.conversations = dict(conversations)

    def send(self, notification: PendingNotification) -> None:
        """Deliver one notification, or raise DeliveryFailed (permanent for a malformed configured reference)."""
        raw = self.conversations.get(notification.recipient)
        if raw is None:
            # Not permanent: another channel's sender may deliver it (the outbox is shared), or an administrator
            # may add the conversation, and the next retry then goes through.
            raise DeliveryFailed("no_teams_conversation")
        try:
            reference = conversation_reference(raw, self.app_id)
        except ValueError as exc:
            raise DeliveryFailed("bad_teams_conversation", permanent=True) from exc
        future = asyncio.run_coroutine_threadsafe(self._post(reference, notification.text), self.loop)
        try:
            future.result(timeout=SEND_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - a connector error, a timeout: the outbox retries with back-off
            future.cancel()
            raise DeliveryFailed(type(exc).__name__) from exc

    async def _post(self, reference: ConversationReference, text: str) -> None:
        async def post(context) -> None:
            await context.send_activity(Activity(type="message", text=text, attachments=[notification_card(text)]))

        continuation = reference.get_continuation_activity()
        if self.app_id:
            await self.adapter.continue_conversation(self.app_id, continuation, post)
        else:  # anonymous mode (local testing): no token is asked for or sent
            await self.adapter.continue_conversation_with_claims(ClaimsIdentity(), continuation, post,
                                                                 audience=AuthenticationConstants.AGENTS_SDK_SCOPE)
