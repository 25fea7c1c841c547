"""Adaptive Cards for answers, post checks, report steps and notifications (pure functions: data in, JSON out).

Every button is an ``Action.Submit``: Teams sends its ``data`` back as the ``value`` of a message activity, with a
``kind`` saying what it is (``feedback``, ``report``, ``start_report``). Teams renders Adaptive Cards up to 1.5
and about 28 KB per message, so long lists are cut here.
"""

from __future__ import annotations

from assistant.answering.service import MONITORING_OFFICER_TIP
from assistant.checking.models import SEVERITY_LABELS, VERDICT_LABELS
from assistant.knowledge.models import NO_COUNCIL, Citation, clean_quote

CARD = "application/vnd.microsoft.card.adaptive"
VERSION = "1.5"
MAX_CITATIONS = 12
MAX_FINDINGS = 15
MAX_BUTTON_CHOICES = 5  # more choices than this go in a drop-down (Teams shows few buttons side by side)
DATE_HINT = "For example: 14/03/2026 19:30, yesterday, 3 weeks ago."
HELP = ("I can help in three ways:\n\n"
        "- **Ask a question** about councillors' use of social media; answers quote the councils' guidance.\n"
        "- **checkpost** followed by your draft checks a post before you publish it (in our 1:1 chat; the draft "
        "is neither stored nor logged).\n"
        "- **report** starts a report of abuse, harassment or threats you received online, one question at a "
        "time, here in our 1:1 chat. You can attach screenshots. The Monitoring Officer is told your reference.")


def clip(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text(value: str, *, limit: int = 4000, **style) -> dict:
    """A wrapping TextBlock."""
    return {"type": "TextBlock", "text": clip(value or "", limit), "wrap": True, **style}


def submit(title: str, data: dict, **extra) -> dict:
    """An Action.Submit button whose ``data`` comes back as the message's ``value``."""
    return {"type": "Action.Submit", "title": clip(title, 60), "data": data, **extra}


def card(body: list[dict], actions: list[dict] = ()) -> dict:
    """A card as a message attachment."""
    content = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
               "version": VERSION, "body": body, "msteams": {"width": "Full"}}
    if actions:
        content["actions"] = list(actions)
    return {"contentType": CARD, "content": content}


# --- answers ----------------------------------------------------------------------------------------------------
def citation(c: Citation, number: int | None = None) -> dict:
    """One cited paragraph: council, document, section and paragraph, then the quoted text."""
    where = f"{c.document} · {c.section} · **{c.paragraph}**"
    if number is not None:
        where = f"**[{number}]** {c.council or NO_COUNCIL} — {where}"
    return {"type": "Container", "separator": True, "items": [
        text(where, isSubtle=True, size="Small"),
        text(f"“{clip(clean_quote(c.text), 1500)}”", fontType="Default", spacing="Small")]}


def answer_card(answer, answer_id: str, *, in_personal_chat: bool) -> dict:
    """An answer (``assistant.answering.service.Answer``): the direct answer, its citations by council, 👍/👎."""
    if answer.abstained:
        body = [text(f"ℹ️ {answer.answer}")]
    else:
        body = [text(answer.lead, weight="Bolder" if answer.mode != "llm" else "Default", size="Medium")]
        body += [text(note, isSubtle=True, size="Small") for note in answer.notes]
        if answer.mode == "llm":
            body += [citation(c, n) for n, c in enumerate(answer.citations[:MAX_CITATIONS], 1)]
        else:
            shown = 0
            for group in answer.groups:
                if shown >= MAX_CITATIONS:
                    break
                body.append(text(f"🏛️ {group.council or NO_COUNCIL}", weight="Bolder", spacing="Medium"))
                for c in group.citations[: MAX_CITATIONS - shown]:
                    body.append(citation(c))
                    shown += 1
        body.append(text(MONITORING_OFFICER_TIP, isSubtle=True, size="Small", spacing="Medium"))
    if in_personal_chat and "/checkpost" in answer.offers:
        body.append(text("Want a second pair of eyes? Send **checkpost** followed by your draft.", size="Small"))
    actions = [submit("👍 Helpful", {"kind": "feedback", "answer": answer_id, "vote": "up"}),
               submit("👎 Not helpful", {"kind": "feedback", "answer": answer_id, "vote": "down"})]
    if in_personal_chat and "/report" in answer.offers:
        actions.append(submit("Report abuse or threats", {"kind": "start_report"}))
    return card(body, actions)


def feedback_card(vote: str) -> dict:
    """The thanks for a 👍/👎."""
    return card([text("Thank you for the feedback." if vote == "up" else
                      "Thank you — this helps us improve the answers. For a definitive answer, ask your "
                      "Monitoring Officer.", size="Small")])


