"""The rule book: the whole catalogue (categories, rules, examples, citations) as a page a Monitoring Officer can
read and sign off, in Markdown or HTML. ``assistant checker rulebook`` writes it.

The page is built once as a list of blocks and then written out in either format, so both say the same thing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistant.checking.catalogue import Catalogue, CiteRef, Rule
from assistant.checking.citations import CitationIndex
from assistant.checking.recognisers import RECOGNISERS
from assistant.knowledge.models import Citation, clean_quote

FORMATS = ("md", "html")
SEVERITY_WORDS = {"high": "High — do not publish as it stands", "medium": "Medium — change or check before posting",
                  "low": "Low — advice only; never changes the verdict"}
SCOPE_WORDS = {"around": "within 60 characters in the same sentence", "sentence": "in the same sentence",
               "near": "in the same sentence or the one either side", "post": "anywhere in the post"}
REWRITE_WORDS = {"redact": "replaces the words with “{text}”", "replace": "replaces the words with “{text}”",
                 "drop": "removes the words", "replace_sentence": "replaces the sentence with “{text}”",
                 "drop_sentence": "removes the sentence"}


@dataclass(frozen=True)
class Block:
    """One piece of the page: a heading, a labelled line, a paragraph, a list, a quote or code."""

    kind: str  # h1 h2 h3 field p list quote code
    text: str = ""
    label: str = ""
    items: tuple[str, ...] = ()
    anchor: str = ""


def render_rulebook(catalogue: Catalogue, citations: CitationIndex | None = None, *, council: str | None = None,
                    fmt: str = "md") -> str:
    """The rule book as Markdown (``md``) or a standalone HTML page (``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}. Currently, format is {fmt!r}.")
    blocks = list(_blocks(catalogue, citations, council))
    return _markdown(blocks) if fmt == "md" else _html(blocks)


def rulebook_for(catalogue: Catalogue, knowledge: Any, *, council: str | None = None, fmt: str = "md") -> str:
    """The rule book with every citation resolved through this knowledge base (own council first)."""
    return render_rulebook(catalogue, CitationIndex.build(catalogue, knowledge), council=council, fmt=fmt)


def _blocks(catalogue: Catalogue, index: CitationIndex | None, council: str | None) -> Iterator[Block]:
    by_category: dict[str, list[Rule]] = {c: [] for c in catalogue.categories}
    for rule in catalogue.rules:
        by_category[rule.category].append(rule)
    yield Block("h1", "Post checker rule book")
    yield Block("p", f"Catalogue version {catalogue.version}: {len(catalogue.categories)} categories, "
                     f"{len(catalogue.rules)} rules, {sum(len(r.examples.trigger) + len(r.examples.pass_) for r in catalogue.rules)} "
                     f"tested examples." + (f" Citations ordered for {council}." if council else ""))
    yield Block("h2", "How a draft is checked", anchor="how")
    yield Block("list", items=(
        "A trained classifier reads every sentence (and the whole post) for all the categories below. The "
        "categories that depend on meaning rather than on particular words — defamation, tone, incitement, "
        "naming staff, safeguarding, misleading framing — rest on it.",
        "Recognisers find structured personal details (listed below); rules decide how serious each one is.",
        "Rules catch a few precise things in a way that can be explained in a sentence; each is tested by the "
        "examples shown with it, which it must and must not fire on.",
        "The result is every finding from all three, each saying which detector raised it. The safer version "
        "removes every personal detail any recogniser finds; where the risk is in what the post says, the "
        "councillor is told that no safer version can be made.",
    ))
    yield Block("list", items=tuple(f"{w}." for w in SEVERITY_WORDS.values()))
    allowed = len(catalogue.recognisers.allowed_numbers) + len(catalogue.recognisers.allowed_emails)
    yield Block("p", "Published numbers and emails (the council switchboard, your office number) are not personal "
                     "data: they are set in ASSISTANT_ALLOWED_NUMBERS and ASSISTANT_ALLOWED_EMAILS"
                     + (f" ({allowed} configured)." if allowed else " (none configured)."))
    yield Block("h2", "Recognisers", anchor="recognisers")
    yield Block("list", items=tuple(f"{name}: {what}" for name, what in RECOGNISERS.items()))
    yield Block("h2", "Categories", anchor="categories")
    yield Block("list", items=tuple(f"{s.title} ({s.severity}): {_rules(len(by_category[c]))}"
                                    for c, s in catalogue.categories.items()))
    for cid, spec in catalogue.categories.items():
        yield Block("h2", f"{spec.title}", anchor=cid)
        yield Block("field", cid, label="Category id")
        yield Block("field", SEVERITY_WORDS[spec.severity], label="Default severity")
        yield Block("field", spec.definition, label="What counts")
        yield Block("field", spec.why, label="Why it matters")
        yield Block("field", spec.suggestion, label="Suggestion")
        rules = by_category[cid]
        detectors = "the trained classifier" + (f" and {_rules(len(rules))}" if rules else " only")
        yield Block("field", detectors, label="Detected by")
        yield Block("field", "", label="Guidance cited")
        yield from _citation_blocks(spec.cites, index, catalogue, cid, council)
        yield Block("p", "Also cited: the paragraph of any council's own added guidance that best matches this "
                         "definition and uses one of: " + ", ".join(spec.terms) + ".")
        for rule in rules:
            yield from _rule_blocks(rule, index)
    if catalogue.lexicons:
        yield Block("h2", "Word lists used by the rules", anchor="lexicons")
        for name, terms in catalogue.lexicons.items():
            yield Block("field", "", label=name)
            yield Block("code", "\n".join(terms))


