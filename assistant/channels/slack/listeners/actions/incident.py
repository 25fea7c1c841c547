""""Show details" on a Monitoring Officer's notification: the incident in a modal only they can see."""

from __future__ import annotations

from assistant.channels.slack.blocks import error_message
from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.report_blocks import incident_modal

ONLY_OFFICERS = "Only Monitoring Officers can see the details of an incident."


def show_incident(deps: SlackDeps):
    """The incident_show callback."""

    def handle(ack, action: dict, body: dict, client, respond) -> None:
        ack()
        user_id, channel_id = body["user"]["id"], (body.get("channel") or {}).get("id")
        if not deps.is_monitoring_officer(user_id, channel_id):
            respond(response_type="ephemeral", replace_original=False, **error_message(ONLY_OFFICERS))
            return
        detail = deps.services.incidents.get(deps.actor(user_id, channel_id), action["value"])
        client.views_open(trigger_id=body["trigger_id"], view=incident_modal(detail))

    return handle
