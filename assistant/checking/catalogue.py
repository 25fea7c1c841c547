"""The rule catalogue: categories, rules, lexicons and the guidance each cites, loaded from ``rules.yml``.

The catalogue is data a Monitoring Officer can review; this module only parses and validates it. Lexicons are
named lists of regex fragments, referenced in patterns as ``<<name>>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assistant.checking.models import CATEGORIES, SEVERITY_RANK
from assistant.checking.recognisers import RECOGNISERS

_LEXICON_REF = re.compile(r"<<(\w+)>>")
SCOPES = ("around", "sentence", "near", "post")
REWRITES = ("redact", "replace", "drop", "replace_sentence", "drop_sentence")


class CatalogueError(ValueError):
    """The rule catalogue is malformed (a bad id, pattern, severity or citation)."""


@dataclass(frozen=True)
class CiteRef:
    """A guidance paragraph named by document id and a phrase it contains."""

    doc: str
    contains: str


@dataclass(frozen=True)
class CategorySpec:
    """A risk category: its default severity, plain-English why, suggestion and guidance."""

    id: str
    title: str
    severity: str
    why: str
    suggestion: str
    cites: tuple[CiteRef, ...]


@dataclass(frozen=True)
class Rewrite:
    """How to make the matched words safe: redact/replace/drop the match, or replace/drop its sentence."""

    action: str
    text: str = ""


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


@dataclass(frozen=True)
class SemanticSpec:
    """When the embedding classifier may raise a category: probability threshold, severity and word gates."""

    category: str
    threshold: float
    severity: str
    requires: tuple[re.Pattern[str], ...] = ()  # any of these must be in the draft
    unless: tuple[re.Pattern[str], ...] = ()  # none of these may be in the draft
    medium_at: float | None = None  # probability at which the finding becomes medium (needs `requires`)
    also: tuple[str, ...] = ()  # further categories raised with it ...
    also_requires: tuple[re.Pattern[str], ...] = ()  # ... when the draft has one of these words


@dataclass(frozen=True)
class Catalogue:
    """Every category and rule, in file order, and the semantic classifier's settings."""

    version: str
    categories: dict[str, CategorySpec]
    rules: tuple[Rule, ...]
    semantic: dict[str, SemanticSpec] = field(default_factory=dict)

    def cites_for(self, rule: Rule, category: str | None = None) -> tuple[CiteRef, ...]:
        """The rule's own citations (for its main category), then the category's (duplicates dropped)."""
        category = category or rule.category
        seen: dict[CiteRef, None] = dict.fromkeys(rule.cites if category == rule.category else ())
        seen.update(dict.fromkeys(self.categories[category].cites))
        return tuple(seen)

    def all_cites(self) -> set[CiteRef]:
        """Every citation named anywhere in the catalogue."""
        refs = {c for spec in self.categories.values() for c in spec.cites}
        return refs | {c for rule in self.rules for c in rule.cites}


DEFAULT_PATH = "rules.yml"


@cache
def load_catalogue(path: str | None = None) -> Catalogue:
    """Parse and validate the catalogue (the packaged ``rules.yml`` unless a path is given)."""
    if path is None:
        raw = resources.files("assistant.checking").joinpath(DEFAULT_PATH).read_text("utf-8")
    else:
        raw = Path(path).read_text("utf-8")
    return parse_catalogue(yaml.safe_load(raw))


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
            cites=_cites(spec.get("cite"), cid),
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
    return Catalogue(str(data.get("version", "1")), categories, tuple(rules), _semantic(data.get("semantic"), lexicons))


def _semantic(data: dict[str, Any] | None, lexicons: dict[str, list[str]]) -> dict[str, SemanticSpec]:
    if not data:
        return {}
    default = data.get("default") or {}
    specs: dict[str, SemanticSpec] = {}
    for cid, spec in (data.get("categories") or {}).items():
        if cid not in CATEGORIES:
            raise CatalogueError(f"semantic: unknown category {cid!r}.")
        spec = {**default, **(spec or {})}
        if spec.get("enabled", True) is False:
            continue
        threshold = float(spec.get("threshold", 0.7))
        if not 0.0 < threshold < 1.0:
            raise CatalogueError(f"semantic.{cid}: threshold must be between 0 and 1, got {threshold}.")
        specs[cid] = SemanticSpec(
            category=cid,
            threshold=threshold,
            severity=_severity(spec.get("severity", "low"), f"semantic.{cid}"),
            requires=tuple(_compile(p, lexicons, f"semantic.{cid}") for p in _as_list(spec.get("requires"))),
            unless=tuple(_compile(p, lexicons, f"semantic.{cid}") for p in _as_list(spec.get("unless"))),
            medium_at=float(spec["medium_at"]) if spec.get("medium_at") is not None else None,
            also=tuple(_as_list(spec.get("also"))),
            also_requires=tuple(_compile(p, lexicons, f"semantic.{cid}") for p in _as_list(spec.get("also_requires"))),
        )
        if set(specs[cid].also) - set(CATEGORIES):
            raise CatalogueError(f"semantic.{cid}: unknown category in `also`.")
        if not specs[cid].requires:
            raise CatalogueError(f"semantic.{cid}: needs `requires` words (the classifier only runs behind a word gate).")
    return specs


def _rule(item: dict[str, Any], categories: dict[str, CategorySpec], lexicons: dict[str, list[str]]) -> Rule:
    rid = item.get("id") or "<missing id>"
    category = item.get("category")
    if category not in categories:
        raise CatalogueError(f"Rule {rid}: unknown category {category!r}.")
    recogniser = item.get("recogniser")
    if recogniser is not None and recogniser not in RECOGNISERS:
        raise CatalogueError(f"Rule {rid}: unknown recogniser {recogniser!r}; known: {', '.join(RECOGNISERS)}.")
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
    for name, kinds in dict(item.get("when_recognised") or {}).items():
        if name not in RECOGNISERS:
            raise CatalogueError(f"Rule {rid}: unknown recogniser {name!r} in `when_recognised`.")
        when_recognised.append((name, frozenset(_as_list(kinds)) if kinds else None))
    return Rule(
        id=rid,
        category=category,
        severity=_severity(item.get("severity", categories[category].severity), rid),
        match=match,
        recogniser=recogniser,
        kinds=frozenset(_as_list(item["kinds"])) if item.get("kinds") else None,
        when=tuple(_compile(p, lexicons, rid) for p in _as_list(item.get("when"))),
        unless=tuple(_compile(p, lexicons, rid) for p in _as_list(item.get("unless"))),
        scope=scope,
        unless_scope=unless_scope,
        why=_one_line(item["why"]) if item.get("why") else None,
        suggestion=_one_line(item["suggestion"]) if item.get("suggestion") else None,
        cites=_cites(item.get("cite"), rid),
        rewrite=rewrite,
        also=also,
        when_recognised=tuple(when_recognised),
    )


def expand(pattern: str, lexicons: dict[str, list[str]], where: str = "pattern") -> str:
    """Replace each ``<<name>>`` with a non-capturing alternation of that lexicon's entries."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in lexicons:
            raise CatalogueError(f"{where}: unknown lexicon <<{name}>>.")
        # Whole words only: "nda" must not match inside "Monday".
        return r"(?<!\w)(?:" + "|".join(sorted(lexicons[name], key=len, reverse=True)) + r")(?!\w)"

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
        if not isinstance(c, dict) or not c.get("doc") or not c.get("contains"):
            raise CatalogueError(f"{where}: a citation needs `doc` and `contains`, got {c!r}.")
        refs.append(CiteRef(str(c["doc"]), str(c["contains"])))
    return tuple(refs)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
