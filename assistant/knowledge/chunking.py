"""Structure-aware chunking: one chunk per citable paragraph, with its heading path, number and offsets.

The guidance documents are plain text converted from Word/PDF, so structure shows in line patterns:
headings ("Section 2 – Legal considerations", "3.1 In a professional capacity", short title lines),
numbered paragraphs ("7.", "2.3", "8.9**", "24 Safeguarding…"), lettered items ("a. **Defamation:**"),
bullets ("- "), and tab-separated tables (a Do / Don't table). Each chunk's text is the exact slice of
the source between its offsets, so a citation is always a verbatim quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def chunk_document(doc: Document, text: str) -> list[Paragraph]:
    """Split a document into citable paragraphs with section paths, own numbering and source offsets."""
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
            cells = t.split("\t")
            if table_columns is None and all(0 < len(_plain(c)) <= 30 for c in cells if c.strip()):
                table_columns = [_plain(c) for c in cells]
                continue
            offset = line.start
            for col, cell in enumerate(cells):
                if cell.strip():
                    cstart = offset + (len(cell) - len(cell.lstrip()))
                    name = table_columns[col] if table_columns and col < len(table_columns) else f"column {col + 1}"
                    units.append(_Unit(cstart, cstart + len(cell.strip()), "table_cell", None, stack.path() + (name,)))
                offset += len(cell) + 1
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
            # A part title: an unnumbered heading directly followed by a "1." heading resets the path.
            first = NUMBERED_RE.match(nxt)
            part_follows = bool(first and first.group(1) in ("1", "1.0") and _numbered_heading(first, nxt))
            if part_follows or SECTION_RE.match(_plain(nxt)) or t.lower().startswith("appendix"):
                stack.levels = {0: _plain(t)}
            elif previous_heading is not None and previous_heading[0] == i - 1 and stack.levels:
                # Two title lines in a row ("Councillor Mullaney APE 0400" / "Birmingham City Council"):
                # the second belongs to the first.
                stack.set(max(stack.levels) + 1, _plain(t))
            else:
                depth = max((d for d in stack.levels if d > 0), default=0) + 1
                existing = [d for d, title in stack.levels.items() if d > 0 and not title[:1].isdigit()
                            and not title.lower().startswith("section")]
                stack.set(min(existing) if existing else depth, _plain(t))
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
    for unit in units:
        body = text[unit.start : unit.end]
        section = unit.section or ("Introduction",)
        ordinal_in_section[section] = ordinal_in_section.get(section, 0) + 1
        if len(_plain(body)) < MIN_CHUNK_CHARS:
            continue
        label = f"para {unit.number}" if unit.number else f"¶{ordinal_in_section[section]}"
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
