"""Recognisers for structured personal data: UK phone numbers, postcodes, emails, National Insurance numbers,
vehicle registrations, dates of birth, street addresses and a resident's name next to their address.

Each yields ``Hit(start, end, kind)``. A kind says what was found (``mobile``, ``postcode``, ``named`` ...); the
kinds in ``PUBLIC_KINDS`` are things that are *not* personal data (a council switchboard, a number on the allowed
list, a venue's address). What a hit means and how serious it is are decided by the rule catalogue (rules.yml).
Phone numbers are found, normalised and typed with ``phonenumbers`` (Google's libphonenumber metadata).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources

import phonenumbers
import yaml
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from assistant.errors import Misconfigured


@dataclass(frozen=True)
class Hit:
    """A recognised item: ``text[start:end]`` of the given kind (e.g. ``mobile``, ``named``)."""

    start: int
    end: int
    kind: str

    @property
    def personal(self) -> bool:
        """Whether this is someone's personal detail (not a published, allowed or public one)."""
        return self.kind not in PUBLIC_KINDS


# Not personal data: organisations' numbers (freephone, 03), numbers or emails on the allowed list, public-body
# emails, numbers introduced as a switchboard or office line, and addresses of public venues.
PUBLIC_KINDS = frozenset({"public", "allowed", "published", "venue"})

# ---------------------------------------------------------------------------------------------- phone numbers
# A run of digits with single separators; each start that can begin a UK or international number is tried.
_DIGIT_RUN = re.compile(r"(?<![\w£$€/.,])[+(]?\d(?:(?:[ \t.\-]|\)[ \t]?|[ \t]?\()?\d)+")
_SEPARATORS = re.compile(r"\)?[ \t]+\(?")  # a number inside a run starts after white space ("978-0-306" is not one)
_PERSONAL_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
    PhoneNumberType.PERSONAL_NUMBER: "other",
    PhoneNumberType.VOIP: "other",
    PhoneNumberType.PAGER: "other",
}
# Said just before a landline, these mean an organisation's line rather than someone's home phone.
_PUBLISHED_CUE = re.compile(
    r"\b(?:switchboard|customer services?|services|contact cent(?:re|er)|helpline|advice line|reception|department"
    r"|team|the council|office (?:number|line|phone)|surgery (?:number|line)|main (?:number|line)|social care"
    r"|trading standards|out of hours)\b[^.!?\n\d]{0,30}$",
    re.I,
)
# Said in brackets just after a landline: the line's label, "(switchboard)", "(members' office)".
_LABEL_AFTER = re.compile(
    r"^\s*\(\s*(?:the\s+)?(?:council\s+)?(?:switchboard|members'?\s+office|office|reception|helpline|main (?:line|number)"
    r"|customer services|contact cent(?:re|er)|out of hours)\b",
    re.I,
)
# Said just after any number: the post itself says the number is published.
_PUBLISHED_AFTER = re.compile(
    r"^[^.!?\n\d]{0,30}\b(?:listed|published|advertised|it's|it is|which is)\s+(?:\w+\s+)?(?:on|in)\s+(?:the\s+)?"
    r"(?:council(?:'s)?\s+(?:website|site|directory|newsletter)|website)",
    re.I,
)


@lru_cache(maxsize=4096)  # a draft pasting one number thousands of times parses it once
def parse_number(text: str) -> phonenumbers.PhoneNumber | None:
    """A phone number read as dialled in the UK, or None when it is not one."""
    try:
        number = phonenumbers.parse(text, "GB")
    except NumberParseException:
        return None
    nsn = str(number.national_number)
    if number.country_code == 44:
        # UK numbers have 9 or 10 digits after the 0; unallocated ones (Ofcom's drama ranges such as 07700 900xxx)
        # are not "valid" to libphonenumber but look exactly like real numbers to a reader, so they count too.
        return number if 9 <= len(nsn) <= 10 and nsn[0] in "1235789" else None
    return number if phonenumbers.is_possible_number(number) else None


