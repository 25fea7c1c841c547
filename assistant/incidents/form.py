"""The incident report form as typed data, loaded from ``form.yml``; every channel renders this one definition.

``load_form()`` returns a ``FormDefinition``: its ``fields`` (``FieldSpec``: id, section, prompt, help, kind,
optional, choices, condition, notices, stop_on, prefill, files), the messages a conversation shows (intro, resume,
stopped, cancelled, next steps), ``applicable(answers, today)`` for the fields that apply given earlier answers,
and ``as_dict()`` for a channel that shows the whole form at once (a Slack or Teams modal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

FORM_PATH = Path(__file__).with_name("form.yml")
KINDS = ("text", "long_text", "yes_no", "choice", "multi_choice", "date", "email", "phone")
YES_NO = ({"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"})
PREFILL_SOURCES = ("display_name", "email")

Kind = Literal["text", "long_text", "yes_no", "choice", "multi_choice", "date", "email", "phone"]


@dataclass(frozen=True)
class Choice:
    """One option of a choice question: a stable id and the label people see."""

    id: str
    label: str


@dataclass(frozen=True)
class Notice:
    """A message shown straight after a given answer (``level`` "urgent" for safety advice such as 999)."""

    text: str
    level: Literal["info", "urgent"] = "info"


@dataclass(frozen=True)
class Condition:
    """When a field applies: an earlier answer equals a value, includes a choice, or is a date long ago."""

    field: str
    equals: str | None = None
    includes: str | None = None
    older_than_days: int | None = None

    def holds(self, answers: dict[str, Any], today: date) -> bool:
        """Whether the condition is met by these (stored, normalised) answers."""
        value = answers.get(self.field)
        if value is None:
            return False
        if self.equals is not None:
            return value == self.equals
        if self.includes is not None:
            return isinstance(value, list) and self.includes in value
        if self.older_than_days is not None:
            known = value.get("date") if isinstance(value, dict) else None
            return bool(known) and (today - date.fromisoformat(known[:10])).days > self.older_than_days
        return False


@dataclass(frozen=True)
class FieldSpec:
    """One question of the form."""

    id: str
    section: str
    prompt: str
    kind: Kind
    help: str | None = None
    optional: bool = False
    choices: tuple[Choice, ...] = ()
    when: Condition | None = None
    notices: tuple[tuple[str, Notice], ...] = ()  # (answer id, notice) pairs
    stop_on: str | None = None
    prefill: str | None = None
    files: bool = False

    def notices_for(self, value: Any) -> tuple[Notice, ...]:
        """The notices triggered by this stored answer."""
        if not self.notices:
            return ()
        chosen = set(value) if isinstance(value, list) else {value} if isinstance(value, str) else set()
        return tuple(notice for answer, notice in self.notices if answer in chosen)

    def prefilled(self, identity: Mapping[str, str] | None) -> str | None:
        """The value this field takes from the chat identity (display_name, email), if it takes one."""
        return (identity or {}).get(self.prefill) if self.prefill else None

    def label_of(self, choice_id: str) -> str:
        """The label of one of this field's choices (the id itself when unknown)."""
        return next((c.label for c in self.choices if c.id == choice_id), choice_id)


@dataclass(frozen=True)
class FormDefinition:
    """The whole form and the fixed messages of a report conversation."""

    version: int
    title: str
    intro: str
    resume: str
    stopped: str
    cancelled: str
    next_steps: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    _by_id: dict[str, FieldSpec] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({spec.id: spec for spec in self.fields})

    def field(self, field_id: str) -> FieldSpec:
        """The field with this id (KeyError when there is none)."""
        return self._by_id[field_id]

    def has_field(self, field_id: str) -> bool:
        """Whether the form has a field with this id."""
        return field_id in self._by_id

    def applicable(self, answers: dict[str, Any], today: date) -> list[FieldSpec]:
        """The fields that apply, in order, given the answers so far (a condition on a field that no longer
        applies is false)."""
        shown: list[FieldSpec] = []
        visible: dict[str, Any] = {}
        for spec in self.fields:
            if spec.when is None or spec.when.holds(visible, today):
                shown.append(spec)
                if spec.id in answers:
                    visible[spec.id] = answers[spec.id]
        return shown

    def as_dict(self) -> dict[str, Any]:
        """The definition as plain data, for a channel that renders the whole form at once."""
        data = asdict(self)
        data.pop("_by_id", None)
        return data


@lru_cache(maxsize=4)
def load_form(path: Path = FORM_PATH) -> FormDefinition:
    """Read and check a form definition (the packaged ``form.yml`` by default)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not all(isinstance(step, str) for step in raw["next_steps"]):
        raise ValueError(f"{path.name}: every next step must be plain text (quote lines that contain ': ')")
    fields: list[FieldSpec] = []
    for item in raw["fields"]:
        spec = _field(item, known=[f.id for f in fields])
        fields.append(spec)
    return FormDefinition(
        version=int(raw["version"]),
        title=raw["title"],
        intro=raw["intro"],
        resume=raw["resume"],
        stopped=raw["stopped"],
        cancelled=raw["cancelled"],
        next_steps=tuple(raw["next_steps"]),
        fields=tuple(fields),
    )


def _field(item: dict[str, Any], *, known: list[str]) -> FieldSpec:
    fid = item.get("id")
    where = f"form field {fid!r}"
    if not fid or fid in known:
        raise ValueError(f"{where}: every field needs a unique id. Currently it is {fid!r}")
    kind = item.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}. Currently it is {kind!r}")
    raw_choices = YES_NO if kind == "yes_no" else item.get("choices", ())
    choices = tuple(Choice(id=str(c["id"]), label=str(c["label"])) for c in raw_choices)
    if kind in ("choice", "multi_choice") and not choices:
        raise ValueError(f"{where}: a {kind} field needs choices")
    when = Condition(**item["when"]) if item.get("when") else None
    if when is not None and when.field not in known:
        raise ValueError(f"{where}: its condition refers to {when.field!r}, which is not an earlier field")
    notices = tuple(
        (str(answer), Notice(text=n) if isinstance(n, str) else Notice(text=n["text"], level=n.get("level", "info")))
        for answer, n in (item.get("notices") or {}).items()
    )
    if item.get("prefill") not in (None, *PREFILL_SOURCES):
        raise ValueError(f"{where}: prefill must be one of {PREFILL_SOURCES}. Currently it is {item['prefill']!r}")
    return FieldSpec(
        id=fid,
        section=item["section"],
        prompt=item["prompt"],
        kind=kind,
        help=item.get("help"),
        optional=bool(item.get("optional", False)),
        choices=choices,
        when=when,
        notices=notices,
        stop_on=item.get("stop_on"),
        prefill=item.get("prefill"),
        files=bool(item.get("files", False)),
    )
