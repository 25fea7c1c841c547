"""The rule catalogue: categories, rules, lexicons and the guidance each cites, loaded from ``rules.yml``.

The catalogue is data a Monitoring Officer can review (``assistant checker rulebook`` renders it); this module
only parses and validates it. Lexicons are named lists of regex fragments, referenced in patterns as ``<<name>>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assistant.checking.models import CATEGORIES, SEVERITY_RANK
from assistant.checking.recognisers import DEFAULT, KINDS, RECOGNISERS, Recognisers

_LEXICON_REF = re.compile(r"<<(\w+)>>")
SCOPES = ("around", "sentence", "near", "post")
REWRITES = ("redact", "replace", "drop", "replace_sentence", "drop_sentence")


class CatalogueError(ValueError):
    """The rule catalogue is malformed (a bad id, pattern, severity, citation or example)."""


@dataclass(frozen=True)
class CiteRef:
    """Where a citation comes from: a paragraph named in the catalogue, or a match to the category's definition.

    Named: a document (``doc`` id, or ``council`` with an optional ``document`` title) and a paragraph within it
    (``paragraph`` number as the document prints it, or a phrase it ``contains``). ``match``: the paragraphs of
    any council's added guidance that match this category's definition (see citations.py).
    """

    doc: str | None = None
    contains: str | None = None
    paragraph: str | None = None
    council: str | None = None
    document: str | None = None
    match: str | None = None  # a category id

    def describe(self) -> str:
        """The reference as a reviewer reads it."""
        if self.match:
            return f"any added guidance paragraph matching the definition of {self.match}"
        where = f"document {self.doc}" if self.doc else f"{self.council}" + (f", {self.document}" if self.document else "")
        what = f"paragraph {self.paragraph}" if self.paragraph else f"the paragraph containing “{self.contains}”"
        return f"{where}, {what}"


@dataclass(frozen=True)
class CategorySpec:
    """A risk category: what counts, its default severity, plain-English why, suggestion and guidance."""

    id: str
    title: str
    severity: str
    why: str
    suggestion: str
    cites: tuple[CiteRef, ...]
    definition: str = ""
    terms: tuple[str, ...] = ()  # words a guidance paragraph on this category uses (to match added guidance)


@dataclass(frozen=True)
class Rewrite:
    """How to make the matched words safe: redact/replace/drop the match, or replace/drop its sentence."""

    action: str
    text: str = ""


@dataclass(frozen=True)
class Examples:
    """Drafts a rule must fire on (``trigger``) and must not fire on (``pass``)."""

    trigger: tuple[str, ...]
    pass_: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One detector: a pattern or recogniser, context it needs (``when``) or must lack (``unless``)."""

    id: str
    category: str
    severity: str
    match: tuple[re.Pattern[str], ...]
    recogniser: str | None
    kinds: frozenset[str] | None
    when: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    scope: str
    unless_scope: str
    why: str | None
    suggestion: str | None
    cites: tuple[CiteRef, ...]
    rewrite: Rewrite | None
    also: tuple[str, ...] = ()  # further categories raised on the same words
    when_recognised: tuple[tuple[str, frozenset[str] | None], ...] = ()  # any of these recognisers in scope
    describe: str = ""  # what the rule looks for, in plain English
    examples: Examples = Examples((), ())
    source: dict = field(default_factory=dict, compare=False, repr=False)  # the YAML entry, for the rule book


@dataclass(frozen=True)
class Catalogue:
    """Every category and rule, in file order, and the recognisers the rules use (with their allowed lists)."""

    version: str
    categories: dict[str, CategorySpec]
    rules: tuple[Rule, ...]
    lexicons: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)
    recognisers: Recognisers = DEFAULT

    def cites_for(self, rule: Rule, category: str | None = None) -> tuple[CiteRef, ...]:
        """The rule's own citations (for its main category), then the category's (duplicates dropped)."""
        category = category or rule.category
        seen: dict[CiteRef, None] = dict.fromkeys(rule.cites if category == rule.category else ())
        seen.update(dict.fromkeys(self.categories[category].cites))
        return tuple(seen)

    def all_cites(self) -> set[CiteRef]:
        """Every named citation in the catalogue (``match`` references excluded)."""
        refs = {c for spec in self.categories.values() for c in spec.cites}
        return {c for c in refs | {c for rule in self.rules for c in rule.cites} if c.match is None}

    def with_recognisers(self, recognisers: Recognisers) -> Catalogue:
        """The same catalogue with recognisers configured from settings (allowed numbers and emails)."""
        return replace(self, recognisers=recognisers)


