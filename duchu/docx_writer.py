"""Markdown to DOCX laid out as a Chinese official document (GB/T 9704-2012).

The report is rendered once, as Markdown, from its template; this module turns that
Markdown (parsed by markdown-it-py) into a document with python-docx: A4 with the standard
margins, the title in 2号 小标宋 centred, body text in 3号 仿宋 with a two-character
first-line indent at a fixed ~29 pt line pitch (22 lines a page), 一、 headings in 黑体 and
（一） headings in 楷体, tables a size smaller with repeating header rows, and "— 1 —" page
numbers. Chinese fonts are set on the East Asian slot (``w:eastAsia``) of every style and
run -- Word ignores a Latin-only font name for Chinese text. Font names and sizes come from
``gongwen.yaml``, which a records tree can override.
"""

from __future__ import annotations

import os
import re
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from duchu.errors import DuchuError
from duchu.problems import Ref

# Lengths a layout may give: millimetres for the page and margins, points for type; NaN and
# infinities are refused by ``allow_inf_nan`` (a NaN size crashed the writer), and each
# range is wide enough for any real document and too narrow for a mistake to pass.
Millimetres = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
PageLength = Annotated[float, Field(ge=50, le=2000, allow_inf_nan=False)]
Points = Annotated[float, Field(ge=4, le=200, allow_inf_nan=False)]
FontName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]


class Margins(BaseModel):
    model_config = ConfigDict(extra="forbid")
    top: Millimetres
    bottom: Millimetres
    left: Millimetres
    right: Millimetres


class PageSize(BaseModel):
    model_config = ConfigDict(extra="forbid")
    width: PageLength
    height: PageLength


class Layout(BaseModel):
    """The one place the DOCX's fonts, sizes (pt) and margins (mm) are written down."""

    model_config = ConfigDict(extra="forbid")
    page: PageSize
    margins: Margins
    title_font: FontName
    title_size: Points
    body_font: FontName
    body_size: Points
    heading1_font: FontName
    heading2_font: FontName
    latin_font: FontName
    line_spacing: Points
    table_font: FontName
    table_size: Points
    page_number_font: FontName
    page_number_size: Points
    note_size: Points

    @model_validator(mode="after")
    def _fits(self) -> Layout:
        if self.margins.left + self.margins.right >= self.page.width - 20:
            raise ValueError("margins leave no room for text across the page")
        if self.margins.top + self.margins.bottom >= self.page.height - 20:
            raise ValueError("margins leave no room for text down the page")
        return self


def load_layout(path: Path) -> Layout:
    from duchu.yamlio import decode, parse_yaml

    try:
        text, _ = decode(path.read_bytes(), str(path))
    except OSError as err:
        raise DuchuError("layout-invalid", file=path, detail=err.strerror or str(err)) from None
    if text is None:
        raise DuchuError("layout-invalid", file=path, detail=Ref("encoding"))
    parsed = parse_yaml(text, str(path))
    if parsed.problems or not isinstance(parsed.data, dict):
        raise DuchuError("layout-invalid", file=path, detail="YAML")
    try:
        return Layout.model_validate(parsed.data)
    except ValidationError as err:
        first = err.errors()[0]
        detail = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        raise DuchuError("layout-invalid", file=path, detail=detail) from None


def set_fonts(target: Any, east_asian: str, latin: str, size: float | None = None) -> None:
    """Fonts of a style or run: Latin and, on ``w:eastAsia``, the Chinese one."""
    font = target.font
    font.name = latin
    if size is not None:
        font.size = Pt(size)
    r_pr = target.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


