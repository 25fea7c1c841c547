"""Optional LLM synthesis through langchain: every sentence must cite a retrieved paragraph, or it is discarded.

The model sees only the retrieved paragraphs, numbered [1]..[n]. Its reply is accepted only if every
sentence carries at least one marker and every marker names a paragraph it was given; otherwise the
deterministic extractive answer stands. Network or model errors also fall back, with a warning that
never includes the question.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from assistant.config import Settings
from assistant.errors import ServiceUnavailable

log = logging.getLogger(__name__)
MARKER_RE = re.compile(r"\[(\d{1,2})\]")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")

SYSTEM_PROMPT = (
    "You help UK councillors understand their council's social-media guidance. Answer ONLY from the numbered "
    "paragraphs provided. End every sentence with the marker(s) of the paragraph(s) that support it, like [1] or "
    "[2][3]. If the paragraphs do not answer the question, reply exactly: NOT COVERED. Be brief (at most 5 "
    "sentences), plain English, no legal advice beyond the text."
)


def chat_model_from_settings(settings: Settings):
    """A langchain chat model for the configured provider (OpenAI-compatible endpoint or Ollama)."""
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ServiceUnavailable("LLM answers need the 'langchain' package.") from exc
    if not settings.llm_model:
        raise ServiceUnavailable("ASSISTANT_LLM_MODEL is not set.", hint="Set it, or ASSISTANT_LLM_PROVIDER=none.")
    kwargs = {"timeout": settings.llm_timeout_s, "temperature": 0}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if settings.llm_api_key is not None:
        kwargs["api_key"] = settings.llm_api_key.get_secret_value()
    try:
        return init_chat_model(settings.llm_model, model_provider=settings.llm_provider, **kwargs)
    except (ImportError, ValueError) as exc:
        raise ServiceUnavailable(
            f"The '{settings.llm_provider}' chat model could not be set up.",
            hint=f"Install langchain-{settings.llm_provider}, or set ASSISTANT_LLM_PROVIDER=none.",
        ) from exc


def build_prompt(answer) -> list[tuple[str, str]]:
    """The messages sent to the model: the rules, then the numbered paragraphs and the question."""
    numbered = "\n\n".join(
        f"[{i}] {c.council or 'Council not named'} — {c.document}, {c.section}, {c.paragraph}:\n{c.text}"
        for i, c in enumerate(answer.citations, 1)
    )
    return [("system", SYSTEM_PROMPT), ("human", f"Paragraphs:\n{numbered}\n\nQuestion: {answer.question}")]


def validate(text: str, n_citations: int) -> bool:
    """True when every sentence cites at least one of the n paragraphs, and no marker is out of range."""
    text = text.strip()
    if not text or text.upper().startswith("NOT COVERED"):
        return False
    sentences = [s for s in SENTENCE_RE.split(text) if s.strip()]
    for sentence in sentences:
        markers = [int(m) for m in MARKER_RE.findall(sentence)]
        if not markers or any(not 1 <= m <= n_citations for m in markers):
            return False
    return True


def synthesise(chat_model, answer):
    """An LLM-written answer whose sentences all cite retrieved paragraphs, or None to keep the extractive one."""
    try:
        reply = chat_model.invoke(build_prompt(answer))
    except Exception as exc:  # noqa: BLE001 - any model failure falls back to the extractive answer
        log.warning("LLM synthesis failed (%s); using the extractive answer.", type(exc).__name__)
        return None
    text = reply.content if isinstance(reply.content, str) else str(reply.content)
    if not validate(text, len(answer.citations)):
        log.info("LLM answer failed citation validation; using the extractive answer.")
        return None
    sources = "\n".join(f"[{i}] {c.reference()}: “{c.text.replace('**', '').strip()}”"
                        for i, c in enumerate(answer.citations, 1))
    return replace(answer, answer=f"{text.strip()}\n\nSources:\n{sources}", lead=text.strip(), mode="llm")
