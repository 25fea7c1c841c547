"""The Teams bot: routes each message activity to one service and sends the result back as a card.

- in the 1:1 chat: a question; ``checkpost …`` (the draft check, seen only there); ``report`` (the incident
  conversation, carried on in the chat until it ends); ``help``; ``whoami`` (the ids an administrator needs to
  configure Monitoring Officer notifications);
- in a channel or group chat, when @mentioned: a question, answered in the thread (the reply goes to the
  activity's conversation, which in a channel is the thread); checks and reports are pointed to the 1:1 chat;
- card buttons (``Action.Submit``) come back as messages whose ``value`` has a ``kind``.

A redelivered activity (the same id in the same conversation) is claimed in the database and answered once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from microsoft_agents.activity import Activity, InvokeResponse
from microsoft_agents.hosting.core import ActivityHandler

from assistant.channels.teams import cards, files, reporting
from assistant.channels.teams.reporting import card_activity
from assistant.checking.models import VERDICT_LABELS
from assistant.errors import UserError, stack_without_messages
from assistant.incidents.chat_state import ChatStore
from assistant.wiring import Services

logger = logging.getLogger("assistant.channels.teams")

UNEXPECTED = ("Sorry, something went wrong on my side and I could not finish that. Nothing you sent has been "
              "shared. Please try again; if it keeps happening, tell your IT team and quote error {error_id}.")
PRIVATE_ONLY = ("To {what}, message me in our 1:1 chat (open my name in the chat list): only you see it there.")
FILES_OUTSIDE_REPORT = "To attach files to a report, type **report** first; then send them here in our chat."
CHECKPOST_HOW = ("Send **checkpost** followed by your draft, for example: checkpost Great to see so many at the "
                 "Ward surgery tonight! Only you see the result; the draft is neither stored nor logged.")
_COMMAND = re.compile(r"^/?(checkpost|check-post|report|help|whoami)\b[:\s]*", re.IGNORECASE)


@dataclass
class TeamsDeps:
    """What the bot is given: the services, the Teams channel's state, and how to deliver the outbox."""

    services: Services
    store: ChatStore
    deliver: Callable[[], Awaitable[int]]  # send the outbox's due notifications; never raises
    file_token: Callable[[], Awaitable[str | None]]  # the bot's token for files on the service URL, if any
    _cpu: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(max(1, os.cpu_count() or 1)))

    @property
    def settings(self):
        """The assistant's settings."""
        return self.services.settings

    @property
    def engine(self):
        """The incident report conversation engine."""
        return self.services.incidents.conversations

    async def deliver_notifications(self) -> int:
        """Send due Monitoring Officer notifications now (whatever fails stays in the outbox)."""
        return await self.deliver()

    def council_for(self, user_id: str) -> str | None:
        """The person's chosen council, else the configured one."""
        chosen, council = self.store.council_of(user_id)
        return council if chosen else self.settings.council

    async def answer(self, question: str, *, user_id: str, place_id: str, personal: bool) -> dict:
        """Answer a question and render it; the answer is kept for its feedback."""
        council = await asyncio.to_thread(self.council_for, user_id)
        # The conversation id names the chat, or the reply chain in a channel: its recent questions are the context.
        history = await asyncio.to_thread(self.store.earlier_questions, user_id=user_id, place_id=place_id,
                                          thread_id=None)
        async with self._cpu:
            answer = await asyncio.to_thread(self.services.answerer.answer, question, council=council,
                                             history=history)
        answer_id = self.store.new_answer_id()
        rendered = cards.answer_card(answer, answer_id, in_personal_chat=personal)
        await asyncio.to_thread(self.store.record_answer, answer_id, user_id=user_id, place_id=place_id,
                                question=answer.question, council=council, abstained=answer.abstained,
                                message=rendered)
        return rendered

    async def check(self, draft: str, *, user_id: str):
        """Check a draft post (the person's council first); the draft is not kept."""
        council = await asyncio.to_thread(self.council_for, user_id)
        async with self._cpu:
            return await asyncio.to_thread(self.services.checker.check, draft, council=council)


def user_id_of(activity: Activity) -> str:
    """The person's stable id: their Entra object id where Teams gives it, else the Teams user id."""
    sender = activity.from_property
    return sender.aad_object_id or sender.id


def is_personal(activity: Activity) -> bool:
    """Whether the activity comes from the bot's 1:1 chat with someone."""
    return (activity.conversation.conversation_type or "personal") == "personal"


