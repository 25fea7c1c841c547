"""Generated request bodies for the Slack endpoint: the kinds Slack sends, mutated (wrong types, missing and extra
fields, odd and huge text) and sometimes corrupted as bytes (truncated, not UTF-8, the wrong content type).

Deterministic for a seed. Every id and URL in a body carries its marker, so a call the app makes because of that
body can be told apart from every other call.
"""

from __future__ import annotations

import json
import random
import urllib.parse
from dataclasses import dataclass

MAX_FUZZ_BODY = 1024 * 1024 - 4096  # under the app's 1 MB cap: a body over it is refused before it is read

ODD_TEXTS = [
    "", " ", "\x00", "\x00\x01\x7f", "🙂" * 40, "مرحبا بالعالم", "\u202eevil\u202c", "\u200b\u200d\ufeff",
    "<@UBOT>", "<!channel> <!here>", "&lt;&amp;&gt;", "%00%ff%7B", "\\", '"', "{", "}", "payload", "payload=%7B",
    "' OR 1=1 --", "../../etc/passwd", "\r\n\r\nHTTP/1.1 200 OK", "Can I block a resident who trolls me?",
    "Should I avoid posting when I'm angry?", "dm", "back", "skip", "confirm", "1, 2", "null", "[]", "{}",
    "ZALGƠ̸̢͖̗", "\U0001f4a9" * 3, "é" * 300,
]
SURROGATE = "\ud800"  # a lone surrogate: only JSON can carry it


def _nested(depth: int, kind: str):
    value = 0
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


SCALARS = [None, 0, -1, 1.5, 1e308, -0.0, True, False, "", "x", "9" * 400, "U1", "D1"]
SHAPES = [[], [None], [{}], [[]], {}, {"id": 5}, {"id": None}, ["id"], {"type": None}]


def random_value(rng: random.Random):
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(SCALARS)
    if roll < 0.75:
        return json.loads(json.dumps(rng.choice(SHAPES)))
    if roll < 0.9:
        return odd_text(rng)
    return _nested(rng.randint(2, 60), rng.choice(["list", "dict"]))


def odd_text(rng: random.Random, *, allow_surrogate: bool = False) -> str:
    roll = rng.random()
    if roll < 0.03:  # huge
        return rng.choice(["why ", "x", "é", "🙂"]) * rng.randint(50_000, 200_000)
    if roll < 0.15:  # long
        return "Can I block a troll? " * rng.randint(100, 600)
    if roll < 0.2 and allow_surrogate:
        return "odd " + SURROGATE
    parts = [rng.choice(ODD_TEXTS) for _ in range(rng.randint(1, 4))]
    return " ".join(parts)


@dataclass
class Case:
    """One request body and how it is sent."""

    marker: str
    template: str
    body: bytes
    content_type: str


def _command(rng, m, url):
    return "form", {"token": "legacy", "team_id": "T1", "team_domain": "council", "channel_id": f"C{m}",
                    "channel_name": "general", "user_id": f"U{m}", "user_name": m.lower(),
                    "command": rng.choice(["/ask", "/checkpost", "/report", "/unknown"]),
                    "text": odd_text(rng), "api_app_id": "A1", "response_url": url, "trigger_id": f"trig-{m}"}


def _event(rng, m, url):
    ts = f"1600000000.{rng.randrange(10**6):06d}"  # apart from the timestamps of every other test's messages
    kind = rng.choice(["app_mention", "message", "message", "app_home_opened", "reaction_added"])
    im = kind == "message" and rng.random() < 0.8
    event = {"type": kind, "user": f"U{m}", "channel": f"D{m}" if im else f"C{m}", "ts": ts,
             "text": odd_text(rng, allow_surrogate=True), "event_ts": ts}
    if im:
        event["channel_type"] = "im"
    if kind == "app_home_opened":
        event["tab"] = rng.choice(["home", "messages"])
    if rng.random() < 0.3:
        event["thread_ts"] = "1600000000.000001"
    if rng.random() < 0.15:
        event["subtype"] = rng.choice(["file_share", "bot_message", "message_changed"])
        event["files"] = [{"id": f"F{m}", "name": "a.pdf", "mimetype": "application/pdf", "size": 10,
                           "url_private_download": url}]
    return "json", {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                    "event_id": f"Ev{m}", "event_time": 1600000000, "event": event,
                    "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}


ACTION_IDS = ["feedback_up", "feedback_down", "share_answer", "report_back", "report_choice_1", "report_keep",
              "report_cancel", "report_confirm", "home_set_council", "incident_show", "unknown_action"]


def _action(rng, m, url):
    action_id = rng.choice(ACTION_IDS)
    value = rng.choice([json.dumps({"c": m, "f": "who", "v": "no"}), "INC-2024-0001", "a1b2", "", odd_text(rng)])
    action = {"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.0"}
    if action_id == "home_set_council":
        action = {"type": "static_select", "action_id": action_id, "block_id": "c",
                  "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": odd_text(rng)}}
    body = {"type": "block_actions", "team": {"id": "T1"}, "api_app_id": "A1", "token": "legacy",
            "user": {"id": f"U{m}"}, "trigger_id": f"trig-{m}", "actions": [action]}
    if action_id == "home_set_council":
        body.update(container={"type": "view"}, view={"id": f"V{m}", "type": "home"})
    else:
        body.update(channel={"id": f"C{m}"}, response_url=url, message={"ts": "1.2", "text": ""},
                    container={"type": "message", "message_ts": "1.2", "channel_id": f"C{m}"})
    return "payload", body


