"""Turning what a person typed into a stored answer (or a kind reason to ask again), and answers back into text.

``parse_answer(spec, raw, now=...)`` returns the normalised value stored for a field: a string (text, long_text,
email, phone, yes_no and choice ids), a list of choice ids (multi_choice), or for dates
``{"text": as typed, "date": "YYYY-MM-DD[THH:MM]" | None, "approximate": bool, "precision": "minute" | "day" |
"month" | "year" | None}``. It raises ``InvalidAnswer``
with a message fit to show. ``display_answer(spec, value)`` is the human-readable form used in reviews and exports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta

from assistant.errors import InvalidInput
from assistant.incidents.form import FieldSpec, FormDefinition

MAX_LENGTH = {"text": 500, "long_text": 20_000, "email": 254, "phone": 40, "date": 200}
UK = ZoneInfo("Europe/London")
SKIPPED = "(skipped)"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = re.compile(r"^[\d\s()+\-.]+$")
_YES = {"yes", "y", "yeah", "yep", "ye", "1", "true"}
_NO = {"no", "n", "nope", "2", "false"}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "few": 3, "couple of": 2, "a few": 3, "a couple of": 2}
_AGO = re.compile(
    r"\b(?P<n>\d+|a couple of|a few|couple of|few|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?P<unit>day|week|month|year)s?\s+ago\b"
)
_FUTURE_WORDS = re.compile(r"\b(tomorrow|next (week|month|year)|in \d+ (days?|weeks?|months?))\b")
_TIME_GIVEN = re.compile(r"\d:\d|\d\s*(am|pm)\b", re.IGNORECASE)


class InvalidAnswer(InvalidInput):
    """The answer cannot be used as typed; the message says why and how to answer."""


def parse_answer(spec: FieldSpec, raw: str | Sequence[str], *, now: datetime) -> Any:
    """The normalised value to store for ``spec`` from what the person gave (raises InvalidAnswer)."""
    if spec.kind == "multi_choice":
        return _multi_choice(spec, raw)
    text = raw.strip() if isinstance(raw, str) else ", ".join(raw).strip()
    if not text:
        raise InvalidAnswer("This question needs an answer. Please type one." if not spec.optional
                            else "Please type an answer, or skip to leave this one out.")
    limit = MAX_LENGTH.get(spec.kind)
    if limit and len(text) > limit:
        raise InvalidAnswer(f"That answer is {len(text)} characters long; the most this question takes is {limit}. "
                            "Please shorten it, or put the rest in a later answer.")
    if spec.kind in ("text", "long_text"):
        return text
    if spec.kind == "yes_no":
        lowered = text.lower().rstrip(".!")
        if lowered in _YES:
            return "yes"
        if lowered in _NO:
            return "no"
        raise InvalidAnswer("Please answer yes or no.")
    if spec.kind == "choice":
        return _one_choice(spec, text)
    if spec.kind == "email":
        if not _EMAIL.match(text):
            raise InvalidAnswer(f"{text!r} does not look like an email address. "
                                "Please check it, e.g. name@council.gov.uk.")
        return text
    if spec.kind == "phone":
        digits = re.sub(r"\D", "", text)
        if not _PHONE_CHARS.match(text) or not 7 <= len(digits) <= 15:
            raise InvalidAnswer("That does not look like a phone number. Please use digits, e.g. 0121 569 3172.")
        return text
    if spec.kind == "date":
        return parse_when(text, now=now)
    raise AssertionError(f"unknown kind {spec.kind}")  # the form loader only admits known kinds


def _one_choice(spec: FieldSpec, text: str) -> str:
    token = text.strip().lower().rstrip(".")
    if token.isdigit() and 1 <= int(token) <= len(spec.choices):
        return spec.choices[int(token) - 1].id
    for choice in spec.choices:
        if token in (choice.id.lower(), choice.label.lower()):
            return choice.id
    options = "; ".join(f"{n}. {c.label}" for n, c in enumerate(spec.choices, 1))
    raise InvalidAnswer(f"Sorry, I did not recognise {text!r}. Please choose one of: {options} (a number is fine).")


def _multi_choice(spec: FieldSpec, raw: str | Sequence[str]) -> list[str]:
    if isinstance(raw, str):
        parts = [p.strip() for p in re.split(r"[,;/\n]+| and ", raw) if p.strip()]
        # "1 3 4" is as natural as "1, 3, 4"
        tokens = [t for p in parts for t in (p.split() if re.fullmatch(r"[\d\s]+", p) else [p])]
    else:
        tokens = [t for t in raw if t.strip()]
    if not tokens:
        raise InvalidAnswer("Please choose at least one option (numbers separated by commas are fine)."
                            if not spec.optional else "Please choose at least one option, or skip.")
    chosen: list[str] = []
    for token in tokens:
        choice_id = _one_choice(spec, token)
        if choice_id not in chosen:
            chosen.append(choice_id)
    return chosen


def parse_when(text: str, *, now: datetime) -> dict[str, Any]:
    """A date/time or an approximate timeframe; dates in the future are refused (raises InvalidAnswer)."""
    local_now = now.astimezone(UK).replace(tzinfo=None) if now.tzinfo else now
    today = local_now.date()
    lowered = text.lower()
    if _FUTURE_WORDS.search(lowered):
        raise _future(today)
    relative = _relative(lowered, today)
    if relative is not None:
        when, approximate = relative
        return {"text": text, "date": when.isoformat(), "approximate": approximate, "precision": "day"}
    parsed = _absolute(text, local_now)
    if parsed is None:
        return {"text": text, "date": None, "approximate": True, "precision": None}
    when, precision, approximate = parsed
    if when.year < 1990:
        raise InvalidAnswer(f"{when.year} seems a long time ago. Please check the year.")
    stamp = when.isoformat(timespec="minutes") if precision == "minute" else when.date().isoformat()
    return {"text": text, "date": stamp, "approximate": approximate, "precision": precision}


def _future(today: date) -> InvalidAnswer:
    return InvalidAnswer(f"That date seems to be in the future (today is {today:%-d %B %Y}). Please give the date it "
                         "happened, or an approximate timeframe such as 'last week'.")


def _relative(lowered: str, today: date) -> tuple[date, bool] | None:
    """Phrases like "yesterday" or "3 weeks ago": (date, approximate), or None."""
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", lowered):
        return today, False
    if "day before yesterday" in lowered:
        return today - timedelta(days=2), False
    if re.search(r"\b(yesterday|last night)\b", lowered):
        return today - timedelta(days=1), False
    match = re.search(r"\blast (week|month|year)\b", lowered)
    if match:
        return today - relativedelta(**{match.group(1) + "s": 1}), True
    match = _AGO.search(lowered)
    if match:
        n = match.group("n")
        count = int(n) if n.isdigit() else _NUMBERS[n]
        return today - relativedelta(**{match.group("unit") + "s": count}), match.group("unit") != "day"
    return None


def _absolute(text: str, local_now: datetime) -> tuple[datetime, str, bool] | None:
    """A written date: (datetime, precision, approximate), or None when it is not one."""
    for fuzzy in (False, True):
        try:
            # Two parses with different defaults reveal which parts the person actually gave.
            first = dateparser.parse(text, dayfirst=True, fuzzy=fuzzy, default=datetime(1904, 1, 1, 0, 0))
            second = dateparser.parse(text, dayfirst=True, fuzzy=fuzzy, default=datetime(1908, 2, 2, 1, 1))
        except (ValueError, OverflowError):
            continue
        year_given, month_given, day_given = (first.year == second.year, first.month == second.month,
                                              first.day == second.day)
        has_time = bool(_TIME_GIVEN.search(text))
        if fuzzy and not month_given:
            return None  # fuzzy parsing of "3 weeks" would invent "the 3rd of this month"
        if not (year_given or month_given or day_given or has_time):
            return None
        try:
            when = datetime(first.year if year_given else local_now.year,
                            first.month if month_given else local_now.month,
                            first.day if day_given else (1 if month_given else local_now.day),
                            first.hour if has_time else 0, first.minute if has_time else 0)
        except ValueError:
            raise InvalidAnswer("I could not make a date of that. Please check it, or give an approximate "
                                "timeframe such as 'early March'.") from None
        too_late = when > local_now + timedelta(minutes=5) if has_time else when.date() > local_now.date()
        if too_late:
            if year_given:
                raise _future(local_now.date())
            # An incomplete date means the most recent such date: "March" in January is last March.
            when -= (relativedelta(years=1) if month_given else relativedelta(months=1) if day_given
                     else relativedelta(days=1))
        precision = ("minute" if has_time and day_given or has_time and not (year_given or month_given)
                     else "day" if day_given else "month" if month_given else "year")
        return when, precision, fuzzy or not day_given
    return None


def parse_form(form: FormDefinition, answers: Mapping[str, Any], *, prefill: Mapping[str, str],
               now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """Every applicable field's stored value from a whole form at once, and a message per field that failed."""
    today = (now.astimezone(UK) if now.tzinfo else now).date()
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in form.fields:
        if spec.when is not None and not spec.when.holds(parsed, today):
            continue
        raw = answers.get(spec.id)
        if raw is None or not (raw.strip() if isinstance(raw, str) else [r for r in raw if r.strip()]):
            raw = spec.prefilled(prefill)
        if raw is None:
            parsed[spec.id] = None
            if not spec.optional:
                errors[spec.id] = "This question needs an answer."
            continue
        try:
            parsed[spec.id] = parse_answer(spec, raw, now=now)
        except InvalidAnswer as exc:
            errors[spec.id] = exc.user_message
    return parsed, errors


def local_time(moment: datetime) -> str:
    """A stored (UTC) timestamp in UK local time, as councils read it: 21/11/2026 16:20."""
    return moment.astimezone(UK).strftime("%d/%m/%Y %H:%M")


def display_answer(spec: FieldSpec, value: Any) -> str:
    """The answer as a person reads it (labels for choices, the date as understood)."""
    if value is None:
        return SKIPPED
    if spec.kind in ("yes_no", "choice"):
        return spec.label_of(value)
    if spec.kind == "multi_choice":
        return ", ".join(spec.label_of(v) for v in value)
    if spec.kind == "date" and isinstance(value, dict):
        return _display_when(value)
    return str(value)


def _display_when(value: dict[str, Any]) -> str:
    text, known = value.get("text", ""), value.get("date")
    if not known:
        return text
    stamp = datetime.fromisoformat(known)
    understood = {"minute": f"{stamp:%-d %B %Y, %H:%M}", "month": f"{stamp:%B %Y}", "year": f"{stamp:%Y}"}.get(
        value.get("precision") or "day", f"{stamp:%-d %B %Y}")
    prefix = "around " if value.get("approximate") else ""
    return f"{text} ({prefix}{understood})"
