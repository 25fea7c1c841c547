"""/report: the report form as a modal at once (the trigger id lasts 3 s); /report dm: one question at a time."""

from __future__ import annotations

from assistant.channels.slack.blocks import message, section
from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.report_blocks import report_modal
from assistant.channels.slack.reporting import start_in_dm

DM_WORDS = {"dm", "chat", "message", "conversation", "step", "steps"}


def report_command(deps: SlackDeps):
    """The /report callback."""

    def report(ack, command: dict, client, respond) -> None:
        ack()
        if (command.get("text") or "").strip().lower() not in DM_WORDS:
            client.views_open(trigger_id=command["trigger_id"], view=report_modal(deps.engine.form))
            return
        start_in_dm(deps, client, command["user_id"])
        text = "I've sent you a direct message: your report continues in its thread, one question at a time."
        respond(response_type="ephemeral", **message(text, [section(text)]))

    return report
