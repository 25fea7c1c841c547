"""WhatsApp messages for answers, post checks and report steps (pure functions: data in, message objects out).

Each function returns a list of message objects for ``GraphClient.send`` (``{"type": "text", "text": …}`` or
``{"type": "interactive", …}``), in the order to send them. WhatsApp's limits are kept here: 4,096 characters per
text, 1,024 per interactive body, 3 reply buttons (20-character titles), 10 list rows (24-character titles,
72-character descriptions). Formatting is WhatsApp's: *bold*, _italic_, > quote.
"""

from __future__ import annotations

from assistant.answering.service import MONITORING_OFFICER_TIP, OFFERS
from assistant.checking.models import SEVERITY_LABELS, VERDICT_LABELS
from assistant.knowledge.models import NO_COUNCIL, clean_quote

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_BUTTONS = 3
MAX_ROWS = 10
# The other capabilities as this channel spells them (the answerer's offers name the Slack commands).
OFFER_WORDS = {"/report": "If you are receiving abuse or threats, type *report* to log it for your Monitoring "
                          "Officer.",
               "/checkpost": "Want a second pair of eyes? Type *check:* followed by your draft to check it before "
                             "you publish it."}
HELP = ("I can help in three ways:\n"
        "• Ask me a question about councillors' use of social media, e.g. _Can I block a resident who trolls me?_\n"
        "• *check:* followed by a draft post checks it before you publish (the draft is not stored).\n"
        "• *report* starts a confidential incident report to the Monitoring Officer, one question at a time; you "
        "can send screenshots as evidence.")
MENU_REPORT, MENU_CHECK = "menu|report", "menu|check"
REFUSAL = ("Sorry, this service is only for councillors who have been registered to use it, and this number is "
           "not on the list. If you are a councillor, please ask your Monitoring Officer or IT team to add you.")


# --- small helpers ----------------------------------------------------------------------------------------------
def clip(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text(body: str) -> dict:
    """A text message (the body must already fit; see ``split``)."""
    return {"type": "text", "text": {"preview_url": False, "body": body}}


def split(body: str, limit: int = MAX_TEXT) -> list[str]:
    """``body`` as pieces of at most ``limit`` characters, cut at paragraph, then line, then word breaks."""
    pieces: list[str] = []
    rest = body.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 3:
            cut = window.rfind("\n")
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit  # one unbroken run of characters: cut it
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def texts(body: str) -> list[dict]:
    """Text messages carrying ``body``, split within WhatsApp's limit."""
    return [text(piece) for piece in split(body)]


# --- answers ----------------------------------------------------------------------------------------------------
def answer_messages(answer) -> list[dict]:
    """An answer (``assistant.answering.service.Answer``): the direct answer, then its citations by council."""
    if answer.abstained:
        lines = [answer.lead, *answer.notes, *(OFFER_WORDS.get(o, OFFERS.get(o, "")) for o in answer.offers)]
        return texts("\n\n".join(line for line in lines if line))
    parts = [answer.lead if answer.mode == "llm" else f"*{answer.lead}*", *(f"_{n}_" for n in answer.notes)]
    if answer.mode == "llm":
        parts.extend(_citation(c, n) for n, c in enumerate(answer.citations, 1))
    else:
        for group in answer.groups:
            parts.append(f"🏛️ *{group.council or NO_COUNCIL}*")
            parts.extend(_citation(c) for c in group.citations)
    parts.extend(OFFER_WORDS[o] for o in answer.offers if o in OFFER_WORDS)
    parts.append(f"_{MONITORING_OFFICER_TIP}_")
    return texts("\n\n".join(parts))


def _citation(c, number: int | None = None) -> str:
    where = f"*{c.document}* · {c.section} · *{c.paragraph}*"
    if number is not None:
        where = f"*[{number}]* {c.council or NO_COUNCIL} — {where}"
    return f"{where}\n> “{clean_quote(c.text)}”"


# --- post checks ------------------------------------------------------------------------------------------------
def check_messages(result) -> list[dict]:
    """A post check (``CheckResult``): verdict, each finding with its guidance, then the safer rewrite."""
    parts = [f"*{VERDICT_LABELS.get(result.verdict, result.verdict)}*", "_Your draft was not stored or logged._"]
    for f in result.findings:
        lines = [f"{SEVERITY_LABELS.get(f.severity, f.severity)} · {f.category.replace('_', ' ').capitalize()}",
                 f"> “{clip(f.quote, 500)}”", f"*Why:* {f.why}"]
        if f.suggestion:
            lines.append(f"*Instead:* {f.suggestion}")
        if f.citations:
            lines.append(f"📖 {f.citations[0].reference()}: _“{clip(clean_quote(f.citations[0].text), 600)}”_")
        parts.append("\n".join(lines))
    if not result.findings:
        parts.append(f"Nothing in this draft goes against the guidance I have. {MONITORING_OFFICER_TIP}")
    messages = texts("\n\n".join(parts))
    if result.rewrite:
        messages.extend(texts(f"*A safer version:*\n\n{result.rewrite}"))
    if result.rewrite_notes:
        messages.extend(texts("\n\n".join(result.rewrite_notes)))
    return messages


def menu() -> list[dict]:
    """What the assistant does, with buttons to start a report or check a draft."""
    buttons = [{"type": "reply", "reply": {"id": MENU_REPORT, "title": "Report an incident"}},
               {"type": "reply", "reply": {"id": MENU_CHECK, "title": "Check a draft"}}]
    return [{"type": "interactive", "interactive": {"type": "button", "body": {"text": HELP},
                                                    "action": {"buttons": buttons}}}]


def check_help() -> list[dict]:
    """What to send to check a draft."""
    return texts("Send *check:* followed by your draft, for example:\n_check: Great to see so many at the ward "
                 "surgery tonight!_\nThe draft is neither stored nor logged.")
