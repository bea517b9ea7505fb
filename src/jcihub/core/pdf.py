"""PDF documents the department hands out: letters, meeting minutes, reports to the Council.

One small builder over fpdf2 so that every document has the same header, footer and
type. It uses fpdf2's core fonts (Helvetica), which need no font files on the machine and
cover Latin-1: English and Spanish text, accents, ñ, ¿ and ¡. Characters outside Latin-1
are replaced by a visible "?" rather than failing the whole document.

Who may produce which document, and the audit entry, are the caller's business (through
`access`); this only writes the bytes.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from fpdf import FPDF
from fpdf.enums import XPos, YPos

DEPARTMENT = "Department of Justice and Community Intervention"
CITY = "City of Kansas City, Missouri"
FONT = "Helvetica"
BODY_SIZE = 10.5


def latin1(text: Any) -> str:
    """The text as the core fonts can draw it: typographic quotes kept, the rest as '?'."""
    value = "" if text is None else str(text)
    value = (
        value.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("\u2026", "...")
        .replace("\u2192", "->")
    )
    return value.encode("latin-1", "replace").decode("latin-1")


class _Page(FPDF):
    def __init__(self, title: str, footer_note: str) -> None:
        super().__init__(format="Letter", unit="mm")
        self.doc_title = latin1(title)
        self.footer_note = latin1(footer_note)
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(self.doc_title)
        self.set_author(DEPARTMENT)
        self.set_creator("JCI Hub")

    def header(self) -> None:
        self.set_font(FONT, "B", 9)
        self.set_text_color(60, 60, 60)
        self.cell(0, 5, latin1(f"{CITY} - {DEPARTMENT}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(0, 94, 162)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(5)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        note = f"{self.footer_note}   " if self.footer_note else ""
        self.cell(0, 5, f"{note}Page {self.page_no()} of {{nb}}", align="C")


class Document:
    """A document built top to bottom: `heading`, `paragraph`, `facts`, `table`; then `bytes`."""

    def __init__(self, title: str, *, subtitle: str = "", footer_note: str = "") -> None:
        self.pdf = _Page(title, footer_note)
        self.pdf.alias_nb_pages()
        self.pdf.add_page()
        self.pdf.set_font(FONT, "B", 16)
        self.pdf.multi_cell(0, 8, latin1(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.pdf.set_font(FONT, "", 11)
            self.pdf.multi_cell(0, 6, latin1(subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(3)

    @property
    def width(self) -> float:
        return float(self.pdf.w - self.pdf.l_margin - self.pdf.r_margin)

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(FONT, "B", 12.5)
        self.pdf.multi_cell(0, 7, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def paragraph(self, text: str, *, bold: bool = False, size: float = BODY_SIZE) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.multi_cell(0, 5.2, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)

    def facts(self, pairs: Sequence[tuple[str, Any]]) -> None:
        """Label-value lines, the label in bold."""
        label_width = min(60.0, self.width * 0.35)
        for label, value in pairs:
            self.pdf.set_font(FONT, "B", BODY_SIZE)
            y = self.pdf.get_y()
            self.pdf.multi_cell(label_width, 5.2, latin1(label), new_x=XPos.RIGHT, new_y=YPos.TOP)
            self.pdf.set_xy(self.pdf.l_margin + label_width, y)
            self.pdf.set_font(FONT, "", BODY_SIZE)
            self.pdf.multi_cell(0, 5.2, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        widths: Sequence[float] | None = None,
        empty: str = "None.",
    ) -> None:
        """A table with a repeated header row; `widths` are shares of the text width."""
        if not rows:
            self.paragraph(empty)
            return
        shares = widths or [1.0] * len(header)
        total = sum(shares)
        col_widths = tuple(self.width * share / total for share in shares)
        self.pdf.set_font(FONT, "", 9)
        with self.pdf.table(
            col_widths=col_widths,
            text_align="LEFT",
            line_height=4.6,
            headings_style=_heading_style(),
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for cell in header:
                heading.cell(latin1(cell))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(latin1("" if value is None else value))
        self.pdf.ln(3)

    def signature(self, lines: Sequence[str]) -> None:
        self.pdf.ln(6)
        for line in lines:
            self.paragraph(line, size=BODY_SIZE)

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def _heading_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(220, 228, 238))


def pdf_response(document: Document, filename: str) -> HttpResponse:
    response = HttpResponse(document.bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stamp(moment: datetime) -> str:
    """A date and time as printed on documents: 2 December 2026, 14:05."""
    return f"{moment.day} {moment:%B %Y, %H:%M}"
