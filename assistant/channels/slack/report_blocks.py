"""Block Kit for incident reports: the whole-form modal, one conversation step in a DM thread, the Monitoring
Officer's notification and their detail view. The form itself comes from the incident engine (form.yml)."""

from __future__ import annotations

import json
from typing import Any

from assistant.channels.slack.blocks import (
    MAX_VIEW_BLOCKS,
    button,
    clip,
    context,
    esc,
    message,
    plain,
    quoted,
    section,
)

MODAL_CALLBACK = "report_modal"
FILES_BLOCK = "evidence_files"
VALUE = "value"  # action_id of every input in the modal
MAX_MODAL_FILES = 10
DATE_PLACEHOLDER = "e.g. 14/03/2026 19:30, yesterday, 3 weeks ago"


# --- the modal --------------------------------------------------------------------------------------------------
def _options(choices) -> list[dict]:
    return [{"text": plain(c.label, 75), "value": c.id} for c in choices]


def _element(spec) -> dict:
    kind = spec.kind
    if kind in ("yes_no", "choice"):
        kind_type = "radio_buttons" if len(spec.choices) <= 10 else "static_select"
        return {"type": kind_type, "action_id": VALUE, "options": _options(spec.choices)}
    if kind == "multi_choice":
        kind_type = "checkboxes" if len(spec.choices) <= 10 else "multi_static_select"
        return {"type": kind_type, "action_id": VALUE, "options": _options(spec.choices)}
    if kind == "email":
        return {"type": "email_text_input", "action_id": VALUE}
    element = {"type": "plain_text_input", "action_id": VALUE, "multiline": kind == "long_text"}
    if kind == "date":
        element["placeholder"] = plain(DATE_PLACEHOLDER, 150)
    return element


def _condition_hint(form, spec) -> str | None:
    when = spec.when
    if when is None:
        return None
    source = form.field(when.field)
    if when.equals is not None:
        return f"Only if you answered “{source.label_of(when.equals)}” to: {source.prompt}"
    if when.includes is not None:
        return f"Only if you chose “{source.label_of(when.includes)}” in: {source.prompt}"
    return f"Only if it happened more than {when.older_than_days} days ago."


def report_modal(form) -> dict:
    """The whole report form as a modal (conditional questions are optional here and checked on submit)."""
    blocks: list[dict] = [section(esc(form.intro)),
                          context("Prefer one question at a time, or want to upload files later? Close this and "
                                  "type `/report dm`.")]
    current_section = None
    for spec in form.fields:
        if spec.section != current_section:
            current_section = spec.section
            blocks.append({"type": "header", "text": plain(spec.section, 150)})
        hints = [h for h in (spec.help, _condition_hint(form, spec)) if h]
        if spec.prefill:
            hints.append("Leave blank to use your Slack profile.")
        block = {"type": "input", "block_id": spec.id, "label": plain(spec.prompt), "element": _element(spec),
                 "optional": spec.optional or spec.when is not None or bool(spec.prefill)}
        if hints:
            block["hint"] = plain(" ".join(hints))
        blocks.append(block)
        if spec.files:
            blocks.append({"type": "input", "block_id": FILES_BLOCK, "optional": True,
                           "label": plain("Screenshots or other files"),
                           "hint": plain("Screenshots should show the date, time and account name."),
                           "element": {"type": "file_input", "action_id": "files", "max_files": MAX_MODAL_FILES}})
    return {"type": "modal", "callback_id": MODAL_CALLBACK, "title": plain("Report an incident", 24),
            "submit": plain("Send report", 24), "close": plain("Cancel", 24), "blocks": blocks[:MAX_VIEW_BLOCKS]}


def modal_answers(form, values: dict) -> tuple[dict[str, Any], list[dict]]:
    """The answers (field id → text, choice id or list of ids, None) and the uploaded files of a submitted modal."""
    answers: dict[str, Any] = {}
    for spec in form.fields:
        state = values.get(spec.id, {}).get(VALUE) or {}
        if "selected_options" in state:
            answers[spec.id] = [o["value"] for o in state.get("selected_options") or []] or None
        elif "selected_option" in state:
            answers[spec.id] = (state.get("selected_option") or {}).get("value")
        else:
            answers[spec.id] = state.get("value")
    files = (values.get(FILES_BLOCK, {}).get("files") or {}).get("files") or []
    return answers, list(files)


