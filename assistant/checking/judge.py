"""Optional LLM judge through langchain: it may ADD findings the deterministic checker missed, never remove one.

Only used when an LLM provider is configured (settings.llm_provider != "none"); the draft then goes to that
provider, and nowhere else. The model must quote the draft word for word: a finding whose quote cannot be found
in the draft, or whose category is unknown, is dropped. Its findings are capped at medium severity, so only the
reviewed rule catalogue can call a draft high risk. Failures (network, timeout, unparseable reply) are logged
by type only and the deterministic result stands.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection
from typing import Any

from assistant.checking.catalogue import Catalogue
from assistant.checking.models import Proposal
from assistant.checking.text import Span

log = logging.getLogger(__name__)

MAX_FINDINGS = 8
_JSON_BLOCK = re.compile(r"\{.*\}", re.S)

SYSTEM_PROMPT = """You review a UK councillor's draft social-media post against their council's social-media guidance.
Report only real risks, in these categories (id: meaning):
{categories}
Robust political criticism, clearly labelled opinion and calls for transparency are legitimate: do not report them.
Reply with JSON only, no prose: {{"findings": [{{"category": "<id>", "severity": "low|medium", "quote": "<exact words copied from the draft>", "why": "<one plain-English sentence>"}}]}}
Use {{"findings": []}} when the post is fine."""


class LLMJudge:
    """Asks a langchain chat model for extra findings and keeps only those that quote the draft exactly."""

    def __init__(self, chat_model: Any, catalogue: Catalogue) -> None:
        self.chat_model = chat_model
        self.catalogue = catalogue
        lines = "\n".join(f"- {c.id}: {c.why}" for c in catalogue.categories.values())
        self.system = SYSTEM_PROMPT.format(categories=lines)

    def propose(self, draft: str, scan: str, sents: list[Span], covered: Collection[str]) -> list[Proposal]:
        """Findings from the model for categories not yet covered (offsets found by searching the draft)."""
        reply = self.chat_model.invoke([("system", self.system), ("human", f"Draft post:\n<<<\n{draft}\n>>>")])
        content = reply.content if isinstance(reply.content, str) else str(reply.content)
        out: list[Proposal] = []
        for item in _parse(content)[:MAX_FINDINGS]:
            category = str(item.get("category", "")).strip()
            quote = str(item.get("quote", "")).strip()
            if category not in self.catalogue.categories or category in covered or not quote:
                continue
            span = _locate(draft, quote)
            if span is None:
                continue  # the model paraphrased or invented words: not evidence
            severity = "medium" if str(item.get("severity", "")).lower() in ("medium", "high") else "low"
            why = " ".join(str(item.get("why", "")).split())[:300] or None
            out.append(Proposal(category, severity, span[0], span[1], why=why, rule="llm", source="llm"))  # type: ignore[arg-type]
        return out


def _parse(content: str) -> list[dict]:
    match = _JSON_BLOCK.search(content)
    if not match:
        return []
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return []
    findings = data.get("findings") if isinstance(data, dict) else None
    return [f for f in findings if isinstance(f, dict)] if isinstance(findings, list) else []


def _locate(draft: str, quote: str) -> tuple[int, int] | None:
    start = draft.find(quote)
    if start >= 0:
        return start, start + len(quote)
    # Tolerate differences of case and white space only.
    pattern = r"\s+".join(re.escape(part) for part in quote.split())
    m = re.search(pattern, draft, re.IGNORECASE)
    return (m.start(), m.end()) if m else None


def build_judge(settings: Any, catalogue: Catalogue) -> LLMJudge | None:
    """The LLM judge when a provider is configured, else None (fully offline)."""
    if getattr(settings, "llm_provider", "none") == "none":
        return None
    from assistant.answering.llm import chat_model_from_settings

    try:
        return LLMJudge(chat_model_from_settings(settings), catalogue)
    except Exception as exc:  # the checker works without a judge; say why once, without any draft
        log.warning("LLM judge not available (%s); checking with rules only", type(exc).__name__)
        return None
