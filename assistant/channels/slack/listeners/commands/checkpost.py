"""/checkpost DRAFT: the post check, always ephemeral; the draft is neither stored nor logged."""

from __future__ import annotations

from assistant.channels.slack.blocks import check_message, checkpost_help
from assistant.channels.slack.deps import SlackDeps


def checkpost_command(deps: SlackDeps):
    """The /checkpost callback."""

    def checkpost(ack, command: dict, respond) -> None:
        ack()
        draft = command.get("text") or ""
        if not draft.strip():
            respond(response_type="ephemeral", **checkpost_help())
            return
        result = deps.check(draft, user_id=command["user_id"])
        respond(response_type="ephemeral", **check_message(result))

    return checkpost
