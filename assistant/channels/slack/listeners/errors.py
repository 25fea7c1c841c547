"""The one error handler: known errors get their kind message; anything else an error id, logged with its stack.

The exception text of an unexpected error is never shown, and not logged either (it could quote a draft or an
incident answer): the log gets the error id, the request kind and the stack with exception types only.
"""

from __future__ import annotations

import logging
import traceback
import uuid

from slack_bolt import App

from assistant.channels.slack.blocks import error_message
from assistant.channels.slack.deps import SlackDeps, open_dm
from assistant.errors import UserError

logger = logging.getLogger("assistant.channels.slack")

UNEXPECTED = ("Sorry, something went wrong on my side and I could not finish that. Nothing you sent has been "
              "shared. Please try again; if it keeps happening, tell your IT team and quote error {error_id}.")


def stack_without_messages(error: BaseException) -> str:
    """The traceback's frames and exception types (chained ones too), without any exception's message."""
    parts, seen, current = [], set(), error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append("".join(traceback.format_tb(current.__traceback__)) + type(current).__qualname__)
        current = current.__cause__ or current.__context__
    return "\n-- caused by --\n".join(reversed(parts))


def user_text(error: BaseException, kind: str) -> str:
    """What the person is told about this error (logging unexpected ones under a fresh error id)."""
    if isinstance(error, UserError):
        return error.display()
    error_id = uuid.uuid4().hex[:10]
    logger.error("error %s handling a Slack %s request:\n%s", error_id, kind, stack_without_messages(error))
    return UNEXPECTED.format(error_id=error_id)


def register(app: App, deps: SlackDeps) -> None:
    """Install the error handler."""

    def handle_error(error: Exception, body: dict, client, context) -> None:
        kind = body.get("type") or ("command" if body.get("command") else "request")
        text = user_text(error, kind)
        reply = error_message(text)
        try:
            if context.respond is not None:  # commands and buttons: a private reply where they were used
                context.respond(response_type="ephemeral", replace_original=False, **reply)
            elif kind == "event_callback" and (body.get("event") or {}).get("channel"):
                event = body["event"]
                thread_ts = event.get("thread_ts") or event.get("ts")
                if event.get("channel_type") == "im":
                    client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, **reply)
                else:
                    client.chat_postEphemeral(channel=event["channel"], user=event["user"], thread_ts=thread_ts,
                                              **reply)
            elif kind in ("view_submission", "block_actions") and (body.get("user") or {}).get("id"):
                client.chat_postMessage(channel=open_dm(client, body["user"]["id"]), **reply)
        except Exception as exc:  # noqa: BLE001 - the error reply itself failed; the log is all that is left
            logger.warning("could not tell the user about an error (%s)", type(exc).__name__)

    app.error(handle_error)
