"""What the conversation engine hands a channel to render: a ``Step`` (the next question, the review, or the end).

A channel shows, in order: ``step.notices`` (``level == "urgent"`` ones prominently: they carry 999 advice),
``step.error`` (why the last input was not accepted; the same question follows), then by ``step.state``:

- ``"question"``: ``step.question`` (prompt, help, input kind, choices, optional, current answer or prefill);
- ``"review"``: ``step.review`` (numbered answers) and ``step.evidence``, asking to confirm, edit N or cancel;
- ``"submitted"``: ``step.reference`` and ``step.next_steps``;
- ``"cancelled"`` / ``"stopped"``: the notices say what happened; nothing was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.errors import InvalidInput
from assistant.incidents.answers import display_answer
from assistant.incidents.form import Choice, FieldSpec, FormDefinition, Notice
from assistant.incidents.models import Conversation

State = Literal["question", "review", "submitted", "cancelled", "stopped"]


@dataclass(frozen=True)
class Question:
    """One question as data, for any channel to render."""

    field_id: str
    section: str
    prompt: str
    help: str | None
    kind: str  # text | long_text | yes_no | choice | multi_choice | date | email | phone
    optional: bool
    choices: tuple[Choice, ...]
    number: int  # position among the questions that apply so far (1-based)
    total: int  # how many questions apply so far (later answers can add follow-ups)
    current: str | None = None  # the answer already given, shown when going back or editing
    default: str | None = None  # a prefilled value (from the chat identity) that an empty answer accepts
    accepts_files: bool = False  # evidence files may be attached here, where the channel can send them


@dataclass(frozen=True)
class ReviewItem:
    """One answer in the review list; ``number`` is what ``edit N`` refers to."""

    number: int
    field_id: str
    section: str
    prompt: str
    answer: str


@dataclass(frozen=True)
class EvidenceInfo:
    """An attached evidence file (never its contents)."""

    sha256: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Step:
    """The engine's answer to every call: what to show next."""

    conversation_id: str
    state: State
    question: Question | None = None
    review: tuple[ReviewItem, ...] = ()
    evidence: tuple[EvidenceInfo, ...] = ()
    notices: tuple[Notice, ...] = ()
    error: str | None = None
    reference: str | None = None
    next_steps: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        """Whether the conversation is over (submitted, cancelled or stopped)."""
        return self.state in ("submitted", "cancelled", "stopped")


def build_step(conv: Conversation, form: FormDefinition, applicable: Sequence[FieldSpec], *,
               notices: tuple[Notice, ...] = (), error: str | None = None) -> Step:
    """The Step a stored conversation is at (``applicable``: the fields that apply to its answers)."""
    evidence = tuple(EvidenceInfo(e.sha256, e.filename, e.content_type, e.size) for e in conv.evidence)
    if conv.status == "submitted":
        reference = conv.incident.reference
        thanks = Notice("Thank you. Your report has been sent to the Monitoring Officer. "
                        f"Your reference is {reference}.")
        return Step(conv.id, "submitted", notices=(*notices, thanks), reference=reference,
                    next_steps=form.next_steps, evidence=evidence)
    if conv.status in ("cancelled", "stopped"):
        closed = (Notice(form.cancelled if conv.status == "cancelled" else form.stopped),)
        return Step(conv.id, conv.status, notices=notices or closed)
    if conv.cursor == "review":
        review = tuple(ReviewItem(n, s.id, s.section, s.prompt, display_answer(s, conv.answers.get(s.id)))
                       for n, s in enumerate(applicable, 1))
        return Step(conv.id, "review", review=review, evidence=evidence, notices=notices, error=error)
    spec = form.field(conv.cursor)
    ids = [s.id for s in applicable]
    question = Question(
        field_id=spec.id, section=spec.section, prompt=spec.prompt, help=spec.help, kind=spec.kind,
        optional=spec.optional, choices=spec.choices,
        number=ids.index(spec.id) + 1 if spec.id in ids else 1, total=len(ids),
        current=display_answer(spec, conv.answers[spec.id]) if spec.id in conv.answers else None,
        default=spec.prefilled(conv.prefill), accepts_files=spec.files,
    )
    return Step(conv.id, "question", question=question, evidence=evidence, notices=notices, error=error)


class FormInvalid(InvalidInput):
    """A whole-form submission (a modal) had answers that cannot be used; ``errors`` maps field id to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(
            "Some answers need another look: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
        )
        self.errors = errors
