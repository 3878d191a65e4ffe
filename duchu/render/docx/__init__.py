"""Markdown to DOCX laid out as a Chinese official document (GB/T 9704-2012).

The report is rendered once, as Markdown, from its template; this module turns that
Markdown (parsed by markdown-it-py) into a document with python-docx, after GB/T 9704-2012:

- A4 with the standard margins and a character grid of 28 characters by 22 lines in the
  156 mm x 225 mm text block (5.2.1, 5.2.3); the title in 2号 小标宋 centred, body text in
  3号 仿宋 with a two-character first-line indent, 一、 headings in 黑体 and （一） in 楷体
  (5.2.2, 7.3.1, 7.3.3);
- the 落款 -- 发文机关署名 and 成文日期 -- one blank line under the main text (7.3.5.2);
- "— 1 —" page numbers in 4号 宋体, odd pages on the right and even pages on the left,
  one character in, 7 mm under the text block (7.5);
- tables a size smaller whose rows never split, whose header row repeats, whose first
  column is merged down a unit's rows, and which are never cut from their heading (8);
- Chinese as the document's language, its fonts in the font table, and properties that
  are the drafting group's, with the provenance in them rather than under the 成文日期
  (``duchu.render.docx_parts``).

Markers in the Markdown (HTML comments, invisible when it is read as Markdown):
``<!-- signature -->`` before the two paragraphs 署名 and 成文日期; ``<!-- attachment -->``
before an attachment's label (附件1), which starts a page; ``<!-- provenance -->`` before the
last, italic line that says what the document was drawn from; (1.2) ``<!-- page -->`` before
a block that starts a page (one 督办通知单 a page), ``<!-- number -->`` before the 发文字号
paragraph (centred, under the title, the 主送 after it still flush left). Font names and sizes come
from ``gongwen.yaml``, which a records tree can override (read by ``duchu.records.layout``,
validated by ``layout_from``).

The package: ``layout`` (the layout and its character grid), ``writer`` (the document, its
page, fonts, paragraphs and tables), ``widths`` (table columns and line breaking); here, the
Markdown read into blocks and written in order (``markdown_to_docx``).
"""

from __future__ import annotations

import re

from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Twips
from markdown_it import MarkdownIt
from markdown_it.token import Token

from duchu.render.docx.frame import DocumentFrame, write_banner, write_record
from duchu.render.docx.layout import Layout, layout_from
from duchu.render.docx.writer import _Block, _break_title, _Row, _Writer, xml_text
from duchu.render.docx_parts import (
    Provenance,
    chinese_date,
    save_docx,
    set_properties,
    write_font_table,
)

__all__ = ["DocumentFrame", "Layout", "layout_from", "markdown_to_docx", "save_docx"]


def _align(token: Token) -> str | None:
    style = str(token.attrs.get("style", "")) if token.attrs else ""
    if "right" in style:
        return "right"
    if "center" in style:
        return "center"
    return None


_MARKER = re.compile(r"<!--\s*([A-Za-z]+)")

# The provenance line's openings (report, circular), for Markdown without the marker.
PROVENANCE_OPENINGS = ("本稿依据", "本通报依据")


