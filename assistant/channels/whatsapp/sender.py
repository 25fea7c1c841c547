"""The WhatsApp side of the notification outbox: a ``Sender`` (assistant.incidents.outbox) that sends the
configured template message — whose one parameter is the reference — to a Monitoring Officer's number.

A template, not a text: a Monitoring Officer may not have written to the business number in the last 24 hours,
and outside that window WhatsApp delivers approved templates only. The reference is all it carries.
"""

from __future__ import annotations

from assistant.channels.whatsapp.api import GraphError
from assistant.incidents.outbox import DeliveryFailed, PendingNotification

# Graph error codes that trying again cannot cure (the number cannot receive WhatsApp messages; it is not a
# registered test recipient). Anything else (a revoked token, a template not yet approved) is retried.
PERMANENT = ("131026", "131030")


class WhatsAppNotificationSender:
    """Sends outbox rows addressed to a Monitoring Officer identity that has a configured WhatsApp number."""

    def __init__(self, client, *, template: str | None, language: str, numbers: dict[str, str]) -> None:
        self.client = client
        self.template = template
        self.language = language
        self.number_of = {identity: number for number, identity in numbers.items()}  # identity -> number

    def send(self, notification: PendingNotification) -> None:
        """Deliver one notification, or raise DeliveryFailed (with a code, never a number)."""
        if not self.template:
            raise DeliveryFailed("no_whatsapp_template")  # retried: an administrator can still set it
        number = self.number_of.get(notification.recipient) if notification.kind == "user" else None
        if number is None:
            # Not permanent: the row may be another channel's to deliver (a Slack id, a Slack channel).
            raise DeliveryFailed("no_whatsapp_number")
        try:
            self.client.send(number, template_message(self.template, self.language, notification.reference))
        except GraphError as exc:
            code = exc.code.replace(" ", "_")
            raise DeliveryFailed(f"whatsapp_{code}", permanent=code.endswith(PERMANENT)) from exc


def template_message(name: str, language: str, reference: str) -> dict:
    """A template message whose body's one parameter is the incident reference."""
    return {"type": "template", "template": {
        "name": name, "language": {"code": language},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": reference}]}]}}
