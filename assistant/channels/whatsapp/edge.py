"""The HTTP edge: what a webhook request must be before anything parses it or acts on it.

GET (the subscription challenge): ``hub.mode=subscribe`` and ``hub.verify_token`` equal to the configured token
(constant-time) — the ``hub.challenge`` is echoed as text/plain, else 403.

POST, in this order, each step on what the one before let through:

1. size: the body is read up to ``MAX_BODY_BYTES`` (a larger Content-Length is a 413 without reading it);
2. authenticity: ``X-Hub-Signature-256`` must be ``sha256=`` + the hex HMAC-SHA256 of the raw body under the app
   secret (``hmac.compare_digest``) — else a 401, with no side effect at all;
3. structure: UTF-8 JSON whose every field this adapter reads has the type it assumes — else a 400. The result is
   a list of ``Inbound`` messages (delivery statuses and other changes are acknowledged and dropped).

Nothing here logs a body, a header value, a phone number or a message id (a ``wamid`` encodes the number).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qs

# Size-capped reading is the same HTTP concern as Slack's edge (see the report: it belongs in a shared module).
from assistant.channels.slack.edge import MAX_BODY_BYTES, Refused, read_body

__all__ = ["MAX_BODY_BYTES", "Inbound", "Refused", "challenge", "messages", "read_body", "signature_for", "verify"]

MAX_CHALLENGE = 256
MEDIA_TYPES = ("image", "document", "video")  # what a report takes as evidence (voice notes are not)


@dataclass(frozen=True)
class Inbound:
    """One message a person sent the business number; ``sender`` is their number (never logged or stored)."""

    message_id: str
    sender: str
    kind: str  # text | reply (a button or list choice) | image | document | video | other
    text: str = ""  # the typed text, or the caption of a file
    reply_id: str = ""  # the id of the button or list row chosen
    media_id: str = ""
    mime_type: str = ""
    filename: str = ""
    profile_name: str | None = None  # the WhatsApp profile name, to prefill the reporter's name


# --- GET: the verification challenge -----------------------------------------------------------------------------
def challenge(query_string: str, verify_token: str) -> str | None:
    """The challenge to echo, or None when the request is not a subscription with the right token."""
    query = parse_qs(query_string or "", keep_blank_values=True)
    first = {key: values[0] for key, values in query.items() if values}
    given, answer = first.get("hub.verify_token", ""), first.get("hub.challenge", "")
    if first.get("hub.mode") != "subscribe" or not verify_token or not answer or len(answer) > MAX_CHALLENGE:
        return None
    if not hmac.compare_digest(given.encode("utf-8", "replace"), verify_token.encode("utf-8")):
        return None
    return answer


# --- POST: authenticity ------------------------------------------------------------------------------------------
def signature_for(secret: str | bytes, body: bytes) -> str:
    """Meta's webhook signature: ``sha256=`` + hex HMAC-SHA256 of the raw body under the app secret."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(secret: str | bytes, signature: str | None, body: bytes) -> None:
    """Refused(401) unless ``signature`` is the body's signature under ``secret``."""
    if not secret:
        raise Refused(401, "no app secret configured")
    if not signature:
        raise Refused(401, "no request signature")
    expected = signature_for(secret, body).encode("ascii")
    if not hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace")):
        raise Refused(401, "invalid request signature")


# --- POST: structure ---------------------------------------------------------------------------------------------
def messages(raw: bytes, phone_number_id: str | None) -> list[Inbound]:
    """The messages in a signed webhook body, for this business number only (Refused(400) when malformed)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused(400, "body is not UTF-8 JSON") from None
    found: list[Inbound] = []
    for entry in _list(_dict(data, "body").get("entry", []), "entry"):
        for change in _list(_dict(entry, "entry").get("changes", []), "changes"):
            change = _dict(change, "change")
            if _str(change.get("field", ""), "field") != "messages":
                continue
            value = _dict(change.get("value", {}), "value")
            metadata = _dict(value.get("metadata", {}), "metadata")
            number_id = _str(metadata.get("phone_number_id", ""), "phone_number_id")
            names = {}
            for contact in _list(value.get("contacts", []), "contacts"):
                contact = _dict(contact, "contact")
                name = _dict(contact.get("profile", {}), "profile").get("name")
                names[_str(contact.get("wa_id", ""), "wa_id")] = _str(name, "name") if name else None
            parsed = [_message(m, names) for m in _list(value.get("messages", []), "messages")]
            _list(value.get("statuses", []), "statuses")  # delivery receipts: checked, then ignored
            if phone_number_id and number_id != phone_number_id:
                continue  # another number of the same app: not ours to answer
            found.extend(parsed)
    return found


def _message(item, names: dict[str, str | None]) -> Inbound:
    item = _dict(item, "message")
    message_id, sender = _str(item.get("id"), "message id"), _str(item.get("from"), "from")
    kind = _str(item.get("type"), "message type")
    if not message_id or not sender.isdigit():
        raise Refused(400, "message id or sender missing")
    common = {"message_id": message_id, "sender": sender, "profile_name": names.get(sender)}
    if kind == "text":
        return Inbound(kind="text", text=_str(_dict(item.get("text"), "text").get("body"), "text body"), **common)
    if kind == "interactive":
        interactive = _dict(item.get("interactive"), "interactive")
        which = _str(interactive.get("type"), "interactive type")
        if which in ("button_reply", "list_reply"):
            choice = _dict(interactive.get(which), which)
            return Inbound(kind="reply", reply_id=_str(choice.get("id"), "reply id"),
                           text=_str(choice.get("title", ""), "reply title"), **common)
        return Inbound(kind="other", **common)
    if kind == "button":  # a quick-reply button of a template message
        button = _dict(item.get("button"), "button")
        return Inbound(kind="text", text=_str(button.get("text", ""), "button text"), **common)
    if kind in MEDIA_TYPES:
        media = _dict(item.get(kind), kind)
        return Inbound(kind=kind, media_id=_str(media.get("id"), "media id"),
                       mime_type=_str(media.get("mime_type", ""), "mime_type"),
                       filename=_str(media.get("filename", ""), "filename"),
                       text=_str(media.get("caption", ""), "caption"), **common)
    return Inbound(kind="other", **common)


def _dict(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise Refused(400, f"{name} is not an object")
    return value


def _list(value, name: str) -> list:
    if not isinstance(value, list):
        raise Refused(400, f"{name} is not a list")
    return value


def _str(value, name: str) -> str:
    if not isinstance(value, str):
        raise Refused(400, f"{name} is not a string")
    return value