class _Writer:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.doc: DocumentType = Document()
        self._set_up_page()
        self._set_up_styles()
        self.right_aligned = False  # inside the signature block

    # --- page and styles ---------------------------------------------------------------------

    def _set_up_page(self) -> None:
        section = self.doc.sections[0]
        section.start_type = WD_SECTION_START.NEW_PAGE
        section.page_width = Mm(self.layout.page.width)
        section.page_height = Mm(self.layout.page.height)
        margins = self.layout.margins
        section.top_margin = Mm(margins.top)
        section.bottom_margin = Mm(margins.bottom)
        section.left_margin = Mm(margins.left)
        section.right_margin = Mm(margins.right)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text in ("— ", None, " —"):
            run = footer.add_run(text or "")
            set_fonts(
                run,
                self.layout.page_number_font,
                self.layout.page_number_font,
                self.layout.page_number_size,
            )
            if text is None:
                _add_page_field(run)

    def _paragraph_style(
        self,
        name: str,
        east_asian: str,
        size: float,
        *,
        indent: bool,
        bold: bool = False,
        align: WD_ALIGN_PARAGRAPH | None = None,
    ) -> None:
        styles = self.doc.styles
        style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
        style.base_style = styles["Normal"] if name != "Normal" else None
        set_fonts(style, east_asian, self.layout.latin_font, size)
        style.font.bold = bold
        style.font.color.rgb = None
        fmt = style.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(self.layout.line_spacing)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(size * 2) if indent else Pt(0)
        if align is not None:
            fmt.alignment = align

    def _set_up_styles(self) -> None:
        layout = self.layout
        self._paragraph_style(
            "Normal",
            layout.body_font,
            layout.body_size,
            indent=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        )
        self._paragraph_style(
            "公文标题",
            layout.title_font,
            layout.title_size,
            indent=False,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        self._paragraph_style("一级标题", layout.heading1_font, layout.body_size, indent=True)
        self._paragraph_style("二级标题", layout.heading2_font, layout.body_size, indent=True)
        self._paragraph_style(
            "三级标题", layout.body_font, layout.body_size, indent=True, bold=True
        )
        self._paragraph_style("表格文字", layout.table_font, layout.table_size, indent=False)
        self._paragraph_style("生成说明", layout.body_font, layout.note_size, indent=False)
        self._paragraph_style("附件标识", layout.heading1_font, layout.body_size, indent=False)
        # The title stands apart from the body by a blank line's worth of space.
        self.doc.styles["公文标题"].paragraph_format.space_after = Pt(layout.line_spacing)
        self.doc.styles["公文标题"].paragraph_format.line_spacing = Pt(layout.title_size * 1.5)
        for heading in ("一级标题", "二级标题", "三级标题"):  # never last on a page
            self.doc.styles[heading].paragraph_format.keep_with_next = True

    # --- content --------------------------------------------------------------------------------

    def add_runs(self, paragraph: Paragraph, inline: Token, style_fonts: tuple[str, float]) -> None:
        bold = False
        for child in inline.children or []:
            if child.type == "strong_open":
                bold = True
            elif child.type == "strong_close":
                bold = False
            elif child.type in ("text", "code_inline"):
                run = paragraph.add_run(xml_text(child.content))
                run.bold = bold or None
                self._run_fonts(run, style_fonts)
            elif child.type in ("softbreak", "hardbreak"):
                paragraph.add_run().add_break()

    def _run_fonts(self, run: Run, style_fonts: tuple[str, float]) -> None:
        set_fonts(run, style_fonts[0], self.layout.latin_font, style_fonts[1])

    def paragraph(self, inline: Token, style: str, fonts: tuple[str, float]) -> Paragraph:
        paragraph = self.doc.add_paragraph(style=style)
        self.add_runs(paragraph, inline, fonts)
        return paragraph

    def table(self, rows: list[tuple[bool, list[tuple[Token, str | None]]]]) -> None:
        columns = max(len(cells) for _, cells in rows)
        table = self.doc.add_table(rows=0, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        fonts = (self.layout.table_font, self.layout.table_size)
        for is_header, cells in rows:
            row = table.add_row()
            if is_header:
                tr_pr = row._tr.get_or_add_trPr()
                header = OxmlElement("w:tblHeader")
                header.set(qn("w:val"), "true")
                tr_pr.append(header)
            for index, (inline, align) in enumerate(cells):
                cell = row.cells[index]
                paragraph = cell.paragraphs[0]
                paragraph.style = self.doc.styles["表格文字"]
                paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                if is_header:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif align == "right":
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                else:  # not justified like the body: a narrow cell would be spaced apart
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                self.add_runs(paragraph, inline, fonts)
                if is_header:
                    for run in paragraph.runs:
                        run.bold = True
        self._fit_columns(table, rows)

    def _fit_columns(
        self, table: Any, rows: list[tuple[bool, list[tuple[Token, str | None]]]]
    ) -> None:
        """Column widths that keep short columns (dates, names, numbers) on one line and let
        only long text wrap: each column's natural width in millimetres, allocated max-min
        fairly over the width of the type area."""
        layout = self.layout
        available = layout.page.width - layout.margins.left - layout.margins.right
        half_em_mm = layout.table_size / 2 * 25.4 / 72
        body = [0.0] * len(table.columns)
        header = [0.0] * len(table.columns)
        for is_header, cells in rows:
            for index, (inline, _) in enumerate(cells):
                column = header if is_header else body
                column[index] = max(column[index], _display_width(inline.content))
        natural = [max(b, h) for b, h in zip(body, header, strict=True)]
        if sum(natural) * half_em_mm + CELL_PADDING_MM * len(natural) > available:
            # too wide: a header over a column of short figures folds (逾期/完成) rather than
            # squeezing the one column of names into a character a line
            natural = [max(b, min(h, HEADER_FOLD_CELLS)) for b, h in zip(body, header, strict=True)]
        widths = _allocate([n * half_em_mm + CELL_PADDING_MM for n in natural], available)
        table.autofit = False
        for index, column in enumerate(table.columns):
            width = Mm(widths[index])
            column.width = width  # the grid, which LibreOffice reads
            for cell in column.cells:
                cell.width = width  # the cells, which Word reads


# A header folded to fit: two Chinese characters a line, as hand-made tables do.
HEADER_FOLD_CELLS = 4

# Word's default cell margins are 0.19 cm on each side; a little more keeps text off the lines.
CELL_PADDING_MM = 4.5


def _allocate(natural: list[float], available: float) -> list[float]:
    """Max-min fair widths: columns needing less than an equal share of what is left get
    what they need; the rest share the remainder equally. If everything fits, the spare
    width is spread in proportion to need."""
    total = sum(natural)
    if total <= available:
        return [width * available / total for width in natural]
    widths = [0.0] * len(natural)
    pending = sorted(range(len(natural)), key=lambda index: natural[index])
    left = available
    while pending:
        share = left / len(pending)
        index = pending[0]
        if natural[index] > share:
            for rest in pending:
                widths[rest] = share
            break
        widths[index] = natural[index]
        left -= natural[index]
        pending.pop(0)
    return widths


def _display_width(text: str) -> float:
    """Width in half-em cells: a Chinese character takes two, a Latin one one, and each
    change between Chinese and Latin script half a cell more -- Word and LibreOffice set a
    little space there ("2014年2月19日" has five such changes)."""
    wide = [ord(char) > 0x2E7F for char in text]
    changes = sum(1 for before, after in pairwise(wide) if before != after)
    return float(sum(2 if flag else 1 for flag in wide)) + changes / 2


# Characters XML 1.0 cannot hold (python-docx refuses them: "All strings must be XML
# compatible"); the checks keep them out of records, and this keeps any other text safe.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with what XML cannot hold shown as its escape (``\\x1b``)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def _add_page_field(run: Run) -> None:
    """A PAGE field, so Word and LibreOffice print each page's own number."""
    for kind, text in (
        ("begin", None),
        (None, "PAGE"),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)


def _align(token: Token) -> str | None:
    style = str(token.attrs.get("style", "")) if token.attrs else ""
    if "right" in style:
        return "right"
    if "center" in style:
        return "center"
    return None


def markdown_to_docx(markdown: str, layout: Layout) -> DocumentType:
    """The report's Markdown as a 公文-style document."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    writer = _Writer(layout)
    body = (layout.body_font, layout.body_size)
    heading_styles = {
        "h1": ("公文标题", (layout.title_font, layout.title_size)),
        "h2": ("一级标题", (layout.heading1_font, layout.body_size)),
        "h3": ("二级标题", (layout.heading2_font, layout.body_size)),
        "h4": ("三级标题", body),
    }
    index = 0
    after_title = False
    attachment_label = False  # the next paragraph is an attachment's label (附件1)
    in_attachment_note = False  # inside the 附件说明 of the main text
    rows: list[tuple[bool, list[tuple[Token, str | None]]]] = []
    in_header = False
    cells: list[tuple[Token, str | None]] = []
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            style, fonts = heading_styles.get(token.tag, heading_styles["h4"])
            writer.paragraph(tokens[index + 1], style, fonts)
            after_title = token.tag == "h1"
            writer.right_aligned = False
            index += 3
            continue
        if token.type == "html_block" and "signature" in token.content:
            writer.right_aligned = True
        elif token.type == "html_block" and "attachment" in token.content:
            # an attachment (附件) starts a page, with its label 附件1 flush left in 黑体
            writer.right_aligned = False
            attachment_label = True
        elif token.type == "paragraph_open":
            inline = tokens[index + 1]
            children = inline.children or []
            if children and children[0].type == "em_open" and children[-1].type == "em_close":
                paragraph = writer.paragraph(
                    inline, "生成说明", (layout.body_font, layout.note_size)
                )
            elif attachment_label:
                paragraph = writer.paragraph(inline, "附件标识", (layout.heading1_font, body[1]))
                paragraph.paragraph_format.page_break_before = True
                attachment_label = False
            elif inline.content.startswith("附件："):
                # 附件说明 (GB/T 9704 7.3.4): two characters in; further attachments' names
                # in the lines below line up with the first one's, after "附件："
                paragraph = writer.paragraph(inline, "Normal", body)
                in_attachment_note = True
            elif in_attachment_note and inline.content[:1].isdigit():
                paragraph = writer.paragraph(inline, "Normal", body)
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.left_indent = Pt(layout.body_size * 5)
            else:
                in_attachment_note = False
                paragraph = writer.paragraph(inline, "Normal", body)
                if after_title and inline.content.endswith("："):
                    paragraph.paragraph_format.first_line_indent = Pt(0)  # 主送机关顶格
                if writer.right_aligned:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    paragraph.paragraph_format.first_line_indent = Pt(0)
                    paragraph.paragraph_format.right_indent = Pt(layout.body_size * 4)
            after_title = False
            index += 3
            continue
        elif token.type == "thead_open":
            in_header = True
        elif token.type == "thead_close":
            in_header = False
        elif token.type == "tr_open":
            cells = []
        elif token.type in ("th_open", "td_open"):
            cells.append((tokens[index + 1], _align(token)))
        elif token.type == "tr_close":
            rows.append((in_header, cells))
        elif token.type == "table_close":
            writer.table(rows)
            rows = []
        index += 1
    return writer.doc


def write_atomically(path: Path, write: Any) -> None:
    """Write a file whole or not at all: into a temporary file beside it, then rename.
    ``write`` is called with the temporary path."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise DuchuError("cannot-write", path=path, reason=err.strerror or str(err)) from None
    os.close(handle)
    try:
        write(Path(temporary))
        # mkstemp makes the file private (0600); a report is shared like any other file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise DuchuError("cannot-write", path=path, reason=err.strerror or str(err)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
