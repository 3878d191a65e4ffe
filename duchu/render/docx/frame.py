"""The frame of a document an office sends (GB/T 9704-2012): the 版头 and the 版记.

With ``documents:`` in campaign.yaml (RECORDS.md 1.2) a report's DOCX opens with the 版头
(7.2): the 发文机关标志 in red 小标宋, centred, its top 35 mm under the text block's top
edge (7.2.2); two lines under it the 发文字号 ``县活办〔2014〕3号``, centred (7.2.4); 4 mm
under that a red line as wide as the text block (7.2.5). The title stands two lines under
the red line (7.3.1). The document ends with the 版记 (7.4) at the foot of its last page:
the 抄送 line and the line of the 印发机关 and 印发日期, in 4号 仿宋, one character in from
each side, between a thick first and last line (0.35 mm) with a thin line (0.25 mm) between
them, the last line on the text block's lower edge -- a table anchored to the bottom of the
text block, its rules the table's borders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph

from duchu.render.docx.layout import _twips
from duchu.render.docx.writer import _Writer, off_grid, set_fonts, xml_text

RED = RGBColor(0xFF, 0x00, 0x00)
# Border widths in eighths of a point (ECMA-376 17.3.4): 0.35 mm = 0.99 pt, 0.25 mm = 0.71 pt.
THICK_RULE = 8  # 1 pt = 0.353 mm
THIN_RULE = 6  # 0.75 pt = 0.265 mm
RED_RULE = 12  # the 版头's red line, 1.5 pt
MARK_TOP = 35.0  # mm from the text block's top edge to the mark's (7.2.2, 下行文)
MARK_LARGEST = 36.0  # pt: a short mark is not set larger than this
RECORD_SIZE = 14.0  # 4号 (7.4)


@dataclass(frozen=True)
class DocumentFrame:
    """What the 版头 and 版记 carry, as printed: the mark, the 发文字号 (or None), the
    抄送 offices, the 印发机关 and the 印发日期 (``2014年4月20日``)."""

    issuer_mark: str | None
    number: str | None
    copy_to: list[str] = field(default_factory=list)
    printed_by: str | None = None
    printed_on: str = ""


def _border(paragraph: Paragraph, side: str, size: int, color: str, space: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # w:pBdr comes after w:keepNext..w:numPr and before w:shd, w:tabs, w:spacing
        following = [qn(t) for t in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku")]
        following += [qn(t) for t in ("w:snapToGrid", "w:spacing", "w:ind", "w:jc", "w:rPr")]
        anchor = next((c for c in p_pr if c.tag in following), None)
        if anchor is None:
            p_pr.append(borders)
        else:
            anchor.addprevious(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def _element(tag: str, **attrs: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _exact(paragraph: Paragraph, height: float, before: float = 0.0) -> None:
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Twips(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(height)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(0)
    off_grid(paragraph._p.get_or_add_pPr(), None)


def write_banner(writer: _Writer, frame: DocumentFrame) -> None:
    """The 版头: the red mark, the 发文字号 and the red line, before the title."""
    layout, grid = writer.layout, writer.grid
    body_line = grid.line_pitch / 20  # pt
    mark = frame.issuer_mark or ""
    # as large as fits on one line of the text block, and no larger than MARK_LARGEST
    size = min(MARK_LARGEST, math.floor(grid.width / 20 / max(len(mark), 1)))
    paragraph = writer.doc.add_paragraph(style="Normal")
    # its line is 1.2 of the size: the glyphs' top edge some 0.1 of the size under the line's
    _exact(paragraph, size * 1.2, before=_twips(MARK_TOP) / 20 - size * 0.1)
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(xml_text(mark))
    set_fonts(run, layout.title_font, layout.title_font, size)
    off_grid(None, run._r.get_or_add_rPr())
    run.font.color.rgb = RED
    ruled = paragraph
    if frame.number:
        paragraph = writer.doc.add_paragraph(style="Normal")
        _exact(paragraph, body_line, before=2 * body_line)  # 空二行
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(xml_text(frame.number))
        set_fonts(run, layout.body_font, layout.latin_font, layout.body_size)
        off_grid(None, run._r.get_or_add_rPr())
        ruled = paragraph
    # 4 mm under the 发文字号 (or the mark), as wide as the text block
    _border(ruled, "bottom", RED_RULE, "FF0000", round(4 / 25.4 * 72))
    writer.last_paragraph = ruled


def _record_paragraph(writer: _Writer, cell_paragraph: Paragraph, text: str) -> None:
    layout, grid = writer.layout, writer.grid
    _exact(cell_paragraph, RECORD_SIZE * 1.5, before=RECORD_SIZE * 0.35)
    cell_paragraph.paragraph_format.space_after = Pt(RECORD_SIZE * 0.35)
    one = Twips(math.floor(RECORD_SIZE * 20 + grid.spacing))  # one character of 4号
    cell_paragraph.paragraph_format.left_indent = one
    cell_paragraph.paragraph_format.right_indent = one
    run = cell_paragraph.add_run(xml_text(text))
    set_fonts(run, layout.body_font, layout.latin_font, RECORD_SIZE)
    off_grid(None, run._r.get_or_add_rPr())


def write_record(writer: _Writer, frame: DocumentFrame) -> None:
    """The 版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期, between a
    thick first and last rule and a thin rule between them. A table as wide as the text
    block, floating at its lower edge (``w:tblpPr``, anchored horizontally to the page at
    the left margin, vertically to the margins at the bottom: Word and LibreOffice 7.4
    alike set it at the foot of the last page, its last rule on the text block's lower
    edge -- a table anchored to the margins horizontally LibreOffice sets inline, under
    the last text); its rules are the table's borders."""
    grid = writer.grid
    copy_line = "抄送：" + "，".join(frame.copy_to) + "。" if frame.copy_to else None
    table = writer.doc.add_table(rows=2 if copy_line else 1, cols=2)
    tbl_pr = table._tbl.tblPr
    style = tbl_pr.find(qn("w:tblStyle"))
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    if style is not None:
        tbl_pr.append(style)
    # Placed from the page's left edge at the left margin, not centred in the margins:
    # LibreOffice (7.4) floats a table as wide as the text block only when its horizontal
    # anchor is the page (else it sets it inline, under the last text); Word places both
    # alike. Vertically at the foot of the text block, on the page of the paragraph after.
    tbl_pr.append(_element("w:tblpPr", horzAnchor="page", vertAnchor="margin",
                           tblpX=str(_twips(writer.layout.margins.left)),
                           tblpYSpec="bottom"))  # fmt: skip
    tbl_pr.append(_element("w:tblW", w=str(grid.width), type="dxa"))
    borders = OxmlElement("w:tblBorders")
    for side, size in (
        ("top", THICK_RULE),
        ("left", 0),
        ("bottom", THICK_RULE),
        ("right", 0),
        ("insideH", THIN_RULE),
        ("insideV", 0),
    ):
        if size:
            borders.append(_element(f"w:{side}", val="single", sz=str(size), space="0",
                                    color="000000"))  # fmt: skip
        else:
            borders.append(_element(f"w:{side}", val="nil"))
    tbl_pr.append(borders)
    tbl_pr.append(_element("w:tblLayout", type="fixed"))
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_element(f"w:{side}", w="0", type="dxa"))
    tbl_pr.append(margins)
    half = grid.width * 5 // 8  # the 印发机关's side: a long office's name stays on one line
    for column, width in zip(
        table._tbl.tblGrid.findall(qn("w:gridCol")), (half, grid.width - half), strict=True
    ):
        column.set(qn("w:w"), str(width))
    rows = list(table.rows)
    if copy_line is not None:
        cell = rows[0].cells[0].merge(rows[0].cells[1])
        cell.width = Twips(grid.width)
        _record_paragraph(writer, cell.paragraphs[0], copy_line)
    printed = rows[-1].cells
    for cell, width in zip(printed, (half, grid.width - half), strict=True):
        cell.width = Twips(width)
    _record_paragraph(writer, printed[0].paragraphs[0], frame.printed_by or "")
    _record_paragraph(writer, printed[1].paragraphs[0], f"{frame.printed_on}印发")
    printed[0].paragraphs[0].paragraph_format.right_indent = Twips(0)
    printed[1].paragraphs[0].paragraph_format.left_indent = Twips(0)
    printed[1].paragraphs[0].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    closing = writer.doc.add_paragraph(style="Normal")  # a body ends with a paragraph
    _exact(closing, 1.0)
    writer.last_paragraph = None
