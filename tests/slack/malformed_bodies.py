"""Request bodies that are malformed in the ways the fuzzing found (and a few more): each is a 400 at the edge."""

from __future__ import annotations

import json
import urllib.parse


def event_body(event) -> dict:
    return {"type": "event_callback", "event_id": "Ev1", "team_id": "T1", "event": event}


def click_body(*, drop: tuple[str, ...] = (), **changes) -> dict:
    body = {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C1"}, "trigger_id": "t",
            "response_url": "https://hooks.slack.com/x", "container": {"type": "message", "message_ts": "1.2"},
            "actions": [{"type": "button", "action_id": "feedback_up", "block_id": "b", "value": "a1"}]}
    body.update(changes)
    return {k: v for k, v in body.items() if k not in drop}


def form(**fields) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def as_payload(obj) -> bytes:
    return form(payload=json.dumps(obj))


MALFORMED = {
    "truncated JSON": (b'{"type": "event_callback", "event": {"type": "app_mention"', "application/json"),
    "payload=%7B": (b"payload=%7B", "application/x-www-form-urlencoded"),
    "payload=null": (b"payload=null", "application/x-www-form-urlencoded"),
    "payload=[]": (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
    "payload is a string": (form(payload='"x"'), "application/x-www-form-urlencoded"),
    "event: null": (json.dumps(event_body(None)).encode(), "application/json"),
    "event is a list": (json.dumps(event_body([])).encode(), "application/json"),
    "event without type": (json.dumps(event_body({"user": "U1"})).encode(), "application/json"),
    "event type a number": (json.dumps(event_body({"type": 7})).encode(), "application/json"),
    "mention without user": (json.dumps(event_body({"type": "app_mention", "channel": "C1", "ts": "1"})).encode(),
                             "application/json"),
    "mention user a number": (json.dumps(event_body({"type": "app_mention", "user": 5, "channel": "C1",
                                                     "ts": "1"})).encode(), "application/json"),
    "dm text an object": (json.dumps(event_body({"type": "message", "channel": "D1", "ts": "1",
                                                 "text": {"a": 1}})).encode(), "application/json"),
    "file size text": (json.dumps(event_body({"type": "message", "channel": "D1", "ts": "1",
                                              "files": [{"size": "big"}]})).encode(), "application/json"),
    "file size true": (json.dumps(event_body({"type": "message", "channel": "D1", "ts": "1",
                                              "files": [{"size": True}]})).encode(), "application/json"),
    "files a string": (json.dumps(event_body({"type": "message", "channel": "D1", "ts": "1",
                                              "files": "x"})).encode(), "application/json"),
    "home without user": (json.dumps(event_body({"type": "app_home_opened"})).encode(), "application/json"),
    "actions: null": (as_payload(click_body(actions=None)), "application/x-www-form-urlencoded"),
    "actions: []": (as_payload(click_body(actions=[])), "application/x-www-form-urlencoded"),
    "actions: [{}]": (as_payload(click_body(actions=[{}])), "application/x-www-form-urlencoded"),
    "actions: [null]": (as_payload(click_body(actions=[None])), "application/x-www-form-urlencoded"),
    "action_id a number": (as_payload(click_body(actions=[{"action_id": 5}])), "application/x-www-form-urlencoded"),
    "feedback without value": (as_payload(click_body(actions=[{"action_id": "feedback_up"}])),
                               "application/x-www-form-urlencoded"),
    "feedback without response_url": (as_payload(click_body(drop=("response_url",))),
                                      "application/x-www-form-urlencoded"),
    "report button without channel": (as_payload(click_body(channel=None, actions=[
        {"action_id": "report_back", "value": "{}"}])), "application/x-www-form-urlencoded"),
    "click user a string": (as_payload(click_body(user="U1")), "application/x-www-form-urlencoded"),
    "click without user": (as_payload(click_body(drop=("user",))),
                           "application/x-www-form-urlencoded"),
    "response_url not http": (as_payload(click_body(response_url="file:///etc/passwd")),
                              "application/x-www-form-urlencoded"),
    "selected option without value": (as_payload(click_body(actions=[
        {"action_id": "home_set_council", "selected_option": {"text": "x"}}])), "application/x-www-form-urlencoded"),
    "view: null": (as_payload({"type": "view_submission", "user": {"id": "U1"}, "view": None}),
                   "application/x-www-form-urlencoded"),
    "view without state": (as_payload({"type": "view_submission", "user": {"id": "U1"},
                                       "view": {"id": "V", "type": "modal", "callback_id": "report_modal"}}),
                           "application/x-www-form-urlencoded"),
    "view state value null": (as_payload({"type": "view_submission", "user": {"id": "U1"}, "view": {
        "id": "V", "type": "modal", "callback_id": "report_modal", "state": {"values": {"who": None}}}}),
        "application/x-www-form-urlencoded"),
    "view option without value": (as_payload({"type": "view_submission", "user": {"id": "U1"}, "view": {
        "id": "V", "type": "modal", "callback_id": "report_modal",
        "state": {"values": {"k": {"value": {"selected_options": [{"x": 1}]}}}}}}),
        "application/x-www-form-urlencoded"),
    "command sent as JSON with a number": (b'{"command": "/ask", "text": 5, "user_id": "U1", "trigger_id": "t", '
                                           b'"response_url": "https://x"}', "application/json"),
    "command without user_id": (form(command="/ask", text="hi", trigger_id="t", response_url="https://x"),
                                "application/x-www-form-urlencoded"),
    "form body sent as JSON": (form(command="/ask", text="hi", user_id="U1", trigger_id="t",
                                    response_url="https://x"), "application/json"),
    "not UTF-8": (b"command=/ask&text=\xff\xfe&user_id=U1", "application/x-www-form-urlencoded"),
    "not UTF-8 in JSON": (b'{"type": "url_verification", "challenge": "\xc3\x28"}', "application/json"),
    "empty": (b"", "application/json"),
    "JSON null": (b"null", "application/json"),
    "JSON list": (b"[1, 2]", "application/json"),
    "no kind": (b'{"foo": 1}', "application/json"),
    "a form of nothing": (b"a=b", "application/x-www-form-urlencoded"),
    "unhandled kind": (b'{"type": "block_suggestion", "action_id": "x", "value": "typed text"}', "application/json"),
    "nesting too deep": (b"[" * 100000 + b"]" * 100000, "application/json"),
    "a 5,000-digit number": (b'{"type": "event_callback", "event_time": ' + b"9" * 5000 + b"}", "application/json"),
    "authorizations a string": (json.dumps({**event_body({"type": "app_mention", "user": "U1", "channel": "C1",
                                                          "ts": "1"}), "authorizations": "abc"}).encode(),
                                "application/json"),
    "team a number": (json.dumps({**event_body({"type": "app_home_opened", "user": "U1"}), "team": 5}).encode(),
                      "application/json"),
    "enterprise a list": (json.dumps({**event_body({"type": "app_home_opened", "user": "U1"}),
                                      "enterprise": ["id"]}).encode(), "application/json"),
    "a user id buried in messages": (json.dumps(event_body({"type": "message", "channel": "D1", "ts": "1",
                                                            "message": {"message": {"message": {"message": {
                                                                "message": {"message": {"user": 5}}}}}}})).encode(),
                                     "application/json"),
}
