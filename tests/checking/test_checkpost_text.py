"""Offsets never move; recognisers find UK phone numbers, postcodes, emails, registrations, names, ages."""

from __future__ import annotations

import pytest

from assistant.checking.recognisers import recognise
from assistant.checking.text import scan_text, sentence_at, sentences


@pytest.mark.parametrize(
    "draft",
    [
        "<p>Join us at the <b>Spring Fair</b> &amp; bring a friend!</p>",
        "**Road closure**: _Mill Lane_ is shut. ## Note\n- item one\n> quoted",
        "Curly ‘quotes’ and “doubles” — dashes\u00a0and\u200bzero-width",
        "İstanbul and ß and ﬁ ligature: lower() would change the length of these",
        "What an absolute f***ing shambles",
    ],
)
def test_scan_text_keeps_length(draft):
    assert len(scan_text(draft)) == len(draft)


def test_scan_text_blanks_markup_but_keeps_masked_swearing():
    assert scan_text("<b>idiot</b>").strip() == "idiot"
    assert scan_text("**bold** text") == "  bold   text"
    assert scan_text("f***ing sh*t") == "f***ing sh*t"


def test_sentences_are_spans_of_the_text():
    text = "First one. Second one!  Third?\nFourth line: Fifth"
    spans = sentences(text)
    assert [text[s.start : s.end] for s in spans] == ["First one.", "Second one!", "Third?", "Fourth line:", "Fifth"]
    assert sentence_at(spans, text.index("Third")) == 2


def kinds(name, text):
    return [(text[h.start : h.end], h.kind) for h in recognise(name, text)]


def test_uk_phone_numbers_and_their_kinds():
    text = ("Mobile 07700 900123, +44 7700 900456, office (01632) 960118, council 0300 123 4567, "
            "freephone 0800 555 111, police 101. Not a phone: £2,300,000 or 12.5% or ref 24/01234/FUL.")
    found = kinds("uk_phone", text)
    assert ("07700 900123", "mobile") in found and ("+44 7700 900456", "mobile") in found
    assert ("(01632) 960118", "landline") in found
    assert ("0300 123 4567", "public") in found and ("0800 555 111", "public") in found
    assert ("101", "short_code") in found
    assert len(found) == 6


def test_postcode_email_vehicle_ni():
    assert kinds("postcode", "Write to B69 3DE or SW1A 1AA.") == [("B69 3DE", "postcode"), ("SW1A 1AA", "postcode")]
    assert kinds("email", "a.b@gmail.com or clerk@powys.gov.uk") == [("a.b@gmail.com", "private"), ("clerk@powys.gov.uk", "public")]
    assert ("KX19 ABC", "current") in kinds("vehicle_registration", "the van KX19 ABC again")
    assert kinds("ni_number", "NI number AB 12 34 56 C") == [("AB 12 34 56 C", "ni_number")]


def test_street_addresses_but_not_counts():
    assert kinds("street_address", "Mrs Hollis at 22 Elm Road and 3 Mill Lane") == [("22 Elm Road", "street"), ("3 Mill Lane", "street")]
    assert kinds("street_address", "40 homes on land off Hollybush Lane; 42 bags collected") == []


def test_person_names_skip_councillors():
    found = kinds("person_name", "Thanks to Kerry Walsh and Mr Gareth Pryce; Cllr Sarah Jones spoke.")
    assert ("Kerry Walsh", "full") in found and ("Mr Gareth Pryce", "titled") in found
    assert not any("Sarah" in text for text, _ in found)


def test_children_ages_classes_and_schools():
    found = kinds("child_detail", "Jayden (7) from Class 3 at St Mary's Primary, and a 15-year-old. Mr Davies, 89")
    texts = [t for t, _ in found]
    assert "(7)" in " ".join(texts) and any("Class 3" in t for t in texts) and any("Primary" in t for t in texts)
    assert any("15-year-old" in t for t in texts)
    assert not any("89" in t for t in texts)
