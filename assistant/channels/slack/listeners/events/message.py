"""A direct message: in a report thread it goes to the report (text or files); otherwise it is a question."""

from __future__ import annotations

from assistant.channels.slack import reporting
from assistant.channels.slack.blocks import ask_help, message, section
from assistant.channels.slack.deps import SlackDeps

HANDLED_SUBTYPES = (None, "file_share", "thread_broadcast")
FILES_OUTSIDE_REPORT = ("To attach files to a report, type `/report dm` and upload them in the thread of the report "
                        "I start with you.")


def direct_message(deps: SlackDeps):
    """The message callback (only DMs from people are handled; other message events are acknowledged)."""

    def handle(event: dict, say, client) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") not in HANDLED_SUBTYPES or event.get("bot_id"):
            return
        user, text, files = event.get("user"), (event.get("text") or "").strip(), event.get("files") or []
        thread = deps.store.thread(event["channel"], event.get("thread_ts"))
        if thread is not None and thread.user_id == user:
            if files:
                reporting.attach_files(deps, client, thread, user, files, with_text=bool(text))
            elif text:
                reporting.reply(deps, client, thread, user, text)
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        if files and not text:
            say(thread_ts=thread_ts, **message(FILES_OUTSIDE_REPORT, [section(FILES_OUTSIDE_REPORT)]))
        elif text:
            say(thread_ts=thread_ts,
                **deps.answer(text, user_id=user, channel_id=event["channel"], thread_ts=thread_ts))
        else:
            say(thread_ts=thread_ts, **ask_help())

    return handle
