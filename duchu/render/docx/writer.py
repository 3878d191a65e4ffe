"""The document being written (``_Writer``): the page, its footer's page numbers and the
fonts set up once, then paragraphs, headings, titles broken into lines, the signature and
tables added in order, in the styles GB/T 9704-2012 asks for."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from markdown_it.token import Token

from duchu.render.docx.layout import Grid, Layout, _twips
from duchu.render.docx.widths import (
    CELL_PADDING_MM,
    _display_width,
    _lines,
    _pieces,
    _tokens,
    _wrap_points,
    column_widths,
)
from duchu.render.docx_parts import (
    put,
    set_language,
    set_theme_language,
)


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


# The order of a paragraph's and a run's properties (ECMA-376 17.3.1.26, 17.3.2.28), from
# the elements this module sets on: a new one goes before the first of those after it.
_PPR_ORDER = (
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_RPR_ORDER = (
    "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
    "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
    "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip


def _successors(sequence: Sequence[str], tag: str) -> tuple[str, ...]:
    return tuple(sequence[sequence.index(tag) + 1 :])


def off_grid(p_pr: Any, r_pr: Any) -> None:
    """Text not laid on the grid: a title, a table, a page number. On the line grid Word
    gives each line of a table in single spacing a whole 28.95 pt pitch; and these are
    set at their own size, without the body's closer spacing. ``p_pr`` and ``r_pr`` are a
    style's (or a paragraph's and a run's) properties."""
    if p_pr is not None:
        put(p_pr, "w:snapToGrid", _successors(_PPR_ORDER, "w:snapToGrid"), val="0")
    if r_pr is not None:
        put(r_pr, "w:spacing", _successors(_RPR_ORDER, "w:spacing"), val="0")


def body_spacing(r_pr: Any, grid: Grid) -> None:
    """The body's characters set ``grid.spacing`` apart, 28 to the line (see Grid)."""
    put(r_pr, "w:spacing", _successors(_RPR_ORDER, "w:spacing"), val=str(grid.spacing))


