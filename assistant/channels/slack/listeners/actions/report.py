"""Buttons under a report question or the review (answer, keep, back, skip, cancel, confirm)."""

from __future__ import annotations

from assistant.channels.slack import reporting
from assistant.channels.slack.deps import SlackDeps


def report_button(deps: SlackDeps):
    """The report_* callback."""

    def handle(ack, action: dict, body: dict, client) -> None:
        ack()
        msg = body.get("message") or {}
        thread_ts = msg.get("thread_ts") or msg.get("ts") or (body.get("container") or {}).get("message_ts")
        reporting.button(deps, client, body["user"]["id"], action, body["channel"]["id"], thread_ts)

    return handle
