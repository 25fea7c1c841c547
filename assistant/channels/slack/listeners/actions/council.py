"""The council menu in the App Home: remembered, then the Home is shown again."""

from __future__ import annotations

from assistant.channels.slack.blocks import ALL_COUNCILS
from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.home import publish_home


def set_council(deps: SlackDeps):
    """The home_set_council callback."""

    def handle(ack, action: dict, body: dict, client) -> None:
        ack()
        value = (action.get("selected_option") or {}).get("value") or ALL_COUNCILS
        user_id = body["user"]["id"]
        deps.store.set_council(user_id, None if value == ALL_COUNCILS else value)
        publish_home(deps, client, user_id)

    return handle
