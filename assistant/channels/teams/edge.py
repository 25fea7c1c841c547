"""What a request to ``/api/messages`` must be before the Agents SDK parses it.

Authentication runs first (the SDK's JWT check: a 401 with no side effect). Then, here: the body is read up to
``MAX_BODY_BYTES`` (aiohttp answers 413 beyond), must be UTF-8 JSON holding one object that validates as a Bot
Framework ``Activity`` with a type, a conversation id and an http(s) ``serviceUrl`` — else a 400. The SDK itself
would answer a body that is JSON but not an Activity with a 500, so nothing reaches it unchecked. Nothing here
logs a body or a header value.
"""

from __future__ import annotations

import json

from microsoft_agents.activity import Activity
from pydantic import ValidationError

MAX_BODY_BYTES = 1024 * 1024


class Refused(Exception):
    """The request is answered with ``status``; ``reason`` is for the log (never the body)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_activity(raw: bytes) -> Activity:
    """The body as an Activity, or Refused(400) saying what was wrong (never quoting it)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused(400, "body is not UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise Refused(400, "body is not an object")
    try:
        activity = Activity.model_validate(data)
    except (ValidationError, ValueError, TypeError):
        raise Refused(400, "body is not a Bot Framework activity") from None
    if not activity.type or not activity.conversation or not activity.conversation.id:
        raise Refused(400, "activity has no type or conversation id")
    if activity.type == "message":
        if not activity.service_url or not activity.service_url.startswith(("https://", "http://")):
            raise Refused(400, "message has no http(s) serviceUrl")
        if activity.from_property is None or not activity.from_property.id:
            raise Refused(400, "message has no sender id")
    return activity
