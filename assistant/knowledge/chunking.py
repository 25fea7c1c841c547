"""Structure-aware chunking: one chunk per citable paragraph, with its heading path, number and offsets.

The guidance documents are plain text converted from Word/PDF, so structure shows in line patterns:
headings ("Section 2 – Legal considerations", "3.1 In a professional capacity", short title lines),
numbered paragraphs ("7.", "2.3", "8.9**", "24 Safeguarding…"), lettered items ("a. **Defamation:**"),
bullets ("- "), and tab-separated tables (a Do / Don't table). Each chunk's text is the exact slice of
the source between its offsets, so a citation is always a verbatim quote.

Documents added with `assistant index add` are stored as Markdown (``.md``: the loaders give headings as ``#``
lines, one paragraph or list item per line) and read with the *structured* rules: ``#`` headings are the section
path, and a bullet list after a lead-in is split into items each cited on its own ("para 4, bullet 2", the
lead-in as the last part of its section). The seed documents (``.txt``) keep the rules above, unchanged, because
labelled data sets refer to their paragraph ids and offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.knowledge.models import Document, Paragraph

# "Section 2 – Legal considerations", "Section 6- inappropriate use"
SECTION_RE = re.compile(r"^Section\s+(\d+)\s*[–—-]\s*(.+)$", re.I)
# "- 8.9** If you…", "7.", "2.3 Text", "24 Safeguarding is…", "1.0 Statement"
NUMBERED_RE = re.compile(r"^(?:[-•*]\s+)?(\d{1,2}(?:\.\d{1,2}){0,3})(\.|\*\*|\)|\.\*\*)?\s+(?=\S)")
# "a. **Defamation:**", "- b. **Copyright:**", "(c) text"
LETTERED_RE = re.compile(r"^(?:[-•*]\s+)?\(?([a-z])[.)]\s+(?=\S)")
BULLET_RE = re.compile(r"^[-•*·]\s+(?=\S)")
META_RE = re.compile(r"^(approved|updated|version|date|last reviewed)\b[:\s]|^\[[^\]]*\]$", re.I)
PHONE_LIKE_RE = re.compile(r"\d{5,}|\d{3,5}\s\d{3}\s?\d{3,4}")
END_PUNCT = (".", "!", "?", ";", ":", ",", "”", '"', "’", ")")
# Table cells and fragments shorter than this are not worth citing on their own.
MIN_CHUNK_CHARS = 12
# Structured documents (added ones): Markdown headings, and a web page's "Last updated" line.
STRUCTURED_SUFFIXES = (".md",)
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(\S.*)$")
PAGE_META_RE = re.compile(r"^(page\s+)?last\s+(updated|modified|reviewed)\b|^(next\s+)?review\s+date\b", re.I)
LEAD_IN_OWN_CHUNK = 60  # a lead-in shorter than this ("You must not:") is only the context of its items
LEAD_CONTEXT_CHARS = 90


@dataclass
class _Line:
    start: int
    end: int
    text: str  # stripped line text
    indent: int


@dataclass
class _Unit:
    start: int
    end: int
    kind: str
    number: str | None
    section: tuple[str, ...]
    lead: str | None = None  # a lead-in line ("Members SHOULD:") the unit sits under
    # structured documents: the paragraph a list item belongs to, its place in the list, and whether it is cited
    lead_unit: "_Unit | None" = field(default=None, repr=False)
    position: int = 0
    emit: bool = True
    indent: int = 0


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped, lead))
        pos += len(raw)
    return out


def _plain(s: str) -> str:
    return s.replace("**", "").strip()


def _looks_like_heading(text: str) -> bool:
    plain = _plain(text)
    if not plain or len(plain) > 70 or "\t" in text:
        return False
    if plain[0].islower() or plain.endswith(END_PUNCT[:-1]) or "@" in plain or "http" in plain:
        return False
    if PHONE_LIKE_RE.search(plain) or not re.search(r"[a-z]", plain):  # phone numbers, postcodes: not a title
        return False
    if BULLET_RE.match(text) or LETTERED_RE.match(text) or META_RE.match(plain):
        return False
    return len(plain.split()) <= 10


def _numbered_heading(match: re.Match, text: str) -> bool:
    rest = _plain(text[match.end():])
    words = 12 if rest.endswith("?") else 9  # "3.0 How can members use social media?" is a heading
    return bool(rest) and len(rest) <= 80 and len(rest.split()) <= words and not rest.endswith((".", "!", ";", ":")) and (
        rest[0].isupper() or rest[0].isdigit()
    )


def _depth(number: str) -> int:
    parts = number.split(".")
    # "1.0" is a top-level heading in Powys-style numbering.
    if len(parts) == 2 and parts[1] == "0":
        return 1
    return len(parts)


class _SectionStack:
    """Heading path, keyed by depth."""

    def __init__(self) -> None:
        self.levels: dict[int, str] = {}

    def set(self, depth: int, title: str) -> None:
        self.levels = {d: t for d, t in self.levels.items() if d < depth}
        self.levels[depth] = title

    def deepest(self) -> int:
        return max(self.levels, default=0)

    def path(self) -> tuple[str, ...]:
        return tuple(self.levels[d] for d in sorted(self.levels))


def is_structured(doc: Document) -> bool:
    """Whether a document is read with the structured rules (added documents, stored as Markdown)."""
    return doc.source.lower().endswith(STRUCTURED_SUFFIXES)


def chunk_document(doc: Document, text: str, *, structured: bool | None = None) -> list[Paragraph]:
    """Split a document into citable paragraphs with section paths, own numbering and source offsets."""
    if structured is None:
        structured = is_structured(doc)
    if structured:
        return _finish(doc, text, _split_lists(text, _structured_units(text)))
    lines = _lines(text)
    units: list[_Unit] = []
    stack = _SectionStack()
    last_number: str | None = None  # for lettered items: "7" + "a" -> "7(a)"
    table_columns: list[str] | None = None
    lead: _Unit | None = None
    title_seen = False
    last_heading: tuple[int, dict[int, str]] | None = None  # (line index, stack before it)
    last_unit_line = -1

    for i, line in enumerate(lines):
        t = line.text
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""

        if "\t" in t:
            table_columns = _table_row(line, table_columns, stack, units)
            continue

        section_match = SECTION_RE.match(_plain(t))
        if section_match:
            stack.set(1, _plain(t))
            table_columns, lead = None, None
            continue

        number_match = NUMBERED_RE.match(t)
        if number_match and _numbered_heading(number_match, t):
            number = number_match.group(1)
            stack.set(_depth(number), _plain(BULLET_RE.sub("", t, count=1)))
            table_columns, lead = None, None
            continue

        if META_RE.match(_plain(t)):
            continue

        # A line beginning in lower case continues the line before it (a page or line break in the source).
        if t[0].islower() and not LETTERED_RE.match(t) and not BULLET_RE.match(t) and i > 0:
            if last_heading is not None and last_heading[0] == i - 1:
                # The "heading" was the first half of a sentence: undo it and make one paragraph.
                stack.levels = last_heading[1]
                units.append(_Unit(lines[i - 1].start, line.end, "paragraph", None, stack.path()))
                last_unit_line = i
                continue
            prev = units[-1] if units else None
            if prev is not None and last_unit_line == i - 1 and prev.kind != "table_cell" and not text[
                prev.start : prev.end
            ].rstrip().endswith((".", "!", "?")):
                prev.end = line.end
                last_unit_line = i
                continue

        # Inside a table, a short line is usually a cell that lost its tab; a heading is followed by prose.
        in_table = table_columns is not None and len(nxt) <= 150
        if _looks_like_heading(t) and not number_match and not in_table:
            if not title_seen and not units:
                title_seen = True  # the document title: already in the metadata
                continue
            previous_heading, last_heading = last_heading, (i, dict(stack.levels))
            _place_heading(stack, t, nxt, after_heading=previous_heading is not None and previous_heading[0] == i - 1)
            table_columns, lead = None, None
            continue

        if "\t" not in nxt and table_columns is not None and not _looks_like_heading(nxt) and len(nxt) > 150:
            table_columns = None
        if number_match:
            number = number_match.group(1)
            last_number = number
            unit = _Unit(line.start, line.end, "paragraph", number, stack.path())
        elif (letter := LETTERED_RE.match(t)) is not None:
            base = last_number or ""
            unit = _Unit(line.start, line.end, "item", f"{base}({letter.group(1)})" if base else letter.group(1),
                         stack.path())
        elif BULLET_RE.match(t):
            unit = _Unit(line.start, line.end, "bullet", None, stack.path())
        else:
            unit = _Unit(line.start, line.end, "paragraph", None, stack.path())
        if unit.kind in ("bullet", "item") and lead is not None:
            unit.lead = text[lead.start : lead.end]
        elif unit.kind not in ("bullet", "item"):
            lead = unit if _plain(t).endswith(":") else None
        units.append(unit)
        last_unit_line = i

    return _finish(doc, text, _attach_short_lists(text, units))


def _table_row(line: _Line, columns: list[str] | None, stack: _SectionStack, units: list[_Unit]) -> list[str] | None:
    """A tab-separated row: the column names (first short row), or one unit per cell; returns the columns."""
    cells = line.text.split("\t")
    if columns is None and all(0 < len(_plain(c)) <= 30 for c in cells if c.strip()):
        return [_plain(c) for c in cells]
    offset = line.start
    for col, cell in enumerate(cells):
        if cell.strip():
            cstart = offset + (len(cell) - len(cell.lstrip()))
            name = columns[col] if columns and col < len(columns) else f"column {col + 1}"
            units.append(_Unit(cstart, cstart + len(cell.strip()), "table_cell", None, stack.path() + (name,)))
        offset += len(cell) + 1
    return columns


def _place_heading(stack: _SectionStack, t: str, nxt: str, *, after_heading: bool) -> None:
    """Put an unnumbered heading line into the section path."""
    # A part title: an unnumbered heading directly followed by a "1." heading resets the path.
    first = NUMBERED_RE.match(nxt)
    part_follows = bool(first and first.group(1) in ("1", "1.0") and _numbered_heading(first, nxt))
    if part_follows or SECTION_RE.match(_plain(nxt)) or t.lower().startswith("appendix"):
        stack.levels = {0: _plain(t)}
    elif after_heading and stack.levels:
        # Two title lines in a row ("Councillor Mullaney APE 0400" / "Birmingham City Council"):
        # the second belongs to the first.
        stack.set(max(stack.levels) + 1, _plain(t))
    else:
        depth = max((d for d in stack.levels if d > 0), default=0) + 1
        existing = [d for d, title in stack.levels.items() if d > 0 and not title[:1].isdigit()
                    and not title.lower().startswith("section")]
        stack.set(min(existing) if existing else depth, _plain(t))


def _structured_units(text: str) -> list[_Unit]:
    """Units of an added document: ``#`` headings (else heading-like lines), paragraphs, list items, cells."""
    lines = _lines(text)
    explicit = any(MD_HEADING_RE.match(line.text) for line in lines)  # a web page or Word file says its headings
    units: list[_Unit] = []
    stack = _SectionStack()
    md_depth = 0  # numbered headings nest under the Markdown heading they follow
    last_number: str | None = None
    table_columns: list[str] | None = None
    lead: _Unit | None = None  # the paragraph a following list belongs to
    position = 0
    title_seen = False
    last_heading_line = -2
    last_unit_line = -1

    for i, line in enumerate(lines):
        t = line.text
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        heading = MD_HEADING_RE.match(t)
        if heading:
            level = len(heading.group(1))
            if not (level == 1 and not title_seen and not units):  # the page's <h1>: the title, in the metadata
                stack.set(level, _plain(heading.group(2)))
                md_depth = level
            title_seen = True
            table_columns, lead = None, None
            continue
        if "\t" in t:
            table_columns, lead = _table_row(line, table_columns, stack, units), None
            continue
        number_match = NUMBERED_RE.match(t)
        numbered_heading = number_match and not BULLET_RE.match(t) and _numbered_heading(number_match, t)
        if SECTION_RE.match(_plain(t)) or numbered_heading:
            depth = _depth(number_match.group(1)) if number_match else 1
            stack.set(md_depth + depth, _plain(t))
            table_columns, lead = None, None
            continue
        if META_RE.match(_plain(t)) or PAGE_META_RE.match(_plain(t)):
            continue
        in_table = table_columns is not None and len(nxt) <= 150
        if not explicit and _looks_like_heading(t) and not number_match and not in_table:
            if title_seen or units:
                _place_heading(stack, t, nxt, after_heading=last_heading_line == i - 1)
            title_seen, last_heading_line = True, i
            table_columns, lead = None, None
            continue
        if "\t" not in nxt and table_columns is not None and not _looks_like_heading(nxt) and len(nxt) > 150:
            table_columns = None
        prev = units[-1] if units else None
        if (BULLET_RE.match(t) and prev is not None and prev.kind in ("bullet", "item") and last_unit_line == i - 1
                and line.indent > prev.indent):
            prev.end = line.end  # a sub-item is part of the item above it
            last_unit_line = i
            continue
        if number_match:
            last_number = number_match.group(1)
            unit = _Unit(line.start, line.end, "paragraph", last_number, stack.path())
        elif (letter := LETTERED_RE.match(t)) is not None:
            base = last_number or ""
            unit = _Unit(line.start, line.end, "item", f"{base}({letter.group(1)})" if base else letter.group(1),
                         stack.path())
        elif BULLET_RE.match(t):
            unit = _Unit(line.start, line.end, "bullet", None, stack.path())
        else:
            unit = _Unit(line.start, line.end, "paragraph", None, stack.path())
        unit.indent = line.indent
        if unit.kind in ("bullet", "item"):
            if lead is not None:
                position += 1
                unit.lead_unit, unit.position = lead, position
        else:
            lead, position = unit, 0
        units.append(unit)
        last_unit_line = i
    return units


