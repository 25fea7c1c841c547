"""Runs the catalogue's rules over a draft: pattern and recogniser matches, filtered by their context."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.checking.catalogue import Catalogue, Rule
from assistant.checking.models import SEVERITY_RANK
from assistant.checking.recognisers import DEFAULT, Hit, Recognisers
from assistant.checking.text import Span, sentence_at, sentences

AROUND = 60  # characters either side of a match for scope "around" (kept inside its sentence)
MAX_SCOPE = 400  # no context window reaches further than this from its match (a draft may have no full stops)
MAX_CANDIDATES = 60  # per rule: a draft pasting the same number 3,000 times needs no 3,000 findings


@dataclass(frozen=True)
class RuleHit:
    """A rule that fired on ``text[start:end]`` inside the sentence ``sentence``."""

    rule: Rule
    category: str
    start: int
    end: int
    sentence: Span
    # The recognisers that ran (with the allowed lists from settings): the rewrite re-checks its output with them.
    recognisers: Recognisers = field(default=DEFAULT, compare=False, repr=False)

    @property
    def rank(self) -> int:
        """Severity as a number."""
        return SEVERITY_RANK[self.rule.severity]


def run_rules(
    catalogue: Catalogue, text: str, sents: list[Span] | None = None, *, truncated: list[str] | None = None
) -> list[RuleHit]:
    """Every rule hit in ``text`` (already blanked of markup), overlapping hits of a category collapsed.

    Rules with more than MAX_CANDIDATES matches are cut short; their ids go into ``truncated`` if given.
    """
    sents = sents if sents is not None else sentences(text)
    if not sents:
        return []
    recognised: dict[str, list[Hit]] = {}
    hits: list[RuleHit] = []
    for rule in catalogue.rules:
        checked: dict[tuple[int, int, int, int], bool] = {}
        candidates = _candidates(rule, text, recognised, catalogue.recognisers)
        if len(candidates) > MAX_CANDIDATES and truncated is not None:
            truncated.append(rule.id)
        for start, end in candidates[:MAX_CANDIDATES]:
            if end <= start:
                continue
            idx = sentence_at(sents, start)
            key = (*_scope_bounds(rule.scope, text, sents, idx, start, end),
                   *_scope_bounds(rule.unless_scope, text, sents, idx, start, end))
            if key not in checked:  # many matches in one sentence share one context check
                checked[key] = _context_ok(rule, text, sents, idx, start, end)
            if not checked[key]:
                continue
            if rule.when_recognised and not _recognised_in_scope(
                rule, text, sents, idx, start, end, recognised, catalogue.recognisers
            ):
                continue
            for category in (rule.category, *rule.also):
                hits.append(RuleHit(rule, category, start, end, sents[idx], catalogue.recognisers))
    return _collapse(hits)


def _candidates(
    rule: Rule, text: str, recognised: dict[str, list[Hit]], recognisers: Recognisers
) -> list[tuple[int, int]]:
    if rule.recogniser is not None:
        if rule.recogniser not in recognised:
            recognised[rule.recogniser] = recognisers.find(rule.recogniser, text)
        return [(h.start, h.end) for h in recognised[rule.recogniser] if rule.kinds is None or h.kind in rule.kinds]
    out = []
    for pattern in rule.match:
        for m in pattern.finditer(text):
            # A named group "hit" narrows the quoted words to the risky part of a longer pattern.
            span = m.span("hit") if "hit" in pattern.groupindex and m.group("hit") is not None else m.span()
            out.append(span)
    return out


def _recognised_in_scope(
    rule: Rule, text: str, sents: list[Span], idx: int, start: int, end: int, recognised: dict[str, list[Hit]],
    recognisers: Recognisers,
) -> bool:
    lo, hi = _scope_bounds(rule.scope, text, sents, idx, start, end)
    for name, kinds in rule.when_recognised:
        if name not in recognised:
            recognised[name] = recognisers.find(name, text)
        if any(lo <= h.start and h.end <= hi and (kinds is None or h.kind in kinds) for h in recognised[name]):
            return True
    return False


def _scope_text(scope: str, text: str, sents: list[Span], idx: int, start: int, end: int) -> str:
    lo, hi = _scope_bounds(scope, text, sents, idx, start, end)
    return text[lo:hi]


def _scope_bounds(scope: str, text: str, sents: list[Span], idx: int, start: int, end: int) -> tuple[int, int]:
    if scope == "post":
        lo, hi = 0, len(text)
    elif scope == "sentence":
        lo, hi = sents[idx].start, max(sents[idx].end, end)
    elif scope == "around":
        return max(sents[idx].start, start - AROUND), min(max(sents[idx].end, end), end + AROUND)
    else:
        lo, hi = sents[max(0, idx - 1)].start, max(sents[min(len(sents) - 1, idx + 1)].end, end)
    return max(lo, start - MAX_SCOPE), min(hi, end + MAX_SCOPE)


def _context_ok(rule: Rule, text: str, sents: list[Span], idx: int, start: int, end: int) -> bool:
    if rule.when:
        scope = _scope_text(rule.scope, text, sents, idx, start, end)
        if not all(p.search(scope) for p in rule.when):
            return False
    if rule.unless:
        scope = _scope_text(rule.unless_scope, text, sents, idx, start, end)
        if any(p.search(scope) for p in rule.unless):
            return False
    return True


def _collapse(hits: list[RuleHit]) -> list[RuleHit]:
    # Highest severity first; a later hit overlapping a kept one of the same category adds nothing.
    kept: list[RuleHit] = []
    for hit in sorted(hits, key=lambda h: (-h.rank, h.start, -(h.end - h.start))):
        if any(k.category == hit.category and k.start < hit.end and hit.start < k.end for k in kept):
            continue
        kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, -h.rank))
