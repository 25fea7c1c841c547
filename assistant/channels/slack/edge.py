"""The HTTP edge: what a request to ``/slack/events`` must be before Bolt (or anything else) parses it.

In this order, each step on what the one before let through:

1. size: the body is read only up to ``MAX_BODY_BYTES`` (+1 to tell); a larger Content-Length is a 413 without
   reading it, a missing one a 411 (unless the body is chunked and the server de-chunks it), a malformed one a
   400; a body that does not arrive within the server's request timeout is a 400;
2. authenticity: ``X-Slack-Request-Timestamp`` must be ASCII digits within five minutes of now and
   ``X-Slack-Signature`` the HMAC-SHA256 of ``v0:{timestamp}:{raw body}`` under the signing secret
   (constant-time comparison) — else a 401, with no side effect at all;
3. structure: the body must decode as UTF-8, parse the way Bolt parses it (JSON, a form, or a form's ``payload``
   JSON) into an object, and every field that Bolt or a listener of this app dereferences must have the type it
   assumes — else a 400, before any listener or error handler could call out.

Nothing here logs a body or a header value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any
from urllib.parse import parse_qsl

MAX_BODY_BYTES = 1024 * 1024
MAX_CLOCK_SKEW_S = 5 * 60
MAX_TIMESTAMP_DIGITS = 15  # more than any time within five minutes of now; keeps int() on a header cheap
_READ_CHUNK = 64 * 1024

NONE = type(None)


class Refused(Exception):
    """The request is answered with ``status`` here; ``reason`` is for the log (never the body or a header)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# --- 1. size ----------------------------------------------------------------------------------------------------
