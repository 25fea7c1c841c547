"""Publishing a person's App Home: what the bot does, their council, their own reports and statuses."""

from __future__ import annotations

import logging

from assistant.channels.slack.blocks import home_view
from assistant.channels.slack.deps import SlackDeps
from assistant.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


def publish_home(deps: SlackDeps, client, user_id: str) -> None:
    """Render and publish the App Home for this person."""
    actor = deps.actor(user_id)
    try:
        reports = deps.services.incidents.list_incidents(actor, mine=True)
    except ServiceUnavailable:
        logger.warning("incident log unavailable; App Home shown without reports")
        reports = []
    view = home_view(councils=deps.services.knowledge.councils(), council=deps.council_for(user_id),
                     reports=reports, is_monitoring_officer=actor.is_monitoring_officer)
    client.views_publish(user_id=user_id, view=view)
