""""Show details" on a Monitoring Officer's notification: the incident in a modal only they can see."""

from __future__ import annotations

from assistant.channels.slack.blocks import error_message
from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.report_blocks import incident_modal
from assistant.errors import PermissionDenied

ONLY_OFFICERS = "Only Monitoring Officers can see the details of an incident."


def show_incident(deps: SlackDeps):
    """The incident_show callback: the incident service decides (and audits) whether this person may see it."""

    def handle(ack, action: dict, body: dict, client, respond) -> None:
        ack()
        user_id, channel_id = body["user"]["id"], (body.get("channel") or {}).get("id")
        try:
            detail = deps.services.incidents.get(deps.actor(user_id, channel_id), action["value"])
        except PermissionDenied:
            respond(response_type="ephemeral", replace_original=False, **error_message(ONLY_OFFICERS))
            return
        client.views_open(trigger_id=body["trigger_id"], view=incident_modal(detail))

    return handle