def normalise_number(text: str) -> str:
    """A number in E.164 form ("+441632960000"); raises ``Misconfigured`` when the text is not a phone number."""
    number = parse_number(text)
    if number is None:
        raise Misconfigured(f"{text!r} is not a phone number.",
                            hint="List allowed numbers as they are dialled, e.g. ASSISTANT_ALLOWED_NUMBERS=\"01632 960000\".")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def _number_facts(text: str) -> tuple[str, str] | None:
    """(E.164 form, kind) of a number as written, or None."""
    number = parse_number(text)
    if number is None:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), _phone_kind(number)


def _phone_kind(number: phonenumbers.PhoneNumber) -> str:
    if phonenumbers.is_valid_number(number):
        return _PERSONAL_TYPES.get(phonenumbers.number_type(number), "public")
    if number.country_code != 44:
        return "other"  # a possible number abroad: treat it as someone's
    nsn = str(number.national_number)  # unallocated UK range: judge by its prefix, as a reader would
    return "mobile" if nsn.startswith("7") and not nsn.startswith(("70", "76")) else (
        "landline" if nsn[0] in "12" else "other" if nsn[0] == "7" else "public")


def _phones(text: str, allowed: frozenset[str]) -> Iterator[Hit]:
    for run in _DIGIT_RUN.finditer(text):
        starts = [run.start()] + [run.start() + m.end() for m in _SEPARATORS.finditer(run.group())]
        taken_to = -1
        for start in starts:
            if start < taken_to or text[start] not in "+(0":
                continue
            found = _longest_number(text, start, run.end())
            if found is None:
                continue
            end, (e164, kind) = found
            kind = "allowed" if e164 in allowed else kind
            if kind in ("landline", "mobile", "other") and _published(text, start, end, kind):
                kind = "published"
            taken_to = end
            yield Hit(start, end, kind)


def _published(text: str, start: int, end: int, kind: str) -> bool:
    """The post says the number is published, or (for a landline) introduces or labels it as an organisation's
    line."""
    if _PUBLISHED_AFTER.search(text[end : end + 80]):
        return True
    return kind == "landline" and bool(_PUBLISHED_CUE.search(text[max(0, start - 60) : start])
                                       or _LABEL_AFTER.search(text[end : end + 40]))


def _longest_number(text: str, start: int, limit: int) -> tuple[int, tuple[str, str]] | None:
    """The longest phone number starting at ``start`` that ends between digit groups (at most 16 digits)."""
    ends, digits = [], 0
    for i in range(start, limit):
        if text[i].isdigit():
            digits += 1
            if i + 1 == limit or not text[i + 1].isdigit():
                ends.append((i + 1, digits))
        if digits > 16:
            break
    for end, count in reversed(ends):
        if count < 9:
            break
        facts = _number_facts(text[start:end])
        if facts is not None:
            return end, facts
    return None


# ---------------------------------------------------------------------------------------------- other formats
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) ?\d[ABD-HJLNP-UW-Z]{2})\b"
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_PUBLIC_EMAIL = re.compile(
    r"(?:\.gov\.uk|\.gov\.wales|\.llyw\.cymru|\.gov\.scot|\.police\.uk|\.nhs\.(?:uk|net)|\.parliament\.uk"
    r"|\.sch\.uk|\.ac\.uk)$",
    re.I,
)
# HMRC: the first letter is never D, F, I, Q, U or V; the second never D, F, I, O, Q, U or V; the prefixes
# BG, GB, KN, NK, NT, TN and ZZ are not allocated; the suffix is A to D.
_NI_NUMBER = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D]\b"
)
# DVLA's current format (since 2001): memory tag (no I, J, Q, T, U, X or Z first; no I, Q or Z second), age
# identifier (02-29 for March, 51-79 for September), three random letters (no I or Q).
_VEHICLE = re.compile(r"\b[A-HK-PRSVWY][A-HJ-PR-Y](?:0[2-9]|[12]\d|5[1-9]|[67]\d) ?[A-HJ-PR-Z]{3}\b")

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
          r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?P<y1>\d{{4}}|\d{{2}})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\b,?(?:\s+(?P<y2>\d{{4}}))?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b,?(?:\s+(?P<y3>\d{{4}}))?)(?![.:]?\d)",
    re.I,
)
_BIRTH_CUE = re.compile(r"\b(?:born(?:\s+on)?|d\.?o\.?b\b\.?|date of birth|birth ?date)\W{0,3}$", re.I)
_BIRTHDAY_CUE = re.compile(r"\bbirthday\b", re.I)
_AGE = re.compile(r"\b(?:aged|age|turns?|turned)\s+(\d{1,3})\b|\b(\d{1,3})\s*-?\s*(?:years?|yrs?)[\s-]*old\b"
                  r"|\((\d{1,3})\)|\b(\d{1,3})(?:st|nd|rd|th) birthday\b", re.I)

