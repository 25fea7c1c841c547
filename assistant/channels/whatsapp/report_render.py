"""A report conversation step (assistant.incidents.steps.Step) as WhatsApp messages.

Choices become reply buttons (up to three) or a list message (up to ten); anything else, and every multiple
choice, is asked as text and answered in words or numbers, which the engine parses. A button or row id carries
``rep|<conversation id>|<field id or "review">|<choice>`` so that a tap on an old question can be recognised.
"""

from __future__ import annotations

from assistant.channels.whatsapp.render import MAX_BODY, MAX_BUTTONS, MAX_ROWS, clip, text, texts
from assistant.incidents.steps import Question, Step

PREFIX = "rep"
REVIEW = "review"
COMMANDS_HINT = "You can type *back*, *skip* (optional questions), *edit* and a number, *cancel* or *help* at any time."


def reply_id(conversation_id: str, field: str, value: str) -> str:
    """The id of a report button or list row."""
    return f"{PREFIX}|{conversation_id}|{field}|{value}"


def parse_reply_id(value: str) -> tuple[str, str, str] | None:
    """(conversation id, field, choice) of a report button or row id, or None for any other id."""
    parts = value.split("|")
    return (parts[1], parts[2], parts[3]) if len(parts) == 4 and parts[0] == PREFIX else None


def step_messages(step: Step) -> list[dict]:
    """The messages for one step: notices, the error, then the question, the review or the outcome."""
    out: list[dict] = []
    for notice in step.notices:
        out.extend(texts(f"🚨 *{notice.text}*" if notice.level == "urgent" else notice.text))
    if step.error:
        out.extend(texts(f"⚠️ {step.error}"))
    if step.state == "question":
        out.extend(_question(step.conversation_id, step.question))
    elif step.state == "review":
        out.extend(_review(step))
    elif step.state == "submitted":
        lines = ["*What to do next:*", *(f"• {item}" for item in step.next_steps), "",
                 f"Your reference: *{step.reference}*"]
        out.extend(texts("\n".join(lines)))
    return out


def _question(cid: str, q: Question) -> list[dict]:
    lines = [f"_Question {q.number} of {q.total} · {q.section}_", f"*{q.prompt}*"]
    if q.help:
        lines.append(f"_{q.help}_")
    single = q.kind in ("yes_no", "choice")
    if q.choices and not (single and len(q.choices) <= MAX_ROWS):
        lines.extend(f"{n}. {c.label}" for n, c in enumerate(q.choices, 1))
        if q.kind == "multi_choice":
            lines.append("_Choose one or more: type the numbers separated by commas, e.g. 1, 3._")
    if q.accepts_files:
        lines.append("_You can also send screenshots, photos or PDF documents here as evidence._")
    if q.current is not None:
        lines.append(f"_Current answer: {q.current} (send a full stop . to keep it)_")
    elif q.default:
        lines.append(f"_Send a full stop . to use: {q.default}_")
    if q.optional:
        lines.append("_Optional: type skip to leave it out._")
    if q.number == 1 and q.current is None:
        lines.append(f"_{COMMANDS_HINT}_")
    body = "\n".join(lines)
    if not (single and q.choices and len(q.choices) <= MAX_ROWS):
        return texts(body)
    lead: list[dict] = []
    if len(body) > MAX_BODY:  # the question goes as text, the choices under a short body
        lead, body = texts(body), "Choose one:"
    if len(q.choices) <= MAX_BUTTONS:
        buttons = [{"type": "reply", "reply": {"id": reply_id(cid, q.field_id, c.id), "title": clip(c.label, 20)}}
                   for c in q.choices]
        return [*lead, {"type": "interactive", "interactive": {
            "type": "button", "body": {"text": body}, "action": {"buttons": buttons}}}]
    rows = []
    for c in q.choices:
        row = {"id": reply_id(cid, q.field_id, c.id), "title": clip(c.label, 24)}
        if len(c.label) > 24:
            row["description"] = clip(c.label, 72)
        rows.append(row)
    return [*lead, {"type": "interactive", "interactive": {
        "type": "list", "body": {"text": body},
        "action": {"button": "Choose", "sections": [{"title": clip(q.section, 24), "rows": rows}]}}}]


def _review(step: Step) -> list[dict]:
    lines = ["*Please check your report before it is sent.*", ""]
    lines.extend(f"*{item.number}. {item.prompt}*\n{item.answer}" for item in step.review)
    if step.evidence:
        lines.extend(["", "*Files attached:* " + ", ".join(e.filename for e in step.evidence)])
    buttons = [{"type": "reply", "reply": {"id": reply_id(step.conversation_id, REVIEW, "confirm"),
                                           "title": "Send report"}},
               {"type": "reply", "reply": {"id": reply_id(step.conversation_id, REVIEW, "cancel"),
                                           "title": "Cancel report"}}]
    ask = ("Send it to the Monitoring Officer? To change an answer first, type *edit* and its number "
           "(e.g. edit 6).")
    return [*texts("\n".join(lines)),
            {"type": "interactive", "interactive": {"type": "button", "body": {"text": ask},
                                                    "action": {"buttons": buttons}}}]


__all__ = ["parse_reply_id", "reply_id", "step_messages", "text"]
