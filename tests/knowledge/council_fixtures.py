"""Synthetic council documents shaped like real ones: saved web pages (in data/), PDFs and Word files made here."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
GLANHAFREN_HTML = DATA / "glanhafren_social_media.html"  # <main>, cookie banner, Google Translate, nav, footer…
# windows-1252, no <main>: div#header/#footer, bold-paragraph headings, "• item<br>" bullets
ASHCOMBE_HTML = DATA / "ashcombe_protocol.htm"

WRAPPED_PARAGRAPH = ("2.9 Never post photographs of children or vulnerable adults from council events unless the "
                     "organiser has confirmed in writing that consent was given by a parent or carer, and remove any "
                     "such image at once if consent is withdrawn.")
LEAD_IN = "2.1 When you post about council business you should:"
BULLETS = [
    "check that the information is accurate and is not confidential before you share it with anyone;",
    "make clear whether you are speaking for yourself or reporting a decision of the council, because residents "
    "may otherwise assume the council agrees with you;",
    "keep a copy of what you posted and of any replies you later delete.",
]
RUNNING_HEADER = "Brynmawr Town Council - Councillors' Social Media Policy"


def council_pdf(path: Path, *, meta_title: str | None = "Microsoft Word - Councillors Social Media Policy v3.docx",
                filler: int = 14) -> Path:
    """A Word-exported-looking policy: running header, 'Page n of m' footer, wrapped lines, '•' bullets."""
    from fpdf import FPDF

    class CouncilPDF(FPDF):
        def header(self):
            self.set_font("helvetica", size=8)
            self.cell(0, 6, RUNNING_HEADER, new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self):
            self.set_y(-15)
            self.set_font("helvetica", size=8)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = CouncilPDF()
    pdf.core_fonts_encoding = "windows-1252"  # '•' is in WinAnsi, as in a PDF Word exported
    if meta_title:
        pdf.set_title(meta_title)
    pdf.add_page()

    def heading(text: str) -> None:
        pdf.set_font("helvetica", "B", 13)
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def para(text: str) -> None:
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    heading("Councillors' Social Media Policy")
    heading("1. Introduction")
    para("1.1 This policy applies to all members of Brynmawr Town Council when they use social media, whether they "
         "are posting on a personal account or on an account that identifies them as a councillor.")
    heading("2. Posting responsibly")
    para(LEAD_IN)
    pdf.set_font("helvetica", size=11)
    for item in BULLETS:
        pdf.set_x(pdf.l_margin + 5)
        pdf.multi_cell(0, 6, "\u2022  " + item, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for n in range(2, 2 + filler):
        para(f"2.{n + 1} Filler rule number {n} about councillors' use of social media, long enough to wrap onto a "
             f"second line of the page as the paragraphs of real policies do.")
    para(WRAPPED_PARAGRAPH.replace("2.9", f"2.{filler + 3}"))
    pdf.output(str(path))
    return path


def council_docx(path: Path, *, core_title: str | None = "Members' Social Media Protocol") -> Path:
    """A Word policy: Title and Heading styles, automatic numbering, 'List Bullet' items, a bold heading, a table."""
    import docx

    document = docx.Document()
    if core_title:
        document.core_properties.title = core_title
    document.add_paragraph("Members' Social Media Protocol", style="Title")
    document.add_paragraph("Last reviewed: March 2024")
    document.add_heading("Purpose", level=1)
    document.add_paragraph("This protocol sets out what Hollinwick District Council expects of its members when "
                           "they use social media in any capacity.")
    document.add_heading("Expectations", level=1)
    for text in ("Members must treat everyone they deal with online with courtesy and respect.",
                 "Members must not disclose information given to them in confidence."):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("When replying to residents online, members should:")
    for text in ("answer questions about council services by pointing to the council's own website;",
                 "move a conversation about a resident's personal circumstances to email or telephone;",
                 "avoid arguing with people who are clearly trying to provoke a reaction."):
        document.add_paragraph(text, style="List Bullet")
    document.add_paragraph().add_run("Useful contacts").bold = True
    document.add_paragraph("The Monitoring Officer can advise on whether a post might breach the Code of Conduct.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Do", "Don't"
    table.cell(1, 0).text, table.cell(1, 1).text = "Keep your passwords private", "Use a council account for campaigns"
    document.save(str(path))
    return path


def locked_pdf(path: Path, *, user_password: str = "secret") -> Path:
    """A PDF that needs a password to open (RC4: no extra crypto library needed to make or test it)."""
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "Councillors must not share confidential information from closed meetings online. " * 3)
    pdf.set_encryption(owner_password="owner", user_password=user_password, encryption_method=EncryptionMethod.RC4)
    pdf.output(str(path))
    return path