DEFAULT_PATH = "rules.yml"


@cache
def load_catalogue(path: str | None = None) -> Catalogue:
    """Parse and validate the catalogue (the packaged ``rules.yml`` unless a path is given)."""
    if path is None:
        raw = resources.files("assistant.checking").joinpath(DEFAULT_PATH).read_text("utf-8")
    else:
        raw = Path(path).read_text("utf-8")
    return parse_catalogue(yaml.safe_load(raw))


def checker_catalogue(settings: Any) -> Catalogue:
    """The packaged catalogue with the settings' allowed numbers and emails (ASSISTANT_ALLOWED_NUMBERS/_EMAILS)."""
    numbers = getattr(settings, "allowed_numbers", None) or ()
    emails = getattr(settings, "allowed_emails", None) or ()
    catalogue = load_catalogue()
    return catalogue.with_recognisers(Recognisers.configured(numbers, emails)) if numbers or emails else catalogue


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    """Build a catalogue from its YAML data, failing loudly on anything a reviewer could get wrong."""
    lexicons = {name: [str(t) for t in terms] for name, terms in (data.get("lexicons") or {}).items()}
    categories: dict[str, CategorySpec] = {}
    for cid, spec in (data.get("categories") or {}).items():
        if cid not in CATEGORIES:
            raise CatalogueError(f"Unknown category {cid!r}; expected one of {', '.join(CATEGORIES)}.")
        categories[cid] = CategorySpec(
            id=cid,
            title=spec["title"],
            severity=_severity(spec.get("severity", "medium"), cid),
            why=_one_line(spec["why"]),
            suggestion=_one_line(spec["suggestion"]),
            # The seeds' pinned paragraphs, then whatever a council's added guidance says on the same subject.
            cites=_cites(spec.get("cite"), cid) + (CiteRef(match=cid),),
            definition=_one_line(spec.get("definition", "")),
            terms=tuple(str(t) for t in _as_list(spec.get("terms"))),
        )
    missing = set(CATEGORIES) - set(categories)
    if missing:
        raise CatalogueError(f"Categories without an entry: {', '.join(sorted(missing))}.")
    rules: list[Rule] = []
    seen: set[str] = set()
    for item in data.get("rules") or []:
        rule = _rule(item, categories, lexicons)
        if rule.id in seen:
            raise CatalogueError(f"Duplicate rule id {rule.id!r}.")
        seen.add(rule.id)
        rules.append(rule)
    return Catalogue(str(data.get("version", "1")), categories, tuple(rules), lexicons)


