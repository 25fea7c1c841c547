""""Share in channel" under an /ask answer: post it as it was shown, then remove the private copy."""

from __future__ import annotations

from assistant.channels.slack.blocks import error_message, shared_message
from assistant.channels.slack.deps import SlackDeps


def share_answer(deps: SlackDeps):
    """The share_answer callback."""

    def handle(ack, action: dict, body: dict, respond) -> None:
        ack()
        stored = deps.store.answer(action["value"])
        if stored is None:
            respond(response_type="ephemeral", replace_original=False,
                    **error_message("Sorry, I no longer have that answer. Please ask again."))
            return
        respond(response_type="in_channel", replace_original=False,
                **shared_message(stored.message, body["user"]["id"], stored.question))
        respond(delete_original=True)

    return handle
