"""The recognisers find structured personal details precisely, and tell published or public ones apart."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.checking.catalogue import checker_catalogue, load_catalogue
from assistant.checking.recognisers import KINDS, RECOGNISERS, Recognisers, normalise_number, recognise
from assistant.config import Settings
from assistant.errors import Misconfigured


def kinds(name, text, recognisers=None):
    found = recognisers.find(name, text) if recognisers else recognise(name, text)
    return [(text[h.start : h.end], h.kind) for h in found]


# ------------------------------------------------------------------------------------------------- phones
def test_uk_phone_numbers_are_found_and_typed_with_phonenumbers():
    text = ("Mobile 07700 900123, +44 7700 900456, office (01632) 960118, council 0300 123 4567, "
            "freephone 0800 555 111, police 101, Leeds 0113 496 0001, abroad +353 1 234 5678.")
    assert kinds("uk_phone", text) == [
        ("07700 900123", "mobile"), ("+44 7700 900456", "mobile"), ("(01632) 960118", "landline"),
        ("0300 123 4567", "public"), ("0800 555 111", "public"), ("0113 496 0001", "landline"),
        ("+353 1 234 5678", "landline"),
    ]


@pytest.mark.parametrize("text", [
    "£2,300,000 of funding, up 12.5%", "ref 24/01234/FUL", "meeting on 12/03/2024 at 10.30-12.00",
    "1,234 complaints in 2019", "call 999 or 101", "ISBN 978-0-306-40615-7", "case 123456789012",
    "01.02.2024", "1800 homes",
])
def test_things_that_are_not_phone_numbers(text):
    assert kinds("uk_phone", text) == []


@pytest.mark.parametrize("text, expected", [
    ("07700 900123 07700 900123 07700 900123", ["07700 900123"] * 3),  # one space apart, three numbers
    ("Mobile:07700900123", ["07700900123"]),
    ("his number is 07700-900-123!", ["07700-900-123"]),
    ("tel: +44 (0)1632 960118", ["+44 (0)1632 960118"]),
    ("0044 20 7946 0000 or 020 7946 0001", ["0044 20 7946 0000", "020 7946 0001"]),
])
def test_number_boundaries(text, expected):
    assert [t for t, _ in kinds("uk_phone", text)] == expected


def test_allowed_numbers_come_from_settings_normalised_by_phonenumbers():
    settings = Settings(allowed_numbers="01632 960000, +44 (0)7700 900999")
    recognisers = checker_catalogue(settings).recognisers
    assert recognisers.allowed_numbers == {"+441632960000", "+447700900999"}
    text = "Switchboard +441632960000; my published mobile 07700-900-999; another 07700 900998"
    assert kinds("uk_phone", text, recognisers) == [
        ("+441632960000", "allowed"), ("07700-900-999", "allowed"), ("07700 900998", "mobile")]
    assert load_catalogue().recognisers.allowed_numbers == frozenset()  # nothing is allowed in code


def test_a_bad_allowed_number_is_a_clear_configuration_error():
    with pytest.raises(Misconfigured, match="'12' is not a phone number"):
        Recognisers.configured(["12"])
    assert normalise_number("0300 123 4567") == "+443001234567"


def test_a_landline_introduced_as_a_switchboard_or_office_line_is_published():
    assert kinds("uk_phone", "Call the switchboard on 01632 960000") == [("01632 960000", "published")]
    assert kinds("uk_phone", "My councillor office number is 01632 960118") == [("01632 960118", "published")]
    # A mobile is published only when it is on the allowed list; context alone never clears it.
    assert kinds("uk_phone", "My office number is 07700 900111") == [("07700 900111", "mobile")]
    # The cue must be right before the number, not anywhere in the sentence.
    assert kinds("uk_phone", "Ring the switchboard first, then if no luck, Dave at home on 01632 960555") == [
        ("01632 960555", "landline")]
    # A service's line, an out-of-hours line and a line labelled in brackets are organisations' lines too.
    assert kinds("uk_phone", "Worried about an adult? Call Adult Social Care on 01632 960150.") == [
        ("01632 960150", "published")]
    assert kinds("uk_phone", "Children's Services on 01632 960270 (out of hours 01632 960999)") == [
        ("01632 960270", "published"), ("01632 960999", "published")]
    assert kinds("uk_phone", "Leave a message on 01632 960333 (members' office).") == [("01632 960333", "published")]
    # A label in brackets clears a landline only, and only a line's label: a person's name does not.
    assert kinds("uk_phone", "Text me on 07700 900333 (office)") == [("07700 900333", "mobile")]
    assert kinds("uk_phone", "Ring 01632 960444 (Dave's house)") == [("01632 960444", "landline")]


# ------------------------------------------------------------------------------------------------- other formats
def test_postcodes_and_venue_postcodes():
    assert kinds("postcode", "Write to B69 3DE or SW1A 1AA.") == [("B69 3DE", "postcode"), ("SW1A 1AA", "postcode")]
    assert kinds("postcode", "Surgery at the library, DY4 8AA") == [("DY4 8AA", "venue")]
    assert kinds("postcode", "he lives at 22 Station Road, Tipton DY4 7QJ") == [("DY4 7QJ", "postcode")]
    assert kinds("postcode", "the B69 bus, AB12 CDE, b69 3de") == []


def test_emails_private_public_and_allowed():
    assert kinds("email", "a.b@gmail.com or clerk@powys.gov.uk") == [("a.b@gmail.com", "private"),
                                                                     ("clerk@powys.gov.uk", "public")]
    allowed = Recognisers.configured(emails=["Cllr.Smith@gmail.com"])
    assert kinds("email", "cllr.smith@gmail.com", allowed) == [("cllr.smith@gmail.com", "allowed")]


@pytest.mark.parametrize("text, found", [
    ("NI number AB 12 34 56 C", ["AB 12 34 56 C"]),
    ("JT123456A", ["JT123456A"]),
    ("AB-12-34-56-D", ["AB-12-34-56-D"]),
    ("QQ 12 34 56 C", []),  # Q is never used
    ("GB123456A BG123456A NK123456A TN123456A ZZ123456A", []),  # prefixes HMRC does not allocate
    ("DA123456A AO123456A", []),  # D never first; O never second
    ("AB123456E", []),  # the suffix is A to D
])
def test_national_insurance_numbers(text, found):
    assert [t for t, _ in kinds("ni_number", text)] == found


@pytest.mark.parametrize("text, found", [
    ("the van KX19 ABC again", ["KX19 ABC"]),
    ("reg YD21HGF", ["YD21HGF"]),
    ("AB12 3CD is a postcode", []),
    ("the A456 and M5", []),
    ("IQ19 ABC has an I first", []),
    ("AB50 CDE: 50 is no age identifier", []),
])
def test_vehicle_registrations_in_the_current_format(text, found):
    assert [t for t, _ in kinds("vehicle_registration", text)] == found


def test_dates_of_birth_need_a_birth_cue_or_a_matching_age():
    year = date.today().year
    found = kinds("date_of_birth", f"Doris, born 3rd May 1944. DOB: 12/03/1985. Tom ({year - 2012}) 01/02/2012.")
    assert [t for t, _ in found] == ["3rd May 1944", "12/03/1985", "01/02/2012"]
    assert kinds("date_of_birth", f"Happy birthday to Tom, 4 June {year - 30}!") == [(f"4 June {year - 30}", "dob")]
    for text in ("Meeting on 12/03/2024 with Mr Smith aged 70.", "Born and bred in Tipton since 1962.",
                 f"Mr Ahmed ({40}) spoke at the meeting on 1 May {year - 1}.", "Plan B. 3 March 2025 meeting"):
        assert kinds("date_of_birth", text) == [], text


# ------------------------------------------------------------------------------------------------- addresses
@pytest.mark.parametrize("text, expected", [
    ("Thanks to Mrs Jones at 14 Mill Lane for the photo", ("Mrs Jones at 14 Mill Lane", "named")),
    ("Popped in on Derek Holt, 3 Beech Close, B69 3DE about his bins", ("Derek Holt, 3 Beech Close, B69 3DE", "named")),
    ("Mr and Mrs Patel of 22 Station Road", ("Mr and Mrs Patel of 22 Station Road", "named")),
    ("Sharon Bates (5 Quarry Rise) says", ("Sharon Bates (5 Quarry Rise)", "named")),
    ("Mrs Jones's house at 14 Mill Lane", ("Mrs Jones's house at 14 Mill Lane", "named")),
    ("my neighbour at number 12 keeps parking", ("my neighbour at number 12", "named")),
    ("the Hendersons at Flat 2, 9 Oak Court", ("the Hendersons at Flat 2, 9 Oak Court", "named")),
    ("Diolch i Gwen Roberts, 7 Heol y Felin", ("Gwen Roberts, 7 Heol y Felin", "named")),
    ("he lives at 22 Station Road, Tipton DY4 7QJ", ("22 Station Road, Tipton DY4 7QJ", "residence")),
    ("I'm at 8 Foxglove Close, the blue door", ("8 Foxglove Close", "own")),
    ("Fly-tipping behind 3 Church Lane again", ("3 Church Lane", "street")),
    ("Surgery at the Community Centre, 14 Mill Lane", ("14 Mill Lane", "venue")),
])
def test_addresses_and_who_they_belong_to(text, expected):
    assert kinds("street_address", text) == [expected]


@pytest.mark.parametrize("text", [
    "40 homes on land off Hollybush Lane; 42 bags collected",
    "Thanks to Mrs Jones for the photo of Mill Lane",
    "Mrs Jones is number 1 in our hearts",
    "I'm number one fan of the new bus route",
])
def test_not_addresses(text):
    assert [k for _, k in kinds("street_address", text) if k != "venue"] == []


def test_every_kind_is_public_or_personal_and_every_personal_kind_has_a_rule():
    catalogue = load_catalogue()
    assert set(KINDS) == set(RECOGNISERS)
    for name, all_kinds in KINDS.items():
        covered = set().union(*(r.kinds or all_kinds for r in catalogue.rules if r.recogniser == name))
        personal = {k for k in all_kinds if k not in {"public", "allowed", "published", "venue"}}
        assert personal <= covered, (name, personal - covered)