class TeamsBot(ActivityHandler):
    """The assistant's Teams bot (an Agents SDK ActivityHandler)."""

    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    async def on_turn(self, context) -> None:
        """Every activity: skip redeliveries, handle, and turn any error into a kind message."""
        activity = context.activity
        if activity.type == "message" and activity.id:
            key = f"activity:{activity.conversation.id}:{activity.id}"
            if not await asyncio.to_thread(self.deps.store.claim, key):
                logger.info("activity already handled; not answered again")
                return
        try:
            await super().on_turn(context)
        except Exception as error:  # noqa: BLE001 - every error gets a kind message, never its text
            await report_error(context, error)

    async def on_message_activity(self, context) -> None:
        """A message: a card button, a report answer or file, a command word, or a question."""
        activity, deps = context.activity, self.deps
        user, personal, place = user_id_of(activity), is_personal(activity), activity.conversation.id
        if isinstance(activity.value, dict) and activity.value.get("kind"):
            await self._button(context, user, personal, activity.value)
            return
        text = (activity.remove_recipient_mention() if not personal else activity.text or "").strip()
        incoming = files.evidence_attachments(activity.attachments, activity.service_url) if personal else []
        if personal:
            step = await reporting.open_report(deps, place, user)
            if step is not None:
                if incoming:
                    await reporting.attach(deps, context, step.conversation_id, user, incoming, with_text=bool(text))
                elif text:
                    await reporting.reply(deps, context, step.conversation_id, user, text)
                return
        command = _COMMAND.match(text)
        word = command.group(1).lower() if command else None
        rest = text[command.end():].strip() if command else text
        if word in ("checkpost", "check-post", "report") and not personal:
            what = "check a draft post" if word != "report" else "report an incident"
            await context.send_activity(card_activity(cards.message_card(PRIVATE_ONLY.format(what=what))))
        elif word in ("checkpost", "check-post"):
            if not rest:
                await context.send_activity(card_activity(cards.message_card(CHECKPOST_HOW)))
                return
            result = await deps.check(rest, user_id=user)
            await context.send_activity(card_activity(cards.check_card(result), VERDICT_LABELS.get(result.verdict, "")))
        elif word == "report":
            await reporting.start(deps, context, user)
        elif word == "whoami" and personal:
            await context.send_activity(_whoami(activity, user))
        elif word == "help" or (not text and not incoming):
            await context.send_activity(card_activity(cards.help_card()))
        elif not text:
            await context.send_activity(card_activity(cards.message_card(FILES_OUTSIDE_REPORT)))
        else:
            rendered = await deps.answer(text, user_id=user, place_id=place, personal=personal)
            await context.send_activity(card_activity(rendered, text[:200]))

    async def _button(self, context, user: str, personal: bool, value: dict) -> None:
        kind, deps = value.get("kind"), self.deps
        if kind == "feedback" and value.get("vote") in ("up", "down") and isinstance(value.get("answer"), str):
            known = await asyncio.to_thread(deps.store.record_feedback, value["answer"], user, value["vote"])
            if known and personal:
                await context.send_activity(card_activity(cards.feedback_card(value["vote"])))
        elif kind == "start_report" and personal:
            await reporting.start(deps, context, user)
        elif kind == "report" and personal:
            await reporting.button(deps, context, user, value)
        else:
            logger.info("a card action of an unknown kind was ignored")

    async def on_invoke_activity(self, context) -> InvokeResponse:
        """No invoke is used (buttons are Action.Submit): a 400, rather than the SDK's 501 (a 5xx means a fault)."""
        logger.info("an invoke activity was refused (this app uses none)")
        return InvokeResponse(status=400, body={"error": "This app does not handle invoke activities."})

    async def on_members_added_activity(self, members_added, context) -> None:
        """The app installed in a 1:1 chat: say what it does."""
        bot_id = context.activity.recipient.id if context.activity.recipient else None
        if is_personal(context.activity) and any(m.id != bot_id for m in members_added or []):
            await context.send_activity(card_activity(cards.help_card()))


def _whoami(activity: Activity, user: str) -> Activity:
    """The ids to configure this chat as a Monitoring Officer's notification conversation."""
    reference = {"service_url": activity.service_url, "conversation_id": activity.conversation.id}
    if activity.conversation.tenant_id:
        reference["tenant_id"] = activity.conversation.tenant_id
    lines = [f"Your user id: `{user}`",
             ("To receive Monitoring Officer notifications here, an administrator adds your user id to "
              "ASSISTANT_MONITORING_OFFICERS and this entry to TEAMS_OFFICER_CONVERSATIONS:"),
             f"`{json.dumps({user: reference})}`"]
    return card_activity(cards.card([cards.text(line) for line in lines]))


async def report_error(context, error: BaseException) -> None:
    """Tell the person kindly (a known error's own message, else an error id); never the exception text."""
    if isinstance(error, UserError):
        text = error.display()
    else:
        error_id = uuid.uuid4().hex[:10]
        logger.error("error %s handling a Teams activity:\n%s", error_id, stack_without_messages(error))
        text = UNEXPECTED.format(error_id=error_id)
    try:
        await context.send_activity(card_activity(cards.message_card(text, warning=True), text))
    except Exception as exc:  # noqa: BLE001 - the error reply itself failed; the log is all that is left
        logger.warning("could not tell the user about an error (%s)", type(exc).__name__)
