"""The `assistant` command as a person runs it: real index, clear errors, no tracebacks."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.real


@pytest.fixture()
def env(built_settings):
    return {"ASSISTANT_INDEX_DIR": str(built_settings.index_dir)}


def test_ask_json(env):
    result = run_cli("ask", "Can I use my council laptop for campaigning?", "--json", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert not data["abstained"] and data["citations"][0]["text"]


def test_ask_batch_one_line_per_item(env, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "Should I avoid sarcasm?"}\n'
                     '{"id": "b", "question": ""}\n'
                     '{"id": "c", "question": "What time does the recycling centre open on Sundays?"}\n')
    result = run_cli("ask", "--batch", str(batch), "--json", env=env)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["id"] for d in lines] == ["a", "b", "c"]
    assert not lines[0]["abstained"] and lines[1]["error"] and lines[2]["abstained"]


def test_cli_errors_are_kind_and_exit_non_zero(env, tmp_path):
    empty = run_cli("ask", "", env=env)
    assert empty.returncode == 2 and "Please type a question" in empty.stderr and "Traceback" not in empty.stderr
    missing = run_cli("ask", "Can I block trolls?", env={"ASSISTANT_INDEX_DIR": str(tmp_path / "none")})
    assert missing.returncode == 2 and "assistant index build" in missing.stderr
    assert "Traceback" not in missing.stderr
    garbage = tmp_path / "bad.pdf"
    garbage.write_bytes(b"\x00\x01 not a pdf")
    added = run_cli("index", "add", str(garbage), "--council", "X", env={
        **env, "ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus")})
    assert added.returncode == 2 and "bad.pdf" in added.stderr and "Traceback" not in added.stderr


def test_index_add_and_stats(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Testshire councillors' social media rules")
    # A few rules, as a council's policy has: the search features compare the best matches (one paragraph alone
    # has no second-best match and is outside what the abstention classifier was fitted on).
    for rule in ("1. Councillors must never post photographs of residents' children without written consent from "
                 "a parent.", "2. Use your personal account, not the council's, for campaigning.",
                 "3. Report threats made to you online to the police and to the Monitoring Officer."):
        document.add_paragraph(rule)
    document.save(str(tmp_path / "rules.docx"))
    env = {"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus"), "ASSISTANT_INDEX_DIR": str(tmp_path / "index")}
    added = run_cli("index", "add", str(tmp_path / "rules.docx"), "--council", "Testshire Council", env=env)
    assert added.returncode == 0, added.stderr
    stats = json.loads(run_cli("index", "stats", "--json", env=env).stdout)
    assert stats["documents"][0]["council"] == "Testshire Council" and stats["indexed"] == stats["paragraphs"]
    answer = json.loads(run_cli("ask", "Can I post photos of children from the school fete?", "--json", env=env).stdout)
    assert answer["citations"][0]["council"] == "Testshire Council"


def test_eval_qa_scores_the_assistant_and_both_baselines(real_services, tmp_path):
    from assistant.evaluation.qa import assistant_system, bm25_system, langchain_baseline, load_items, score

    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"id": "1", "question": "Is sarcasm OK in posts?", "answerable": True,
                              "gold": [{"seed": "000", "contains": "Sarcasm, irony and ambiguous"}]}) + "\n" +
                  json.dumps({"id": "2", "question": "When is bin day?", "answerable": False, "gold": []}) + "\n")
    items = load_items(qa)
    ours = score("assistant", assistant_system(real_services.answerer), items).as_dict()
    assert ours["recall@3"] == 1.0 and ours["abstained_unanswerable"] == 1.0
    for system in (bm25_system(real_services.knowledge), langchain_baseline(real_services.knowledge)):
        baseline = score("baseline", system, items).as_dict()
        assert baseline["recall@5"] == 1.0 and baseline["abstained_unanswerable"] == 0.0


def test_eval_qa_command(env, tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"id": "1", "question": "Is sarcasm OK in posts?", "answerable": True,
                              "gold": [{"seed": "000", "contains": "Sarcasm, irony and ambiguous"}]}) + "\n")
    result = run_cli("eval", "qa", str(qa), "--no-baselines", env=env)
    assert result.returncode == 0, result.stderr
    assert "recall@3" in result.stdout and "assistant" in result.stdout


def test_console_chat_answers_typed_questions(env):
    result = run_cli("chat", input="Is sarcasm OK in my posts?\n/council Powys\n/nonsense\n\n/quit\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "Sarcasm" in result.stdout and "Council set to Powys" in result.stdout
    assert "I don't know the command" in result.stdout and "Goodbye" in result.stdout
