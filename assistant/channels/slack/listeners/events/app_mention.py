"""@mention in a channel: the answer goes in the thread of the message."""

from __future__ import annotations

import re

from assistant.channels.slack.blocks import ask_help
from assistant.channels.slack.deps import SlackDeps


def app_mention(deps: SlackDeps):
    """The app_mention callback."""

    def handle(event: dict, say, context) -> None:
        text = re.sub(rf"<@{re.escape(context.bot_user_id or '')}(\|[^>]*)?>", " ", event.get("text") or "").strip()
        thread_ts = event.get("thread_ts") or event["ts"]
        if not text:
            say(thread_ts=thread_ts, **ask_help())
            return
        say(thread_ts=thread_ts, **deps.answer(text, user_id=event["user"], channel_id=event["channel"],
                                               thread_ts=thread_ts))

    return handle