def _words(text: str) -> int:
    return len(BULLET_RE.sub("", _plain(text)).split())


def _lead_context(text: str) -> str:
    """A lead-in as the last part of its items' section path: no number, no colon, not too long."""
    plain = _plain(BULLET_RE.sub("", text, count=1))
    number = NUMBERED_RE.match(plain)
    plain = (plain[number.end():] if number else plain).strip().rstrip(":;,. ")
    if len(plain) > LEAD_CONTEXT_CHARS:
        plain = plain[:LEAD_CONTEXT_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return plain


def _split_lists(text: str, units: list[_Unit]) -> list[_Unit]:
    """Each item of a list after a lead-in is cited on its own; a list of mere names stays one paragraph."""
    out: list[_Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        j = i + 1
        if unit.kind in ("bullet", "item"):
            while j < len(units) and units[j].kind == "bullet" and units[j].lead_unit is None \
                    and units[j].section == unit.section:
                j += 1
            run = units[i:j]
            if unit.kind == "bullet" and unit.lead_unit is None and len(run) > 1 and all(
                    _words(text[u.start : u.end]) <= 3 for u in run):
                out.append(_Unit(unit.start, run[-1].end, "paragraph", None, unit.section))
            else:
                out.extend(run)
            i = j
            continue
        while j < len(units) and units[j].lead_unit is unit:
            j += 1
        items = units[i + 1 : j]
        if items and all(_words(text[u.start : u.end]) <= 3 for u in items):
            # "We use: - Facebook - X - Instagram" reads as one paragraph.
            out.append(_Unit(unit.start, items[-1].end, unit.kind, unit.number, unit.section))
        else:
            if items:
                unit.emit = len(_plain(text[unit.start : unit.end])) >= LEAD_IN_OWN_CHUNK
                context = _lead_context(text[unit.start : unit.end])
                for item in items:
                    item.section = item.section + (context,)
            out.append(unit)
            out.extend(items)
        i = j
    return out


def _attach_short_lists(text: str, units: list[_Unit]) -> list[_Unit]:
    """A lead-in ending in ':' followed by short bullets becomes one chunk (the list reads as one paragraph)."""
    out: list[_Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        j = i + 1
        while j < len(units) and units[j].lead is not None and units[j].section == unit.section:
            j += 1
        items = units[i + 1 : j]
        if items and unit.kind == "paragraph" and sum(u.end - u.start for u in items) <= 900 and max(
            u.end - u.start for u in items
        ) <= 260:
            out.append(_Unit(unit.start, items[-1].end, unit.kind, unit.number, unit.section))
            i = j
            continue
        if items and unit.kind == "paragraph" and len(text[unit.start : unit.end]) < 60:
            # A short lead-in ("Members should NOT:") names the list: it joins the section path instead.
            for item in items:
                item.section = item.section + (_plain(text[unit.start : unit.end]).rstrip(":"),)
            out.extend(items)
            i = j
            continue
        out.append(unit)
        i += 1
    return out


def _finish(doc: Document, text: str, units: list[_Unit]) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    ordinal_in_section: dict[tuple[str, ...], int] = {}
    labels: dict[int, str] = {}  # id(unit) -> label, for the items of a lead-in (structured documents)
    for unit in units:
        body = text[unit.start : unit.end]
        section = unit.section or ("Introduction",)
        if unit.lead_unit is not None:
            # An item after a lead-in: "para 4, bullet 2" (its own number where it has one: "para 7(a)").
            label = f"para {unit.number}" if unit.number else \
                f"{labels[id(unit.lead_unit)]}, {'bullet' if unit.kind == 'bullet' else 'item'} {unit.position}"
        else:
            ordinal_in_section[section] = ordinal_in_section.get(section, 0) + 1
            label = f"para {unit.number}" if unit.number else f"¶{ordinal_in_section[section]}"
            labels[id(unit)] = label
        if len(_plain(body)) < MIN_CHUNK_CHARS or not unit.emit:
            continue
        paragraphs.append(
            Paragraph(
                id=f"{doc.doc_id}:{len(paragraphs) + 1}",
                doc_id=doc.doc_id,
                council=doc.council,
                document=doc.title,
                section=" > ".join(section),
                number=unit.number,
                label=label,
                text=body,
                start=unit.start,
                end=unit.end,
                source=doc.source,
                kind=unit.kind,
            )
        )
    return paragraphs
