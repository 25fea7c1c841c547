"""Our own labelled posts (never the evaluation sets) as regression tests: recall, clean false positives."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.checking.evaluation import HIGH_SEVERITY, evaluate, load_items

DATA = Path(__file__).parent / "data"
SETS = ["own_examples.jsonl", "blind_examples.jsonl", "blind2_examples.jsonl", "blind3_examples.jsonl", "blind4_examples.jsonl"]


@pytest.mark.parametrize("name", SETS)
def test_rules_alone_raise_no_false_alarms_on_our_examples(checker, name):
    # The rules are precise, not complete: recall is the trained classifier's job (next test).
    report = evaluate(checker, load_items(DATA / name))
    assert report.errors == []
    assert report.clean_fp_rate <= 0.05, report.clean_flagged
    assert report.must_not_violations == []
    for category in ("personal_data", "confidential", "electioneering", "obscene"):  # rules' categories
        precision = report.precision(category)
        assert precision is None or precision >= 0.9, (category, precision)  # None: the rules raised none


@pytest.mark.real
@pytest.mark.parametrize("name", SETS)
def test_full_checker_finds_most_risks_without_nagging_fair_posts(real_checker, name):
    """A regression guard, not the product target: these small sets were written before the classifier and never
    trained on; the measured figures (and the 0.9 target) are reported with `assistant eval checkpost`."""
    if real_checker.classifier is None:
        pytest.skip("the trained classifier is not shipped yet (assistant train checker)")
    report = evaluate(real_checker, load_items(DATA / name))
    assert report.macro_recall >= 0.65, report.misses
    high = sum(report.support[c] for c in HIGH_SEVERITY)
    assert sum(report.hits[c] for c in HIGH_SEVERITY) / high >= 0.65, report.misses
    assert report.clean_fp_rate <= 0.05, report.clean_flagged
    assert len(report.must_not_violations) <= 1


def test_metrics_are_computed_as_documented(tmp_path):
    from assistant.checking.models import CheckResult, Finding

    def finding(category, severity):
        return Finding(category, severity, 0, 1, "x", "why", (), "fix")

    outcomes = {
        "a": (finding("tone", "low"),),  # expected tone: a hit at low severity, not raised for precision
        "b": (finding("tone", "medium"), finding("abuse_harassment", "high")),  # abuse not expected: FP
        "c": (finding("copyright", "medium"),),  # a clean post flagged: clean FP and must_not violation
        "d": (),
    }

    class Stub:
        def check(self, text, council=None):
            return CheckResult("review", outcomes[text], None)

    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"id": "a", "text": "a", "expect": ["tone"], "must_not": []}\n'
        '{"id": "b", "text": "b", "expect": ["tone"], "must_not": []}\n'
        '{"id": "c", "text": "c", "expect": [], "must_not": ["copyright"]}\n'
        '{"id": "d", "text": "d", "expect": [], "must_not": []}\n', "utf-8")
    report = evaluate(Stub(), load_items(path))
    assert report.recall("tone") == 1.0 and report.hits_medium["tone"] == 1
    assert report.precision("tone") == 1.0 and report.precision("abuse_harassment") == 0.0
    assert report.clean_fp_rate == 0.5 and report.must_not_violations == [("c", "copyright")]
    assert report.macro_recall == 1.0
    # Both risky posts got some finding; only "b" one at medium/high (the verdict changes).
    assert (report.risky, report.risky_any, report.risky_flagged) == (2, 2, 1)
    assert report.to_json()["risky_warned_medium_high"] == 0.5
