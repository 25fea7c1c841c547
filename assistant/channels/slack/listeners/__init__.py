"""Every listener of the Slack app, registered per kind (Bolt starter template layout)."""

from __future__ import annotations

from slack_bolt import App

from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.listeners import actions, commands, errors, events, views


def register(app: App, deps: SlackDeps) -> None:
    """Register the listeners and the one error handler on ``app`` (events are de-duplicated in ``guard``)."""
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    errors.register(app, deps)
