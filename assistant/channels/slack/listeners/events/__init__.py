"""Events: @mentions, direct messages (questions, and report threads), the App Home."""

from __future__ import annotations

from slack_bolt import App

from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.listeners.errors import guard
from assistant.channels.slack.listeners.events.app_home_opened import app_home_opened
from assistant.channels.slack.listeners.events.app_mention import app_mention
from assistant.channels.slack.listeners.events.message import direct_message


def register(app: App, deps: SlackDeps) -> None:
    """Register the event listeners (every subscribed event has one, so none is answered 404)."""
    app.event("app_mention")(guard(app_mention(deps), once=deps.first_delivery))
    app.event("message")(guard(direct_message(deps), once=deps.first_delivery))
    app.event("app_home_opened")(guard(app_home_opened(deps), once=deps.first_delivery))