def _rules(n: int) -> str:
    return f"{n} rule" if n == 1 else f"{n} rules"


def _citation_blocks(refs: tuple[CiteRef, ...], index: CitationIndex | None, catalogue: Catalogue, category: str,
                     council: str | None) -> Iterator[Block]:
    if index is None:
        yield Block("list", items=tuple(r.describe() for r in refs))
        return
    citations = index.for_category(catalogue, category, council)
    yield Block("list", items=tuple(_cited(c) for c in citations) or ("No paragraph found in the knowledge base.",))


def _cited(c: Citation) -> str:
    return f"{c.reference()}: “{clean_quote(c.text)}”"


def _rule_blocks(rule: Rule, index: CitationIndex | None) -> Iterator[Block]:
    yield Block("h3", f"Rule {rule.id}", anchor=rule.id)
    yield Block("field", SEVERITY_WORDS[rule.severity], label="Severity")
    yield Block("field", rule.describe, label="Looks for")
    if rule.recogniser:
        kinds = f" (kinds: {', '.join(sorted(rule.kinds))})" if rule.kinds else ""
        yield Block("field", f"the {rule.recogniser} recogniser{kinds}", label="Found by")
    for label, key in (("Patterns", "match"), ("Only when, " + SCOPE_WORDS[rule.scope], "when"),
                       ("Not when, " + SCOPE_WORDS[rule.unless_scope], "unless")):
        patterns = rule.source.get(key)
        if patterns:
            yield Block("field", "", label=label)
            yield Block("code", "\n".join(patterns if isinstance(patterns, list) else [patterns]))
    if rule.also:
        yield Block("field", ", ".join(rule.also), label="Also raises")
    if rule.why:
        yield Block("field", rule.why, label="Why")
    if rule.suggestion:
        yield Block("field", rule.suggestion, label="Suggestion")
    if rule.rewrite:
        yield Block("field", REWRITE_WORDS[rule.rewrite.action].format(text=rule.rewrite.text), label="Safer version")
    if rule.cites:
        yield Block("field", "", label="Cites first")
        found = [index.paragraphs.get(r) for r in rule.cites] if index else []
        items = [_cited(Citation.from_paragraph(p, 1.0)) for p in found if p] if index else [r.describe() for r in rule.cites]
        yield Block("list", items=tuple(items))
    yield Block("field", "", label="Must fire on")
    yield Block("list", items=rule.examples.trigger)
    yield Block("field", "", label="Must not fire on")
    yield Block("list", items=rule.examples.pass_)


def _markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            out += [f"{'#' * int(b.kind[1])} {b.text}", ""]
        elif b.kind == "field":
            out += [f"**{b.label}:** {_md_escape(b.text)}".rstrip(), ""]
        elif b.kind == "p":
            out += [_md_escape(b.text), ""]
        elif b.kind == "list":
            out += [f"- {_md_escape(item)}" for item in b.items] + [""]
        elif b.kind == "code":
            out += ["```", b.text, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _md_escape(text: str) -> str:
    # Drafts and quotes hold *, _, # and <: shown literally, never as formatting.
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _html(blocks: list[Block]) -> str:
    body: list[str] = []
    for b in blocks:
        anchor = f' id="{html.escape(b.anchor)}"' if b.anchor else ""
        if b.kind in ("h1", "h2", "h3"):
            body.append(f"<{b.kind}{anchor}>{html.escape(b.text)}</{b.kind}>")
        elif b.kind == "field":
            body.append(f"<p><strong>{html.escape(b.label)}:</strong> {html.escape(b.text)}</p>")
        elif b.kind == "p":
            body.append(f"<p>{html.escape(b.text)}</p>")
        elif b.kind == "list":
            body.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in b.items) + "</ul>")
        elif b.kind == "code":
            body.append(f"<pre><code>{html.escape(b.text)}</code></pre>")
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head><meta charset=\"utf-8\"><title>Post checker rule book</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
            "line-height:1.5}pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap}"
            "h2{border-top:1px solid #ccc;padding-top:1rem}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")

