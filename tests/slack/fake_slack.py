"""A local fake of Slack's side, as in bolt-python's own scenario tests (its mock_web_api_server).

It answers the Web API methods the app calls (``/api/<method>``), serves files at ``/files/<id>`` only with the
bot token, receives ``response_url`` posts at ``/response/<key>``, and records every call so tests can assert on
what the app sent (text and blocks). It also signs requests to the app the way Slack does.
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

from slack_sdk.signature import SignatureVerifier

from tests.fake_http import LocalServer, QuietHandler

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"  # Socket Mode's app-level token: only apps.connections.open accepts it
SIGNING_SECRET = "test-signing-secret"
BOT_USER = "UBOT"
MONITORING_OFFICER = "UMO1"
OFFICERS_CHANNEL = "GMOCHANNEL"


@dataclass
class Call:
    """One request the app made to fake Slack."""

    method: str  # "chat.postMessage", … or "response" (a response_url post) or "file"
    params: dict
    key: str = ""  # the response_url key, or the file id
    headers: dict = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        """The message's fallback text and every text in its blocks, joined (for `in` assertions)."""
        return self.params.get("text", "") + "\n" + "\n".join(texts_of(self.params.get("blocks") or []))


def texts_of(node) -> list[str]:
    """Every ``text`` string inside a Block Kit structure."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                out.append(value)
            else:
                out.extend(texts_of(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(texts_of(item))
    return out


class FakeSlack(LocalServer):
    """The fake Slack Web API server; ``url`` is what SLACK_API_URL should be."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.hits: list[tuple[str, str, bytes]] = []  # every request received, whatever its path: (verb, path, body)
        self.files: dict[str, tuple[bytes, str]] = {}
        self.users: dict[str, dict] = {}
        self.socket_url: str | None = None  # what apps.connections.open hands out (a fake Socket Mode server)
        self.faults: dict[str, list[str]] = {}  # method -> faults to apply to its next calls, in order
        self.faulted: list[tuple[str, str]] = []  # (method, fault) applied
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        super().__init__(self._handler(), queue_size=128)
        self.url = f"{self.base}/api/"

    # --- what tests set up ----------------------------------------------------------------------------------
    def response_url(self, key: str) -> str:
        """A response_url whose posts are recorded under ``key``."""
        return f"{self.base}/response/{key}"

    def add_file(self, data: bytes, name: str, mimetype: str) -> dict:
        """Host a file and return the Slack file object for an event's ``files``."""
        file_id = f"F{next(self._ids):06d}"
        self.files[file_id] = (data, mimetype)
        url = f"{self.base}/files/{file_id}/{urllib.parse.quote(name)}"
        return {"id": file_id, "name": name, "title": name, "mimetype": mimetype, "size": len(data),
                "url_private": url, "url_private_download": url + "?download=1"}

    def fail_next(self, method: str, *faults: str) -> None:
        """Make the next calls of ``method`` fail, one fault each: "429" (rate limited, Retry-After: 1) or "drop"
        (the connection is closed without a response)."""
        with self._cond:
            self.faults.setdefault(method, []).extend(faults)

    def _take_fault(self, method: str) -> str | None:
        with self._cond:
            queue = self.faults.get(method)
            if not queue:
                return None
            fault = queue.pop(0)
            self.faulted.append((method, fault))
            return fault

    # --- what tests read ------------------------------------------------------------------------------------
    def find(self, method: str, predicate=lambda call: True) -> list[Call]:
        """Calls of this method that satisfy the predicate, oldest first."""
        with self._cond:
            return [c for c in self.calls if c.method == method and predicate(c)]

    def wait_for(self, method: str, predicate=lambda call: True, count: int = 1, timeout: float = 30) -> list[Call]:
        """Wait until at least ``count`` matching calls arrived; returns them (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and predicate(c)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.key, c.text[:80]) for c in self.calls[-10:]]
                    raise AssertionError(f"no {count} {method} call(s) within {timeout}s; last calls: {seen}")
                self._cond.wait(remaining)

    def hits_since(self, start: int) -> list[tuple[str, str, bytes]]:
        """Every request received (any path, authorized or not) after the first ``start``."""
        with self._cond:
            return list(self.hits[start:])

    def hits_mentioning(self, marker: str) -> list[tuple[str, str, bytes]]:
        """Every request whose path or body contains ``marker`` (case-insensitive)."""
        needle = marker.lower()
        with self._cond:
            return [h for h in self.hits if needle in h[1].lower() or needle.encode() in h[2].lower()]

    def _hit(self, verb: str, path: str, body: bytes) -> None:
        with self._cond:
            self.hits.append((verb, path, body))
            self._cond.notify_all()

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    # --- the Web API ----------------------------------------------------------------------------------------
    def _reply(self, method: str, params: dict) -> dict:
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method == "auth.test":
            return {"ok": True, "url": "https://council.slack.com/", "team": "Council", "user": "assistant",
                    "team_id": "T1", "user_id": BOT_USER, "bot_id": "BBOT"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": params.get("channel"), "ts": ts,
                    "message": {"text": params.get("text"), "ts": ts, "thread_ts": params.get("thread_ts")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": f"V{next(self._ids):06d}", "hash": ts}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "X")).split(",")[0]}}
        if method == "users.info":
            user = params.get("user", "")
            return {"ok": True, "user": self.users.get(user) or {
                "id": user, "real_name": f"Cllr {user}", "profile": {"real_name": f"Cllr {user}",
                                                                      "email": f"{user.lower()}@council.gov.uk"}}}
        return {"ok": True}

    def _handler(self):
        fake = self

        class Handler(QuietHandler):
            def _params(self) -> dict:
                parsed = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(parsed.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                fake._hit(self.command, self.path, raw)
                if raw:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        params.update(json.loads(raw))
                    else:
                        params.update(dict(urllib.parse.parse_qsl(raw.decode())))
                for key in ("blocks", "view"):  # form-encoded calls send these as JSON strings
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                return params

            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                if path.startswith("/files/"):
                    fake._hit("GET", self.path, b"")
                    file_id = path.split("/")[2]
                    fake._record(Call("file", {}, key=file_id, headers=dict(self.headers)))
                    if self.headers.get("Authorization") != f"Bearer {BOT_TOKEN}" or file_id not in fake.files:
                        self._send(200, b"<html>Sign in to Slack</html>", "text/html")
                        return
                    data, mimetype = fake.files[file_id]
                    self._send(200, data, mimetype)
                    return
                self.do_POST()

            def do_POST(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                params = self._params()
                if path.startswith("/response/"):
                    fake._record(Call("response", params, key=path.split("/", 2)[2], headers=dict(self.headers)))
                    self._send(200, b"ok", "text/plain")
                    return
                method = path.rsplit("/", 1)[-1]
                fault = fake._take_fault(method)
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)  # the client sees the connection reset, no response
                    return
                if fault == "429":
                    body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                    self.send_response(429)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                token = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
                if self.headers.get("Authorization") != f"Bearer {token}":
                    self._send(200, json.dumps({"ok": False, "error": "invalid_auth"}).encode())
                    return
                fake._record(Call(method, params, headers=dict(self.headers)))
                self._send(200, json.dumps(fake._reply(method, params)).encode())

        return Handler


class SlackSender:
    """Sends signed requests to the app as Slack does: commands, events and interactivity payloads."""

    def __init__(self, app_url: str, fake: FakeSlack, secret: str = SIGNING_SECRET) -> None:
        self.app_url = app_url
        self.fake = fake
        self.verifier = SignatureVerifier(secret)
        self._n = itertools.count(1)

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None,
             headers: dict | None = None) -> tuple[int, str, float]:
        """POST a body signed with the signing secret; returns (status, body, seconds until the response)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or self.verifier.generate_signature(timestamp=ts, body=body)
        request = urllib.request.Request(self.app_url, data=body.encode(), method="POST", headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
            **(headers or {})})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode(), time.monotonic() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), time.monotonic() - started

    def command(self, command: str, text: str, *, user: str = "U1", channel: str = "C1") -> tuple[str, int, str]:
        """A slash command; returns (its response_url key, status, body)."""
        key = f"cmd{next(self._n)}"
        body = urllib.parse.urlencode({
            "token": "legacy", "team_id": "T1", "team_domain": "council", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": command, "text": text,
            "api_app_id": "A1", "response_url": self.fake.response_url(key), "trigger_id": f"trigger-{key}"})
        status, reply, _ = self.post(body, "application/x-www-form-urlencoded")
        return key, status, reply

    def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None) -> tuple[int, str]:
        """An Events API callback (``retry``: the X-Slack-Retry-Num Slack adds to a redelivery)."""
        body = json.dumps({
            "token": "legacy", "team_id": "T1", "api_app_id": "A1", "event": event, "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._n):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]})
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        status, reply, _ = self.post(body, "application/json", headers=headers)
        return status, reply

    def interaction(self, payload: dict) -> tuple[str, int, str]:
        """An interactivity payload (block_actions, view_submission); returns (response_url key, status, body)."""
        key = f"act{next(self._n)}"
        payload = {"team": {"id": "T1"}, "api_app_id": "A1", "token": "legacy", "trigger_id": f"trigger-{key}",
                   **payload}
        if payload["type"] == "block_actions" and "channel" in payload:
            payload.setdefault("response_url", self.fake.response_url(key))
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        status, reply, _ = self.post(body, "application/x-www-form-urlencoded")
        return key, status, reply

    def click(self, action_id: str, value: str, *, user: str = "U1", channel: str = "C1",
              message: dict | None = None, block_id: str = "b") -> tuple[str, int, str]:
        """A button click in a message."""
        message = message or {"ts": "1700000000.000001", "text": ""}
        return self.interaction({
            "type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
            "message": message,
            "actions": [{"type": "button", "action_id": action_id, "block_id": block_id, "value": value,
                         "action_ts": str(time.time())}]})
