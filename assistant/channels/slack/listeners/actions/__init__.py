"""Buttons and menus: feedback, sharing an answer, the council menu, report buttons, incident details."""

from __future__ import annotations

import re

from slack_bolt import App

from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.listeners.actions.council import set_council
from assistant.channels.slack.listeners.actions.feedback import feedback
from assistant.channels.slack.listeners.actions.incident import show_incident
from assistant.channels.slack.listeners.actions.report import report_button
from assistant.channels.slack.listeners.actions.share import share_answer
from assistant.channels.slack.listeners.errors import guard


def register(app: App, deps: SlackDeps) -> None:
    """Register the action listeners."""
    app.action(re.compile(r"^feedback_(up|down)$"))(guard(feedback(deps)))
    app.action("share_answer")(guard(share_answer(deps)))
    app.action("home_set_council")(guard(set_council(deps)))
    app.action(re.compile(r"^report_(choice_\d+|keep|back|skip|cancel|confirm)$"))(guard(report_button(deps)))
    app.action("incident_show")(guard(show_incident(deps)))
