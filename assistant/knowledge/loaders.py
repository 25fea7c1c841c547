"""Text from a council's document (.txt .md .pdf .docx .html), its own title and date, or a clear error.

Web pages, PDFs and Word files are turned into one block per line: headings as Markdown ``#`` lines (HTML,
Word), list items as ``- `` lines, table rows as tab-separated cells. Site clutter (navigation, cookie
banners, translation widgets, breadcrumbs, share links, page headers and footers) is dropped, and lines a PDF
wrapped are joined again, so each paragraph the council wrote is one line the chunker can cite.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import DocumentUnreadable

SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200c\u200d\u2060\ufeff"))
# Leading glyphs a PDF or a hand-typed web page uses for bullets (Word's Symbol-font bullets land in U+F0xx).
BULLET_GLYPHS = "•●▪■◦○►▶➢➤✓✔‣⁃–\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0e0\uf06e\uf0a8"
_GLYPH_RE = re.compile(rf"^[{BULLET_GLYPHS}]\s*")
# A line that starts a new item even without a gap above it: a bullet, "(a)", "a.", "2.1 Capital…"
_MARKER_RE = re.compile(rf"^(?:[-*{BULLET_GLYPHS}]\s|\(?[a-z]\)\s|[a-z]\.\s"
                        rf"|\d{{1,2}}(?:\.\d{{1,2}}){{0,3}}[.)]?\s+[A-Z(\"“])")
_END_RE = re.compile(r"[.!?:;]['\"”’)]?$")
_DATE_LINE_RE = re.compile(
    r"^(?:page\s+)?(?:last\s+)?(?:updated|reviewed|modified|published)\b[:\s]+(?=.*\d)[^\n]{3,60}$", re.I)


@dataclass(frozen=True)
class Extracted:
    """A document's text as it goes into the corpus, with what the file says about itself."""

    text: str
    kind: str  # text | html | pdf | docx
    title: str | None = None  # HTML <title>/<h1>, PDF metadata title, Word core-properties title
    date: str | None = None  # "Last updated: 3 May 2024" and the like, where the document states one


def _tidy(text: str) -> str:
    return _WS.sub(" ", text.translate(_INVISIBLE)).strip()


def _check_text(text: str, path: Path) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if "\x00" in text:
        raise DocumentUnreadable(f"{path.name} looks like a binary file, not a text document.")
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    words = sum(ch.isalpha() for ch in text)
    if not text.strip() or words < 20:
        raise DocumentUnreadable(f"{path.name} holds no readable text (is it a scanned image?).",
                                 hint="Export it as text or a text-based PDF and add it again.")
    if printable / max(len(text), 1) < 0.95:
        raise DocumentUnreadable(f"{path.name} is garbled: too much of it is not readable text.",
                                 hint="Check the file opens correctly, or save it again as UTF-8 text.")
    return text


def _read_plain(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentUnreadable(f"{path.name} is not UTF-8 text.",
                                 hint="Save it as UTF-8 (or as .docx / .pdf) and add it again.") from exc


# --- titles ---------------------------------------------------------------------------------------------------
_SITE_RE = re.compile(r"(\b(council|borough|county|city|authority|gov\.uk|website)|\.(gov\.uk|org\.uk|com|org))$"
                      r"|^(cyngor|www\.)", re.I)
_TITLE_SPLIT_RE = re.compile(r"\s+(?:[|–—»·]|-|::)\s+")
_JUNK_TITLE_RE = re.compile(r"^(untitled|document\d*|title|slide \d+|microsoft word|new page|home|page \d+)$", re.I)


def clean_title(title: str | None, *, site_names: tuple[str, ...] = ()) -> str | None:
    """A document title without site-name parts (" | Powys County Council"), Word's prefixes or file suffixes."""
    if not title:
        return None
    title = _tidy(re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title.strip()))
    title = re.sub(r"\.(docx?|pdf|rtf|odt|html?)$", "", title, flags=re.I).strip()
    sites = {s.casefold() for s in site_names if s}
    parts = _TITLE_SPLIT_RE.split(title)

    def is_site(part: str) -> bool:
        part = part.strip()
        return part.casefold() in sites or (len(part.split()) <= 6 and bool(_SITE_RE.search(part)))

    if len(parts) == 1 and is_site(parts[0]) and len(parts[0].split()) <= 4:
        return None  # the site's name alone ("Powys County Council") says nothing about the document
    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
    # Keep the separators the page used between the parts that are left.
    title = title[title.find(parts[0]) : title.rfind(parts[-1]) + len(parts[-1])].strip(" -|–—")
    if not title or _JUNK_TITLE_RE.match(title) or (" " not in title and re.search(r"[_\d]", title)):
        return None
    return title[:160]


