"""`assistant index add` and `assistant index inspect` as a council officer runs them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.knowledge.corpus import add_document
from tests.conftest import run_cli
from tests.knowledge.council_fixtures import ASHCOMBE_HTML, GLANHAFREN_HTML, locked_pdf


@pytest.fixture()
def corpus(tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(folder))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    add_document(folder, GLANHAFREN_HTML, council="Glanhafren County Council")
    add_document(folder, ASHCOMBE_HTML, council="Ashcombe Borough Council")
    return folder


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_inspect_shows_each_paragraph_with_id_label_section_and_preview(corpus):
    result = invoke("index", "inspect", "glanhafren-social-media")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("glanhafren-social-media — Social media guidance for councillors — "
                        "Glanhafren County Council — Last updated: 14 September 2023")
    assert "glanhafren-social-media:5  para 4, bullet 3  [Your conduct online > When you post as a councillor, or " \
           "could be seen to be one, you must not]" in lines
    previews = [line for line in lines if line.startswith("    ")]
    assert len(previews) == 12 and all(len(line.strip()) <= 101 for line in previews)
    assert any(line.strip().endswith("…") for line in previews)


def test_inspect_finds_a_document_by_its_original_file_name_and_gives_json(corpus):
    result = invoke("index", "inspect", "ashcombe_protocol.htm", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["document"]["council"] == "Ashcombe Borough Council"
    first = data["paragraphs"][0]
    assert set(first) == {"id", "label", "section", "number", "kind", "start", "end", "preview", "text"}
    assert [p["label"] for p in data["paragraphs"][1:4]] == ["para 2.1, bullet 1", "para 2.1, bullet 2",
                                                             "para 2.1, bullet 3"]


def test_inspect_of_an_unknown_document_lists_the_known_ones(corpus):
    result = invoke("index", "inspect", "powys")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "There is no document 'powys' in the corpus." in result.stderr
    known = "glanhafren-social-media (Glanhafren County Council — Social media guidance for councillors)"
    assert known in result.stderr
    assert "ashcombe-protocol" in result.stderr


def test_inspect_works_on_the_seed_corpus(monkeypatch):
    monkeypatch.delenv("ASSISTANT_CORPUS_DIR", raising=False)
    result = invoke("index", "inspect", "003")
    assert result.exit_code == 0 and "Powys County Council" in result.stdout.splitlines()[0]
    assert "003:1  " in result.stdout


def test_add_of_an_unreadable_document_is_refused_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "corpus"))
    result = invoke("index", "add", str(locked_pdf(tmp_path / "locked.pdf")), "--council", "Testshire Council")
    assert result.exit_code == 2 and "locked.pdf is password-protected" in result.stderr
    assert not (tmp_path / "corpus").exists()
    empty = invoke("index", "add", str(GLANHAFREN_HTML), "--council", "  ")
    assert empty.exit_code == 2 and "--council is empty" in empty.stderr


@pytest.mark.real
def test_index_add_quiet_prints_one_line_and_the_council_is_cited(tmp_path):
    env = {"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus"), "ASSISTANT_INDEX_DIR": str(tmp_path / "index")}
    added = run_cli("index", "add", str(GLANHAFREN_HTML), "--council", "Glanhafren County Council", "--quiet",
                    env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout == ("Added 'Social media guidance for councillors' (Glanhafren County Council) as "
                            "glanhafren-social-media: 12 paragraphs; 12 embedded.\n")
    assert "%|" not in added.stderr and "it/s" not in added.stderr  # no progress bar
    answer = json.loads(run_cli("ask", "What should I do about abusive comments on my page?", "--json", env=env).stdout)
    assert answer["citations"] and all(c["council"] == "Glanhafren County Council" for c in answer["citations"])
    assert answer["citations"][0]["document"] == "Social media guidance for councillors"
    assert any(", bullet " in c["paragraph"] for c in answer["citations"])
