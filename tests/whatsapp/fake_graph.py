"""A local fake of the WhatsApp Cloud API (Graph API) and a sender of signed webhooks, as Meta sends them.

The fake answers ``GET /v21.0/{phone_number_id}`` (the start-up token check), ``POST /v21.0/{phone_number_id}/
messages`` (recorded: every message the app sends), ``GET /v21.0/{media_id}`` (a media object whose ``url`` points
back here) and ``GET /media/{media_id}`` (the bytes) — each only with the access token — and records every request.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from tests.fake_http import LocalServer, QuietHandler

ACCESS_TOKEN = "EAAG-test-access-token"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "106540352242922"
COUNCILLOR = "447700900123"
COUNCILLOR_ID = "cllr.jones"
MO_NUMBER = "447700900999"
MO_ID = "mo.smith"
STRANGER = "447700900777"
TEMPLATE = "incident_submitted"
VERSION = "v21.0"


@dataclass
class Sent:
    """One message the app sent through the fake."""

    to: str
    type: str
    payload: dict
    at: float = field(default_factory=time.monotonic)

    @property
    def body(self) -> str:
        """The text a person reads: a text body, an interactive body and its choices, or template parameters."""
        p = self.payload
        if self.type == "text":
            return p["text"]["body"]
        if self.type == "interactive":
            inter = p["interactive"]
            titles = [b["reply"]["title"] for b in inter["action"].get("buttons", [])]
            titles += [r["title"] for s in inter["action"].get("sections", []) for r in s["rows"]]
            return inter["body"]["text"] + "\n" + "\n".join(titles)
        if self.type == "template":
            return " ".join(prm["text"] for c in p["template"]["components"] for prm in c["parameters"])
        return json.dumps(p)

    def reply_ids(self) -> dict[str, str]:
        """title -> id of every button or list row."""
        if self.type != "interactive":
            return {}
        action = self.payload["interactive"]["action"]
        rows = [b["reply"] for b in action.get("buttons", [])]
        rows += [r for s in action.get("sections", []) for r in s["rows"]]
        return {r["title"]: r["id"] for r in rows}


class FakeGraph(LocalServer):
    """The fake Graph API server; ``url`` is what WHATSAPP_API_URL should be."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.hits: list[tuple[str, str, bytes]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        super().__init__(self._handler())
        self.url = f"{self.base}/{VERSION}/"

    def add_media(self, data: bytes, mime_type: str) -> str:
        """Host a media file; returns its media id."""
        media_id = f"{next(self._ids):015d}"
        self.media[media_id] = (data, mime_type)
        return media_id

    # --- what tests read ------------------------------------------------------------------------------------
    def to(self, number: str, since: int = 0) -> list[Sent]:
        """Messages sent to ``number`` (after the first ``since`` of all sent)."""
        with self._cond:
            return [s for s in self.sent[since:] if s.to == number]

    def mark(self) -> int:
        """How many messages have been sent so far (to read only later ones)."""
        with self._cond:
            return len(self.sent)

    def wait_for(self, predicate, count: int = 1, timeout: float = 60, since: int = 0) -> list[Sent]:
        """Wait until ``count`` sent messages (after ``since``) satisfy ``predicate``; returns them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [s for s in self.sent[since:] if predicate(s)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(s.to[-3:], s.type, s.body[:60]) for s in self.sent[-8:]]
                    raise AssertionError(f"no {count} matching message(s) within {timeout}s; last sent: {seen}")
                self._cond.wait(remaining)

    def hits_since(self, start: int) -> list[tuple[str, str, bytes]]:
        with self._cond:
            return list(self.hits[start:])

    def _hit(self, verb: str, path: str, body: bytes) -> None:
        with self._cond:
            self.hits.append((verb, path, body))
            self._cond.notify_all()

    def _record(self, sent: Sent) -> None:
        with self._cond:
            self.sent.append(sent)
            self._cond.notify_all()

    def _handler(self):
        fake = self

        class Handler(QuietHandler):
            def _authorized(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}":
                    return True
                self._json(401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                           "code": 190}})
                return False

            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                fake._hit("GET", self.path, b"")
                if not self._authorized():
                    return
                parts = path.strip("/").split("/")
                if parts[0] == "media" and len(parts) == 2 and parts[1] in fake.media:
                    data, mime = fake.media[parts[1]]
                    self._send(200, data, mime)
                elif len(parts) == 2 and parts[0] == VERSION and parts[1] == PHONE_NUMBER_ID:
                    self._json(200, {"id": PHONE_NUMBER_ID, "display_phone_number": "+44 7700 900000",
                                     "verified_name": "Councillor Assistant"})
                elif len(parts) == 2 and parts[0] == VERSION and parts[1] in fake.media:
                    data, mime = fake.media[parts[1]]
                    self._json(200, {"messaging_product": "whatsapp", "url": f"{fake.base}/media/{parts[1]}",
                                     "mime_type": mime, "sha256": hashlib.sha256(data).hexdigest(),
                                     "file_size": len(data), "id": parts[1]})
                else:
                    self._json(404, {"error": {"message": "Unknown path", "code": 100}})

            def do_POST(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                fake._hit("POST", self.path, raw)
                if not self._authorized():
                    return
                if path != f"/{VERSION}/{PHONE_NUMBER_ID}/messages":
                    self._json(404, {"error": {"message": "Unknown path", "code": 100}})
                    return
                payload = json.loads(raw)
                assert payload["messaging_product"] == "whatsapp"
                fake._record(Sent(payload["to"], payload["type"], payload))
                self._json(200, {"messaging_product": "whatsapp", "contacts": [{"input": payload["to"],
                                                                               "wa_id": payload["to"]}],
                                 "messages": [{"id": f"wamid.out{next(fake._ids)}"}]})

        return Handler


class WebhookSender:
    """Posts webhooks to the app as Meta does: JSON, signed with the app secret in X-Hub-Signature-256."""

    def __init__(self, url: str, secret: str = APP_SECRET) -> None:
        self.url = url
        self.secret = secret
        self._n = itertools.count(1)
        self.last_body = b""

    def signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()

    def post(self, body: bytes, *, signature: str | None = None, headers: dict | None = None) -> tuple[int, str]:
        """POST a raw body (signed unless ``signature`` is given; "" sends none); returns (status, body)."""
        self.last_body = body
        sig = self.signature(body) if signature is None else signature
        all_headers = {"Content-Type": "application/json", **({"X-Hub-Signature-256": sig} if sig else {}),
                       **(headers or {})}
        request = urllib.request.Request(self.url, data=body, method="POST", headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def get(self, query: dict) -> tuple[int, str, str]:
        """GET the webhook with a query; returns (status, body, content type)."""
        request = urllib.request.Request(f"{self.url}?{urllib.parse.urlencode(query)}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers.get("Content-Type", "")

    def new_id(self) -> str:
        return f"wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgg{next(self._n):012d}AA=="

    def envelope(self, messages: list[dict], sender: str = COUNCILLOR, name: str = "Jo Jones") -> bytes:
        """A webhook body carrying these messages, as Meta shapes it."""
        return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
            "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "447700900000", "phone_number_id": PHONE_NUMBER_ID},
                "contacts": [{"profile": {"name": name}, "wa_id": sender}],
                "messages": messages}}]}]}).encode()

    def message(self, kind: str, content: dict, *, sender: str = COUNCILLOR, message_id: str | None = None) -> dict:
        return {"from": sender, "id": message_id or self.new_id(), "timestamp": str(int(time.time())), "type": kind,
                kind: content}

    def text(self, body: str, *, sender: str = COUNCILLOR, message_id: str | None = None) -> tuple[int, str]:
        """A text message from ``sender``."""
        return self.post(self.envelope([self.message("text", {"body": body}, sender=sender,
                                                     message_id=message_id)], sender))

    def tap(self, reply_id: str, title: str, *, list_row: bool = False, sender: str = COUNCILLOR) -> tuple[int, str]:
        """A tap on a reply button or a list row."""
        kind = "list_reply" if list_row else "button_reply"
        content = {"type": kind, kind: {"id": reply_id, "title": title}}
        return self.post(self.envelope([self.message("interactive", content, sender=sender)], sender))

    def image(self, media_id: str, mime_type: str = "image/png", *, caption: str | None = None,
              sender: str = COUNCILLOR, kind: str = "image", filename: str | None = None) -> tuple[int, str]:
        """An image (or ``kind="document"``) message; the bytes are fetched from the fake by media id."""
        content = {"mime_type": mime_type, "sha256": "x", "id": media_id, **({"caption": caption} if caption else {}),
                   **({"filename": filename} if filename else {})}
        return self.post(self.envelope([self.message(kind, content, sender=sender)], sender))
