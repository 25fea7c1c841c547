"""The Teams adapter's pure parts: which file URLs may be fetched, and the cards for a report's steps."""

from __future__ import annotations

import pytest
from microsoft_agents.activity import Attachment

from assistant.channels.teams import cards, files
from assistant.incidents.form import Choice, Notice
from assistant.incidents.steps import Question, ReviewItem, Step

SERVICE = "https://smba.trafficmanager.net/uk/"


def incoming(url: str, kind: str = files.DOWNLOAD_INFO) -> files.Incoming:
    attachment = Attachment(content_type=kind, name="shot.png", content_url=url or None,
                            content={"downloadUrl": url} if kind == files.DOWNLOAD_INFO else None)
    return files.evidence_attachments([attachment], SERVICE)[0]


@pytest.mark.parametrize("url, ok", [
    ("https://contoso.sharepoint.com/personal/x/_layouts/download.aspx?x=1", True),
    ("https://contoso-my.sharepoint.com/x", True),
    ("http://contoso.sharepoint.com/x", False),  # not https
    ("https://sharepoint.com.evil.example/x", False),
    ("https://evil.example/contoso.sharepoint.com", False),
    ("http://169.254.169.254/latest/meta-data", False),
    ("https://smba.trafficmanager.net/uk/v3/attachments/1", True),  # the conversation's own service
    ("", False),
])
def test_only_microsoft_file_hosts_or_the_service_url_are_fetched(url, ok):
    assert files.allowed(incoming(url), SERVICE) is ok


def test_pasted_images_need_the_service_url_host_and_go_with_the_token():
    image = incoming("https://smba.trafficmanager.net/uk/v3/attachments/1/views/original", "image/png")
    assert image.needs_token and files.allowed(image, SERVICE)
    assert not files.allowed(incoming("https://contoso.sharepoint.com/x.png", "image/png"), SERVICE)


def test_the_html_copy_of_a_message_is_not_a_file():
    html = Attachment(content_type="text/html", content="<p>hello</p>")
    assert files.evidence_attachments([html], SERVICE) == []


def test_a_file_from_another_host_is_refused_before_any_download():
    from assistant.errors import InvalidInput

    with pytest.raises(InvalidInput):
        files.download(incoming("https://evil.example/x"), service_url=SERVICE, max_bytes=10)


def question_step(kind: str, choices: int, *, optional: bool = False, number: int = 2) -> Step:
    options = tuple(Choice(f"c{n}", f"Choice {n}") for n in range(choices))
    q = Question("field", "Section", "What happened?", "Some help", kind, optional, options, number, 9,
                 default="Cllr Jo" if kind == "text" else None, accepts_files=True)
    return Step("conv-1", "question", question=q, notices=(Notice("Call 999", "urgent"),), error="Not that")


def test_a_question_with_few_choices_has_a_button_each_and_navigation():
    content = cards.step_card(question_step("choice", 3, optional=True))["content"]
    moves = [(a["data"]["move"], a["data"].get("v")) for a in content["actions"]]
    assert moves == [("choice", "c0"), ("choice", "c1"), ("choice", "c2"), ("back", None), ("skip", None),
                     ("cancel", None)]
    assert all(a["data"]["c"] == "conv-1" and a["data"]["f"] == "field" for a in content["actions"])
    texts = [b.get("text", "") for b in content["body"]]
    assert texts[0].startswith("🚨") and any("Not that" in t for t in texts)


def test_many_choices_and_multi_choice_use_a_choice_set_and_submit():
    for kind in ("choice", "multi_choice"):
        content = cards.step_card(question_step(kind, 9))["content"]
        choice_set = next(b for b in content["body"] if b["type"] == "Input.ChoiceSet")
        assert choice_set["id"] == "choices" and len(choice_set["choices"]) == 9
        assert choice_set["isMultiSelect"] is (kind == "multi_choice")
        assert content["actions"][0]["data"]["move"] == "choices"


def test_a_prefilled_text_question_offers_to_use_it():
    content = cards.step_card(question_step("text", 0))["content"]
    assert content["actions"][0]["title"] == "Use “Cllr Jo”"


def test_the_review_lists_answers_and_asks_to_confirm():
    step = Step("conv-1", "review", review=(ReviewItem(1, "who", "S", "Who?", "A troll"),))
    content = cards.step_card(step)["content"]
    assert "A troll" in "".join(b["text"] for b in content["body"])
    assert [a["data"]["move"] for a in content["actions"]] == ["confirm", "cancel"]
    assert content["actions"][0]["data"]["f"] == "review"