def read_body(environ: dict, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, never reading more than ``limit + 1`` bytes (Refused 411/400/413)."""
    stream = environ.get("wsgi.input")
    declared = (environ.get("CONTENT_LENGTH") or "").strip()
    if not declared:
        chunked = "chunked" in (environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
        if chunked and stream is not None and environ.get("wsgi.input_terminated"):  # the server de-chunks it
            data = _read_up_to(stream, limit + 1)
            if len(data) > limit:
                raise Refused(413, "body over the size limit")
            return data
        raise Refused(411, "no Content-Length")
    if not (declared.isascii() and declared.isdigit()):
        raise Refused(400, "malformed Content-Length")
    if len(declared) > 12 or int(declared) > limit:
        raise Refused(413, "body over the size limit")
    length = int(declared)
    if length == 0:
        return b""
    if stream is None:
        raise Refused(400, "no body")
    try:
        data = _read_up_to(stream, length)
    except (OSError, ValueError) as exc:  # the client went away mid-body
        raise Refused(400, f"body unreadable ({type(exc).__name__})") from None
    if len(data) < length:
        raise Refused(400, "body shorter than its Content-Length")
    return data


def _read_up_to(stream, n: int) -> bytes:
    chunks, left = [], n
    while left > 0:
        chunk = stream.read(min(left, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --- 2. authenticity --------------------------------------------------------------------------------------------
def signature_for(secret: str | bytes, timestamp: str, body: bytes) -> str:
    """Slack's request signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, b"v0:" + timestamp.encode("ascii") + b":" + body, hashlib.sha256).hexdigest()
    return "v0=" + digest


def verify(secret: str | bytes, timestamp: str | None, signature: str | None, body: bytes,
           now: float | None = None) -> None:
    """Refused(401) unless the timestamp is fresh ASCII digits and the signature matches the raw body."""
    if not timestamp or len(timestamp) > MAX_TIMESTAMP_DIGITS or not (timestamp.isascii() and timestamp.isdigit()):
        raise Refused(401, "malformed request timestamp")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_S:
        raise Refused(401, "request timestamp outside five minutes")
    if not signature:
        raise Refused(401, "no request signature")
    expected = signature_for(secret, timestamp, body).encode("ascii")
    given = signature.encode("utf-8", "replace")
    if not hmac.compare_digest(expected, given):
        raise Refused(401, "invalid request signature")


# --- 3. structure -----------------------------------------------------------------------------------------------
def parse(raw: bytes, content_type: str | None) -> dict:
    """The body as Bolt reads it (JSON when declared so or when it starts with ``{``, else a form whose
    ``payload`` field, if any, is JSON) — Refused(400) for anything that is not UTF-8 or not a JSON object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if not text:
        raise Refused(400, "empty body")
    declared = (content_type or "").split(";")[0]  # as Bolt compares it
    try:
        if declared == "application/json" or text.startswith("{"):
            data = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            data = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, RecursionError):  # JSONDecodeError, a huge number, nesting too deep
        raise Refused(400, "body is not valid JSON or form data") from None
    if not isinstance(data, dict):
        raise Refused(400, "body is not an object")
    return data


class Malformed(Exception):
    """A field has the wrong type or is missing (the message names the field, never its value)."""


Rules = dict[str, tuple]

# Fields Bolt reads to build a request's context (ids, thread, enterprise install), wherever it looks for them:
# the body, its event, the event's message, an authorization. Ids are strings, or objects with a string id.
IDENTITY: Rules = {
    "type": (str,), "enterprise": (str, dict, NONE), "enterprise_id": (str, NONE), "team": (str, dict, NONE),
    "team_id": (str, NONE), "user": (str, dict, NONE), "user_id": (str, NONE), "channel": (str, dict, NONE),
    "channel_id": (str, NONE), "thread_ts": (str, NONE), "ts": (str, NONE), "event_ts": (str, NONE),
    "subtype": (str, NONE), "text": (str, NONE), "bot_id": (str, NONE), "channel_type": (str, NONE),
    "tab": (str, NONE), "user_team": (str, NONE), "function_execution_id": (str, NONE),
    "bot_access_token": (str, NONE), "event": (dict,), "message": (dict, NONE), "previous_message": (dict, NONE),
    "item": (dict, NONE), "assistant_thread": (dict, NONE), "function_data": (dict, NONE), "function": (dict,),
    "inputs": (dict, NONE), "authorizations": (list, NONE), "view": (dict,), "workflow_step": (dict,),
    "callback_id": (str,), "action_id": (str,), "command": (str,), "response_url": (str,),
    "response_urls": (list,), "trigger_id": (str,), "actions": (list,), "container": (dict, NONE),
    "state": (dict, NONE), "event_id": (str,), "challenge": (str,), "files": (list, NONE),
    "api_app_id": (str, NONE), "token": (str, NONE),
}
ID_OBJECT: Rules = {"id": (str, NONE), "team_id": (str, NONE), "enterprise_id": (str, NONE)}
NESTED = ("event", "message", "previous_message", "item", "assistant_thread")  # where Bolt looks next
MAX_NESTING = 4  # Slack nests a message in an event at most; Bolt recurses as deep as a body goes
ACTION: Rules = {"action_id": (str,), "block_id": (str, NONE), "type": (str, NONE), "value": (str, NONE),
                 "selected_option": (dict, NONE), "selected_options": (list, NONE), "action_ts": (str, NONE)}
OPTION: Rules = {"value": (str,)}
CONTAINER: Rules = {"type": (str, NONE), "message_ts": (str, NONE), "channel_id": (str, NONE),
                    "thread_ts": (str, NONE)}
FILE: Rules = {"id": (str, NONE), "name": (str, NONE), "title": (str, NONE), "mimetype": (str, NONE),
               "url_private": (str, NONE), "url_private_download": (str, NONE), "size": (int, NONE)}
VIEW: Rules = {"id": (str,), "callback_id": (str,), "type": (str,), "hash": (str, NONE),
               "private_metadata": (str, NONE), "state": (dict, NONE), "blocks": (list, NONE),
               "team_id": (str, NONE), "app_installed_team_id": (str, NONE)}
BLOCK_STATE: Rules = {"type": (str, NONE), "value": (str, NONE), "selected_option": (dict, NONE),
                      "selected_options": (list, NONE), "files": (list, NONE)}
COMMAND: Rules = {"command": (str,), "user_id": (str,), "text": (str,), "trigger_id": (str,),
                  "response_url": (str,), "channel_id": (str, NONE)}

# What the action listeners (listeners/actions/) read besides the user: the clicked button's value, the
# message's response_url (respond) and channel, a trigger id. A click without them is not on a message this app
# sent, so it is refused here rather than failing in a listener whose error handler would then call Slack.
NEEDS_VALUE = re.compile(r"^(feedback_(up|down)|share_answer|incident_show|report_.+)$")
NEEDS_RESPONSE_URL = re.compile(r"^(feedback_(up|down)|share_answer|incident_show)$")
NEEDS_CHANNEL = re.compile(r"^report_.+$")
NEEDS_TRIGGER = re.compile(r"^incident_show$")


def _typed(value: Any, types: tuple) -> bool:
    if isinstance(value, bool) and bool not in types:
        return False  # True is an int to Python, never to Slack
    return isinstance(value, types)


def _check(obj: Any, rules: Rules, where: str, *, required: tuple[str, ...] = ()) -> dict:
    if not isinstance(obj, dict):
        raise Malformed(f"{where} is not an object")
    for key in required:
        if obj.get(key) is None:
            raise Malformed(f"{where}.{key} is missing")
    for key, types in rules.items():
        if key in obj and not _typed(obj[key], types):
            raise Malformed(f"{where}.{key} has the wrong type")
    return obj


def _objects(value: Any, rules: Rules, where: str, *, non_empty: bool = False,
             required: tuple[str, ...] = ()) -> list[dict]:
    if not isinstance(value, list):
        raise Malformed(f"{where} is not a list")
    if non_empty and not value:
        raise Malformed(f"{where} is empty")
    for i, item in enumerate(value):
        _check(item, rules, f"{where}[{i}]", required=required)
    return value


def _url(obj: dict, key: str, where: str) -> None:
    if key in obj and not obj[key].startswith(("https://", "http://")):
        raise Malformed(f"{where}.{key} is not an http(s) URL")


def _identity(obj: Any, where: str, depth: int = 0) -> None:
    """The fields Bolt reads from ``obj`` to build the context, and from every object it looks into next."""
    if depth > MAX_NESTING:
        raise Malformed(f"{where} is nested too deeply")
    _check(obj, IDENTITY, where)
    for key in ("enterprise", "team", "user", "channel"):
        if isinstance(obj.get(key), dict):
            _check(obj[key], ID_OBJECT, f"{where}.{key}")
    for key in NESTED:
        if isinstance(obj.get(key), dict):
            _identity(obj[key], f"{where}.{key}", depth + 1)
    for i, auth in enumerate(obj.get("authorizations") or []):
        _identity(auth, f"{where}.authorizations[{i}]", depth + 1)
    if obj.get("files"):
        _objects(obj["files"], FILE, f"{where}.files")
    if isinstance(obj.get("container"), dict):
        _check(obj["container"], CONTAINER, f"{where}.container")
    if "response_urls" in obj:
        for i, item in enumerate(_objects(obj["response_urls"], {"response_url": (str,)}, f"{where}.response_urls",
                                          required=("response_url",))):
            _url(item, "response_url", f"{where}.response_urls[{i}]")
    _url(obj, "response_url", where)


def _event(body: dict) -> None:
    event = _check(body.get("event"), {}, "event", required=("type",))
    kind = event["type"]
    if kind == "app_mention":
        _check(event, {"user": (str,), "channel": (str,), "ts": (str,)}, "event", required=("user", "channel", "ts"))
    elif kind == "message":
        _check(event, {"user": (str, NONE), "channel": (str,), "ts": (str,)}, "event", required=("channel", "ts"))
    elif kind == "app_home_opened":
        _check(event, {"user": (str,), "channel": (str, NONE)}, "event", required=("user",))


def _block_actions(body: dict) -> None:
    _check(body, {"user": (dict,)}, "body", required=("user",))
    _check(body["user"], {"id": (str,)}, "user", required=("id",))
    actions = _objects(body.get("actions"), ACTION, "actions", non_empty=True, required=("action_id",))
    for i, action in enumerate(actions):
        if isinstance(action.get("selected_option"), dict):
            _check(action["selected_option"], OPTION, f"actions[{i}].selected_option", required=("value",))
        if action.get("selected_options"):
            _objects(action["selected_options"], OPTION, f"actions[{i}].selected_options", required=("value",))
    action_id = actions[0]["action_id"]
    if NEEDS_VALUE.match(action_id):
        _check(actions[0], {}, "actions[0]", required=("value",))
    if NEEDS_RESPONSE_URL.match(action_id):
        _check(body, {}, "body", required=("response_url",))
    if NEEDS_CHANNEL.match(action_id):
        _check(_check(body, {"channel": (dict,)}, "body", required=("channel",))["channel"], {"id": (str,)},
               "channel", required=("id",))
    if NEEDS_TRIGGER.match(action_id):
        _check(body, {}, "body", required=("trigger_id",))


def _view(body: dict, *, submission: bool) -> None:
    _check(body, {"user": (dict,)}, "body", required=("user", "view"))
    _check(body["user"], {"id": (str,)}, "user", required=("id",))
    view = _check(body["view"], VIEW, "view", required=("id", "callback_id", "type") + (("state",) * submission))
    if not submission:
        return
    values = _check(view["state"], {"values": (dict,)}, "view.state", required=("values",))["values"]
    for elements in values.values():
        for element in _check(elements, {}, "view.state.values[]").values():
            _check(element, BLOCK_STATE, "view.state.values[][]")
            if isinstance(element.get("selected_option"), dict):
                _check(element["selected_option"], OPTION, "view.state.values[][].selected_option",
                       required=("value",))
            if element.get("selected_options"):
                _objects(element["selected_options"], OPTION, "view.state.values[][].selected_options",
                         required=("value",))
            if element.get("files"):
                _objects(element["files"], FILE, "view.state.values[][].files")


def check_shape(body: Any) -> None:
    """Refused(400) unless this is a kind of request the app handles and every field Bolt or a listener
    dereferences has the type it assumes."""
    try:
        if not isinstance(body, dict):
            raise Malformed("body is not an object")
        _identity(body, "body")
        kind = body.get("type")
        if "command" in body:  # Bolt's own test for a slash command, whatever the type says
            _check(body, COMMAND, "body", required=("command", "user_id", "trigger_id", "response_url"))
        elif "ssl_check" in body or kind == "app_rate_limited":
            pass
        elif kind == "url_verification":
            _check(body, {}, "body", required=("challenge",))
        elif kind == "event_callback":
            _event(body)
        elif kind == "block_actions":
            _block_actions(body)
        elif kind in ("view_submission", "view_closed"):
            _view(body, submission=kind == "view_submission")
        else:
            raise Malformed("not a kind of request this app handles")
        if "event" in body and kind != "event_callback":
            raise Malformed("event outside an event_callback")
    except Malformed as exc:
        raise Refused(400, str(exc)) from None
    except RecursionError:
        raise Refused(400, "body nested too deeply") from None
