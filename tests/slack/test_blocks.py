"""The Block Kit renderers, checked against slack_sdk's own Block Kit models (types, lengths, required fields)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from assistant.answering.service import Answer, CouncilGroup
from assistant.channels.slack import blocks as b
from assistant.channels.slack import report_blocks as rb
from assistant.checking.models import CheckResult, Finding
from assistant.incidents.form import Choice, Notice, load_form
from assistant.incidents.records import AnswerView, IncidentDetail, IncidentSummary
from assistant.incidents.steps import EvidenceInfo, Question, ReviewItem, Step
from assistant.knowledge.models import Citation

CITE = Citation("Powys County Council", "Social media guide for members", "3.0 How can members use social media?",
                "para 3.1.3", "Use a **clear** profile <not> & a photo.", "004.txt", 0.71, "004:12")
LONG = "word " * 2000


def valid(blocks_: list[dict]) -> list[dict]:
    parsed = Block.parse_all(blocks_)
    assert len(parsed) == len(blocks_) and all(p is not None for p in parsed)
    for block in parsed:
        block.validate_json()
    for block in blocks_:
        for text in _section_texts(block):
            assert len(text) <= 3000
    return blocks_


def _section_texts(block: dict) -> list[str]:
    if block.get("type") == "section" and block.get("text"):
        return [block["text"]["text"]]
    return []


def valid_view(view: dict) -> dict:
    View(**view).validate_json()
    assert len(view["blocks"]) <= 100
    valid(view["blocks"])
    return view


def test_answer_message_quotes_and_escapes_citations_with_buttons():
    answer = Answer("Can I?", False, "text", "Here is what the guidance says.", (CITE,),
                    (CouncilGroup("Powys County Council", (CITE,)),), 0.8, "extractive", ("A note.",))
    msg = b.answer_message(answer, "abc", share=True)
    valid(msg["blocks"])
    text = json.dumps(msg)
    assert "Use a clear profile &lt;not&gt; &amp; a photo." in text and "para 3.1.3" in text
    actions = msg["blocks"][-1]["elements"]
    assert [a["action_id"] for a in actions] == ["share_answer", "feedback_up", "feedback_down"]
    assert {a["value"] for a in actions} == {"abc"}
    shared = b.shared_message(msg, "U1", "Can I?")
    assert "share_answer" not in json.dumps(shared) and "<@U1>" in json.dumps(shared)


def test_long_and_many_citations_stay_inside_slack_limits():
    many = tuple(Citation("C", "Doc", "Sec", f"para {n}", LONG, "x", 0.5) for n in range(80))
    answer = Answer("q", False, "t", "Lead", many, (CouncilGroup("C", many),))
    msg = b.answer_message(answer, "id")
    assert len(msg["blocks"]) <= 50 and msg["blocks"][-1]["type"] == "actions"
    valid(msg["blocks"])


def test_llm_answer_numbers_its_sources_as_it_cites_them():
    answer = Answer("q", False, "Avoid it [1].\n\nSources: …", "Avoid it [1].", (CITE,),
                    (CouncilGroup("Powys County Council", (CITE,)),), 0.8, "llm")
    text = json.dumps(valid(b.answer_message(answer, "id")["blocks"]))
    assert "*[1]* Powys County Council" in text and ":classical_building:" not in text


def test_abstained_answer():
    msg = b.answer_message(Answer("q", True, "Not covered; ask your Monitoring Officer.", "x", ()), "id")
    valid(msg["blocks"])
    assert "Monitoring Officer" in msg["text"]


def test_check_message_has_verdict_findings_guidance_and_rewrite():
    finding = Finding("personal_data", "high", 0, 5, "07700 900123", "It is a resident's phone number.", (CITE,),
                      "Leave the number out.")
    msg = b.check_message(CheckResult("high_risk", (finding,) * 30, "A safer " + LONG))
    valid(msg["blocks"])
    text = json.dumps(msg)
    assert "High risk" in text and "07700 900123" in text and "Why:" in text and "Powys County Council" in text
    assert "more findings" in text and "A safer version" in text
    valid(b.check_message(CheckResult("ok", (), None))["blocks"])


def test_home_view():
    summary = IncidentSummary("INC-2026-0001", "under_review", datetime(2026, 3, 1, tzinfo=timezone.utc),
                              datetime(2026, 3, 2, tzinfo=timezone.utc), "U1", "Jo", "X", (), False, False, False, None)
    view = valid_view(b.home_view(councils=["Powys County Council", "Sandwell MBC"], council="Powys County Council",
                                  reports=[summary], is_monitoring_officer=True))
    text = json.dumps(view)
    assert "INC-2026-0001" in text and "Under review" in text and "Monitoring Officer" in text
    select = next(x["accessory"] for x in view["blocks"] if x.get("accessory"))
    assert select["initial_option"]["value"] == "Powys County Council"
    empty = valid_view(b.home_view(councils=[], council=None, reports=[], is_monitoring_officer=False))
    assert "have not made any reports" in json.dumps(empty)


def test_report_modal_renders_the_whole_form_and_reads_it_back():
    form = load_form()
    view = valid_view(rb.report_modal(form))
    inputs = [x for x in view["blocks"] if x["type"] == "input"]
    assert [x["block_id"] for x in inputs if x["block_id"] != rb.FILES_BLOCK] == [f.id for f in form.fields]
    conditional = next(x for x in inputs if x["block_id"] == "platform_other")
    assert conditional["optional"] and "Only if you answered" in conditional["hint"]["text"]
    values = {"who": {"value": {"type": "plain_text_input", "value": "@x"}},
              "kinds": {"value": {"type": "checkboxes", "selected_options": [{"value": "abuse"}, {"value": "hate"}]}},
              "platform": {"value": {"type": "radio_buttons", "selected_option": {"value": "x"}}},
              "safeguarding": {"value": {"type": "radio_buttons", "selected_option": None}},
              rb.FILES_BLOCK: {"files": {"type": "file_input", "files": [{"id": "F1"}]}}}
    answers, files = rb.modal_answers(form, values)
    assert answers["who"] == "@x" and answers["kinds"] == ["abuse", "hate"] and answers["platform"] == "x"
    assert answers["safeguarding"] is None and answers["what_happened"] is None and files == [{"id": "F1"}]


@pytest.mark.parametrize("state", ["question", "review", "submitted", "cancelled"])
def test_report_steps(state):
    form = load_form()
    question = Question("platform", "Who", "Which platform?", "Pick one.", "choice", True,
                        (Choice("x", "X (Twitter)"), Choice("other", "Other")), 3, 20, current="X (Twitter)",
                        accepts_files=True)
    step = Step("cid", state, question=question if state == "question" else None,
                review=tuple(ReviewItem(n, f"f{n}", "S", f"Prompt {n}?", LONG[:900]) for n in range(1, 31)),
                evidence=(EvidenceInfo("a" * 64, "shot.png", "image/png", 1234),),
                notices=(Notice("Call 999 now.", "urgent"), Notice("Noted.")), error="Please answer yes or no.",
                reference="INC-2026-0007" if state == "submitted" else None, next_steps=form.next_steps)
    msg = rb.step_message(step, form)
    valid(msg["blocks"])
    text = json.dumps(msg)
    assert ":rotating_light:" in text and "Please answer yes or no." in text
    if state == "question":
        ids = [e["action_id"] for x in msg["blocks"] if x["type"] == "actions" for e in x["elements"]]
        assert ids == ["report_choice_0", "report_choice_1", "report_keep", "report_back", "report_skip",
                       "report_cancel"]
        assert json.loads(msg["blocks"][-1]["elements"][0]["value"]) == {"c": "cid", "f": "platform"}
    if state == "review":
        assert "report_confirm" in text and "shot.png" in text
    if state == "submitted":
        assert "What happens next" in text


def test_officer_notification_and_detail_modal():
    note = rb.officer_notification("INC-2026-0001", "A new incident report has been submitted: INC-2026-0001.")
    valid(note["blocks"])
    summary = IncidentSummary("INC-2026-0001", "submitted", datetime(2026, 3, 1, tzinfo=timezone.utc),
                              datetime(2026, 3, 1, tzinfo=timezone.utc), "U1", "Jo", "X", ("Abuse",), True, True,
                              False, None)
    detail = IncidentDetail(summary, tuple(AnswerView(f"f{n}", f"S{n // 5}", f"Prompt {n}?", LONG) for n in range(40)),
                            (EvidenceInfo("b" * 64, "shot.png", "image/png", 99),), ())
    view = valid_view(rb.incident_modal(detail))
    assert "immediate danger" in json.dumps(view) and view["title"]["text"] == "Incident INC-2026-0001"
