"""The App Home tab: published fresh each time it is opened."""

from __future__ import annotations

from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.home import publish_home


def app_home_opened(deps: SlackDeps):
    """The app_home_opened callback."""

    def handle(event: dict, client) -> None:
        if event.get("tab", "home") == "home":
            publish_home(deps, client, event["user"])

    return handle