def sending_view() -> dict:
    """What the modal shows once the answers are accepted."""
    return {"type": "modal", "title": plain("Report an incident", 24), "close": plain("Close", 24),
            "blocks": [section(":hourglass_flowing_sand: Thank you. Your report is being sent; your reference "
                               "will arrive in a direct message from me in a moment.")]}


# --- a conversation step in a DM thread -------------------------------------------------------------------------
def _value(conversation_id: str, field: str, choice: str | None = None) -> str:
    data = {"c": conversation_id, "f": field}
    if choice is not None:
        data["v"] = choice
    return json.dumps(data)


def parse_value(value: str) -> dict:
    """The data in a report button's value."""
    return json.loads(value)


def _notices(step) -> list[dict]:
    blocks = []
    for notice in step.notices:
        if notice.level == "urgent":
            blocks.append(section(f":rotating_light: *{esc(notice.text)}*"))
        else:
            blocks.append(section(esc(notice.text)))
    if step.error:
        blocks.append(section(f":warning: {esc(step.error)}"))
    return blocks


def _question(step) -> list[dict]:
    q = step.question
    optional = " _(optional)_" if q.optional else ""
    blocks = [section(f"*Question {q.number} of {q.total}* · {esc(q.section)}\n*{esc(q.prompt)}*{optional}")]
    notes = []
    if q.help:
        notes.append(esc(q.help))
    if q.kind == "multi_choice":
        listed = "\n".join(f"{n}. {esc(c.label)}" for n, c in enumerate(q.choices, 1))
        blocks.append(section(f"{listed}\nType the numbers that apply, e.g. `1, 3`."))
    if q.kind == "date":
        notes.append(DATE_PLACEHOLDER.replace("e.g.", "For example:"))
    if q.accepts_files:
        notes.append(":paperclip: You can also upload screenshots or other files here in this thread; "
                     "I'll attach them to your report.")
    if notes:
        blocks.append(context(*notes))
    buttons = []
    if q.kind in ("yes_no", "choice"):
        buttons = [button(c.label, f"report_choice_{n}", _value(step.conversation_id, q.field_id, c.id))
                   for n, c in enumerate(q.choices)]
    keep = q.current if q.current is not None else q.default
    if keep:
        label = "Keep" if q.current is not None else "Use"
        buttons.append(button(f"{label} “{clip(keep, 50)}”", "report_keep", _value(step.conversation_id, q.field_id)))
    nav = []
    if q.number > 1:
        nav.append(button("Back", "report_back", _value(step.conversation_id, q.field_id)))
    if q.optional:
        nav.append(button("Skip", "report_skip", _value(step.conversation_id, q.field_id)))
    nav.append(_cancel(step.conversation_id, q.field_id))
    for chunk in range(0, len(buttons), 20):
        blocks.append({"type": "actions", "elements": buttons[chunk: chunk + 20]})
    blocks.append({"type": "actions", "elements": nav})
    if not buttons:
        blocks.append(context("Type your answer as a reply in this thread."))
    return blocks


def _cancel(conversation_id: str, field: str) -> dict:
    return button("Cancel report", "report_cancel", _value(conversation_id, field), style="danger", confirm={
        "title": plain("Cancel this report?", 100),
        "text": plain("Your answers and files will be deleted and nothing will be sent.", 300),
        "confirm": plain("Cancel report", 30), "deny": plain("Keep going", 30), "style": "danger"})


def _evidence(step) -> list[dict]:
    if not step.evidence:
        return []
    names = ", ".join(f"{esc(e.filename)} ({e.size:,} bytes)" for e in step.evidence)
    return [context(f":paperclip: Files attached: {names}")]