# ---------------------------------------------------------------------------------------------- addresses
_STREET_TYPES = (
    r"Road|Rd|Street|St|Lane|Ln|Close|Avenue|Ave|Drive|Dr|Way|Crescent|Cres|Gardens|Gdns|Court|Ct|Place|Pl"
    r"|Terrace|Grove|Park|Hill|Row|View|Walk|Mews|Square|Sq|Rise|Green|Parade|Vale|Meadows?|Fields|Yard|Wharf"
    r"|Chase|Croft|Hollow|Gate|Heights|Villas|Cottages|Estate"
)
# Welsh street names put the street word first: "7 Heol y Felin", "2 Ffordd Las".
_WELSH_STREET = r"(?:Heol|Ffordd|Stryd|L[oô]n|Cwrt|Rhodfa|Maes|Stryt|Teras|Clos)\s+(?:[a-zâêîôûŵŷ'’-]+\s+){0,2}[A-Z][\w'’-]+"
_WORD = r"[A-Z][A-Za-z'’-]+"
_HOUSE = r"(?:(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
_STREET_RE = rf"{_HOUSE}(?:(?:{_WORD}\s+){{1,3}}(?:{_STREET_TYPES})\b\.?|{_WELSH_STREET})"
_LOWER_STREET_RE = rf"\d{{1,4}}[a-z]?,?\s+(?:[a-z'-]+\s+){{1,3}}(?:{_STREET_TYPES.lower()})\b"
_POSTCODE_RE = _POSTCODE.pattern.replace(r"\b", "")
# An address: a street (then an optional town and postcode), a postcode, or "number 14".
_ADDRESS_RE = (
    rf"(?:(?:{_STREET_RE}|(?i:{_LOWER_STREET_RE}))(?:,?\s+{_WORD}\b(?!\s?\d))?(?:,?\s+{_POSTCODE_RE})?"
    rf"|{_POSTCODE_RE}|(?i:number|no\.)\s?\d{{1,4}}[a-z]?\b)"
)
_STREET = re.compile(rf"(?<![\w£$€.,:/-]){_STREET_RE}")
# Said before an address in the same sentence, these mean a public place rather than a home.
_VENUE_CUE = re.compile(
    r"\b(?:hall|cent(?:re|er)|library|church|chapel|mosque|temple|gurdwara|synagogue|school|academy|surgery"
    r"|offices?|pub|inn|shop|store|caf[eé]|club|station|depot|museum|clinic|hospital|hotel|ltd|limited|site"
    r"|planning application|application (?:for|at)|development at)\b"
    rf"(?!\s+(?:{_STREET_TYPES})\b)[^.!?\n]{{0,40}}$",
    re.I,
)


@cache
def _first_names() -> str:
    data = yaml.safe_load(resources.files("assistant.checking").joinpath("names.yml").read_text("utf-8"))
    return "|".join(map(re.escape, sorted(set(data["first_names"]), key=len, reverse=True)))


