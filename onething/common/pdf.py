"""PDF building blocks shared by guides, notices and licences.

Chinese text uses the Adobe CID font STSong-Light that reportlab ships, so a
PDF renders in any reader without installing a font on the server.
"""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle(
    "title", fontName=FONT, fontSize=18, leading=26, alignment=1, spaceAfter=6 * mm
)
HEADING = ParagraphStyle(
    "heading", fontName=FONT, fontSize=13, leading=20, spaceBefore=4 * mm, spaceAfter=2 * mm
)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=9, leading=13, textColor=colors.grey)


def para(text, style=BODY) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def table(rows: list[list], widths: list[float] | None = None) -> Table:
    cells = [[para(c) if not hasattr(c, "wrap") else c for c in row] for row in rows]
    t = Table(cells, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def build(flowables: list, *, title: str, on_page=None) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=title,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(flowables, onFirstPage=on_page or _noop, onLaterPages=on_page or _noop)
    return buf.getvalue()


def _noop(canvas, doc):
    pass


def spacer(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)
