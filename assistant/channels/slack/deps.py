"""What every listener is given: the services, the Slack channel's state, and the few Slack-side steps they share."""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from assistant.channels.slack import blocks
from assistant.channels.slack.sender import SlackNotificationSender, open_dm
from assistant.config import Settings
from assistant.incidents.chat_state import ChatStore
from assistant.wiring import Services

logger = logging.getLogger(__name__)

__all__ = ["SlackDeps", "open_dm", "profile"]

PROFILE_TIMEOUT_S = 1.5  # users.info may run before a modal submission is acked (Slack allows 3 s)


@dataclass
class SlackDeps:
    """The services, the Slack channel's state (in the assistant's database) and the outbox sender, shared by
    every listener of one app."""

    services: Services
    store: ChatStore
    sender: SlackNotificationSender
    listener_executor: Executor | None = None  # where listeners finish acked work (Bolt's listener_executor)
    # At most one CPU-heavy answer or check per core at a time: a burst is served in arrival order instead of
    # all requests sharing the cores (and the GIL) and finishing together, and acks keep a free core.
    _cpu: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(max(1, os.cpu_count() or 1)), repr=False)

    @property
    def settings(self) -> Settings:
        """The assistant's settings."""
        return self.services.settings

    @property
    def engine(self):
        """The incident report conversation engine."""
        return self.services.incidents.conversations

    def council_for(self, user_id: str) -> str | None:
        """The person's chosen council (App Home), else the configured one."""
        chosen, council = self.store.council_of(user_id)
        return council if chosen else self.settings.council

    def answer(self, question: str, *, user_id: str, channel_id: str | None, thread_ts: str | None = None,
               share: bool = False) -> dict:
        """Answer a question for this person and render it; the answer is kept for feedback and sharing. In a
        thread, the person's earlier questions there are the context of a follow-up ("what about Instagram?")."""
        council = self.council_for(user_id)
        history = self.store.earlier_questions(user_id=user_id, place_id=channel_id, thread_id=thread_ts)
        with self._cpu:
            answer = self.services.answerer.answer(question, council=council, history=history)
        answer_id = self.store.new_answer_id()
        rendered = blocks.answer_message(answer, answer_id, share=share)
        self.store.record_answer(answer_id, user_id=user_id, place_id=channel_id, thread_id=thread_ts,
                                 question=question, council=council, abstained=answer.abstained, message=rendered)
        return rendered

    def first_delivery(self, body: dict) -> bool:
        """False for an event already handled (Slack redelivers after a slow ack, and may deliver twice): its
        ``event_id`` is claimed in the database, so only one thread, worker or replica ever handles it."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self.store.claim(f"event:{event_id}"):
            logger.info("event %s already handled; not answered again", event_id)
            return False
        return True

    def check(self, draft: str, *, user_id: str):
        """Check a draft post against the guidance (the person's council first); the draft is not kept."""
        with self._cpu:
            return self.services.checker.check(draft, council=self.council_for(user_id))

    def actor(self, user_id: str, channel_id: str | None = None):
        """The incident service's Actor for this person. The adapter contributes one fact: whether they act in the
        configured Monitoring Officers' private channel (Slack shows its messages, and so their buttons, to its
        members only). Whether that makes them a Monitoring Officer is the incident service's decision."""
        officer_channel = self.settings.monitoring_officer_channel
        in_channel = bool(officer_channel) and channel_id == officer_channel
        return self.services.incidents.actor(user_id, in_officer_channel=in_channel)

    def deliver_notifications(self) -> int:
        """Send the outbox's due Monitoring Officer notifications through Slack; returns how many went.

        Never raises: the report is already saved, and whatever is not sent now stays in the outbox for the
        server's periodic delivery."""
        try:
            return self.services.incidents.outbox.deliver(self.sender).sent
        except Exception as exc:  # noqa: BLE001 - see the docstring
            logger.warning("outbox delivery postponed (%s)", type(exc).__name__)
            return 0


def profile(client, user_id: str, *, timeout: float = PROFILE_TIMEOUT_S) -> tuple[str | None, str | None]:
    """The person's name and email from Slack, to prefill a report (None when Slack will not say in time)."""
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=timeout, proxy=client.proxy)
    try:
        user = quick.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        logger.info("users.info for a reporter failed (%s); nothing prefilled", exc.response.get("error"))
        return None, None
    except (OSError, SlackClientError) as exc:  # timeouts included: it runs before a modal's 3-second ack
        logger.info("users.info for a reporter failed (%s); nothing prefilled", type(exc).__name__)
        return None, None
    details = user.get("profile") or {}
    name = details.get("real_name") or user.get("real_name") or details.get("display_name") or None
    return name, details.get("email") or None
