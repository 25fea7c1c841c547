"""Offsets never move: markup is blanked in place and sentences are spans of the draft (recognisers: test_recognisers.py)."""

from __future__ import annotations

import pytest

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
