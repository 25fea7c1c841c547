"""View submissions: the report modal."""

from __future__ import annotations

from slack_bolt import App

from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.listeners.errors import guard
from assistant.channels.slack.listeners.views.report_modal import report_submitted
from assistant.channels.slack.report_blocks import MODAL_CALLBACK


def register(app: App, deps: SlackDeps) -> None:
    """Register the view listeners."""
    app.view(MODAL_CALLBACK)(guard(report_submitted(deps)))