@cache
def _resident_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    titled = rf"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+(?:(?:and|&)\s+(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?(?:{_WORD}\s+)?{_WORD}"
    full = rf"(?:{_first_names()})\s+(?!(?:{_STREET_TYPES})\b){_WORD}"  # "Owen Street" is a street
    family = rf"the\s+{_WORD}s\b|the\s+{_WORD}\s+family"
    relation = (r"(?i:(?:my|our|the|an?|his|her|their)\s+(?:(?:elderly|old|young|new|poor|disabled|lovely)\s+)?"
                r"(?:neighbours?|tenants?|residents?|occupants?|householders?|famil(?:y|ies)|couple|lady|gentleman"
                r"|man|woman|widow(?:er)?|pensioners?|mum|dad|lad|girl|boy))")
    person = rf"(?<![\w@])(?:{titled}|{family}|{full}|{relation})(?:['’]s?)?"
    link = (r"(?:\s+(?i:house|home|flat|bungalow|property|address))?,?\s+(?:(?i:who|that)\s+)?"
            r"(?:(?i:lives?|living|resides?|residing|is|are|was|were|now|still|currently)\s+)*"
            r"(?i:at|of|from|on|in)\s+|,\s+|\s+(?P<paren>\()")
    named = re.compile(rf"(?P<person>{person})(?:{link})(?P<address>{_ADDRESS_RE})(?(paren)\)?)")
    residence = re.compile(
        rf"(?i:\b(?:(?:lives?|living|resides?|residing|stays?|staying)\s+(?:at|on)"
        rf"|home\s+(?:address\s+)?is|(?:his|her|their)\s+(?:house|home|flat|address)(?:['’]s|\s+is)?(?:\s+(?:at|on))?))"
        rf"\s+(?:the\s+)?(?P<address>{_ADDRESS_RE})"
    )
    own = re.compile(
        rf"(?i:\b(?:(?:i|we)\s+live|i(?:'m|’m|\s+am)(?:\s+based)?|(?:my|our)\s+(?:house|home|flat|place)(?:\s+is)?)"
        rf"\s+(?:at|on|in)|\bmy\s+(?:home\s+)?address\s+is)\s+(?P<address>{_ADDRESS_RE})"
    )
    return named, residence, own


def _addresses(text: str) -> Iterator[Hit]:
    """Every street address and, where a person is named with it, the name and address as one ``named`` hit."""
    named, residence, own = _resident_patterns()
    taken: list[tuple[int, int]] = []
    for pattern, kind in ((named, "named"), (own, "own"), (residence, "residence")):
        for m in pattern.finditer(text):
            start = m.start() if kind == "named" else m.start("address")
            if any(s < m.end() and start < e for s, e in taken):
                continue
            taken.append((start, m.end()))
            yield Hit(start, m.end(), kind)
    for m in _STREET.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        yield Hit(m.start(), m.end(), "venue" if _VENUE_CUE.search(_sentence_before(text, m.start())) else "street")


def _sentence_before(text: str, pos: int, reach: int = 80) -> str:
    before = text[max(0, pos - reach) : pos]
    cut = max(before.rfind(". "), before.rfind("\n"), before.rfind("! "), before.rfind("? "))
    return before[cut + 1 :] if cut >= 0 else before


def _postcodes(text: str) -> Iterator[Hit]:
    for m in _POSTCODE.finditer(text):
        venue = _VENUE_CUE.search(_sentence_before(text, m.start()))
        yield Hit(m.start(), m.end(), "venue" if venue else "postcode")


def _dates_of_birth(text: str) -> Iterator[Hit]:
    this_year = date.today().year
    for m in _DATE.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        year = m.group("y1") or m.group("y2") or m.group("y3")
        if _BIRTH_CUE.search(before):
            yield Hit(m.start(), m.end(), "dob")
            continue
        if not year:
            continue
        year_n = int(year) if len(year) == 4 else 1900 + int(year) if int(year) > this_year % 100 else 2000 + int(year)
        sentence = _sentence_around(text, m.start(), m.end())
        if _BIRTHDAY_CUE.search(sentence) and year_n < this_year:
            yield Hit(m.start(), m.end(), "dob")
            continue
        ages = [int(next(g for g in a.groups() if g)) for a in _AGE.finditer(sentence)]
        if any(abs(this_year - year_n - age) <= 1 for age in ages):  # the date's year fits the stated age
            yield Hit(m.start(), m.end(), "dob")


def _sentence_around(text: str, start: int, end: int, reach: int = 120) -> str:
    return _sentence_before(text, start, reach) + text[start:end] + re.split(r"[.!?\n]", text[end : end + reach], maxsplit=1)[0]


# ---------------------------------------------------------------------------------------------- the set
def _simple(pattern: re.Pattern[str], kind: str) -> Callable[[str], Iterator[Hit]]:
    def find(text: str) -> Iterator[Hit]:
        for m in pattern.finditer(text):
            yield Hit(m.start(), m.end(), kind)

    return find