def _review(step) -> list[dict]:
    blocks = [section("*Please check your report before it is sent.*")]
    chunk: list[str] = []
    for item in step.review:
        line = f"*{item.number}.* {esc(item.prompt)}\n{quoted(item.answer, 600)}"
        if sum(len(x) + 1 for x in chunk) + len(line) > 2800:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    blocks.extend(_evidence(step))
    blocks.append(context("To change an answer, type `edit` and its number, e.g. `edit 3`."))
    blocks.append({"type": "actions", "elements": [
        button("Confirm and send", "report_confirm", _value(step.conversation_id, "review"), style="primary"),
        _cancel(step.conversation_id, "review")]})
    return blocks


def step_message(step, form) -> dict:
    """One step of a report conversation: notices, any error, then the question, the review or the outcome."""
    blocks = _notices(step)
    if step.state == "question":
        blocks += _question(step)
        fallback = step.question.prompt
    elif step.state == "review":
        blocks += _review(step)
        fallback = "Please check your report before it is sent."
    elif step.state == "submitted":
        blocks += _evidence(step)
        steps = "\n".join(f"• {esc(s)}" for s in step.next_steps)
        if steps:
            blocks.append(section(f"*What happens next*\n{steps}"))
        fallback = f"Your report has been sent. Your reference is {step.reference}."
    else:
        fallback = step.notices[0].text if step.notices else "Your report was not sent."
    return message(fallback, blocks)


def thread_intro(form) -> dict:
    """The root message of a report conversation in a DM."""
    return message(form.title, [section(f":memo: *{esc(form.title)}*\nI'll ask the questions in this thread; "
                                        "please reply there.")])


# --- Monitoring Officers ----------------------------------------------------------------------------------------
def officer_notification(reference: str, text: str) -> dict:
    """The notification: the reference only, and a button that shows the details to a Monitoring Officer."""
    return message(text, [section(f":bell: {esc(text)}"), {"type": "actions", "elements": [
        button("Show details", "incident_show", reference, style="primary")]}])


def incident_modal(detail) -> dict:
    """An incident's details in a modal (seen only by the person who opened it)."""
    s = detail.summary
    flags = [name for name, on in (("immediate danger", s.immediate_danger), ("safeguarding", s.safeguarding),
                                   ("identity to be kept confidential", s.confidential)) if on]
    fields = [f"*Status*\n{esc(s.status.replace('_', ' ').capitalize())}",
              f"*Submitted*\n{s.submitted_at:%-d %b %Y %H:%M} UTC",
              f"*Reporter*\n<@{s.reporter_id}>" + (f" ({esc(s.reporter_name)})" if s.reporter_name else ""),
              f"*Platform*\n{esc(s.platform or '—')}"]
    blocks: list[dict] = [{"type": "section", "fields": [{"type": "mrkdwn", "text": clip(f, 1900)} for f in fields]}]
    if s.kinds:
        blocks.append(context(f"*Kind:* {esc(', '.join(s.kinds))}"))
    if flags:
        blocks.append(section(f":rotating_light: *Flags:* {esc(', '.join(flags))}"))
    current = None
    for answer in detail.answers:
        if answer.section != current and answer.section:
            current = answer.section
            blocks.append({"type": "header", "text": plain(current, 150)})
        blocks.append(section(f"*{esc(answer.prompt)}*\n{esc(clip(answer.answer, 2500))}"))
    if detail.evidence:
        blocks.append(section("*Evidence*\n" + "\n".join(
            f"• {esc(e.filename)} ({e.content_type}, {e.size:,} bytes, SHA-256 {e.sha256[:12]}…)"
            for e in detail.evidence)))
    blocks = blocks[: MAX_VIEW_BLOCKS - 1]
    blocks.append(context("Opening this view was recorded in the incident's audit trail. "
                          f"`assistant incidents show {s.reference}` gives the full record and a PDF export."))
    return {"type": "modal", "title": plain(f"Incident {s.reference}", 24), "close": plain("Close", 24),
            "blocks": blocks}
