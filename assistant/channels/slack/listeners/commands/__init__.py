"""Slash commands: /ask, /checkpost, /report."""

from __future__ import annotations

from slack_bolt import App

from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.listeners.commands.ask import ask_command
from assistant.channels.slack.listeners.commands.checkpost import checkpost_command
from assistant.channels.slack.listeners.commands.report import report_command
from assistant.channels.slack.listeners.errors import guard


def register(app: App, deps: SlackDeps) -> None:
    """Register the slash commands."""
    app.command("/ask")(guard(ask_command(deps)))
    app.command("/checkpost")(guard(checkpost_command(deps)))
    app.command("/report")(guard(report_command(deps)))