# name -> what it finds (for the rule book)
RECOGNISERS: dict[str, str] = {
    "uk_phone": "UK and international phone numbers, found and typed with phonenumbers: mobile, landline, other "
                "(personal numbers, VoIP); public (freephone, 03 and other organisation numbers), allowed (on the "
                "settings' allowed list) and published (a landline introduced as a switchboard, office, service, "
                "social care, out-of-hours or team line, or labelled so in brackets after it, or any number the post "
                "says is listed on the council website).",
    "email": "Email addresses: private, or public (gov.uk, nhs, police, school and university addresses, or on "
             "the settings' allowed list).",
    "postcode": "UK postcodes: postcode, or venue when a public place is named just before it.",
    "ni_number": "National Insurance numbers in HMRC's format (e.g. AB 12 34 56 C), invalid prefixes excluded.",
    "vehicle_registration": "Vehicle registrations in the current DVLA format (e.g. AB12 CDE).",
    "date_of_birth": "Dates of birth: a date after 'born', 'DOB' or 'date of birth', a full date in a birthday "
                     "message, or a date whose year fits an age stated with it.",
    "street_address": "Street addresses: named (a person's name, or 'my neighbour', next to their address), "
                      "residence ('lives at ...'), own ('I live at ...'), street (a house number and street), or "
                      "venue (a public place's address).",
}
# What the safer version puts in place of a personal detail no rule has already rewritten.
REDACTION: dict[str, str] = {
    "uk_phone": "[number removed]", "email": "[email removed]", "postcode": "[postcode removed]",
    "ni_number": "[NI number removed]", "vehicle_registration": "[registration removed]",
    "date_of_birth": "[date of birth removed]", "street_address": "[address removed]",
}


@dataclass(frozen=True)
class Recognisers:
    """The recognisers, configured with the numbers and emails that may be published (from settings)."""

    allowed_numbers: frozenset[str] = frozenset()  # E.164
    allowed_emails: frozenset[str] = frozenset()  # lower case

    @classmethod
    def configured(cls, numbers: Iterable[str] = (), emails: Iterable[str] = ()) -> "Recognisers":
        """Recognisers allowing these numbers (as dialled; normalised here) and emails."""
        return cls(frozenset(normalise_number(n) for n in numbers if n.strip()),
                   frozenset(e.strip().lower() for e in emails if e.strip()))

    def find(self, name: str, text: str) -> list[Hit]:
        """All hits of the named recogniser in ``text``."""
        if name == "uk_phone":
            found: Iterable[Hit] = _phones(text, self.allowed_numbers)
        elif name == "email":
            found = (Hit(m.start(), m.end(), self._email_kind(m.group(0))) for m in _EMAIL.finditer(text))
        else:
            found = _FINDERS[name](text)
        return sorted(found, key=lambda h: (h.start, h.end))

    def personal(self, text: str) -> list[tuple[str, Hit]]:
        """Every personal detail any recogniser finds in ``text``, as (recogniser, hit)."""
        return [(name, h) for name in RECOGNISERS for h in self.find(name, text) if h.personal]

    def _email_kind(self, email: str) -> str:
        if email.lower() in self.allowed_emails:
            return "allowed"
        return "public" if _PUBLIC_EMAIL.search(email) else "private"


_FINDERS: dict[str, Callable[[str], Iterable[Hit]]] = {
    "postcode": _postcodes,
    "ni_number": _simple(_NI_NUMBER, "ni_number"),
    "vehicle_registration": _simple(_VEHICLE, "current"),
    "date_of_birth": _dates_of_birth,
    "street_address": _addresses,
}
# Every kind each recogniser reports (the catalogue checks a rule's ``kinds`` against these).
KINDS: dict[str, frozenset[str]] = {
    "uk_phone": frozenset({"mobile", "landline", "other", "public", "allowed", "published"}),
    "email": frozenset({"private", "public", "allowed"}),
    "postcode": frozenset({"postcode", "venue"}),
    "ni_number": frozenset({"ni_number"}),
    "vehicle_registration": frozenset({"current"}),
    "date_of_birth": frozenset({"dob"}),
    "street_address": frozenset({"named", "residence", "own", "street", "venue"}),
}
DEFAULT = Recognisers()


def recognise(name: str, text: str, recognisers: Recognisers = DEFAULT) -> list[Hit]:
    """All hits of the named recogniser in ``text`` (nothing allowed beyond what is public by its nature)."""
    return recognisers.find(name, text)