def _view(rng, m, url):
    values = {}
    for block in rng.sample(["immediate_danger", "about_member", "who", "what_happened", "kinds", "platform",
                             "evidence_files", "reporter_name"], rng.randint(0, 8)):
        state = rng.choice([{"type": "plain_text_input", "value": odd_text(rng)},
                            {"type": "radio_buttons", "selected_option": {"value": rng.choice(["yes", "no", "x"])}},
                            {"type": "checkboxes", "selected_options": [{"value": "doxing"}, {"value": "zz"}]},
                            {"type": "file_input", "files": [{"id": f"F{m}", "name": "x.png", "size": 5,
                                                              "url_private_download": url}]}])
        values[block] = {"value" if state["type"] != "file_input" else "files": state}
    return "payload", {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": f"U{m}"}, "api_app_id": "A1",
                       "token": "legacy", "trigger_id": f"trig-{m}",
                       "view": {"id": f"V{m}", "type": "modal", "hash": "h",
                                "callback_id": rng.choice(["report_modal", "report_modal", "other_modal"]),
                                "state": {"values": values}}}


def _url_verification(rng, m, url):
    return "json", {"type": "url_verification", "token": "legacy", "challenge": odd_text(rng)}


def _ssl_check(rng, m, url):
    return "form", {"ssl_check": "1", "token": "legacy"}


TEMPLATES = {"command": (_command, 4), "event": (_event, 4), "action": (_action, 4), "view": (_view, 2),
             "url_verification": (_url_verification, 1), "ssl_check": (_ssl_check, 1)}


def _containers(obj, out):
    if isinstance(obj, dict):
        out.append(obj)
        for value in obj.values():
            _containers(value, out)
    elif isinstance(obj, list):
        out.append(obj)
        for value in obj:
            _containers(value, out)
    return out


def mutate(rng: random.Random, obj) -> None:
    """Change one field somewhere in ``obj``: a wrong type, a deletion, or an extra field."""
    holders = [c for c in _containers(obj, []) if c and not (isinstance(c, list) and len(c) > 50)]
    if not holders:
        return
    holder = rng.choice(holders)
    if isinstance(holder, dict):
        key = rng.choice(list(holder))
        roll = rng.random()
        if roll < 0.25:
            del holder[key]
        elif roll < 0.9:
            holder[key] = random_value(rng)
        else:
            holder[rng.choice(["event", "actions", "view", "user", "channel", "command", "payload", "type",
                               "response_url", "authorizations", "files"])] = random_value(rng)
    else:
        holder[rng.randrange(len(holder))] = random_value(rng)


def _form_value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def serialize(rng: random.Random, encoding: str, obj) -> tuple[bytes, str]:
    form_type, json_type = "application/x-www-form-urlencoded", "application/json"
    if encoding == "form" and isinstance(obj, dict):
        body = urllib.parse.urlencode({k: _form_value(v) for k, v in obj.items()},
                                      encoding="utf-8", errors="surrogatepass").encode()
        content_type = form_type
    elif encoding == "payload":
        body = urllib.parse.urlencode({"payload": json.dumps(obj)}).encode()
        content_type = form_type
    else:
        body, content_type = json.dumps(obj).encode(), json_type
    roll = rng.random()
    if roll < 0.08:
        content_type = json_type if content_type == form_type else form_type  # the wrong one
    elif roll < 0.12:
        content_type = rng.choice(["", "text/plain", "application/json; charset=utf-8", "APPLICATION/JSON",
                                   "multipart/form-data; boundary=x"])
    return body, content_type


def corrupt(rng: random.Random, body: bytes) -> bytes:
    """Damage the bytes: truncate, flip, splice in bytes that are not UTF-8, or replace them all."""
    roll = rng.random()
    if roll < 0.3 and body:
        return body[:rng.randrange(len(body))]
    if roll < 0.5 and body:
        i = rng.randrange(len(body))
        return body[:i] + bytes([rng.randrange(256)]) + body[i + 1:]
    if roll < 0.7:
        i = rng.randrange(len(body) + 1)
        return body[:i] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"%FF", b"%7B"]) + body[i:]
    if roll < 0.85:
        return rng.choice([b"payload=", b"payload=null", b"payload=%7B", b"{", b"[", b"null", b"payload=%5B%7B%7D%5D",
                           b"\xef\xbb\xbf"]) + body
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))


def generate(seed: int, count: int, prefix: str, url_for) -> list[Case]:
    """``count`` cases; case i's marker is ``{prefix}{i}`` and ``url_for(marker)`` its response_url."""
    rng = random.Random(seed)
    names = list(TEMPLATES)
    weights = [TEMPLATES[n][1] for n in names]
    cases = []
    for i in range(count):
        marker = f"{prefix}{i}"
        name = rng.choices(names, weights)[0]
        encoding, obj = TEMPLATES[name][0](rng, marker, url_for(marker))
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            mutate(rng, obj)
        body, content_type = serialize(rng, encoding, obj)
        if rng.random() < 0.3:
            body = corrupt(rng, body)
        cases.append(Case(marker, name, body[:MAX_FUZZ_BODY], content_type))
    return cases
