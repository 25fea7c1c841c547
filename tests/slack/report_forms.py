"""Filling in the report modal as Slack would send it back (shared by the app and replica tests)."""

from __future__ import annotations

INCIDENT_MARKER = "Wombat4242"  # in an incident answer: must reach the incident log and nothing else

MODAL_ANSWERS = {
    "immediate_danger": "no", "about_member": "no", "safeguarding": "no", "who": "@troll123 on X",
    "platform": "x", "what_happened": f"They posted my home address. {INCIDENT_MARKER}", "when": "yesterday",
    "why_abusive": "It is meant to frighten me.", "kinds": ["harassment", "doxing"], "asked_to_stop": "no",
    "reported_police": "no", "reported_platform": "yes", "platform_outcome": "Reported; no reply yet.",
    "raised_with_individual": "no", "confidential": "no",
}


def fill(view: dict, answers: dict, files: list[dict] = ()) -> dict:
    """The state.values Slack would send for this modal filled in with these answers."""
    values = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element, bid = block["element"], block["block_id"]
        if element["type"] == "file_input":
            values[bid] = {element["action_id"]: {"type": "file_input", "files": list(files)}}
            continue
        answer = answers.get(bid)
        state = {"type": element["type"]}
        if element["type"] in ("radio_buttons", "static_select"):
            option = next((o for o in element["options"] if o["value"] == answer), None)
            state["selected_option"] = option
        elif element["type"] in ("checkboxes", "multi_static_select"):
            state["selected_options"] = [o for o in element["options"] if o["value"] in (answer or [])]
        else:
            state["value"] = answer
        values[bid] = {element["action_id"]: state}
    return values


def submit_view(slack, view: dict, values: dict, user: str, view_id: str):
    return slack.interaction({"type": "view_submission", "user": {"id": user},
                              "view": {**view, "id": view_id, "hash": "h", "state": {"values": values}}})
