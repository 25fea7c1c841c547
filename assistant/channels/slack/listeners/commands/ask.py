"""/ask QUESTION: a cited answer, shown only to the asker, with a button to share it in the channel."""

from __future__ import annotations

from assistant.channels.slack.blocks import ask_help
from assistant.channels.slack.deps import SlackDeps


def ask_command(deps: SlackDeps):
    """The /ask callback."""

    def ask(ack, command: dict, respond) -> None:
        ack()
        question = (command.get("text") or "").strip()
        if not question:
            respond(response_type="ephemeral", **ask_help())
            return
        reply = deps.answer(question, user_id=command["user_id"], channel_id=command.get("channel_id"), share=True)
        respond(response_type="ephemeral", **reply)

    return ask
