"""Answer parsing and the form definition (pure functions, no database)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant.incidents.answers import InvalidAnswer, display_answer, parse_answer, parse_when
from assistant.incidents.form import load_form

NOW = datetime(2026, 1, 21, 12, 0, tzinfo=timezone.utc)
FORM = load_form()


@pytest.mark.parametrize(
    ("typed", "date", "approximate"),
    [
        ("14/03/2025 19:30", "2025-03-14T19:30", False),
        ("2025-03-14", "2025-03-14", False),
        ("2 March", "2025-03-02", False),  # no year: the most recent 2 March
        ("March", "2025-03-01", True),
        ("yesterday", "2026-01-20", False),
        ("3 weeks ago", "2025-12-31", True),
        ("about a month ago", "2025-12-21", True),
        ("last week", "2026-01-14", True),
        ("throughout February", "2025-02-01", True),
        ("a while back", None, True),  # kept as typed: an approximate timeframe is a fine answer
    ],
)
def test_when_understands_dates_and_timeframes(typed, date, approximate):
    value = parse_when(typed, now=NOW)
    assert value["text"] == typed and value["date"] == date and value["approximate"] is approximate


@pytest.mark.parametrize("typed", ["14/03/2026", "tomorrow", "next week", "21/01/2026 13:30"])
def test_when_refuses_the_future(typed):
    with pytest.raises(InvalidAnswer, match="in the future .today is 21 January 2026"):
        parse_when(typed, now=NOW)


def test_when_questions_implausible_years():
    with pytest.raises(InvalidAnswer, match="check the year"):
        parse_when("1 Jan 1980", now=NOW)


def test_answers_are_normalised_and_displayed_with_labels():
    kinds, platform, danger = FORM.field("kinds"), FORM.field("platform"), FORM.field("immediate_danger")
    assert parse_answer(kinds, "1, 3 and doxing", now=NOW) == ["abuse", "threat_violence", "doxing"]
    assert parse_answer(kinds, "2 7", now=NOW) == ["harassment", "hate"]
    assert display_answer(kinds, ["abuse", "hate"]) == "Abuse, Hate about a protected characteristic"
    assert parse_answer(platform, "facebook", now=NOW) == "facebook"
    assert parse_answer(platform, "X (Twitter)", now=NOW) == "x"
    assert parse_answer(danger, "Y", now=NOW) == "yes" and display_answer(danger, "no") == "No"
    assert display_answer(FORM.field("witnesses"), None) == "(skipped)"
    assert parse_answer(FORM.field("reporter_phone"), "0121 569 3172", now=NOW) == "0121 569 3172"
    with pytest.raises(InvalidAnswer, match="phone number"):
        parse_answer(FORM.field("reporter_phone"), "call me", now=NOW)
    with pytest.raises(InvalidAnswer, match="the most this question takes is 500"):
        parse_answer(FORM.field("platform_other"), "x" * 501, now=NOW)


def test_form_follows_the_sandwell_incident_form():
    ids = [spec.id for spec in FORM.fields]
    for required in ("who", "what_happened", "when", "why_abusive", "kinds", "evidence", "asked_to_stop",
                     "reported_police", "police_reference", "reported_platform", "platform_outcome", "witnesses",
                     "other_incidents", "remedy", "raised_with_individual", "individual_response",
                     "not_reported_earlier", "confidential", "reporter_name"):
        assert required in ids
    assert ids[:4] == ["immediate_danger", "about_member", "member_route", "safeguarding"]  # safety first
    assert {c.id for c in FORM.field("kinds").choices} == {
        "abuse", "harassment", "threat_violence", "threat_property", "doxing", "impersonation", "hate", "sexual",
        "other"}
    assert FORM.field("evidence").files and FORM.field("reporter_name").prefill == "display_name"


def test_a_broken_form_definition_is_refused_with_a_clear_message(tmp_path: Path):
    broken = tmp_path / "form.yml"
    broken.write_text("version: 1\ntitle: t\nintro: i\nresume: r\nstopped: s\ncancelled: c\nnext_steps: [a]\n"
                      "fields:\n  - {id: a, section: s, prompt: p, kind: essay}\n")
    with pytest.raises(ValueError, match="kind must be one of .* Currently it is 'essay'"):
        load_form(broken)
