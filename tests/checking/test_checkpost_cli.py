"""`assistant check-post` and `assistant eval checkpost` as a councillor or an evaluator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.real  # the commands build the real knowledge base (and, behind gates, the model)


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_check_post_text_and_json():
    text = run("check-post", "Ring the landlord on his mobile, 07700 900123.", "--council", "Sandwell")
    assert text.exit_code == 0 and "High risk" in text.output and "Sandwell" in text.output
    data = json.loads(run("check-post", "Drop-in surgery at the library on Saturday, 10-12.", "--json").output)
    assert data == {"verdict": "ok", "findings": [], "rewrite": None}


def test_check_post_reads_stdin():
    result = run("check-post", "-", "--json", input="Vote Labour! Sent from my council iPad.\n")
    assert json.loads(result.output)["verdict"] in ("review", "high_risk")


def test_check_post_batch_one_line_per_draft(tmp_path):
    batch = tmp_path / "drafts.jsonl"
    batch.write_text('{"id": "1", "text": "Thanks to Mrs Jones at 14 Mill Lane for the photo."}\n'
                     '{"id": "2", "text": "  "}\n'
                     '\n'
                     '{"id": "3", "text": "Bins will be collected a day late next week."}\n', "utf-8")
    lines = [json.loads(line) for line in run("check-post", "--batch", str(batch), "--json").output.splitlines()]
    assert [d["id"] for d in lines] == ["1", "2", "3"]
    assert lines[0]["verdict"] == "high_risk" and lines[0]["findings"][0]["category"] == "personal_data"
    assert lines[0]["rewrite"] == "Thanks to a resident for the photo."
    assert lines[1]["error"] == "The draft is empty." and lines[1]["findings"] == []
    assert lines[2] == {"id": "3", "verdict": "ok", "findings": [], "rewrite": None}


def test_errors_are_kind_and_exit_non_zero(tmp_path):
    empty = run("check-post", "")
    assert empty.exit_code == 2 and "The draft is empty." in empty.output
    missing = run("check-post")
    assert missing.exit_code == 2 and "Please give the draft" in missing.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1"}\n', "utf-8")
    assert run("check-post", "--batch", str(bad)).exit_code == 2


def test_eval_checkpost_reports_the_metrics(real_checker):
    result = run("eval", "checkpost", str(DATA / "own_examples.jsonl"))
    assert result.exit_code == 0
    assert "macro recall" in result.output and "clean false-positive rate" in result.output
    data = json.loads(run("eval", "checkpost", str(DATA / "own_examples.jsonl"), "--json").output)
    assert set(data["per_category"]["personal_data"]) >= {"recall", "precision", "support"}
    assert data["targets_met"]["clean_fp_rate<=0.05"] is True
    assert set(data["targets_met"]) == {"macro_recall>=0.9", "high_severity_recall>=0.9", "clean_fp_rate<=0.05"}
    assert 0.0 <= data["macro_recall"] <= 1.0


def test_checker_rulebook_markdown_and_html(tmp_path):
    page = run("checker", "rulebook")
    assert page.exit_code == 0 and page.output.startswith("# Post checker rule book")
    assert "### Rule personal_data.resident_address" in page.output
    out = tmp_path / "rulebook.html"
    written = run("checker", "rulebook", "--format", "html", "--out", str(out), "--council", "Powys")
    assert written.exit_code == 0 and "rules) to" in written.output
    html = out.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="personal_data.resident_address"' in html
    assert "Citations ordered for Powys." in html
