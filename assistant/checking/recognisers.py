"""Pattern recognisers for things a councillor should not publish: UK phone numbers, postcodes, emails,
vehicle registrations, NI numbers, street addresses, people's names and children's ages.

Each yields ``Hit(start, end, kind)``; what a hit means (and how serious it is) is decided by the rule
catalogue (rules.yml), which refers to a recogniser by name and, optionally, to the kinds it accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Hit:
    """A recognised item: ``text[start:end]`` of the given kind (e.g. ``mobile``, ``landline``)."""

    start: int
    end: int
    kind: str


_PHONE = re.compile(r"(?<![\w+£$€.,])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s().-]{7,14}\d(?![\d])")
_SHORT_CODES = re.compile(r"(?<![\w£$€.,])(?:101|111|999|112)(?![\w%]|[.,]\d)")
_POSTCODE = re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s?\d[ABD-HJLNP-UW-Z]{2}\b")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_PUBLIC_EMAIL = re.compile(r"(?:\.gov\.uk|\.police\.uk|\.nhs\.(?:uk|net)|\.parliament\.uk|\.sch\.uk|\.ac\.uk)$", re.I)
_VEHICLE_CURRENT = re.compile(r"\b[A-HJ-PR-Y][A-HJ-PR-Y]\d{2}\s?[A-HJ-PR-Z]{3}\b")
_VEHICLE_OLD = re.compile(r"\b[A-HJ-NP-Y]\d{1,3}\s?[A-HJ-PR-Y]{3}\b")
_NI_NUMBER = re.compile(r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_STREET_TYPES = (
    r"Road|Rd|Street|St|Lane|Ln|Close|Avenue|Ave|Drive|Dr|Way|Crescent|Cres|Gardens|Gdns|Court|Ct|Place|Pl"
    r"|Terrace|Grove|Park|Hill|Row|View|Walk|Mews|Square|Sq|Rise|Green|Parade|Vale|Meadows?|Fields|Yard|Wharf"
    r"|Chase|Croft|Hollow|Gate|Heights|Villas|Cottages|Estate"
)
_NAME_WORD = r"[A-Z][A-Za-z'’-]+"
_STREET = re.compile(
    rf"(?<![\w£$€.,:/-])(?:(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{{1,4}}[A-Za-z]?,?\s+"
    rf"(?:{_NAME_WORD}\s+){{1,3}}(?:{_STREET_TYPES})\b"
)
_LOWER_STREET = re.compile(
    rf"\b(?:lives? at|living at|i'm at|im at|i am at|number|no\.)\s+\d{{1,4}}[a-z]?,?\s+(?:[a-z'-]+\s+){{1,3}}"
    rf"(?:{_STREET_TYPES.lower()})\b",
    re.I,
)
_TITLED_NAME = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame|Lady|Lord|Rev|Father|Sister|Auntie|Uncle)\.?\s+(?:{_NAME_WORD}\s+)?{_NAME_WORD}"
)
_COUNCILLOR = re.compile(rf"(?:\b(?:Cllr|Councillor|Cllr\.|Mayor)\s+{_NAME_WORD}(?:\s+{_NAME_WORD})?|@Cllr\w+)")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,30}\b")
_CHILD_AGE = re.compile(
    r"\b(?:aged\s+)?(\d{1,2})\s*-?\s*(?:years?|yrs?|yo)\s*-?\s*olds?\b|\b(?:aged|age)\s+(\d{1,2})\b"
    r"|(?<=[A-Za-z])\s*\((\d{1,2})\)"
    r"|\b(?:he's|she's|he is|she is)\s+(?:about\s+|around\s+|only\s+|just\s+)?(\d{1,2})\b(?!\s*(?:%|years? (?:ago|service)|minutes|hours|miles))",
    re.I,
)
_SCHOOL_CLASS = re.compile(r"\b(?:Year|Yr|Class|Form)\s+(?:\d{1,2}|R|[A-Z]\d?)\b|\breception class\b", re.I)
_SCHOOL = re.compile(
    rf"\b(?:St\.?\s+)?(?:{_NAME_WORD}'?s?\s+){{1,3}}(?:Primary|Infants?|Juniors?|Academy|Nursery|High School"
    rf"|Grammar|Secondary|School|C of E|CE|RC|Pre-?school)\b"
)
_DOB = re.compile(
    r"\b(?:d\.?o\.?b\.?|date of birth|born on)\b[:\s]*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+\d{4})?",
    re.I,
)


def _phone(text: str) -> Iterator[Hit]:
    spans: list[tuple[int, int]] = []
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        if digits.startswith("00") or not 10 <= len(digits) <= 11:
            continue
        if digits.startswith("07") and not digits.startswith(("070", "076")):
            kind = "mobile"
        elif digits.startswith(("01", "02")):
            kind = "landline"
        elif digits.startswith(("0800", "0808", "03")):
            kind = "public"
        else:
            kind = "other"
        spans.append((m.start(), m.end()))
        yield Hit(m.start(), m.end(), kind)
    for m in _SHORT_CODES.finditer(text):
        if not any(s <= m.start() < e for s, e in spans):  # "0800 555 111" is one number, not two
            yield Hit(m.start(), m.end(), "short_code")


def _email(text: str) -> Iterator[Hit]:
    for m in _EMAIL.finditer(text):
        yield Hit(m.start(), m.end(), "public" if _PUBLIC_EMAIL.search(m.group(0)) else "private")


def _simple(pattern: re.Pattern[str], kind: str) -> Callable[[str], Iterator[Hit]]:
    def find(text: str) -> Iterator[Hit]:
        for m in pattern.finditer(text):
            yield Hit(m.start(), m.end(), kind)

    return find


def _vehicle(text: str) -> Iterator[Hit]:
    yield from _simple(_VEHICLE_CURRENT, "current")(text)
    yield from _simple(_VEHICLE_OLD, "prefix")(text)


def _street(text: str) -> Iterator[Hit]:
    seen: set[int] = set()
    for pattern in (_STREET, _LOWER_STREET):
        for m in pattern.finditer(text):
            if m.end() not in seen:
                seen.add(m.end())
                yield Hit(m.start(), m.end(), "street")


@cache
def _first_names() -> re.Pattern[str]:
    data = yaml.safe_load(resources.files("assistant.checking").joinpath("names.yml").read_text("utf-8"))
    names = sorted({n for n in data["first_names"]}, key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, names))})(?:\s+{_NAME_WORD})?\b")


# Staff named by their role: "Housing Officer Dean Marsh", "Anita Shah, the council's road safety officer".
_ROLE = (
    r"(?:[Oo]fficer|[Mm]anager|[Dd]irector|[Ii]nspector|[Ww]arden|[Cc]lerk|[Pp]lanner|[Cc]aseworker|[Ll]eader"
    r"|[Ss]upervisor|[Cc]oordinator|[Aa]dviser|[Aa]dvisor|[Ee]xecutive)"
)
_ROLE_TITLED = re.compile(rf"\b{_ROLE}\s+({_NAME_WORD} {_NAME_WORD})\b")
_NAME_THEN_ROLE = re.compile(
    rf"\b({_NAME_WORD} {_NAME_WORD}),? (?:the |our |a |your )?(?:council's |council |borough's )?(?:[a-z-]+ ){{0,3}}{_ROLE}\b"
)
_THANKED = re.compile(
    r"\b(?:[Tt]hanks? (?:to )?|[Tt]hank you(?: to)? |[Ww]ell done(?: to)? |[Ss]hout-?out to |[Kk]udos to "
    rf"|[Gg]rateful to |[Cc]ongratulations to )({_NAME_WORD} {_NAME_WORD})\b"
)
# Capitalised words that start role titles and place names, not people ("The Chief Executive", "Parks Officer").
_NOT_FIRST_NAMES = frozenset(
    "The This That These Those Our Your My His Her Their A An New Old Chief Senior Deputy Assistant Acting Head "
    "Council County Borough Town City Parish District Planning Housing Licensing Parks Waste Highways Streetscene "
    "Environmental Democratic Customer Revenues Benefits Finance Legal Monitoring Principal Lead Community Safety "
    "Road Street Team Project Interim Executive Strategic Corporate Public Police Fire Health Social Youth Children's "
    "Adult Education Transport Traffic Parking Enforcement Building Estates Property Leisure Library Museum Regeneration "
    "Economic Development Communications Press Mayor Mayor's Leader Cabinet Member Members Thanks Well Huge Big".split()
)
_MEMBER_TITLE = re.compile(r"(?:\bCllr\.?|\bCouncillor|\bMP|\bMayor|@|\bSt\.?|\bSaint)\s*$", re.I)


def _person(text: str) -> Iterator[Hit]:
    # Councillors ("Cllr Jane Smith") are members, not private people or staff: not reported here.
    for m in _TITLED_NAME.finditer(text):
        yield Hit(m.start(), m.end(), "titled")
    for m in _first_names().finditer(text):
        if _MEMBER_TITLE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        yield Hit(m.start(), m.end(), "full" if " " in m.group(0) else "first")
    for pattern in (_ROLE_TITLED, _NAME_THEN_ROLE, _THANKED):
        for m in pattern.finditer(text):
            if m.group(1).split()[0] in _NOT_FIRST_NAMES or _MEMBER_TITLE.search(text[max(0, m.start(1) - 12) : m.start(1)]):
                continue
            yield Hit(m.start(1), m.end(1), "full")


def _councillor(text: str) -> Iterator[Hit]:
    yield from _simple(_COUNCILLOR, "councillor")(text)


def _child(text: str) -> Iterator[Hit]:
    for m in _CHILD_AGE.finditer(text):
        age = int(next(g for g in m.groups() if g is not None))
        if age < 18:
            yield Hit(m.start(), m.end(), "age")
    for m in _SCHOOL_CLASS.finditer(text):
        yield Hit(m.start(), m.end(), "class")
    for m in _SCHOOL.finditer(text):
        yield Hit(m.start(), m.end(), "school")


RECOGNISERS: dict[str, Callable[[str], Iterator[Hit]]] = {
    "uk_phone": _phone,
    "postcode": _simple(_POSTCODE, "postcode"),
    "email": _email,
    "vehicle_registration": _vehicle,
    "ni_number": _simple(_NI_NUMBER, "ni_number"),
    "street_address": _street,
    "date_of_birth": _simple(_DOB, "dob"),
    "person_name": _person,
    "councillor_name": _councillor,
    "handle": _simple(_HANDLE, "handle"),
    "child_detail": _child,
}


def recognise(name: str, text: str) -> list[Hit]:
    """All hits of the named recogniser in ``text`` (trimmed of surrounding white space)."""
    hits = []
    for h in RECOGNISERS[name](text):
        start, end = h.start, h.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            hits.append(Hit(start, end, h.kind))
    return hits
