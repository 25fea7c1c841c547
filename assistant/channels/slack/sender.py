"""The Slack side of the notification outbox: a ``Sender`` (assistant.incidents.outbox) that posts to Slack."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError, SlackClientError

from assistant.channels.slack.report_blocks import officer_notification
from assistant.incidents.outbox import DeliveryFailed, PendingNotification

# Errors that trying again will not cure (a misconfigured recipient id): the row is marked failed and not sent
# again. Anything else (a revoked token included) is retried with a back-off until it goes through.
PERMANENT = {"user_not_found", "channel_not_found", "not_in_channel", "is_archived", "cannot_dm_bot",
             "user_disabled", "invalid_users"}


class SlackNotificationSender:
    """Posts a Monitoring Officer notification (the reference and a Show details button) to a user's DM or a
    channel, through the app's WebClient (which retries rate limits and dropped connections itself)."""

    def __init__(self, client) -> None:
        self.client = client

    def send(self, notification: PendingNotification) -> None:
        """Deliver one notification, or raise DeliveryFailed with Slack's error code."""
        try:
            channel = notification.recipient
            if notification.kind == "user":
                channel = open_dm(self.client, notification.recipient)
            self.client.chat_postMessage(channel=channel,
                                         **officer_notification(notification.reference, notification.text))
        except SlackApiError as exc:
            code = str(exc.response.get("error") or "unknown")
            raise DeliveryFailed(code, permanent=code in PERMANENT) from exc
        except (SlackClientError, OSError) as exc:
            raise DeliveryFailed(type(exc).__name__) from exc


def open_dm(client, user_id: str) -> str:
    """The id of the bot's direct-message channel with this person."""
    return client.conversations_open(users=user_id)["channel"]["id"]