def keep_with_next(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


@dataclass
class _Row:
    header: bool
    cells: list[tuple[Token, str | None]]  # the cell's inline token, its alignment


@dataclass
class _Block:
    """One block of the Markdown: a heading (``tag`` h1-h6), a paragraph, a marker
    (``tag`` its name) or a table."""

    kind: str
    tag: str = ""
    inline: Token | None = None
    rows: list[_Row] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text as printed, without Markdown's emphasis marks."""
        children = self.inline.children if self.inline is not None else None
        return "".join(c.content for c in children or [] if c.type in ("text", "code_inline"))


def _cell_text(inline: Token) -> str:
    """A cell's text as printed (measured for its column's width, compared for merging):
    Markdown's escapes and character references resolved, not the source's backslashes."""
    children = inline.children or []
    return "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()


class _Writer:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.grid = Grid.of(layout)
        self.doc: DocumentType = Document()
        self.last_paragraph: Paragraph | None = None  # None right after a table
        self._set_up_page()
        self._set_up_styles()
        self._set_up_page_numbers()

    # --- page and styles ---------------------------------------------------------------------

    def _set_up_page(self) -> None:
        layout, grid = self.layout, self.grid
        section = self.doc.sections[0]
        section.start_type = WD_SECTION_START.NEW_PAGE
        # in twips, as Word stores them, so the grid below is computed from the same numbers
        section.page_width = Twips(_twips(layout.page.width))
        section.page_height = Twips(_twips(layout.page.height))
        section.top_margin = Twips(_twips(layout.margins.top))
        section.bottom_margin = Twips(_twips(layout.margins.bottom))
        section.left_margin = Twips(_twips(layout.margins.left))
        section.right_margin = Twips(_twips(layout.margins.right))
        section.gutter = Twips(0)
        doc_grid = section._sectPr.find(qn("w:docGrid"))
        if doc_grid is None:
            doc_grid = OxmlElement("w:docGrid")
            section._sectPr.append(doc_grid)
        # GB/T 9704 5.2.3: 22 lines (the line grid), of 28 characters (see Grid)
        doc_grid.set(qn("w:type"), "lines")
        doc_grid.set(qn("w:linePitch"), str(grid.line_pitch))
        doc_grid.set(qn("w:charSpace"), str(grid.char_space))

    def _set_up_page_numbers(self) -> None:
        """GB/T 9704 7.5: page numbers in 4号 半角 宋体 Arabic numerals with a 一字线 on each
        side ("— 1 —"), under the text block with the dashes 7 mm below its lower edge;
        odd pages right and even pages left, each one character in from that edge. "One
        character" is a body character of the grid, so the number lines up with the text."""
        layout, grid = self.layout, self.grid
        self.doc.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders
        section = self.doc.sections[0]
        even = section.even_page_footer
        even.is_linked_to_previous = False
        line = Twips(round(layout.page_number_size * 20))
        for paragraph, odd in ((section.footer.paragraphs[0], True), (even.paragraphs[0], False)):
            fmt = paragraph.paragraph_format
            fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
            fmt.first_line_indent = Twips(0)
            fmt.left_indent = Twips(0) if odd else grid.chars(1)
            fmt.right_indent = grid.chars(1) if odd else Twips(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = line
            fmt.space_before = fmt.space_after = Twips(0)
            off_grid(paragraph._p.get_or_add_pPr(), None)
            for text in ("— ", None, " —"):
                run = paragraph.add_run(text or "")
                font = layout.page_number_font
                set_fonts(run, font, font, layout.page_number_size)
                off_grid(None, run._r.get_or_add_rPr())
                if text is None:
                    _add_page_field(run)
        # Word measures the footer from the page's lower edge to the bottom of its last line,
        # and lets it grow upwards: the number's line of 14 pt (4.9 mm) whose top is 7 mm
        # under the text block is bottom margin - 7 mm - 4.9 mm = 35 - 7 - 4.9 = 23.1 mm
        # from the edge. The dashes sit in that line, a little under its top.
        bottom = _twips(layout.margins.bottom)
        section.footer_distance = Twips(bottom - _twips(layout.page_number_gap) - int(line / 635))
        section.header_distance = Twips(_twips(layout.margins.top) // 2)

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
        set_language(style.element.get_or_add_rPr())
        style.font.bold = bold
        style.font.color.rgb = None
        fmt = style.paragraph_format
        # exactly the grid's pitch: Word ignores the line grid under exact spacing, and
        # LibreOffice lays a line taller than the pitch over two grid lines
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Twips(self.grid.line_pitch)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.first_line_indent = self.grid.chars(2) if indent else Twips(0)
        if align is not None:
            fmt.alignment = align

    def _set_up_styles(self) -> None:
        layout = self.layout
        self._set_up_defaults()
        self._paragraph_style(
            "Normal",
            layout.body_font,
            layout.body_size,
            indent=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        )
        body_spacing(self.doc.styles["Normal"].element.get_or_add_rPr(), self.grid)
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
        self._paragraph_style("附件标识", layout.heading1_font, layout.body_size, indent=False)
        styles = self.doc.styles
        for name in ("公文标题", "表格文字"):
            style = styles[name]
            off_grid(style.element.get_or_add_pPr(), style.element.get_or_add_rPr())
        # The title stands apart from the body by a blank line's worth of space.
        title = styles["公文标题"].paragraph_format
        title.space_after = Twips(self.grid.line_pitch)
        title.line_spacing = Pt(layout.title_size * 1.5)
        for heading in ("一级标题", "二级标题", "三级标题"):  # never last on a page
            styles[heading].paragraph_format.keep_with_next = True

    def _set_up_defaults(self) -> None:
        """The document defaults (``w:docDefaults``): the body's fonts and size, Chinese. The
        grid's character pitch is counted from this size, and python-docx's template names
        the Office theme's fonts and English here."""
        layout = self.layout
        r_pr = self.doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
        r_pr = r_pr.find(qn("w:rPr"))
        for old in r_pr.findall(qn("w:rFonts")):
            r_pr.remove(old)
        fonts = OxmlElement("w:rFonts")
        for slot in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(slot), layout.latin_font)
        fonts.set(qn("w:eastAsia"), layout.body_font)
        r_pr.insert(0, fonts)
        size = str(round(layout.body_size * 2))
        for tag in ("w:sz", "w:szCs"):
            put(r_pr, tag, _successors(_RPR_ORDER, tag), val=size)
        set_language(r_pr)
        set_theme_language(self.doc)

    def fonts(self) -> list[str]:
        layout = self.layout
        return [
            layout.body_font,
            layout.title_font,
            layout.heading1_font,
            layout.heading2_font,
            layout.table_font,
            layout.page_number_font,
            layout.latin_font,
        ]

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

    def paragraph(self, inline: Token | None, style: str, fonts: tuple[str, float]) -> Paragraph:
        paragraph = self.doc.add_paragraph(style=style)
        if inline is not None:
            self.add_runs(paragraph, inline, fonts)
        self.last_paragraph = paragraph
        return paragraph

    def signature(self, name: _Block | None, date: _Block | None) -> None:
        """The 落款 of a document without a seal (GB/T 9704 7.3.5.2): one blank line under
        the main text (or the 附件说明), the 署名 two characters in from the right, the
        成文日期 on the next line with its first character two characters right of the
        署名's first; when the date is the longer, the date is two characters in from the
        right and the 署名 moves left to keep the two characters. With ``sealed: true``
        in the layout, 7.3.5.1 instead: the date four characters in from the right and the
        署名 centred over it (when the 署名 is the longer by more than four characters,
        it stays two characters in rather than run into the margin).

        Widths are counted in body characters: a Chinese character one, a digit half
        (7.3.5.4: 成文日期 in Arabic numerals, 2014年4月30日 is 6.5 characters)."""
        body = (self.layout.body_font, self.layout.body_size)
        grid, per_line = self.grid, self.layout.chars_per_line
        # never a page that the 落款 opens alone: the text before it goes with it (its last
        # paragraph, or a table's last row), and so does the blank line between
        self._keep_last_with_next()
        keep_with_next(self.paragraph(None, "Normal", body))  # 空一行
        name_chars = _display_width(name.text) / 2 if name else 0.0
        date_chars = _display_width(date.text) / 2 if date else 0.0
        if self.layout.sealed:
            date_right = 4.0
            name_right = max(2.0, date_right + (date_chars - name_chars) / 2)
        else:
            name_right = max(2.0, date_chars + 4 - name_chars)
            date_right = name_right + name_chars - 2 - date_chars
        name_right = min(name_right, max(0.0, per_line - name_chars))  # a 署名 longer than a line
        for block, right in ((name, name_right), (date, date_right)):
            if block is None:
                continue
            paragraph = self.paragraph(block.inline, "Normal", body)
            fmt = paragraph.paragraph_format
            fmt.first_line_indent = Twips(0)
            fmt.keep_with_next = block is name  # the two lines stay together
            if block is date and not self.layout.sealed:
                # by its first character: so many characters from the left as the 署名's
                # first character is, plus two (a Chinese 署名 fills whole grid cells)
                fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
                fmt.left_indent = grid.chars(max(0.0, per_line - name_right - name_chars + 2))
            else:
                fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                fmt.right_indent = grid.chars(right)

    def _keep_last_with_next(self) -> None:
        """What the body ends with so far kept with what follows: its last paragraph, or
        every paragraph of the last row of a table that ends it."""
        last = self.doc.element.body[-1] if len(self.doc.element.body) else None
        if last is not None and last.tag == qn("w:sectPr"):
            last = last.getprevious()
        if last is None:
            return
        if last.tag == qn("w:tbl"):
            rows = last.findall(qn("w:tr"))
            paragraphs = rows[-1].iter(qn("w:p")) if rows else iter(())
            for element in paragraphs:
                keep_with_next(Paragraph(element, self.doc._body))
        elif last.tag == qn("w:p"):
            keep_with_next(Paragraph(last, self.doc._body))

    def table(self, rows: list[_Row]) -> None:
        """A table after GB/T 9704 8 and how hand-made ones are set: rows never split
        across pages (``cantSplit``), the header row repeated on each page
        (``tblHeader``), the first column's runs of equal cells merged (``vMerge``) so a
        unit with several rows is named once, and the table kept with what leads into it."""
        columns = max(len(row.cells) for row in rows)
        texts = [[_cell_text(inline) for inline, _ in row.cells] for row in rows]
        texts = [cells + [""] * (columns - len(cells)) for cells in texts]
        table = self.doc.add_table(rows=0, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if self.last_paragraph is not None:  # the heading or the sentence that leads in
            keep_with_next(self.last_paragraph)
        self.last_paragraph = None
        merged = _merged_down(rows, texts)
        # a merged cell's text stands once, in its first row: the others are empty
        shown = [
            ["", *cells[1:]] if merged[number] == "continue" else cells
            for number, cells in enumerate(texts)
        ]
        widths = self._column_widths(shown, [row.header for row in rows])
        fonts = (self.layout.table_font, self.layout.table_size)
        for number, row_spec in enumerate(rows):
            row = table.add_row()
            tr_pr = row._tr.get_or_add_trPr()
            for tag in ("w:cantSplit", "w:tblHeader") if row_spec.header else ("w:cantSplit",):
                flag = OxmlElement(tag)
                tr_pr.append(flag)
            for index, (inline, align) in enumerate(row_spec.cells):
                cell = row.cells[index]
                paragraph = cell.paragraphs[0]
                paragraph.style = self.doc.styles["表格文字"]
                paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                if row_spec.header:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif align == "right":
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                else:  # not justified like the body: a narrow cell would be spaced apart
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                if index == 0 and merged[number] is not None:
                    cell._tc.vMerge = merged[number]
                    if merged[number] == "continue":
                        continue  # the text stands once, in the first cell of the run
                self.add_runs(paragraph, inline, fonts)
                if row_spec.header:
                    for run in paragraph.runs:
                        run.bold = True
                elif _lines(_tokens(shown[number][index]), widths[index]) > 1:
                    _break_lines(paragraph, widths[index])
        lines = self._set_widths(table, shown, widths)
        for number in _rows_kept_with_next(rows, merged, lines, self._table_fits(lines)):
            for cell in table.rows[number].cells:
                for paragraph in cell.paragraphs:
                    keep_with_next(paragraph)

    def _table_fits(self, lines: list[int]) -> bool:
        """Whether a table is short enough to keep whole on one page rather than let it
        break: half the text block, by its estimated height (a line of type is about 1.3
        times its size high in single spacing)."""
        height = sum(lines) * self.layout.table_size * 1.3
        return height <= self.grid.height / 20 / 2

    def _column_widths(self, texts: list[list[str]], header: list[bool]) -> list[float]:
        """Column widths in half-em cells of the table's type (see ``column_widths``)."""
        columns = len(texts[0])
        cells = (self.grid.width / 20 * 25.4 / 72 - CELL_PADDING_MM * columns) / self._half_em
        head = [row for row, is_header in zip(texts, header, strict=True) if is_header]
        body = [row for row, is_header in zip(texts, header, strict=True) if not is_header]
        return column_widths(head, body, cells)

    @property
    def _half_em(self) -> float:
        """Half an em of the table's type, in millimetres."""
        return self.layout.table_size / 2 * 25.4 / 72

    def _set_widths(self, table: Table, texts: list[list[str]], widths: list[float]) -> list[int]:
        """Set the widths on the grid and the cells; returns each row's estimated number of
        lines."""
        table.autofit = False
        for index, column in enumerate(table.columns):
            width = Twips(
                math.floor((widths[index] * self._half_em + CELL_PADDING_MM) * 1440 / 25.4)
            )
            column.width = width  # the grid, which LibreOffice reads
            for cell in column.cells:
                cell.width = width  # the cells, which Word reads
        return [
            max(_lines(_tokens(text), width) for text, width in zip(row, widths, strict=True))
            for row in texts
        ]


# Where a title of two lines may break (GB/T 9704 7.3.1: 词意完整): before 关于, or before
# what the document is about -- "…环节" / "督导工作的总结", never "…督导工作的" / "总结".
_TITLE_BREAKS = ("督导工作", "关于")


def _break_title(paragraph: Paragraph, per_line: int) -> None:
    """A title longer than a line broken where its words allow (``_TITLE_BREAKS``): into
    two lines where they fit, the first the longer (the standard's 梯形), else into three
    (菱形); left to the renderer when no such places give lines that fit."""
    text = paragraph.text
    if len(text) <= per_line or len(paragraph.runs) != 1:
        return
    places = sorted(
        {at for word in _TITLE_BREAKS for at in range(1, len(text)) if text.startswith(word, at)}
    )
    ways = [[at] for at in places] + [
        [first, second] for first in places for second in places if first < second
    ]
    fitting = [
        way
        for way in ways
        if all(b - a <= per_line for a, b in zip([0, *way], [*way, len(text)], strict=True))
    ]
    if not fitting:
        return
    # fewest lines; then the longest first line
    way = min(fitting, key=lambda way: (len(way), -way[0]))
    run = paragraph.runs[0]
    pieces = [text[a:b] for a, b in zip([0, *way], [*way, len(text)], strict=True)]
    run.text = pieces[0]
    last = run._r
    for piece in pieces[1:]:
        moved = Run(copy.deepcopy(run._r), paragraph)
        last.addnext(moved._r)
        moved.text = ""
        moved.add_break()
        moved.add_text(piece)
        last = moved._r


def _break_lines(paragraph: Paragraph, width: float) -> None:
    """Break a cell's text into lines where ``_lines`` counted them: between pieces, so
    never inside a date or a number and never before closing punctuation -- 按时完成 /
    （2月17日）, 2014年 / 2月28日 -- as a typist would, where Word and LibreOffice would
    break between any two characters that fill the line. Half a cell is kept in hand, as
    the estimate of a width is not exact. The lines are evened out: the narrowest width
    that takes no more lines is used, so 召开动员大会并开展民主评议 in six characters is
    5 + 5 + 3, not 6 + 6 and one 议 alone."""
    pieces = _pieces(paragraph.text)
    tokens = [_display_width(piece) for piece in pieces]
    usable = width - 0.5
    lines = _lines(tokens, usable)
    while usable > 2 and _lines(tokens, usable - 1) == lines and max(tokens) <= usable - 1:
        usable -= 1
    offsets = _wrap_points(pieces, usable)
    for offset in reversed(offsets):
        seen = 0
        for run in paragraph.runs:
            if seen + len(run.text) > offset:
                split = offset - seen
                tail = copy.deepcopy(run._r)
                run._r.addnext(tail)
                after = run.text[split:]
                run.text = run.text[:split]
                moved = Run(tail, paragraph)
                moved.text = ""
                moved.add_break()
                moved.add_text(after)
                break
            seen += len(run.text)


def _merged_down(rows: list[_Row], texts: list[list[str]]) -> list[str | None]:
    """For each row, how its first cell merges with those above and below: ``restart`` for
    the first of a run of equal non-empty cells in the body, ``continue`` for the rest of
    the run, None for a cell on its own (and for header rows)."""
    merged: list[str | None] = [None] * len(rows)
    for number in range(1, len(rows)):
        above, here = texts[number - 1][0], texts[number][0]
        if rows[number].header or rows[number - 1].header or not here or here != above:
            continue
        merged[number] = "continue"
        if merged[number - 1] is None:
            merged[number - 1] = "restart"
    return merged


def _rows_kept_with_next(
    rows: list[_Row], merged: list[str | None], lines: list[int], whole: bool
) -> list[int]:
    """The rows kept on the page with the row after them. A table that fits in half a page
    is kept whole; a longer one breaks between rows, but never between the header and the
    first row (so a heading, kept with its table, is never left at the foot of a page),
    inside a merged run (whose name would not be repeated on the next page), or before
    the last row."""
    last = len(rows) - 1
    if whole:
        return list(range(last))
    kept = {number for number, row in enumerate(rows) if row.header and number < last}
    kept.update(number - 1 for number in range(1, len(rows)) if merged[number] == "continue")
    if last >= 1:
        kept.add(last - 1)
    return sorted(kept)


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
