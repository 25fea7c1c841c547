"""A safer version of the draft, built from the rewrite each fired rule asks for (medium and high only)."""

from __future__ import annotations

import re

from assistant.checking.engine import RuleHit
from assistant.checking.text import Span

_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([,.!?;:])")
_EMPTY_LINES = re.compile(r"\n{3,}")


def safer_rewrite(draft: str, hits: list[RuleHit]) -> str | None:
    """The draft with risky words redacted or sentences replaced; None when nothing changes or nothing is left."""
    active = [h for h in hits if h.rule.rewrite is not None and h.rank >= 2]
    if not active:
        return None
    sentence_edits: dict[Span, str] = {}
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
    out = draft
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    out = _EMPTY_LINES.sub("\n\n", _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", out))).strip()
    if not out or not any(ch.isalnum() for ch in out) or out == draft.strip():
        return None
    return out
