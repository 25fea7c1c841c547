"""Exports of submitted incidents: the completed form as a PDF, and the log as CSV."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from assistant.incidents.answers import local_time
from assistant.incidents.form import FormDefinition
from assistant.incidents.records import IncidentDetail
from assistant.incidents.steps import EvidenceInfo

# A Unicode font where the system has one (names and abuse quoted verbatim are not all Latin-1); else Helvetica.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"), Path("/usr/local/share/fonts"))
EMBEDDABLE = ("image/png", "image/jpeg", "image/gif")
# fpdf2's font subsetting logs, at INFO, the glyphs it keeps: the characters of the incident text.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def render_pdf(detail: IncidentDetail, form: FormDefinition, *,
               load_image: Callable[[EvidenceInfo], bytes | None] | None = None) -> bytes:
    """The completed incident report form as PDF bytes, screenshots appended at the back as the form asks."""
    pdf = _Report(detail.reference)
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    summary = detail.summary
    pdf.heading(form.title, size=16)
    pdf.line_text(f"Reference: {summary.reference}", bold=True)
    pdf.line_text(f"Status: {summary.status.replace('_', ' ')}")
    pdf.line_text(f"Submitted: {local_time(summary.submitted_at)}    Last updated: {local_time(summary.updated_at)}")
    pdf.line_text(f"Reporter: {summary.reporter_name or ''} ({summary.reporter_id})")
    if summary.outcome:
        pdf.line_text(f"Outcome: {summary.outcome}")
    flags = [label for flag, label in ((summary.immediate_danger, "Immediate danger reported"),
                                       (summary.safeguarding, "Safeguarding concern"),
                                       (summary.confidential, "Confidentiality requested")) if flag]
    if flags:
        pdf.line_text("Flags: " + "; ".join(flags), bold=True, colour=(170, 0, 0))
    section = None
    for answer in detail.answers:
        if answer.section != section:
            section = answer.section
            pdf.heading(section or "Other answers")
        pdf.line_text(answer.prompt, bold=True)
        pdf.line_text(answer.answer, indent=4)
    pdf.heading("Evidence files")
    if not detail.evidence:
        pdf.line_text("None attached.")
    for item in detail.evidence:
        pdf.line_text(f"{item.filename} ({item.content_type}, {item.size:,} bytes)", bold=True)
        pdf.line_text(f"SHA-256: {item.sha256}", indent=4, size=8)
    if detail.audit:
        pdf.heading("Audit trail")
        for entry in detail.audit:
            pdf.line_text(f"{local_time(entry.at)}  {entry.actor_id}  {entry.action}  {entry.detail or ''}", size=8)
    for item in detail.evidence:
        data = load_image(item) if load_image and item.content_type in EMBEDDABLE else None
        if data:
            pdf.add_page()
            pdf.heading(f"Screen capture: {item.filename}")
            try:
                # Fit the page: phone screenshots are tall. The space left below the heading is the limit.
                pdf.image(io.BytesIO(data), w=pdf.epw, h=pdf.eph - (pdf.get_y() - pdf.t_margin),
                          keep_aspect_ratio=True)
            except Exception:  # a damaged image must not stop the export; the file itself is still kept
                pdf.line_text("(This image could not be shown; the original file is kept in the evidence store.)")
    return bytes(pdf.output())


def render_csv(details: Sequence[IncidentDetail], form: FormDefinition) -> str:
    """One row per incident: status columns, then one column per form field (answers as text)."""
    out = io.StringIO()
    writer = csv.writer(out)
    fixed = ["reference", "status", "submitted_at", "updated_at", "outcome", "reporter_id"]
    field_ids = [spec.id for spec in form.fields]
    writer.writerow([*fixed, *field_ids, "evidence_files"])
    for detail in details:
        s = detail.summary
        answers = {a.field_id: a.answer for a in detail.answers}
        row = [s.reference, s.status, s.submitted_at.isoformat(), s.updated_at.isoformat(), s.outcome or "",
               s.reporter_id, *(answers.get(fid, "") for fid in field_ids),
               "; ".join(f"{e.filename} ({e.sha256})" for e in detail.evidence)]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: str) -> str:
    # Spreadsheets run cells that start like a formula; reported text is untrusted, so neutralise it.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _unicode_font() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


class _Report(FPDF):
    """A4 pages with a confidentiality footer; text helpers that cope without a Unicode font."""

    def __init__(self, reference: str) -> None:
        super().__init__(format="A4")
        self.reference = reference
        font = _unicode_font()
        if font:
            self.add_font("DejaVu", "", str(font[0]))
            self.add_font("DejaVu", "B", str(font[1]))
            self.family, self.unicode = "DejaVu", True
        else:
            self.family, self.unicode = "helvetica", False
        self.set_title(f"Incident report {reference}")
        self.set_creator("councillor-assistant")

    def _text(self, text: str) -> str:
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 8, self._text(f"{self.reference} - Confidential: Monitoring Officer and reporter only - "
                                   f"page {self.page_no()} of {{nb}}"), align="C")

    def heading(self, text: str, size: int = 12) -> None:
        self.ln(3)
        self.set_font(self.family, "B", size)
        self.set_text_color(0, 0, 0)
        self.multi_cell(0, size * 0.55, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def line_text(self, text: str, *, bold: bool = False, indent: float = 0, size: int = 10,
                  colour: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
