"""The written data sets are well-formed and split by batch; the shipped artefacts say what they were trained on."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from assistant.checking.models import CATEGORIES
from assistant.config import MODELS_DIR, Settings
from assistant.knowledge.corpus import chunk_corpus, load_corpus
from assistant.training.checker import REAL_POSTS, REAL_POSTS_TRAIN
from assistant.training.data import DATASETS_DIR, digest, letters_only, load_drafts, load_questions, split_files

SHARED_EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"


SPLITS = ("train", "calibration", "validation")


def _split(task: str) -> tuple[list[Path], list[Path], list[Path]]:
    """Training batches, calibration batches (thresholds and weights, never trained on), validation batches."""
    return tuple(split_files(task, split) for split in SPLITS)


@pytest.mark.parametrize("task", ["questions", "checkpost"])
def test_train_calibration_and_validation_are_different_batches(task):
    splits = _split(task)
    names = [f.name for files in splits for f in files]
    assert all(splits) and len(names) == len(set(names))
    assert all(f.is_file() for files in splits for f in files)


def test_questions_cite_paragraphs_the_corpus_has():
    ids = {p.id for p in chunk_corpus(*load_corpus(Settings().corpus_dir))}
    questions = load_questions(sum(_split("questions"), []))
    assert len({q.id for q in questions}) == len(questions) > 1500
    answerable = [q for q in questions if q.answerable]
    assert all(q.paragraphs for q in answerable) and not any(q.paragraphs for q in questions if not q.answerable)
    assert {pid for q in questions for pid in q.paragraphs} <= ids
    assert sum(not q.answerable for q in questions) >= 300
    covered = {pid for q in answerable for pid in q.paragraphs}
    assert len(covered) >= 0.9 * len(ids)  # nearly every paragraph is asked about (headings are not)


def test_drafts_are_labelled_with_known_categories_and_balanced():
    drafts = load_drafts(sum(_split("checkpost"), []))
    assert len({d.id for d in drafts}) == len(drafts) >= 3000
    assert sum(not d.labels for d in drafts) >= 0.4 * len(drafts)
    for c in CATEGORIES:
        assert sum(c in d.labels for d in drafts) >= 120, c


def test_a_second_annotator_only_added_labels_to_risky_training_and_calibration_drafts():
    reviewable = {f.name for f in split_files("checkpost", "train") + split_files("checkpost", "calibration")}
    reviewed = 0
    for f in sum(_split("checkpost"), [DATASETS_DIR / REAL_POSTS]):
        for line in f.read_text("utf-8").splitlines():
            item = json.loads(line)
            added = item.get("labels_added_on_review", [])
            if added:
                assert f.name in reviewable, item["id"]  # validation is as its writers labelled it
                # added to what the writer gave: the writer's own labels are still there, first
                assert set(added) <= set(item["labels"]) and len(item["labels"]) > len(added), item["id"]
                reviewed += 1
    assert reviewed > 500


def test_no_dev_item_was_copied_into_the_data():
    if not SHARED_EVAL.is_dir():
        pytest.skip("the dev sets are not beside this checkout")
    dev_text = set()
    for f in SHARED_EVAL.glob("*.jsonl"):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                dev_text.add(letters_only(str(item.get("text") or item.get("question"))))
    ours = {letters_only(d.text) for d in load_drafts(sum(_split("checkpost"), []))}
    ours |= {letters_only(q.question) for q in load_questions(sum(_split("questions"), []))}
    assert not dev_text & ours


def test_real_posts_are_sourced_labelled_and_never_trained_on():
    real_file = DATASETS_DIR / REAL_POSTS
    real = load_drafts([real_file])
    assert len(real) >= 30 and any(not d.labels for d in real)
    for line in real_file.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        assert item["source"].startswith(("http://", "https://")) and item["source_title"], item["id"]
    written = {letters_only(d.text) for d in load_drafts(sum(_split("checkpost"), []))}
    assert not written & {letters_only(d.text) for d in real}
    provenance = json.loads((MODELS_DIR / "checker" / "provenance.json").read_text())
    assert provenance["data"]["real_posts_sha256"] == digest([real_file]), "retrain: assistant train checker"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def test_real_posts_for_training_are_other_posts_from_other_sources():
    """The real posts trained on were collected separately; none shares a source page with the validation posts or
    repeats one of them (most of its words in another's)."""
    trained = [json.loads(line) for line in (DATASETS_DIR / REAL_POSTS_TRAIN).read_text("utf-8").splitlines()]
    held = [json.loads(line) for line in (DATASETS_DIR / REAL_POSTS).read_text("utf-8").splitlines()]
    assert "checkpost/" + Path(REAL_POSTS_TRAIN).name in json.loads(
        (DATASETS_DIR / "splits.json").read_text())["checkpost"]["train"]

    def page(url: str) -> str:
        return re.sub(r"^https?://(www\.)?", "", url.strip().rstrip("/").lower())

    assert not {page(t["source"]) for t in trained} & {page(h["source"]) for h in held}
    for t in trained:
        assert t["source"].startswith(("http://", "https://")) and t["source_title"], t["id"]
        words = _words(t["text"])
        for h in held:
            other = _words(h["text"])
            assert len(words & other) <= 0.5 * min(len(words), len(other)) + 1e-9, (t["id"], h["id"])


@pytest.mark.parametrize("artefact, task, weights", [("retrieval", "questions", "abstention.json"),
                                                      ("checker", "checkpost", "head.json")])
def test_shipped_artefacts_match_the_data_in_the_repo(artefact, task, weights):
    folder = MODELS_DIR / artefact
    provenance = json.loads((folder / "provenance.json").read_text())
    for split, files in zip(SPLITS, _split(task)):
        assert provenance["data"][split] == [f.name for f in files]
        assert provenance["data"][f"{split}_sha256"] == digest(files), f"retrain: assistant train {artefact}"
    assert provenance["base_model"]["sha256"] == Settings().model_sha256
    assert provenance["reproduce"] == f"assistant train {artefact}" and provenance["config"]
    # Small: an adapter and a head, never a copy of the 90 MB model.
    total = sum(f.stat().st_size for f in folder.iterdir())
    assert (folder / "adapter_model.safetensors").is_file() and (folder / weights).is_file()
    assert total < 5 * 1024 * 1024
    assert json.loads((folder / "adapter_config.json").read_text())["r"] == provenance["config"]["lora_r"]


@pytest.mark.real
def test_recalibrating_the_shipped_checker_reproduces_its_thresholds_and_figures(tmp_path):
    # `assistant train checker --recalibrate`: thresholds come from the calibration writers, the rules and the 8-bit
    # encoder alone, so changing any of them without recalibrating fails here.
    from assistant.training.checker import calibrate_and_validate

    shipped, out = MODELS_DIR / "checker", tmp_path / "checker"
    shutil.copytree(shipped, out)
    provenance = calibrate_and_validate(Settings(), out, echo=lambda *_: None)
    assert (out / "head.json").read_bytes() == (shipped / "head.json").read_bytes()
    recorded = json.loads((shipped / "provenance.json").read_text())
    for key in ("calibration_fitted_on", "calibration_clean_flagged_by_batch", "validation_classifier_alone"):
        assert provenance[key] == recorded[key], key


def test_digest_changes_with_the_data(tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_text('{"id": 1}\n')
    before = digest([a])
    a.write_text('{"id": 2}\n')
    assert digest([a]) != before


def test_the_shipped_question_bank_is_the_training_questions_and_never_a_validation_one():
    from assistant.knowledge.search import QuestionBank

    train, _, validation = _split("questions")
    bank = QuestionBank.load(MODELS_DIR / "retrieval")
    assert bank is not None, "retrain: assistant train retrieval"
    held_out = {letters_only(q.question) for q in load_questions(validation)}
    expected = {q.id: (q.paragraphs if q.answerable else ()) for q in load_questions(train)
                if letters_only(q.question) not in held_out}
    assert dict(zip(bank.ids, bank.paragraphs)) == expected
    assert bank.vectors.shape == (len(expected), 384)
    provenance = json.loads((MODELS_DIR / "retrieval" / "provenance.json").read_text())
    assert provenance["question_bank"]["questions"] == len(expected)


def test_each_split_is_unseen_by_the_splits_before_it(tmp_path):
    """Writers given one brief sometimes write the same short question: a training question that validation asks
    is not trained on, and a calibration question that training or validation asks is not calibrated on."""
    from assistant.training.retrieval import QuestionData

    def batch(name: str, *questions: str) -> str:
        (tmp_path / "questions").mkdir(exist_ok=True)
        (tmp_path / "questions" / f"{name}.jsonl").write_text("".join(json.dumps(
            {"id": f"{name}-{i}", "question": q, "answerable": True, "paragraphs": ["000:1"]}) + "\n"
            for i, q in enumerate(questions)))
        return f"questions/{name}.jsonl"

    (tmp_path / "splits.json").write_text(json.dumps({"questions": {
        "train": [batch("t", "Can I block him?", "Is retweeting libel?")],
        "calibration": [batch("c", "is retweeting LIBEL", "What about photos of kids?", "Who do I tell?")],
        "validation": [batch("v", "can i block him", "Who do I tell")]}}))
    data = QuestionData.load(tmp_path, {"000:1"})
    assert [q.question for q in data.train] == ["Is retweeting libel?"]
    assert [q.question for q in data.calibration] == ["What about photos of kids?"]
    assert data.dropped == {"train_dropped_as_identical_to_validation": ["t-0"],
                            "calibration_dropped_as_identical_to_train_or_validation": ["c-0", "c-2"]}
    with pytest.raises(ValueError, match="paragraphs the corpus does not have"):
        QuestionData.load(tmp_path, {"000:2"})
