"""Block Kit renderers for answers, post checks, the App Home and error messages (pure functions: data in, JSON out).

Each message function returns ``{"text": fallback, "blocks": [...]}``, ready for ``chat.postMessage`` or
``respond``. Slack's limits are kept here: 3,000 characters per section, 50 blocks per message, 100 per view.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answering.service import MONITORING_OFFICER_TIP
from assistant.checking.models import VERDICT_TEXT
from assistant.knowledge.models import NO_COUNCIL, Citation, clean_quote

MAX_SECTION = 2900
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_FINDINGS_SHOWN = 15
ALL_COUNCILS = "__all__"

VERDICTS = {v: f"{mark} {VERDICT_TEXT[v]}" for v, mark in (
    ("ok", ":white_check_mark:"), ("review", ":warning:"), ("high_risk", ":octagonal_sign:"))}
SEVERITY = {"high": ":red_circle: *HIGH*", "medium": ":large_orange_circle: *MEDIUM*", "low": ":white_circle: *LOW*"}
STATUS = {"submitted": "Submitted", "acknowledged": "Acknowledged", "under_review": "Under review", "closed": "Closed"}

CAPABILITIES = (
    "*Ask a question* about councillors' use of social media: `/ask Can I block a resident who trolls me?`, "
    "a direct message to me, or an @mention in a channel. Answers quote the councils' guidance, paragraph by "
    "paragraph.",
    "*Check a draft post* before you publish it: `/checkpost your draft`. Only you see the result, and the "
    "draft is neither stored nor logged.",
    "*Report abuse, harassment or threats* you have received online: `/report` (a form), or `/report dm` to "
    "answer one question at a time in a direct message, where you can also upload screenshots. The Monitoring "
    "Officer is told your reference, and only you and the Monitoring Officers can see the report.",
)


# --- small helpers ----------------------------------------------------------------------------------------------
def esc(text: str | None) -> str:
    """Text made safe for mrkdwn (Slack's three control characters escaped)."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = MAX_SECTION) -> str:
    """Text cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quoted(text: str, limit: int = 2000) -> str:
    """A mrkdwn block quote of (escaped, clipped) text."""
    return "\n".join(f">{line}" for line in esc(clip(text, limit)).splitlines() or [""])


def section(text: str, **extra) -> dict:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}, **extra}


def context(*texts: str) -> dict:
    """A context block of mrkdwn lines (at most ten)."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t)} for t in texts[:10]]}


def plain(text: str, limit: int = 2000) -> dict:
    """A plain_text object."""
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def button(text: str, action_id: str, value: str, style: str | None = None, confirm: dict | None = None) -> dict:
    """A button element."""
    element = {"type": "button", "text": plain(text, 75), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def message(text: str, blocks: list[dict]) -> dict:
    """A message: fallback text plus blocks (cut to Slack's 50 blocks)."""
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        blocks = [*blocks[: MAX_MESSAGE_BLOCKS - 1], context("_(Shortened to fit in one Slack message.)_")]
    return {"text": clip(text, 3000), "blocks": blocks}


def error_message(text: str) -> dict:
    """A kind error message."""
    return message(text, [section(f":warning: {esc(text)}")])


# --- answers ----------------------------------------------------------------------------------------------------
def citation_block(c: Citation, number: int | None = None) -> dict:
    """One cited paragraph: document, section and paragraph (and council when numbered), then the quoted text."""
    where = f"*{esc(c.document)}* · {esc(c.section)} · *{esc(c.paragraph)}*"
    if number is not None:  # an LLM answer cites sources as [n], in citation order
        where = f"*[{number}]* {esc(c.council or NO_COUNCIL)} — {where}"
    return section(f"{where}\n{quoted('“' + clean_quote(c.text) + '”')}")


def answer_message(answer, answer_id: str, *, share: bool = False) -> dict:
    """An answer (``assistant.answering.service.Answer``) with its citations grouped by council, and buttons."""
    if answer.abstained:
        blocks = [section(f":information_source: {esc(answer.answer)}")]
    else:
        blocks = [section(esc(answer.lead) if answer.mode == "llm" else f"*{esc(answer.lead)}*")]
        if answer.notes:
            blocks.append(context(*(f"_{esc(n)}_" for n in answer.notes)))
        if answer.mode == "llm":
            blocks.extend(citation_block(c, n) for n, c in enumerate(answer.citations, 1))
        for group in answer.groups if answer.mode != "llm" else ():
            blocks.append(section(f":classical_building: *{esc(group.council or NO_COUNCIL)}*"))
            blocks.extend(citation_block(c) for c in group.citations)
        blocks.append(context(MONITORING_OFFICER_TIP))
    actions = [button(":thumbsup: Helpful", "feedback_up", answer_id),
               button(":thumbsdown: Not helpful", "feedback_down", answer_id)]
    if share:
        actions.insert(0, button("Share in channel", "share_answer", answer_id, style="primary"))
    blocks = blocks[: MAX_MESSAGE_BLOCKS - 2]
    blocks.append({"type": "actions", "block_id": "answer_actions", "elements": actions})
    return message(answer.answer if answer.abstained else answer.lead, blocks)


def shared_message(stored: dict, user_id: str, question: str) -> dict:
    """A stored answer as shared in a channel: who shared it and the question first, no share button."""
    blocks = [context(f"<@{user_id}> shared an answer to: _{esc(clip(question, 500))}_")]
    for block in stored.get("blocks", []):
        if block.get("type") == "actions":
            block = {**block, "elements": [e for e in block["elements"] if e.get("action_id") != "share_answer"]}
        blocks.append(block)
    return message(stored.get("text", ""), blocks)


def ask_help() -> dict:
    """What to type after /ask."""
    return message("Ask me a question", [section(
        "Ask me a question after the command, for example:\n`/ask Can I block a resident who trolls me?`")])


# --- post checks ------------------------------------------------------------------------------------------------
def check_message(result) -> dict:
    """A post check (``assistant.checking.models.CheckResult``): verdict, findings with guidance, safer rewrite."""
    label = VERDICTS.get(result.verdict, result.verdict)
    blocks: list[dict] = [
        {"type": "header", "text": plain(label, 150)},
        context("Only you can see this. Your draft was not stored or logged."),
    ]
    for f in result.findings[:MAX_FINDINGS_SHOWN]:
        lines = [f"{SEVERITY.get(f.severity, f.severity)} · {esc(f.category.replace('_', ' ').capitalize())}",
                 quoted(f"“{f.quote}”", 500), f"*Why:* {esc(f.why)}"]
        if f.suggestion:
            lines.append(f"*Instead:* {esc(f.suggestion)}")
        blocks.append(section("\n".join(lines)))
        if f.citations:
            c = f.citations[0]
            blocks.append(context(f":book: {esc(c.reference())}: _“{esc(clip(clean_quote(c.text), 600))}”_"))
    hidden = len(result.findings) - MAX_FINDINGS_SHOWN
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more finding{'s' if hidden != 1 else ''} of lower priority."))
    if result.rewrite:
        blocks.append({"type": "divider"})
        blocks.append(section(f"*A safer version:*\n```{esc(clip(result.rewrite, 2700))}```"))
    if result.rewrite_notes:
        blocks.append(context(*(f"_{esc(n)}_" for n in result.rewrite_notes)))
    if not result.findings:
        blocks.append(section(f"Nothing in this draft goes against the guidance I have. {MONITORING_OFFICER_TIP}"))
    return message(label, blocks)


def checkpost_help() -> dict:
    """What to type after /checkpost."""
    return message("Paste your draft after /checkpost", [section(
        "Paste the draft after the command, for example:\n`/checkpost Great to see so many at the Ward "
        "surgery tonight!`\nOnly you will see the result, and the draft is neither stored nor logged.")])


# --- App Home ---------------------------------------------------------------------------------------------------
def council_option(council: str | None) -> dict:
    """An option of the council menu."""
    return {"text": plain(council or "All councils equally", 75), "value": council or ALL_COUNCILS}


def home_view(*, councils: Sequence[str], council: str | None, reports: Sequence, is_monitoring_officer: bool) -> dict:
    """The App Home: what the bot does, the person's council, and their reports with statuses."""
    options = [council_option(None), *(council_option(c) for c in councils)]
    if council and council not in councils:
        options.append(council_option(council))
    blocks: list[dict] = [
        {"type": "header", "text": plain("Councillor guidance assistant", 150)},
        *(section(f"• {c}") for c in CAPABILITIES),
        {"type": "divider"},
        section("*Your council*\nIts guidance is shown first in answers and post checks.",
                accessory={"type": "static_select", "action_id": "home_set_council", "options": options[:100],
                           "initial_option": council_option(council)}),
        {"type": "divider"},
        {"type": "header", "text": plain("Your reports", 150)},
    ]
    for summary in list(reports)[:30]:
        when = f"{summary.submitted_at:%-d %b %Y}"
        blocks.append(section(f"*{esc(summary.reference)}* · submitted {when} · "
                              f"*{STATUS.get(summary.status, summary.status)}*"))
    if not reports:
        blocks.append(context("You have not made any reports. `/report` starts one."))
    if is_monitoring_officer:
        blocks.append(context(":shield: You are a Monitoring Officer: new reports reach you with a *Show details* "
                              "button, and `assistant incidents list` shows the whole log."))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
