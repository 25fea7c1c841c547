"""The trained classifier: windows and normalisation (no model), then the shipped artefact through the real model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.checking.classifier import HEAD_FILE, MAX_WINDOWS, TrainedClassifier, windows
from assistant.checking.models import CATEGORIES
from assistant.knowledge.embedder import HashingEmbedder
from assistant.checking.normalise import normalise


def test_windows_are_the_whole_draft_each_sentence_and_neighbouring_pairs():
    text = "Great turnout today. The officer in charge is a liar. Thanks all."
    spans = [text[s.start : s.end] for s in windows(text)]
    assert spans[0] == text
    assert "The officer in charge is a liar." in spans
    assert "Great turnout today. The officer in charge is a liar." in spans
    assert len(spans) == len(set(spans)) == 1 + 3 + 2


def test_a_very_long_draft_is_read_whole_in_a_bounded_number_of_windows():
    text = "Fine words here. " * 3000 + "The last sentence is the risky one."
    spans = windows(text)
    assert len(spans) <= MAX_WINDOWS
    assert any("The last sentence is the risky one." in text[s.start : s.end] for s in spans[1:])
    covered = set()
    for s in spans[1:]:
        covered.update(range(s.start, s.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    assert windows("   ") == []


def test_a_line_repeated_in_a_draft_is_encoded_once_and_scored_alike(tmp_path):
    categories = list(CATEGORIES)
    (tmp_path / HEAD_FILE).write_text(json.dumps({
        "categories": categories, "weight": np.ones((len(categories), 16)).tolist(), "bias": [0.0] * len(categories),
        "thresholds": {c: 0.5 for c in categories}}))
    read: list[str] = []

    class Recording(HashingEmbedder):
        def encode(self, texts, **kwargs):
            read.extend(texts)
            return super().encode(texts, **kwargs)

    classifier = TrainedClassifier(tmp_path, lambda: Recording(dims=16), {})
    line = "Vote for the new bus routes."
    spans, probs = classifier.scores(" ".join([line] * 5))
    assert len(read) == len(set(read)) < len(spans)
    same = [i for i, s in enumerate(spans) if s.end - s.start == len(line)]
    assert len(same) == 5 and all(np.array_equal(probs[i], probs[same[0]]) for i in same)


@pytest.mark.parametrize("obfuscated, plain", [
    ("what a load of b0ll0cks", "what a load of bollocks"), ("sh!t show", "shit show"), ("f u c k this", "fuck this"),
    ("@rse", "arse"), ("$hite", "shite"),
])
def test_obfuscation_is_undone(obfuscated, plain):
    assert normalise(obfuscated) == plain


@pytest.mark.parametrize("text", ["Call 0121 555 0199", "B69 3DE", "AB12 CDE", "on the 2nd May at 10am",
                                  "covid19 jabs", "Yes! Great", "f*** off"])
def test_numbers_postcodes_and_plates_are_left_alone(text):
    assert normalise(text) == text


@pytest.mark.real
class TestShippedClassifier:
    """Behaviour of the shipped adapter + head through the real model (the checker as the assistant builds it)."""

    def test_findings_come_from_the_classifier_and_point_at_the_sentence(self, real_checker):
        draft = ("Long day at the budget meeting, lots of good questions from residents about the bus cuts. "
                 "Thanks to everyone who came to the drop-in at the library. "
                 "Everyone knows Cllr Patel is a crook who fiddles his expenses. "
                 "Next surgery is on the 3rd at the community centre.")
        result = real_checker.check(draft)
        found = [f for f in result.findings if f.category == "defamation"]
        assert found and "crook" in found[0].quote and len(found[0].quote) < len(draft)

    def test_obfuscated_swearing_is_caught(self, real_checker):
        result = real_checker.check("Absolute sh1te decision by the cabinet, what a load of b0ll0cks")
        assert "obscene" in result.categories

    @pytest.mark.parametrize("clean", [
        "I think the cabinet is wrong to close Brook Street library and I'll keep pushing for a rethink.",
        "The planning application for the Mill Lane site is on the council website; comments close on 3 May.",
        "Huge thanks to the highways team for fixing the potholes on Station Road so quickly.",
    ])
    def test_fair_posts_pass(self, real_checker, clean):
        assert real_checker.check(clean).verdict == "ok"

    @pytest.mark.parametrize("draft, category", [
        ("Everyone knows the planning chair takes backhanders from developers.", "defamation"),
        ("Cllr Smith is on the take.", "defamation"),
        ("Someone should go round and teach him a lesson.", "incitement"),
    ])
    def test_known_classifier_misses_are_caught_by_a_rule(self, real_checker, draft, category):
        # The classifier misses these (closing notes, stops 14-16: allegations about a role rather than a name,
        # short threats); two precise rules (defamation.corruption_allegation, incitement.go_round) catch them.
        found = [f for f in real_checker.check(draft).findings if f.category == category]
        assert found and found[0].severity == "high" and found[0].source == "rules"
