"""👍/👎 under an answer: the click is stored against the answer."""

from __future__ import annotations

from assistant.channels.slack.blocks import message, section
from assistant.channels.slack.deps import SlackDeps

THANKS = "Thanks for the feedback: it helps us improve the answers."
EXPIRED = "Sorry, I no longer have that answer, so the feedback was not saved."


def feedback(deps: SlackDeps):
    """The feedback_up / feedback_down callback."""

    def handle(ack, action: dict, body: dict, respond) -> None:
        ack()
        vote = "up" if action["action_id"].endswith("up") else "down"
        saved = deps.store.record_feedback(action["value"], body["user"]["id"], vote)
        text = THANKS if saved else EXPIRED
        respond(response_type="ephemeral", replace_original=False, **message(text, [section(text)]))

    return handle