def _blocks(markdown: str) -> list[_Block]:
    """The Markdown's blocks, in order."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    blocks: list[_Block] = []
    rows: list[_Row] = []
    in_header = False
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            blocks.append(_Block("heading", token.tag, tokens[index + 1]))
        elif token.type == "paragraph_open":
            blocks.append(_Block("paragraph", inline=tokens[index + 1]))
        elif token.type == "html_block":
            found = _MARKER.match(token.content.strip())
            if found:
                blocks.append(_Block("marker", found[1].lower()))
        elif token.type == "thead_open":
            in_header = True
        elif token.type == "thead_close":
            in_header = False
        elif token.type == "tr_open":
            rows.append(_Row(in_header, []))
        elif token.type in ("th_open", "td_open"):
            rows[-1].cells.append((tokens[index + 1], _align(token)))
        elif token.type == "table_close":
            blocks.append(_Block("table", rows=rows))
            rows = []
    return blocks


def _is_emphasised(block: _Block) -> bool:
    children = (block.inline.children if block.inline is not None else None) or []
    return bool(children) and children[0].type == "em_open" and children[-1].type == "em_close"


def _take_provenance(blocks: list[_Block]) -> Provenance | None:
    """Remove the provenance line from ``blocks`` and return it: the paragraph after a
    ``<!-- provenance -->`` marker, or else a last paragraph in italics that begins as the
    built-in templates' does. It goes into the document's properties, not its text."""
    for number, block in enumerate(blocks):
        if block.kind == "marker" and block.tag == "provenance":
            following = blocks[number + 1] if number + 1 < len(blocks) else None
            del blocks[number]
            if following is not None and following.kind == "paragraph":
                del blocks[number]
                return Provenance.parse(xml_text(following.text))
            return None
    paragraphs = [number for number, block in enumerate(blocks) if block.kind == "paragraph"]
    if paragraphs:
        last = blocks[paragraphs[-1]]
        if _is_emphasised(last) and last.text.startswith(PROVENANCE_OPENINGS):
            del blocks[paragraphs[-1]]
            return Provenance.parse(xml_text(last.text))
    return None


def _drop_number(blocks: list[_Block]) -> None:
    """Remove the 发文字号 line (the paragraph after ``<!-- number -->``): in a DOCX it
    stands in the 版头, above the red line, not under the title."""
    for index, block in enumerate(blocks):
        if block.kind == "marker" and block.tag == "number":
            numbered = index + 1 < len(blocks) and blocks[index + 1].kind == "paragraph"
            del blocks[index : index + (2 if numbered else 1)]
            return


def markdown_to_docx(
    markdown: str, layout: Layout, frame: DocumentFrame | None = None
) -> DocumentType:
    """The report's Markdown as a 公文-style document; with ``frame``, framed by the 版头
    and the 版记 of a document an office sends."""
    blocks = _blocks(markdown)
    provenance = _take_provenance(blocks)
    if frame is not None and frame.number is not None:  # the 版头 carries it
        _drop_number(blocks)
    writer = _Writer(layout)
    if frame is not None:
        write_banner(writer, frame)
    bannered = frame is not None
    body = (layout.body_font, layout.body_size)
    heading_styles = {
        "h1": ("公文标题", (layout.title_font, layout.title_size)),
        "h2": ("一级标题", (layout.heading1_font, layout.body_size)),
        "h3": ("二级标题", (layout.heading2_font, layout.body_size)),
        "h4": ("三级标题", body),
    }
    title: str | None = None
    signer: _Block | None = None
    dated: _Block | None = None
    after_title = False
    attachment_label = False  # the next paragraph is an attachment's label (附件1)
    in_attachment_note = False  # inside the 附件说明 of the main text
    number = 0
    new_page = False  # the next block starts a page
    centred = False  # the next paragraph is a 发文字号
    while number < len(blocks):
        block = blocks[number]
        number += 1
        if block.kind == "marker" and block.tag in ("page", "number"):
            new_page = new_page or block.tag == "page"
            centred = block.tag == "number"
            continue
        if block.kind == "heading":
            style, fonts = heading_styles.get(block.tag, heading_styles["h4"])
            paragraph = writer.paragraph(block.inline, style, fonts)
            paragraph.paragraph_format.page_break_before = new_page or None
            new_page = False
            if block.tag == "h1":
                per_line = int(writer.grid.width // (layout.title_size * 20))
                _break_title(paragraph, per_line)
                if bannered:  # two lines under the red line (GB/T 9704 7.3.1)
                    paragraph.paragraph_format.space_before = Twips(2 * writer.grid.line_pitch)
                    bannered = False
            if block.tag == "h1" and title is None:
                title = block.text
            after_title = block.tag == "h1"
            continue
        if block.kind == "table":
            writer.table(block.rows)
        elif block.kind == "marker" and block.tag == "signature":
            # the two paragraphs that follow are the 署名 and the 成文日期
            following: list[_Block] = []
            while len(following) < 2 and number < len(blocks):
                if blocks[number].kind != "paragraph":
                    break
                following.append(blocks[number])
                number += 1
            signer = following[0] if following else None
            dated = following[1] if len(following) > 1 else None
            writer.signature(signer, dated)
        elif block.kind == "marker" and block.tag == "attachment":
            # an attachment (附件) starts a page, with its label 附件1 flush left in 黑体
            attachment_label = True
        elif block.kind == "paragraph" and centred:
            paragraph = writer.paragraph(block.inline, "Normal", body)
            paragraph.paragraph_format.first_line_indent = Twips(0)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            centred = False
            continue  # the 主送 after it is still the title's
        elif block.kind == "paragraph":
            inline = block.inline
            if attachment_label:
                paragraph = writer.paragraph(inline, "附件标识", (layout.heading1_font, body[1]))
                paragraph.paragraph_format.page_break_before = True
                attachment_label = False
            elif block.text.startswith("附件："):
                # 附件说明 (GB/T 9704 7.3.4): two characters in; further attachments' names
                # in the lines below line up with the first one's, after "附件："
                paragraph = writer.paragraph(inline, "Normal", body)
                # the names of the attachments are read as one list: never split by a page
                paragraph.paragraph_format.keep_with_next = True
                in_attachment_note = True
            elif in_attachment_note and block.text[:1].isdigit():
                paragraph = writer.paragraph(inline, "Normal", body)
                paragraph.paragraph_format.first_line_indent = Twips(0)
                paragraph.paragraph_format.left_indent = writer.grid.chars(5)
                paragraph.paragraph_format.keep_with_next = True
            else:
                in_attachment_note = False
                paragraph = writer.paragraph(inline, "Normal", body)
                if after_title and block.text.endswith("："):
                    paragraph.paragraph_format.first_line_indent = Twips(0)  # 主送机关顶格
        after_title = False
    if frame is not None:
        write_record(writer, frame)
    set_properties(
        writer.doc,
        title=xml_text(title or ""),  # the properties are XML too
        author=xml_text(signer.text) if signer is not None else "",
        day=chinese_date(dated.text) if dated is not None else None,
        provenance=provenance,
    )
    write_font_table(writer.doc, writer.fonts())
    return writer.doc
