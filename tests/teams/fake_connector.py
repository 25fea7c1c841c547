"""A local fake of Microsoft's Bot Framework connector (the activity's ``serviceUrl``), recording every call.

It answers ``POST /v3/conversations/{id}/activities[/{replyToId}]`` as the connector does (``{"id": …}``),
serves files at ``/files/<id>/<name>`` (standing in for a SharePoint download URL), records every request so
tests can assert on what the bot sent, and builds the activities Teams would post to the bot.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from tests.fake_http import LocalServer, QuietHandler

BOT_ID = "28:00000000-0000-0000-0000-0000000b0b00"
TENANT = "11111111-2222-3333-4444-555555555555"
DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


@dataclass
class Call:
    """One request the bot made to the fake connector."""

    verb: str
    path: str
    body: dict
    headers: dict = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def conversation(self) -> str:
        """The conversation id in the path (``/v3/conversations/<id>/activities…``)."""
        parts = self.path.split("/")
        return urllib.parse.unquote(parts[3]) if len(parts) > 3 and parts[2] == "conversations" else ""

    @property
    def reply_to(self) -> str | None:
        parts = self.path.split("?")[0].split("/")
        return urllib.parse.unquote(parts[5]) if len(parts) > 5 else None

    @property
    def cards(self) -> list[dict]:
        return [a.get("content") or {} for a in self.body.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def text(self) -> str:
        """The message text and every text in its cards, joined (for `in` assertions)."""
        return "\n".join([self.body.get("text") or "", *texts_of(self.cards)])

    @property
    def actions(self) -> list[dict]:
        """Every Action.Submit in the message's cards."""
        return [a for a in _walk(self.cards) if a.get("type") == "Action.Submit"]


def texts_of(node) -> list[str]:
    """Every ``text`` and ``title`` string inside an Adaptive Card."""
    return [n[k] for n in _walk(node) for k in ("text", "title") if isinstance(n.get(k), str)]


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


class FakeConnector(LocalServer):
    """The fake connector; ``url`` is the serviceUrl to put in activities."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.files: dict[str, tuple[bytes, str]] = {}
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        super().__init__(self._handler())
        self.url = f"{self.base}/"

    # --- what tests set up ----------------------------------------------------------------------------------
    def add_file(self, data: bytes, name: str) -> dict:
        """Host a file; returns the attachment Teams puts in a message for a file sent to the bot."""
        file_id = f"f{next(self._ids):06d}"
        self.files[file_id] = (data, "application/octet-stream")
        url = f"{self.url}files/{file_id}/{urllib.parse.quote(name)}"
        return {"contentType": DOWNLOAD_INFO, "name": name, "contentUrl": url,
                "content": {"downloadUrl": url, "uniqueId": file_id, "fileType": name.rsplit(".", 1)[-1]}}

    # --- what tests read ------------------------------------------------------------------------------------
    def posts(self, predicate=lambda call: True) -> list[Call]:
        """Activities the bot posted, oldest first."""
        with self._cond:
            return [c for c in self.calls if c.verb == "POST" and "/activities" in c.path and predicate(c)]

    def wait_for(self, predicate, count: int = 1, timeout: float = 120) -> list[Call]:
        """Wait until at least ``count`` posted activities satisfy the predicate."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.verb == "POST" and "/activities" in c.path and predicate(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {count} posts; got {len(found)}: "
                                         f"{[c.path for c in self.calls][-10:]}")
                self._cond.wait(left)

    def _handler(self):
        fake = self

        class Handler(QuietHandler):
            def _record(self, body: dict) -> None:
                with fake._cond:
                    fake.calls.append(Call(self.command, self.path, body, dict(self.headers)))
                    fake._cond.notify_all()

            def do_GET(self) -> None:
                self._record({})
                parts = self.path.split("?")[0].split("/")
                if len(parts) >= 3 and parts[1] == "files" and parts[2] in fake.files:
                    self._send(200, *fake.files[parts[2]])
                    return
                self.send_error(404)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                self._record(body)
                self._json(200, {"id": f"act{next(fake._ids)}"})

        return Handler


class TeamsClient:
    """Posts activities to the bot as Teams does (anonymous mode: no Authorization header unless given)."""

    def __init__(self, url: str, connector: FakeConnector) -> None:
        self.url = url
        self.connector = connector
        self._ids = itertools.count(1)

    def post(self, body: bytes | str | dict, *, headers: dict | None = None) -> tuple[int, str]:
        data = body if isinstance(body, bytes) else (body.encode() if isinstance(body, str) else
                                                     json.dumps(body).encode())
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def activity(self, *, user: str, text: str = "", conversation: str | None = None,
                 conversation_type: str = "personal", value: dict | None = None, attachments: list | None = None,
                 mention: bool = False, activity_id: str | None = None) -> dict:
        """A message activity as Teams would send it (1:1 by default; a channel thread with ``mention``)."""
        conversation = conversation or f"a:1{user}"
        body = {
            "type": "message", "id": activity_id or f"17100000{next(self._ids):05d}", "channelId": "msteams",
            "serviceUrl": self.connector.url, "timestamp": "2026-12-01T10:00:00.000Z",
            "from": {"id": f"29:{user}", "name": f"Cllr {user}", "aadObjectId": user},
            "recipient": {"id": BOT_ID, "name": "Councillor guidance"},
            "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}}, "locale": "en-GB", "textFormat": "plain",
        }
        if mention:
            body["text"] = f"<at>Councillor guidance</at> {text}"
            body["entities"] = [{"type": "mention", "text": "<at>Councillor guidance</at>",
                                 "mentioned": {"id": BOT_ID, "name": "Councillor guidance"}}]
        elif text:
            body["text"] = text
        if value is not None:
            body["value"] = value
        if attachments:
            body["attachments"] = attachments
        return body

    def send(self, **kwargs) -> tuple[int, dict]:
        """Post a message activity; returns (status, the activity)."""
        activity = self.activity(**kwargs)
        status, _ = self.post(activity)
        return status, activity
