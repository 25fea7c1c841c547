"""What every listener is given: the services, the Slack store, and the few Slack-side steps they share."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from assistant.channels.slack import blocks
from assistant.channels.slack.report_blocks import officer_notification
from assistant.channels.slack.store import SlackStore
from assistant.config import Settings
from assistant.wiring import Services

logger = logging.getLogger(__name__)

PROFILE_TIMEOUT_S = 1.5  # users.info may run before a modal submission is acked (Slack allows 3 s)
# Delivery errors that will not go away by trying again (a misconfigured id): the outbox row stays pending.
PERMANENT = {"user_not_found", "channel_not_found", "not_in_channel", "is_archived", "cannot_dm_bot",
             "user_disabled", "invalid_users"}


@dataclass
class SlackDeps:
    """The services and the Slack store, shared by every listener of one app."""

    services: Services
    store: SlackStore
    _deliver_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
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

    def answer(self, question: str, *, user_id: str, channel_id: str | None, share: bool = False) -> dict:
        """Answer a question for this person and render it; the answer is kept for feedback and sharing."""
        council = self.council_for(user_id)
        with self._cpu:
            answer = self.services.answerer.answer(question, council=council)
        answer_id = self.store.new_answer_id()
        rendered = blocks.answer_message(answer, answer_id, share=share)
        self.store.record_answer(answer_id, user_id=user_id, channel_id=channel_id, question=answer.question,
                                 council=council, abstained=answer.abstained, message=rendered)
        return rendered

    def check(self, draft: str, *, user_id: str):
        """Check a draft post against the guidance (the person's council first); the draft is not kept."""
        with self._cpu:
            return self.services.checker.check(draft, council=self.council_for(user_id))

    def is_monitoring_officer(self, user_id: str, channel_id: str | None = None) -> bool:
        """A configured Monitoring Officer, or anyone acting in the (private) Monitoring Officers' channel."""
        officer_channel = self.settings.monitoring_officer_channel
        return user_id in self.settings.monitoring_officers or bool(officer_channel and channel_id == officer_channel)

    def actor(self, user_id: str, channel_id: str | None = None):
        """The incident service's Actor for this person."""
        from assistant.incidents.service import Actor

        return Actor(user_id=user_id, is_monitoring_officer=self.is_monitoring_officer(user_id, channel_id))

    def deliver_notifications(self, client) -> int:
        """Send the outbox's pending Monitoring Officer notifications (reference only); returns how many went."""
        sent = 0
        with self._deliver_lock:
            for item in self.services.incidents.pending_notifications():
                key = f"notification:{item.id}"
                if not self.store.claim(key):
                    continue  # another process is delivering it, or it failed for good before
                try:
                    channel = item.recipient if item.kind == "channel" else open_dm(client, item.recipient)
                    client.chat_postMessage(channel=channel, **officer_notification(item.reference, item.text))
                except (SlackClientError, OSError) as exc:
                    api = isinstance(exc, SlackApiError)
                    code = exc.response.get("error", "unknown") if api else type(exc).__name__
                    logger.warning("notification %s for %s not delivered (%s)", item.id, item.reference, code)
                    if code not in PERMANENT:
                        self.store.release(key)
                    continue
                self.services.incidents.mark_notified([item.id])
                sent += 1
        return sent


def open_dm(client, user_id: str) -> str:
    """The id of the bot's direct-message channel with this person."""
    return client.conversations_open(users=user_id)["channel"]["id"]


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