# --- post checks ------------------------------------------------------------------------------------------------
def check_card(result) -> dict:
    """A post check (``assistant.checking.models.CheckResult``): verdict, findings with guidance, safer rewrite."""
    body = [text(VERDICT_LABELS.get(result.verdict, result.verdict), weight="Bolder", size="Large"),
            text("Only you can see this. Your draft was not stored or logged.", isSubtle=True, size="Small")]
    for f in result.findings[:MAX_FINDINGS]:
        severity = SEVERITY_LABELS.get(f.severity, f.severity)
        items = [text(f"**{severity}** · {f.category.replace('_', ' ').capitalize()}"),
                 text(f"“{clip(f.quote, 500)}”", isSubtle=True, spacing="Small"),
                 text(f"**Why:** {f.why}", spacing="Small")]
        if f.suggestion:
            items.append(text(f"**Instead:** {f.suggestion}", spacing="Small"))
        if f.citations:
            c = f.citations[0]
            items.append(text(f"📖 {c.reference()}: “{clip(clean_quote(c.text), 600)}”", size="Small",
                              isSubtle=True, spacing="Small"))
        body.append({"type": "Container", "separator": True, "items": items})
    hidden = len(result.findings) - MAX_FINDINGS
    if hidden > 0:
        body.append(text(f"…and {hidden} more finding{'s' if hidden != 1 else ''} of lower priority.", size="Small"))
    if result.rewrite:
        body += [text("**A safer version:**", separator=True, spacing="Medium"),
                 text(clip(result.rewrite, 2700), fontType="Monospace")]
    body += [text(note, size="Small", isSubtle=True) for note in result.rewrite_notes]
    if not result.findings:
        body.append(text(f"Nothing in this draft goes against the guidance I have. {MONITORING_OFFICER_TIP}"))
    return card(body)


# --- report steps ---------------------------------------------------------------------------------------------
def _data(step, move: str, **extra) -> dict:
    field = step.question.field_id if step.state == "question" else step.state
    return {"kind": "report", "move": move, "c": step.conversation_id, "f": field, **extra}


def _notices(step) -> list[dict]:
    body = [text(f"🚨 **{n.text}**", color="Attention") if n.level == "urgent" else text(n.text)
            for n in step.notices]
    if step.error:
        body.append(text(f"⚠️ {step.error}", color="Warning"))
    return body


def _evidence(step) -> list[dict]:
    if not step.evidence:
        return []
    names = ", ".join(f"{e.filename} ({e.size:,} bytes)" for e in step.evidence)
    return [text(f"📎 Files attached: {names}", size="Small", isSubtle=True)]


def _question(step) -> tuple[list[dict], list[dict]]:
    q = step.question
    body = [text(f"Question {q.number} of {q.total} · {q.section}", isSubtle=True, size="Small"),
            text(f"**{q.prompt}**" + (" _(optional)_" if q.optional else ""))]
    if q.help:
        body.append(text(q.help, size="Small"))
    if q.kind == "date":
        body.append(text(DATE_HINT, size="Small", isSubtle=True))
    if q.accepts_files:
        body.append(text("📎 You can also attach screenshots or other files here in our chat; I'll add them to "
                         "your report.", size="Small"))
    actions: list[dict] = []
    choices = [{"title": clip(c.label, 100), "value": c.id} for c in q.choices]
    if q.kind in ("yes_no", "choice") and len(choices) <= MAX_BUTTON_CHOICES:
        actions += [submit(c["title"], _data(step, "choice", v=c["value"])) for c in choices]
    elif q.kind in ("yes_no", "choice", "multi_choice"):
        multi = q.kind == "multi_choice"
        body.append({"type": "Input.ChoiceSet", "id": "choices", "choices": choices, "isMultiSelect": multi,
                     "style": "expanded" if multi else "compact"})
        actions.append(submit("Submit", _data(step, "choices")))
    else:
        body.append(text("Type your answer as a message.", size="Small", isSubtle=True))
    keep = q.current if q.current is not None else q.default
    if keep:
        label = "Keep" if q.current is not None else "Use"
        actions.append(submit(f"{label} “{clip(keep, 40)}”", _data(step, "keep")))
    if q.number > 1:
        actions.append(submit("Back", _data(step, "back")))
    if q.optional:
        actions.append(submit("Skip", _data(step, "skip")))
    actions.append(submit("Cancel report", _data(step, "cancel"), style="destructive"))
    return body, actions


def _review(step) -> tuple[list[dict], list[dict]]:
    body = [text("**Please check your report before it is sent.**")]
    body += [text(f"**{item.number}.** {item.prompt}\n\n{clip(item.answer, 600)}", spacing="Small")
             for item in step.review]
    body += _evidence(step)
    body.append(text("To change an answer, type **edit** and its number, e.g. `edit 3`.", size="Small"))
    return body, [submit("Confirm and send", _data(step, "confirm"), style="positive"),
                  submit("Cancel report", _data(step, "cancel"), style="destructive")]


def step_card(step) -> dict:
    """One step of a report conversation: notices, any error, then the question, the review or the outcome."""
    body, actions = _notices(step), []
    if step.state == "question":
        more, actions = _question(step)
        body += more
    elif step.state == "review":
        more, actions = _review(step)
        body += more
    elif step.state == "submitted":
        body += _evidence(step)
        if step.next_steps:
            body.append(text("**What happens next**\n\n" + "\n".join(f"- {s}" for s in step.next_steps)))
    return card(body, actions)


def report_intro(title: str) -> dict:
    """The first message of a report conversation."""
    return card([text(f"📝 **{title}**"), text("I'll ask the questions here, one at a time. Use the buttons or type "
                                               "your answers as messages.", size="Small")])


def attached_card(lines: list[str]) -> dict:
    """What happened to the files sent in a report conversation."""
    return card([text(line) for line in lines])


# --- Monitoring Officers, help and errors -----------------------------------------------------------------------
def notification_card(text_: str) -> dict:
    """A Monitoring Officer notification: the reference only, never the details."""
    return card([text(f"🔔 {text_}", weight="Bolder"),
                 text("`assistant incidents show <reference>` gives the full record.", size="Small", isSubtle=True)])


def help_card() -> dict:
    """What the bot does."""
    return card([text(HELP)])


def message_card(value: str, *, warning: bool = False) -> dict:
    """A short message (a kind error with ⚠️)."""
    return card([text(f"⚠️ {value}" if warning else value)])
