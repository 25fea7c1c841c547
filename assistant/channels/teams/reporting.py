"""Carrying an incident report over Teams: the 1:1 chat driven by the report engine.

A 1:1 chat has no threads, so the chat itself is linked to the report conversation (``REPORT_THREAD``) while the
report is open: free text goes to ``engine.reply``, card buttons to the engine's moves, file attachments to
``engine.attach``. The engine owns state, validation, references and the outbox; this module only moves Teams
input into it and its steps back out as cards. Incident text is never logged here.
"""

from __future__ import annotations

import asyncio

from microsoft_agents.activity import Activity

from assistant.channels.teams import cards, files
from assistant.errors import UserError
from assistant.incidents.engine import CAPTION_NOT_AN_ANSWER, CARRY_ON

REPORT_THREAD = "report"  # the thread id a 1:1 chat's report is linked under (the chat is the place)


def card_activity(attachment: dict, summary: str = "") -> Activity:
    """A message carrying one card (``summary`` is the notification preview)."""
    if summary.strip():
        return Activity(type="message", attachments=[attachment], summary=summary.strip()[:200])
    return Activity(type="message", attachments=[attachment])


async def show(deps, context, step) -> None:
    """Send a step; a submitted report also sends the Monitoring Officers' notifications."""
    await context.send_activity(card_activity(cards.step_card(step), _summary(step)))
    if step.state == "submitted":
        await deps.deliver_notifications()


def _summary(step) -> str:
    if step.state == "question":
        return step.question.prompt
    if step.state == "submitted":
        return f"Your report has been sent. Your reference is {step.reference}."
    return "Please check your report before it is sent." if step.state == "review" else ""


async def start(deps, context, user_id: str) -> None:
    """Start (or resume) this person's report in this 1:1 chat."""
    engine, place = deps.engine, context.activity.conversation.id
    name = context.activity.from_property.name or None
    step = await asyncio.to_thread(engine.start, "teams", user_id, display_name=name)
    await asyncio.to_thread(deps.store.link_thread, place, REPORT_THREAD, user_id, step.conversation_id)
    await context.send_activity(card_activity(cards.report_intro(engine.form.title), engine.form.title))
    await show(deps, context, step)


async def open_report(deps, place: str, user_id: str):
    """The open report conversation carried on in this 1:1 chat, if any (as its current step)."""
    thread = await asyncio.to_thread(deps.store.thread, place, REPORT_THREAD)
    if thread is None or thread.user_id != user_id:
        return None
    step = await asyncio.to_thread(deps.engine.current, thread.conversation_id, user_id=user_id)
    return None if step.finished else step


async def reply(deps, context, conversation_id: str, user_id: str, text: str) -> None:
    """What the person typed during a report: an answer or a command word (back, skip, edit 3, confirm…)."""
    step = await asyncio.to_thread(deps.engine.reply, conversation_id, text, user_id=user_id)
    await show(deps, context, step)


async def attach(deps, context, conversation_id: str, user_id: str, incoming: list, *, with_text: bool) -> None:
    """Download files sent during a report, attach them as evidence, and say what happened to each.

    Words sent with the files are not taken as an answer (a caption is not an answer to the current question).
    """
    service_url = context.activity.service_url
    token = await deps.file_token() if any(i.needs_token for i in incoming) else None
    lines = []
    for item in incoming:
        try:
            shared = await asyncio.to_thread(files.download, item, service_url=service_url,
                                             max_bytes=deps.settings.evidence_max_bytes, token=lambda: token)
            info = await asyncio.to_thread(deps.engine.attach, conversation_id, shared.data, shared.filename,
                                           shared.content_type, user_id=user_id)
            lines.append(f"📎 Attached **{info.filename}** to your report (SHA-256 `{info.sha256[:12]}…`).")
        except UserError as exc:
            lines.append(f"⚠️ {exc.display()}")
    if with_text:
        lines.append(CAPTION_NOT_AN_ANSWER.format(files="files"))
    lines.append(CARRY_ON)
    await context.send_activity(card_activity(cards.attached_card(lines), lines[0]))


async def button(deps, context, user_id: str, data: dict) -> None:
    """A card button of a report; a button under an earlier question just shows the current one again."""
    engine, cid, field, move = deps.engine, str(data.get("c") or ""), data.get("f"), data.get("move")
    step = await asyncio.to_thread(engine.current, cid, user_id=user_id)
    at = step.question.field_id if step.state == "question" else step.state
    if at != field and not (move == "cancel" and not step.finished):
        await show(deps, context, step)
        return
    moves = {
        "choice": lambda: engine.answer(cid, str(data.get("v") or ""), user_id=user_id),
        "choices": lambda: engine.answer(cid, _chosen(data, step), user_id=user_id),
        "keep": lambda: engine.answer(cid, "", user_id=user_id),
        "back": lambda: engine.back(cid, user_id=user_id),
        "skip": lambda: engine.skip(cid, user_id=user_id),
        "cancel": lambda: engine.cancel(cid, user_id=user_id),
        "confirm": lambda: engine.confirm(cid, user_id=user_id),
    }
    if move not in moves:
        await show(deps, context, step)
        return
    await show(deps, context, await asyncio.to_thread(moves[move]))


def _chosen(data: dict, step) -> str | list[str]:
    """The drop-down's value (Teams sends a multi-select as "a,b")."""
    value = data.get("choices")
    value = value if isinstance(value, str) else ""
    if step.state == "question" and step.question.kind == "multi_choice":
        return [v for v in value.split(",") if v]
    return value
