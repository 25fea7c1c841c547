"""The one error handler: known errors get their kind message; anything else an error id, logged with its stack.

The exception text of an unexpected error is never shown, and not logged either (it could quote a draft or an
incident answer): the log gets the error id, the request kind and the stack with exception types only.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Callable

from slack_bolt import App

from assistant.channels.slack.blocks import error_message
from assistant.channels.slack.deps import SlackDeps, open_dm
from assistant.errors import UserError, stack_without_messages

logger = logging.getLogger("assistant.channels.slack")

UNEXPECTED = ("Sorry, something went wrong on my side and I could not finish that. Nothing you sent has been "
              "shared. Please try again; if it keeps happening, tell your IT team and quote error {error_id}.")


def user_text(error: BaseException, kind: str) -> str:
    """What the person is told about this error (logging unexpected ones under a fresh error id)."""
    if isinstance(error, UserError):
        return error.display()
    error_id = uuid.uuid4().hex[:10]
    logger.error("error %s handling a Slack %s request:\n%s", error_id, kind, stack_without_messages(error))
    return UNEXPECTED.format(error_id=error_id)


def _response_url(body: dict, context) -> str | None:
    """The request's response_url (Bolt takes it from ``response_url`` or a modal's ``response_urls``)."""
    url = getattr(context, "response_url", None) or body.get("response_url")
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _verified(context) -> bool:
    """Bolt sets the authorize result only after its signature check and authorization: before that, nothing in
    the body can be trusted as a place to reply to (the HTTP edge refuses such requests earlier still)."""
    try:
        return context.authorize_result is not None
    except Exception:  # noqa: BLE001 - a context without one
        return False


def report_error(error: Exception, body: dict, client, context) -> None:
    """The one error handler: tell the person (kindly, or with an error id) where they were, never the exception.

    Where they were: the ``response_url`` when the request has one (slash commands, buttons in messages); else,
    for an event, a reply in its thread (a message in a DM, an ephemeral message in a channel); else, for a button
    in the App Home or a modal, a DM; else nobody is told and the log holds the error id.
    """
    body = _dict(body)
    kind = body.get("type") or ("command" if body.get("command") else "request")
    reply = error_message(user_text(error, kind))
    if not _verified(context):
        logger.warning("an error before the request was verified; nobody told")
        return
    try:
        event, user = _dict(body.get("event")), _dict(body.get("user")).get("id")
        response_url = _response_url(body, context)
        if response_url is not None:  # a private reply where they were
            context.respond(response_type="ephemeral", replace_original=False, **reply)
        elif kind == "event_callback" and isinstance(event.get("channel"), str):
            channel, thread_ts = event["channel"], event.get("thread_ts") or event.get("ts")
            if event.get("channel_type") == "im" or (event.get("channel_type") is None and channel.startswith("D")):
                client.chat_postMessage(channel=channel, thread_ts=thread_ts, **reply)
            elif isinstance(event.get("user"), str):
                client.chat_postEphemeral(channel=channel, user=event["user"], thread_ts=thread_ts, **reply)
        elif kind in ("view_submission", "block_actions") and isinstance(user, str):
            client.chat_postMessage(channel=open_dm(client, user), **reply)
    except Exception as exc:  # noqa: BLE001 - the error reply itself failed; the log is all that is left
        logger.warning("could not tell the user about an error (%s)", type(exc).__name__)


def guard(listener: Callable[..., None], *, once: Callable[[dict], bool] | None = None) -> Callable[..., None]:
    """Run a listener so that its errors reach ``report_error`` after it has acked.

    Bolt (1.30, process_before_response=False) loses an ack when the listener raises straight after it, so Slack
    would see a 404 after 3 s; catching here keeps the ack and still sends every error to the one handler.
    ``once(body)``: whether this delivery is the first (events: Slack retries and duplicates are skipped). It runs
    here, after Bolt's automatic ack of an event, so the database write it needs never delays the ack.
    """
    names = inspect.getfullargspec(listener).args

    def guarded(args) -> None:  # Bolt injects its Args object for a parameter named "args"
        try:
            if once is not None and not once(args.body):
                return
            listener(**{name: getattr(args, name) for name in names})
        except Exception as error:  # noqa: BLE001 - every error goes to the one handler
            if args.ack.response is None:
                args.ack()
            report_error(error, args.body, args.client, args.context)

    guarded.__name__ = getattr(listener, "__name__", "listener")
    return guarded


def register(app: App, deps: SlackDeps) -> None:
    """Install the handler for errors outside listeners (middleware, Bolt itself)."""
    app.error(report_error)
