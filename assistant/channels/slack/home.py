"""Publishing a person's App Home: what the bot does, their council, their own reports and statuses."""

from __future__ import annotations

import logging

from assistant.channels.slack.blocks import home_view
from assistant.channels.slack.deps import SlackDeps
from assistant.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


def publish_home(deps: SlackDeps, client, user_id: str) -> None:
    """Render and publish the App Home for this person."""
    try:
        reports = [s for s in deps.services.incidents.list_incidents(deps.actor(user_id)) if s.reporter_id == user_id]
    except ServiceUnavailable:
        logger.warning("incident log unavailable; App Home shown without reports")
        reports = []
    view = home_view(councils=deps.services.knowledge.councils(), council=deps.council_for(user_id),
                     reports=reports, is_monitoring_officer=deps.is_monitoring_officer(user_id))
    client.views_publish(user_id=user_id, view=view)
