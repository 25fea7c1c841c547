"""A safer version of the draft: the rewrite each fired rule asks for, and no personal detail left behind.

Every personal detail a rule found is rewritten, whatever its severity; then the recognisers read the result
again and anything personal still there (a detail past a rule's match limit, or one no rule reported) is
redacted too, so the safer version never carries a phone number, address or other detail a recogniser knows.
Where the risk is in what the post says rather than in a detail that can be taken out, there is no safer version
(``None``), and :func:`rewrite_notes` says so in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.checking.engine import RuleHit
from assistant.checking.recognisers import DEFAULT, REDACTION, Recognisers
from assistant.checking.text import Span, sentences

_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([,.!?;:])")
_EMPTY_LINES = re.compile(r"\n{3,}")
_MARKUP_ONLY_LINE = re.compile(r"^[ \t*_~#>\-]+$", re.M)  # what is left of "**Leaked**:" once its sentence goes
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")
MAX_PASSES = 3  # a redaction never creates a new detail; the extra passes only guard against overlaps


def safer_rewrite(
    draft: str, hits: list[RuleHit], *, extra: Iterable = (), recognisers: Recognisers | None = None
) -> str | None:
    """The draft with risky words redacted or sentences replaced; None when nothing changes or nothing is left.

    ``extra`` are findings from other detectors (the classifier, an LLM judge): the sentences they point at
    (medium or high) are dropped, since no rule says how to reword them.
    """
    recognisers = recognisers or next((h.recognisers for h in hits), DEFAULT)
    active = [h for h in hits if h.rule.rewrite is not None and (h.rank >= 2 or h.rule.recogniser is not None)]
    dropped = _sentences_of(draft, [f for f in extra if getattr(f, "rank", 0) >= 2])
    if not active and not dropped:
        return None
    sentence_edits: dict[Span, str] = {s: "" for s in dropped}
    used_replacements: set[str] = set()
    for hit in sorted(active, key=lambda h: (-h.rank, h.start)):
        action, text = hit.rule.rewrite.action, hit.rule.rewrite.text
        if action == "drop_sentence":
            sentence_edits[hit.sentence] = ""
        elif action == "replace_sentence" and hit.sentence not in sentence_edits:
            # The same reassurance twice reads oddly: later sentences needing it are simply dropped.
            sentence_edits[hit.sentence] = "" if text in used_replacements else text
            used_replacements.add(text)
    edits: list[tuple[int, int, str]] = [(s.start, s.end, t) for s, t in sentence_edits.items()]
    for hit in sorted(active, key=lambda h: (-h.rank, h.start)):
        action = hit.rule.rewrite.action
        if action not in ("redact", "replace", "drop"):
            continue
        if any(s <= hit.start < e or hit.start <= s < hit.end for s, e, _ in edits):
            continue
        edits.append((hit.start, hit.end, "" if action == "drop" else hit.rule.rewrite.text))
    out = _apply(draft, edits)
    out = _tidy(remove_personal_details(out, recognisers))
    if not out or not any(ch.isalnum() for ch in out) or out == draft.strip():
        return None
    return out


def remove_personal_details(text: str, recognisers: Recognisers = DEFAULT) -> str:
    """The text with every personal detail any recogniser finds replaced by a plain label."""
    for _ in range(MAX_PASSES):
        found = recognisers.personal(text)
        if not found:
            return text
        edits, taken = [], []
        for name, hit in sorted(found, key=lambda f: (f[1].start, -(f[1].end - f[1].start))):
            if any(s < hit.end and hit.start < e for s, e in taken):
                continue
            taken.append((hit.start, hit.end))
            label = "a resident" if hit.kind == "named" else REDACTION[name]
            edits.append((hit.start, hit.end, label))
        text = _apply(text, edits)
    return text


def _sentences_of(draft: str, findings: list) -> list[Span]:
    spans = sentences(draft)
    out = []
    for f in findings:
        out += [s for s in spans if s.start < f.end and f.start < s.end]
    return list(dict.fromkeys(out))


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        if replacement[:1].islower() and _SENTENCE_START.search(text[:start]):
            replacement = replacement[0].upper() + replacement[1:]  # "A resident says ..." at a sentence start
        text = text[:start] + replacement + text[end:]
    return text


def _tidy(text: str) -> str:
    text = _MARKUP_ONLY_LINE.sub("", _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)))
    return _EMPTY_LINES.sub("\n\n", text).strip()


def rewrite_notes(result) -> list[str]:
    """What the councillor should know about the safer version: none could be made, or risks it still holds."""
    serious = [f for f in result.findings if f.rank >= 2]
    if not serious:
        return []
    if result.rewrite is None:
        return ["No safer version could be made: the risk is in what the post says, not in a detail that can be "
                "taken out. Don't post it as it is; rewrite it yourself using the suggestions above."]
    left = [f for f in serious if f.quote.strip() and f.quote in result.rewrite]
    if not left:
        return []
    quoted = "; ".join(f"“{f.quote}” ({f.category.replace('_', ' ')})" for f in left[:3])
    return [f"The safer version still contains {quoted}: reword or remove it before posting."]