def _rule(item: dict[str, Any], categories: dict[str, CategorySpec], lexicons: dict[str, list[str]]) -> Rule:
    rid = item.get("id") or "<missing id>"
    category = item.get("category")
    if category not in categories:
        raise CatalogueError(f"Rule {rid}: unknown category {category!r}.")
    recogniser = item.get("recogniser")
    if recogniser is not None and recogniser not in RECOGNISERS:
        raise CatalogueError(f"Rule {rid}: unknown recogniser {recogniser!r}; known: {', '.join(RECOGNISERS)}.")
    kinds = frozenset(_as_list(item["kinds"])) if item.get("kinds") else None
    if kinds and recogniser and kinds - KINDS[recogniser]:
        raise CatalogueError(f"Rule {rid}: {recogniser} has no kind {', '.join(sorted(kinds - KINDS[recogniser]))}; "
                             f"its kinds are {', '.join(sorted(KINDS[recogniser]))}.")
    match = tuple(_compile(p, lexicons, rid) for p in _as_list(item.get("match")))
    if not match and recogniser is None:
        raise CatalogueError(f"Rule {rid}: needs `match` patterns or a `recogniser`.")
    scope = item.get("scope", "near")
    unless_scope = item.get("unless_scope", scope)
    for s in (scope, unless_scope):
        if s not in SCOPES:
            raise CatalogueError(f"Rule {rid}: scope {s!r} is not one of {', '.join(SCOPES)}.")
    rewrite = None
    if item.get("rewrite"):
        ((action, text),) = dict(item["rewrite"]).items()
        if action not in REWRITES:
            raise CatalogueError(f"Rule {rid}: rewrite {action!r} is not one of {', '.join(REWRITES)}.")
        rewrite = Rewrite(action, "" if text is True else str(text))
    also = tuple(_as_list(item.get("also")))
    for extra in also:
        if extra not in categories:
            raise CatalogueError(f"Rule {rid}: unknown category {extra!r} in `also`.")
    when_recognised = []
    for name, wanted in dict(item.get("when_recognised") or {}).items():
        if name not in RECOGNISERS:
            raise CatalogueError(f"Rule {rid}: unknown recogniser {name!r} in `when_recognised`.")
        when_recognised.append((name, frozenset(_as_list(wanted)) if wanted else None))
    cites = _cites(item.get("cite"), rid)
    return Rule(
        id=rid,
        category=category,
        severity=_severity(item.get("severity", categories[category].severity), rid),
        match=match,
        recogniser=recogniser,
        kinds=kinds,
        when=tuple(_compile(p, lexicons, rid) for p in _as_list(item.get("when"))),
        unless=tuple(_compile(p, lexicons, rid) for p in _as_list(item.get("unless"))),
        scope=scope,
        unless_scope=unless_scope,
        why=_one_line(item["why"]) if item.get("why") else None,
        suggestion=_one_line(item["suggestion"]) if item.get("suggestion") else None,
        cites=cites,
        rewrite=rewrite,
        also=also,
        when_recognised=tuple(when_recognised),
        describe=_one_line(item.get("describe", "")),
        examples=_examples(item.get("examples"), rid),
        source=dict(item),
    )


def _examples(data: Any, rid: str) -> Examples:
    data = data or {}
    trigger = tuple(str(t) for t in _as_list(data.get("trigger")))
    passing = tuple(str(t) for t in _as_list(data.get("pass")))
    if not trigger or not passing:
        raise CatalogueError(f"Rule {rid}: needs `examples` with drafts it must `trigger` on and drafts that must `pass`.")
    return Examples(trigger, passing)


def expand(pattern: str, lexicons: dict[str, list[str]], where: str = "pattern") -> str:
    """Replace each ``<<name>>`` with a non-capturing alternation of that lexicon's entries."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in lexicons:
            raise CatalogueError(f"{where}: unknown lexicon <<{name}>>.")
        # Whole words only: "nda" must not match inside "Monday" (an underscore is markup: "_exempt report_").
        return r"(?<![^\W_])(?:" + "|".join(sorted(lexicons[name], key=len, reverse=True)) + r")(?![^\W_])"

    return _LEXICON_REF.sub(sub, pattern)


def _compile(pattern: str, lexicons: dict[str, list[str]], rid: str) -> re.Pattern[str]:
    # Case-insensitive unless the pattern opts out with (?-i:...) — names and acronyms need case.
    try:
        return re.compile(expand(str(pattern), lexicons, f"Rule {rid}"), re.IGNORECASE)
    except re.error as exc:
        raise CatalogueError(f"Rule {rid}: bad pattern {pattern!r} ({exc}).") from None


def _severity(value: str, where: str) -> str:
    if value not in SEVERITY_RANK:
        raise CatalogueError(f"{where}: severity {value!r} is not one of low, medium, high.")
    return value


def _cites(items: Any, where: str) -> tuple[CiteRef, ...]:
    refs = []
    for c in _as_list(items):
        ok = isinstance(c, dict) and (c.get("doc") or c.get("council")) and (c.get("contains") or c.get("paragraph"))
        if not ok:
            raise CatalogueError(f"{where}: a citation needs `doc` (or `council`) and `contains` (or `paragraph`), "
                                 f"got {c!r}.")
        refs.append(CiteRef(doc=_str(c.get("doc")), contains=_str(c.get("contains")), paragraph=_str(c.get("paragraph")),
                            council=_str(c.get("council")), document=_str(c.get("document"))))
    return tuple(refs)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
