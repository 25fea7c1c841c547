"""Carrying incident reports over Slack: a DM thread driven by the report engine, or the whole-form modal.

The engine owns the conversation (state, validation, references, notifications outbox); this module only moves
Slack input into it and its steps back out as messages. Incident text is never logged here.
"""

from __future__ import annotations

from assistant.channels.slack.blocks import clip, error_message, esc, message, section
from assistant.channels.slack.deps import SlackDeps, open_dm, profile
from assistant.channels.slack.files import download
from assistant.channels.slack.report_blocks import (
    modal_answers,
    parse_value,
    step_message,
    thread_intro,
)
from assistant.errors import UserError
from assistant.incidents.chat_state import ReportThread
from assistant.incidents.engine import CAPTION_NOT_AN_ANSWER, CARRY_ON


def post_step(deps: SlackDeps, client, channel: str, thread_ts: str, step) -> None:
    """Show a step in the thread; a submitted report also sends the Monitoring Officers' notifications."""
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, **step_message(step, deps.engine.form))
    if step.state == "submitted":
        deps.deliver_notifications()


def start_in_dm(deps: SlackDeps, client, user_id: str) -> None:
    """Start (or resume) this person's report as a conversation in a new thread of their DM with the bot."""
    name, email = profile(client, user_id)
    step = deps.engine.start("slack", user_id, display_name=name, email=email)
    channel = open_dm(client, user_id)
    root = client.chat_postMessage(channel=channel, **thread_intro(deps.engine.form))
    deps.store.link_thread(channel, root["ts"], user_id, step.conversation_id)
    post_step(deps, client, channel, root["ts"], step)


def reply(deps: SlackDeps, client, thread: ReportThread, user_id: str, text: str) -> None:
    """What the person typed in a report thread: an answer or a command word (back, skip, edit 3, confirm…)."""
    step = deps.engine.reply(thread.conversation_id, text, user_id=user_id)
    post_step(deps, client, thread.place_id, thread.thread_id, step)


def attach_files(deps: SlackDeps, client, thread: ReportThread, user_id: str, files: list[dict], *,
                 with_text: bool = False) -> None:
    """Download files shared in a report thread with the bot token and attach them to the report as evidence.

    Words sent with the files are not taken as an answer (a caption is not an answer to the current question).
    """
    lines = []
    for file in files:
        try:
            shared = download(file, token=client.token, api_url=deps.settings.slack_api_url,
                              max_bytes=deps.settings.evidence_max_bytes)
            info = deps.engine.attach(thread.conversation_id, shared.data, shared.filename, shared.content_type,
                                      user_id=user_id)
            lines.append(f":paperclip: Attached *{esc(info.filename)}* to your report "
                         f"(SHA-256 `{info.sha256[:12]}…`).")
        except UserError as exc:
            lines.append(f":warning: {esc(exc.display())}")
    if with_text:
        lines.append(CAPTION_NOT_AN_ANSWER.format(files="files"))
    lines.append(CARRY_ON)
    text = "\n".join(lines)
    client.chat_postMessage(channel=thread.place_id, thread_ts=thread.thread_id, **message(text, [section(text)]))


def button(deps: SlackDeps, client, user_id: str, action: dict, channel: str, thread_ts: str) -> None:
    """A button under a question or the review; a button for an earlier question just shows the current one."""
    data = parse_value(action["value"])
    cid, field = data["c"], data["f"]
    kind = "report_choice" if action["action_id"].startswith("report_choice") else action["action_id"]
    step = deps.engine.current(cid, user_id=user_id)
    at = step.question.field_id if step.state == "question" else step.state
    if at != field and not (kind == "report_cancel" and not step.finished):
        post_step(deps, client, channel, thread_ts, step)
        return
    engine = deps.engine
    moves = {
        "report_choice": lambda: engine.answer(cid, data.get("v", ""), user_id=user_id),
        "report_keep": lambda: engine.answer(cid, "", user_id=user_id),
        "report_back": lambda: engine.back(cid, user_id=user_id),
        "report_skip": lambda: engine.skip(cid, user_id=user_id),
        "report_cancel": lambda: engine.cancel(cid, user_id=user_id),
        "report_confirm": lambda: engine.confirm(cid, user_id=user_id),
    }
    post_step(deps, client, channel, thread_ts, moves[kind]())


def validate_modal(deps: SlackDeps, client, user_id: str, view: dict) -> tuple[dict, list, dict, dict[str, str]]:
    """(answers, files, prefill, errors by block id) of a submitted modal; checked before the modal closes."""
    from assistant.incidents.answers import parse_form

    form = deps.engine.form
    answers, files = modal_answers(form, view["state"]["values"])
    needs_profile = any(spec.prefill and not answers.get(spec.id) for spec in form.fields)
    name, email = profile(client, user_id) if needs_profile else (None, None)
    prefill = {k: v for k, v in (("display_name", name), ("email", email)) if v}
    _, errors = parse_form(form, answers, prefill=prefill, now=deps.engine.clock())
    return answers, files, prefill, errors


def submit_modal(deps: SlackDeps, client, user_id: str, view: dict, answers: dict, files: list,
                 prefill: dict) -> None:
    """Submit a validated modal (files downloaded now, after the modal closed); the reference goes in a DM."""
    uploads, refused = [], []  # a file that cannot be attached must not cost the councillor the whole report
    for file in files:
        try:
            upload = download(file, token=client.token, api_url=deps.settings.slack_api_url,
                              max_bytes=deps.settings.evidence_max_bytes)
            deps.engine.store.check(upload.data, upload.filename, upload.content_type)
            uploads.append(upload)
        except UserError as exc:
            refused.append(exc.display())
    step = deps.engine.submit_form("slack", user_id, answers, files=uploads, request_id=view["id"],
                                   display_name=prefill.get("display_name"), email=prefill.get("email"))
    channel = open_dm(client, user_id)
    root = client.chat_postMessage(channel=channel, **step_message(step, deps.engine.form))
    for problem in refused:
        client.chat_postMessage(channel=channel, thread_ts=root["ts"], **error_message(
            f"One file was not attached: {problem} You can send it to the Monitoring Officer, quoting your "
            "reference."))
    if step.state == "submitted":
        deps.deliver_notifications()


def modal_errors(errors: dict[str, str]) -> dict[str, str]:
    """Field errors keyed by the modal's block ids (a field's id is its block id; Slack shows each under it)."""
    return {key: clip(text, 300) for key, text in errors.items()}