# --- HTML -----------------------------------------------------------------------------------------------------
_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "button", "input", "select", "textarea",
              "nav", "aside", "object", "embed", "canvas", "dialog", "link", "meta", "footer"}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog", "alertdialog", "menu",
               "menubar", "toolbar"}
_DROP_TOKENS = {"cookie", "cookies", "consent", "gdpr", "breadcrumb", "breadcrumbs", "skip", "skiplink", "skiplinks",
                "share", "sharing", "sharethis", "addthis", "translate", "translation", "gtranslate", "goog", "nav",
                "navbar", "navigation", "menu", "megamenu", "footer", "sidebar", "feedback", "rating", "pagination",
                "toolbar", "search", "print", "related"}
# whole class names only: "hidden-xs" (Bootstrap: hidden on small screens) is content
_DROP_CLASSES = {"hidden", "hide", "visuallyhidden", "sronly", "govukvisuallyhidden", "screenreadertext",
                 "screenreaderonly", "srtext"}
_SITE_TOKENS = {"header", "masthead"}  # dropped when the whole page body is read (no <main> to read instead)
_CLUTTER_TEXT_RE = re.compile(
    r"^(skip to (main )?content|jump to|back to top|print( this)? page|share (this|on|via)\b|you are here\b"
    r"|breadcrumb|was this (page|information) (helpful|useful)|is there anything wrong with this page"
    r"|report a problem with this page|(opens|open) in a new (window|tab)|select (a )?language)"
    r"|google translate|translate this (page|website|site)|powered by google"
    r"|translat.{0,160}(disclaim|not (be )?(held )?responsible|(cannot|can't|no) guarantee|automated|machine)"
    r"|(disclaim|not (be )?(held )?responsible|(cannot|can't|no) guarantee).{0,160}translat"
    r"|^(on this page|contents|in this (section|article)|related (pages|links|content|information)|share)$"
    r"|\bcookies?\b.{0,160}\b(accept|reject|settings|preferences|we use|essential|analytics|improve)"
    r"|\b(accept|reject|we use|set)\b.{0,60}\bcookies?\b",
    re.I)
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "body", "html", "header", "footer", "blockquote", "figure",
               "figcaption", "dl", "dt", "dd", "pre", "address", "details", "summary", "fieldset", "center", "li",
               "hr"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_NEW_WINDOW_RE = re.compile(r"\s*\((?:link )?opens? in (?:a )?new (?:window|tab)\)", re.I)
_BR = "\u2028"  # a <br> inside a paragraph (the page's own line breaks are only white space)


def _decode_html(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise DocumentUnreadable(f"{path.name} looks like a binary file, not a web page.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
        try:
            return data.decode(declared.group(1).decode() if declared else "cp1252")
        except (LookupError, UnicodeDecodeError) as exc:
            raise DocumentUnreadable(f"{path.name} is not readable text.",
                                     hint="Save the page again from the browser (Web page, HTML only).") from exc


def _tokens(tag) -> tuple[set[str], set[str]]:
    """Words of the id and class names ("cookieBanner" -> cookie, banner) and the whole names squashed."""
    names = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    joined = {re.sub(r"[-_]", "", n.lower()) for n in names.split()}  # "sr-only" -> "sronly"
    parts = {p for p in re.split(r"[-_\s]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", names).lower()) if p}
    return parts, joined


def _is_clutter(tag, *, whole_page: bool) -> bool:
    """Navigation, banners, widgets and hidden text, by role, ARIA label, inline style, id or class."""
    role = (tag.get("role") or "").lower()
    label = (tag.get("aria-label") or "").lower()
    style = (tag.get("style") or "").replace(" ", "").lower()
    if role in _DROP_ROLES or tag.has_attr("hidden") or (tag.get("aria-hidden") or "").lower() == "true":
        return True
    if "display:none" in style or "visibility:hidden" in style or re.search(r"breadcrumb|cookie|translat", label):
        return True
    parts, joined = _tokens(tag)
    return bool(parts & _DROP_TOKENS or joined & _DROP_CLASSES or (whole_page and parts & _SITE_TOKENS))


def _content_root(soup):
    """The page's main content: <main>, role=main, the longest <article>, #content, or the whole body."""
    def words(tag) -> int:
        return len(tag.get_text(" ", strip=True).split())

    candidates = [soup.find("main"), soup.find(attrs={"role": "main"})]
    articles = soup.find_all("article")
    if articles:
        candidates.append(max(articles, key=words))
    candidates += [soup.find(id=i) for i in ("main-content", "maincontent", "content", "main")]
    for tag in candidates:
        if tag is not None and words(tag) >= 20:
            return tag, False
    return (soup.body or soup), True


def _mark_bold_headings(root) -> None:
    """``<p><strong>Using social media</strong></p>``: a short bold-only paragraph is a heading on the page."""
    level, first = 1, True
    for tag in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p"]):
        if tag.name != "p":  # a real heading sets the level bold lines sit under
            level, first = int(tag.name[1]), False
            continue
        text = _tidy(tag.get_text(" "))
        bold = _tidy(" ".join(b.get_text(" ") for b in tag.find_all(["strong", "b"])))
        if text and bold == text and len(text.split()) <= 10 and not _END_RE.search(text):
            tag.name = "h1" if first else f"h{min(level + 1, 6)}"  # bold first line: the page's title
        first = first and not text


class _HtmlBlocks:
    """Walks the content in document order, collecting headings, paragraphs, list items and table rows."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, int, str]] = []  # (kind, level or depth, text)
        self.inline: list[str] = []

    def walk(self, element) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import PreformattedString

        for child in element.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                    self.inline.append(re.sub(r"\s+", " ", str(child)))
            elif isinstance(child, Tag):
                if child.name == "br":
                    self.inline.append(_BR)
                elif child.name in _HEADING_TAGS:
                    self.flush()
                    self.add("heading", int(child.name[1]), child.get_text(" "))
                elif child.name in ("ul", "ol"):
                    self.flush()
                    self.list(child, 0)
                elif child.name == "table":
                    self.flush()
                    self.table(child)
                elif child.name in _BLOCK_TAGS:
                    self.flush()
                    self.walk(child)
                    self.flush()
                else:
                    self.walk(child)  # inline: <a>, <span>, <strong>…

    def add(self, kind: str, level: int, text: str) -> None:
        text = _tidy(_NEW_WINDOW_RE.sub("", text))
        if kind == "bullet":
            text = _GLYPH_RE.sub("", text)
        if text and not (len(text) < 300 and _CLUTTER_TEXT_RE.search(text)):
            self.blocks.append((kind, level, text))

    def flush(self) -> None:
        """Inline text so far: paragraphs split at a blank line (<br><br>) or a typed bullet ("• item<br>")."""
        lines = "".join(self.inline).split(_BR)
        self.inline = []
        current: list[str] = []
        for line in [*lines, ""]:
            line = _tidy(line)
            if not line or _GLYPH_RE.match(line):
                if current:
                    kind = "bullet" if _GLYPH_RE.match(current[0]) else "para"
                    self.add(kind, 0, " ".join(current))
                current = [line] if line else []
            else:
                current.append(line)

    def list(self, element, depth: int) -> None:
        items = element.find_all("li", recursive=False) or element.find_all("li")
        links = [item.find_all("a") for item in items]
        if items and all(len(a) == 1 and (a[0].get("href") or "").startswith("#") for a in links):
            return  # "On this page" contents: links to the headings that follow
        for item in items:
            nested = item.find_all(["ul", "ol"], recursive=False)
            for sub in nested:
                sub.extract()
            inner = _HtmlBlocks()
            inner.walk(item)
            inner.flush()
            self.add("bullet", depth, " ".join(text for _, _, text in inner.blocks))
            for sub in nested:
                self.list(sub, depth + 1)

    def table(self, element) -> None:
        for row in element.find_all("tr"):
            cells = [_tidy(cell.get_text(" ")) for cell in row.find_all(["td", "th"], recursive=False)]
            filled = [c for c in cells if c]
            if len(filled) == 1:
                self.add("para", 0, filled[0])
            elif filled:
                self.blocks.append(("row", 0, "\t".join(cells)))

    def render(self) -> str:
        out: list[str] = []
        for kind, level, text in self.blocks:
            line = {"heading": "#" * level + " " + text, "bullet": "  " * level + "- " + text}.get(kind, text)
            if out and out[-1] == line:
                continue  # the same block twice in a row (a heading repeated as a link)
            sep = "\n" if kind == "bullet" and out and out[-1].lstrip().startswith("- ") else "\n\n"
            out.extend([sep, line] if out else [line])
        return "".join(out)


def _html_date(soup) -> str | None:
    for name in ("article:modified_time", "dcterms.modified", "DC.date.modified", "last-modified", "dcterms.date",
                 "DC.date", "article:published_time"):
        meta = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if meta is not None and re.match(r"\d{4}-\d{2}-\d{2}", meta.get("content") or ""):
            return f"Updated {meta['content'][:10]}"
    return None


def _drop_clutter(root, *, whole_page: bool) -> str | None:
    """Remove navigation, banners, widgets, breadcrumbs and footers; returns a "Last updated" line a footer had."""
    date = None
    total = len(root.get_text(" ").split())
    drop = _DROP_TAGS | ({"header"} if whole_page else set())
    for tag in root.find_all(True):
        if tag.decomposed:
            continue
        if tag.name in drop:
            if tag.name == "footer":
                lines = map(_tidy, tag.get_text("\n").split("\n"))
                date = date or next((line for line in lines if _DATE_LINE_RE.match(line)), None)
            tag.decompose()
        elif tag.name == "form" or _is_clutter(tag, whole_page=whole_page):
            # A wrapper holding most of the page (ASP.NET's page-wide <form>, "content has-sidebar") is content.
            if len(tag.get_text(" ").split()) < max(0.5 * total, 40):
                tag.decompose()
    return date


def _read_html(path: Path) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode_html(path), "html.parser")
    site = soup.find("meta", attrs={"property": "og:site_name"}) or soup.find("meta",
                                                                               attrs={"name": "application-name"})
    site_names = (site.get("content", ""),) if site is not None else ()
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    root, whole_page = _content_root(soup)
    h1 = root.find("h1") or soup.find("h1")
    heading = clean_title(h1.get_text(" ") if h1 else None, site_names=site_names)
    title = clean_title(soup.title.get_text(" ") if soup.title else None, site_names=site_names)
    if heading and (not title or heading.casefold() in title.casefold()):
        title = heading  # "<h1>Social media</h1>" beats "Social media - Councillors and democracy"
    date = _drop_clutter(root, whole_page=whole_page)
    _mark_bold_headings(root)
    blocks = _HtmlBlocks()
    blocks.walk(root)
    blocks.flush()
    kept = []
    for block in blocks.blocks:
        if block[0] == "para" and _DATE_LINE_RE.match(block[2]):
            date = date or block[2]
            continue
        kept.append(block)
    blocks.blocks = kept
    return Extracted(blocks.render(), "html", title, date or _html_date(soup))


# --- PDF ------------------------------------------------------------------------------------------------------
_PAGE_NUMBER_RE = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.I)


def _pdf_page_lines(page) -> list[str]:
    try:
        raw = page.extract_text(extraction_mode="layout")
    except Exception:  # noqa: BLE001 - layout mode fails on some fonts; plain mode still gives the words
        raw = page.extract_text() or ""
    return [line.rstrip() for line in (raw or "").replace("\r", "\n").split("\n")]


def _repeated_edges(pages: list[list[str]]) -> set[str]:
    """Running headers and footers: lines at the top or bottom of most pages (page numbers ignored)."""
    seen: dict[str, int] = {}
    for lines in pages:
        filled = [_tidy(line) for line in lines if line.strip()]
        for key in {re.sub(r"\d+", "#", t.lower()) for t in filled[:2] + filled[-2:]}:
            seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if len(pages) >= 2 and n >= 2 and n >= 0.5 * len(pages)}


def _reflow_pdf(pages: list[list[str]]) -> str:
    """One line per paragraph or list item: a line the page wrapped (it reaches the right margin) is joined."""
    edges = _repeated_edges(pages)
    paragraphs: list[str] = []
    full_width_last = False  # did the last line added reach the right margin?
    for lines in pages:
        widths = sorted(len(line) for line in lines if len(line.strip()) > 30)
        right = widths[int(0.9 * (len(widths) - 1))] if widths else 80
        gap = True  # a page break separates like a blank line
        for line in lines:
            text = _tidy(line)
            if not text:
                gap = True
                continue
            if _PAGE_NUMBER_RE.match(text) or re.sub(r"\d+", "#", text.lower()) in edges:
                continue
            text = _GLYPH_RE.sub("- ", text, count=1) if _GLYPH_RE.match(text) else text
            marker = bool(_MARKER_RE.match(text))
            prev = paragraphs[-1] if paragraphs else ""
            continues = prev and not marker and (
                (full_width_last and not gap) or (not _END_RE.search(prev) and text[0].islower()))
            if continues:
                hyphen = prev.endswith("-") and prev[-2:-1].isalpha() and text[0].islower()
                paragraphs[-1] = prev + ("" if hyphen else " ") + text
            else:
                paragraphs.append(text)
            full_width_last = len(line) >= 0.85 * right
            gap = False
    out: list[str] = []
    for text in paragraphs:
        sep = "\n" if text.startswith("- ") and out and out[-1].startswith("- ") else "\n\n"
        out.extend([sep, text] if out else [text])
    return "".join(out)


def _read_pdf(path: Path) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    protected = DocumentUnreadable(f"{path.name} is password-protected, so its text cannot be read.",
                                   hint="Ask for (or save) a copy without a password and add that.")
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise protected
            except (DependencyError, NotImplementedError) as exc:  # AES needs the 'cryptography' package
                raise DocumentUnreadable(
                    f"{path.name} is encrypted in a way this installation cannot open.",
                    hint="Save a copy without protection (print it to PDF) and add that, or ask IT to install "
                         "the 'cryptography' Python package.") from exc
        pages = [_pdf_page_lines(page) for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata is not None else None
    except FileNotDecryptedError as exc:
        raise protected from exc
    except (PdfReadError, ValueError, OSError, KeyError, TypeError) as exc:
        raise DocumentUnreadable(f"{path.name} could not be read as a PDF.",
                                 hint="Check it opens in a PDF reader; if it is a web page, save it as .html.") from exc
    text = _reflow_pdf(pages)
    stated = next((line for line in text.split("\n") if _DATE_LINE_RE.match(line)), None)
    return Extracted(text, "pdf", clean_title(str(meta_title) if meta_title else None), stated)


# --- Word -----------------------------------------------------------------------------------------------------
def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


class _WordNumbering:
    """Renders Word's automatic numbering ("4.2", "a)") so paragraphs keep the numbers a reader sees."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (abstract, ilvl) -> (fmt, text, start)
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in numbering.findall(qn("w:abstractNum")):
            aid = abstract.get(qn("w:abstractNumId"))
            for lvl in abstract.findall(qn("w:lvl")):
                def val(tag: str, default: str) -> str:
                    node = lvl.find(qn(tag))
                    return node.get(qn("w:val")) if node is not None else default
                self.levels[(aid, int(lvl.get(qn("w:ilvl"))))] = (
                    val("w:numFmt", "decimal"), val("w:lvlText", ""), int(val("w:start", "1")))
        for num in numbering.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.abstract_of[num.get(qn("w:numId"))] = ref.get(qn("w:val"))

    def num_pr(self, paragraph):
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style = paragraph.style
        while style is not None:
            spr = style.element.pPr
            if spr is not None and spr.numPr is not None:
                return spr.numPr
            style = style.base_style
        return None

    def label(self, paragraph) -> tuple[str, int] | None:
        """("bullet" | the rendered number, list depth) for a numbered or bulleted paragraph; None otherwise."""
        num_pr = self.num_pr(paragraph)
        if num_pr is None or num_pr.numId is None or num_pr.numId.val == 0:
            return None
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        aid = self.abstract_of.get(str(num_pr.numId.val))
        fmt, pattern, start = self.levels.get((aid, ilvl), ("bullet", "", 1))
        if fmt in ("bullet", "none") or not pattern:
            return "bullet", ilvl
        counters = self.counters.setdefault(aid, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def render(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            n = counters.get(level, self.levels.get((aid, level), ("decimal", "", 1))[2])
            kind = self.levels.get((aid, level), ("decimal",))[0]
            return {"lowerLetter": chr(96 + (n - 1) % 26 + 1), "upperLetter": chr(64 + (n - 1) % 26 + 1),
                    "lowerRoman": _roman(n), "upperRoman": _roman(n).upper()}.get(kind, str(n))

        return re.sub(r"%(\d)", render, pattern), ilvl


def _docx_is_bold(paragraph) -> bool:
    """Every run bold, directly or by its character or paragraph style."""
    def bold(run) -> bool:
        for value in (run.bold, run.style.font.bold if run.style is not None else None,
                      paragraph.style.font.bold if paragraph.style is not None else None):
            if value is not None:
                return bool(value)
        return False

    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(bold(r) for r in runs)


def _read_docx(path: Path) -> Extracted:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DocumentUnreadable(f"{path.name} is password-protected or an old Word (.doc) file.",
                                 hint="Open it in Word and save it as .docx without a password, then add that.")
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise DocumentUnreadable(f"{path.name} could not be read as a Word (.docx) document.") from exc
    numbering = _WordNumbering(document)
    styles = [(p.style.name or "").lower() if p.style is not None else "" for p in document.paragraphs]
    shift = 1 if "title" in styles else 0  # with a Title paragraph, "Heading 1" is one level below it
    title = clean_title(document.core_properties.title)
    lines: list[str] = []
    level = 1
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [_tidy(cell.text) for cell in row.cells]
                if any(cells):
                    lines.append("\t".join(cells))
            continue
        text = _tidy(block.text)
        style = (block.style.name or "").lower() if block.style is not None else ""
        if not text:
            continue
        heading = re.match(r"heading (\d)", style)
        listed = numbering.label(block)
        if style == "title":
            lines.append(f"# {text}")
            title = title or text
        elif heading:
            level = min(int(heading.group(1)) + shift, 6)
            lines.append("#" * level + " " + (f"{listed[0]} {text}" if listed and listed[0] != "bullet" else text))
        elif (listed is not None and listed[0] == "bullet") or (listed is None and "list" in style):
            lines.append("  " * (listed[1] if listed else 0) + "- " + _GLYPH_RE.sub("", text))
        elif listed is not None:
            lines.append(f"{listed[0]} {text}")
        elif _docx_is_bold(block) and len(text.split()) <= 10 and not _END_RE.search(text):
            lines.append("#" * min(level + 1, 6) + " " + text)
        else:
            lines.append(text)
    out: list[str] = []
    for line in lines:
        sep = "\n" if line.lstrip().startswith("- ") and out and out[-1].lstrip().startswith("- ") else "\n\n"
        out.extend([sep, line] if out else [line])
    text = "".join(out)
    stated = next((line for line in text.split("\n") if _DATE_LINE_RE.match(line)), None)
    return Extracted(text, "docx", title, stated)


# --- any file -------------------------------------------------------------------------------------------------
def _sniff(path: Path) -> str:
    """The reader for a file, by its suffix or, for a saved page without one, by its first bytes."""
    suffix = path.suffix.lower()
    if suffix in SUPPORTED:
        return {".htm": ".html"}.get(suffix, suffix)
    head = path.read_bytes()[:2048]
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if re.search(rb"<!doctype html|<html[\s>]", head, re.I):
        return ".html"
    raise DocumentUnreadable(
        f"{path.name}: files of type '{suffix or 'none'}' are not supported.",
        hint=f"Supported types: {', '.join(SUPPORTED)}. Save a web page as .html, or export the document as PDF.",
    )


def extract(path: Path) -> Extracted:
    """A document's text, kind, own title and stated date; DocumentUnreadable with a kind message if unusable."""
    path = Path(path)
    if re.match(r"^https?:/", str(path), re.I):
        raise DocumentUnreadable(
            f"{path} is a web address; `index add` reads a saved file.",
            hint="Open the page in a browser, save it (Web page, HTML only) and add the .html file.")
    if not path.is_file():
        raise DocumentUnreadable(f"There is no file at {path}.")
    if path.stat().st_size == 0:
        raise DocumentUnreadable(f"{path.name} is empty (0 bytes).")
    kind = _sniff(path)
    if kind == ".pdf":
        extracted = _read_pdf(path)
    elif kind == ".docx":
        extracted = _read_docx(path)
    elif kind == ".html":
        extracted = _read_html(path)
    else:
        extracted = Extracted(_read_plain(path), "text")
    if not extracted.text.strip() and kind == ".html":
        raise DocumentUnreadable(f"{path.name} holds no text once its navigation and banners are removed.",
                                 hint="Save the page itself (not a cookie or login page) and add it again.")
    return Extracted(_check_text(extracted.text, path), extracted.kind, extracted.title, extracted.date)


def load_text(path: Path) -> str:
    """Extract the text of a supported document, or raise DocumentUnreadable with a kind message."""
    return extract(path).text
