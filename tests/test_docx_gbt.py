"""The DOCX after GB/T 9704-2012, point by point on its XML: page numbers (7.5), the grid of
28 characters by 22 lines (5.2.3), the 落款 (7.3.5), tables (8), language and fonts, the
document's properties and provenance, byte-reproducible output -- and, where LibreOffice is
installed, the same points on the rendered pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Twips

from duchu.records.layout import read_layout
from duchu.render.docx import markdown_to_docx
from duchu.render.docx.layout import Grid, Layout, layout_from
from duchu.render.docx.widths import (
    _display_width,
    _lines,
    _pieces,
    _tokens,
    _wrap_points,
    column_widths,
)
from duchu.render.docx_parts import save_docx
from duchu.render.templating import builtin_templates


def load_layout(path: Path) -> Layout:
    """A layout file read and validated, as ``duchu report --format docx`` does."""
    return layout_from(read_layout(path), path)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

PROVENANCE = "本稿依据截至2014年4月30日的记录生成（git 提交 abc1234，另有未提交的修改）。"

REPORT = f"""\
# 市委第二督导组关于学习教育环节督导工作的总结

中共××市委教育实践活动领导小组：

根据党的群众路线教育实践活动的部署，现将督导情况总结如下。

## 一、基本情况

督导组参加会议如下：

| 单位 | 会议 | 日期 |
|---|---|---|
| 市政府办 | 动员大会 | 2014年2月19日 |
| 市政府办 | 督导检查 | 2014年3月18日 |
| 市政务局 | 动员大会 | 2014年2月25日 |
| 市政府办 | 谈心谈话 | 2014年4月2日 |

附件：1.各单位规定动作完成情况

2.发现问题及整改情况

<!-- signature -->

市委第二督导组

2014年4月30日

<!-- attachment -->

附件1

# 各单位规定动作完成情况

正文。

<!-- provenance -->

*{PROVENANCE}*
"""


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(builtin_templates() / "gongwen.yaml")


@pytest.fixture(scope="module")
def doc(layout: Layout, tmp_path_factory: pytest.TempPathFactory) -> DocumentType:
    """The report above, saved and read back as Word would read it."""
    path = tmp_path_factory.mktemp("docx") / "r.docx"
    save_docx(markdown_to_docx(REPORT, layout), path)
    return Document(str(path))


def part_xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def body_paragraphs(doc: DocumentType) -> list[str]:
    return [p.text for p in doc.paragraphs]


# --- 7.5 page numbers ---------------------------------------------------------------------


def test_odd_pages_right_even_pages_left_one_character_in(doc: DocumentType) -> None:
    grid_char = Grid.of(load_layout(builtin_templates() / "gongwen.yaml")).chars(1)
    settings = doc.settings.element
    assert settings.find(qn("w:evenAndOddHeaders")) is not None
    section = doc.sections[0]
    odd = section.footer.paragraphs[0]
    even = section.even_page_footer.paragraphs[0]
    assert not section.even_page_footer.is_linked_to_previous
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    # one body character (15.75 pt with the body's spacing) in from the text block's edge
    assert odd.paragraph_format.right_indent == grid_char == Twips(315)
    assert even.paragraph_format.left_indent == grid_char
    for paragraph in (odd, even):
        assert paragraph.text == "— 1 —"  # the PAGE field's placeholder between the dashes
        assert "PAGE" in paragraph._p.xml
        for run in paragraph.runs:
            assert run.font.size is not None and run.font.size.pt == 14  # 4号
            fonts = run._r.rPr.find(qn("w:rFonts"))
            assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii")) == "宋体"


def test_the_number_is_7_mm_under_the_text_block(doc: DocumentType) -> None:
    section = doc.sections[0]
    odd = section.footer.paragraphs[0].paragraph_format
    assert odd.line_spacing == Twips(280)  # exactly 14 pt
    # the footer's bottom is 35 - 7 mm - 14 pt above the page's edge, so the number's line
    # begins 7 mm under the text block (which ends 35 mm above the edge)
    assert section.bottom_margin == Twips(1984)
    assert section.footer_distance == Twips(1984 - 397 - 280)


# --- 5.2.3 the grid: 22 lines of 28 characters ----------------------------------------------


def test_grid_of_22_lines_and_28_characters(doc: DocumentType, layout: Layout) -> None:
    section = doc.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    assert (Length(width).twips, Length(height).twips) == (8845, 12756)  # 156 x 225 mm
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    pitch = int(grid.get(qn("w:linePitch")))
    assert 22 * pitch <= 12756 < 23 * pitch and pitch == 579
    assert int(grid.get(qn("w:charSpace"))) == -842  # 15.79 pt, for Word's own char grid
    normal = doc.styles["Normal"]
    spacing = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")))
    assert spacing == -5
    advance = layout.body_size * 20 + spacing  # twips a character
    assert 28 * advance <= 8845 < 29 * advance
    fmt = normal.paragraph_format
    assert fmt.line_spacing == Twips(pitch)
    assert fmt.first_line_indent == Twips(630)  # two characters: 26 more fill the line
    assert 26 * advance <= 8845 - 630


def test_the_grid_follows_the_layout(layout: Layout) -> None:
    wider = layout.model_copy(update={"chars_per_line": 30, "body_size": 14})
    grid = Grid.of(wider)
    assert 30 * (14 * 20 + grid.spacing) <= grid.width < 31 * (14 * 20 + grid.spacing)
    with pytest.raises(ValueError, match="do not fit"):
        Layout.model_validate({**layout.model_dump(), "chars_per_line": 60})
    with pytest.raises(ValueError, match="do not fit"):
        Layout.model_validate({**layout.model_dump(), "lines_per_page": 40})


def test_title_tables_and_page_numbers_are_off_the_grid(doc: DocumentType) -> None:
    for name in ("公文标题", "表格文字"):
        element = doc.styles[name].element
        assert element.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
        assert element.rPr.find(qn("w:spacing")).get(qn("w:val")) == "0"


# --- 7.3.5 落款 -------------------------------------------------------------------------------


def signature_of(markdown_signature: str, layout: Layout) -> tuple[object, object, object]:
    doc = markdown_to_docx(
        f"# 标题\n\n正文。\n\n<!-- signature -->\n\n{markdown_signature}", layout
    )
    blank, name, date = doc.paragraphs[-3:]
    return blank, name, date


def chars(twips: object, layout: Layout) -> float:
    return round(Length(twips).twips / Grid.of(layout).char_pitch / 20, 1)  # type: ignore[arg-type]


def test_signature_two_characters_in_and_the_date_two_further_right(layout: Layout) -> None:
    """7.3.5.2: 署名 右空二字; the date's first character two right of the 署名's first."""
    name_text = "中共××市委教育实践活动领导小组办公室"  # longer than the date
    blank, name, date = signature_of(f"{name_text}\n\n2014年4月30日\n", layout)
    assert blank.text == ""  # 空一行
    assert name.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert chars(name.paragraph_format.right_indent, layout) == 2.0
    assert name.paragraph_format.first_line_indent == Twips(0)
    assert name.paragraph_format.keep_with_next is True
    name_chars = _display_width(name_text) / 2
    first = 28 - 2 - name_chars  # characters from the left to the 署名's first
    assert date.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert chars(date.paragraph_format.left_indent, layout) == pytest.approx(first + 2, abs=0.1)


def test_a_date_longer_than_the_signature(layout: Layout) -> None:
    """7.3.5.2: then the date is 右空二字 and the 署名 moves left to keep the two characters."""
    _, name, date = signature_of("市委督导组\n\n2014年12月30日\n", layout)
    date_chars = _display_width("2014年12月30日") / 2  # 7.75: digits are half a character
    right = date_chars + 4 - 5  # the 署名's right space: the date's end stays two in
    assert chars(name.paragraph_format.right_indent, layout) == pytest.approx(right, abs=0.1)
    date_left = chars(date.paragraph_format.left_indent, layout)
    assert date_left == pytest.approx(28 - right - 5 + 2, abs=0.1)
    assert 28 - date_left - date_chars == pytest.approx(2, abs=0.1)


def test_sealed_documents_date_four_in_and_signature_centred(layout: Layout) -> None:
    """7.3.5.1 (``sealed: true``): 成文日期 右空四字, 署名 centred over it."""
    sealed = layout.model_copy(update={"sealed": True})
    _, name, date = signature_of("市委第二督导组\n\n2014年4月30日\n", sealed)
    assert date.alignment == name.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert chars(date.paragraph_format.right_indent, sealed) == 4.0
    centred = 4 + (_display_width("2014年4月30日") / 2 - 7) / 2
    assert chars(name.paragraph_format.right_indent, sealed) == pytest.approx(centred, abs=0.1)


def test_the_signature_block_of_the_report(doc: DocumentType) -> None:
    texts = body_paragraphs(doc)
    at = texts.index("市委第二督导组")
    assert texts[at - 1] == "" and texts[at - 2] == "2.发现问题及整改情况"  # after 附件说明
    assert texts[at + 1] == "2014年4月30日"


# --- 8 tables -----------------------------------------------------------------------------------


def test_rows_never_split_and_the_header_repeats(doc: DocumentType) -> None:
    table = doc.tables[0]
    for number, row in enumerate(table.rows):
        tr_pr = row._tr.trPr
        assert tr_pr.find(qn("w:cantSplit")) is not None
        assert (tr_pr.find(qn("w:tblHeader")) is not None) == (number == 0)


def test_the_unit_cell_is_merged_down_its_rows(doc: DocumentType) -> None:
    table = doc.tables[0]
    merges = [row._tr.tc_lst[0].vMerge for row in table.rows]
    # 市政府办 twice, then 市政务局, then 市政府办 again (not next to the others: its own)
    assert merges == [None, "restart", "continue", None, None]
    assert table.rows[2]._tr.tc_lst[0].xpath("string(.)") == ""
    assert [row.cells[0].text for row in table.rows][1] == "市政府办"
    for row in table.rows:  # only the first column
        assert all(tc.vMerge is None for tc in row._tr.tc_lst[1:])


def test_a_table_is_kept_with_its_heading(doc: DocumentType) -> None:
    texts = body_paragraphs(doc)
    heading = doc.paragraphs[texts.index("一、基本情况")]
    intro = doc.paragraphs[texts.index("督导组参加会议如下：")]
    assert heading.style.paragraph_format.keep_with_next is True
    assert intro.paragraph_format.keep_with_next is True
    rows = doc.tables[0].rows
    kept = [
        all(p.paragraph_format.keep_with_next for c in r.cells for p in c.paragraphs) for r in rows
    ]
    assert kept == [True, True, True, True, False]  # short: kept whole, but for the last row


def test_a_long_table_breaks_between_units_only() -> None:
    layout = load_layout(builtin_templates() / "gongwen.yaml")
    rows = "".join(f"| 单位{n // 3} | 动作{n} |\n" for n in range(60))
    doc = markdown_to_docx(f"# 标题\n\n| 单位 | 动作 |\n|---|---|\n{rows}", layout)
    kept = [
        bool(row.cells[1].paragraphs[0].paragraph_format.keep_with_next)
        for row in doc.tables[0].rows
    ]
    # the header with the first row; within each unit's three rows; the last two together
    assert kept[0] is True
    for unit in range(20):
        first = 1 + unit * 3
        assert kept[first : first + 3] == [True, True, False]
    assert kept[-1] is False


def test_a_text_column_gets_the_width_and_dates_what_they_need() -> None:
    """The findings table that gave 问题 nine characters while the date columns were wide."""
    problem = "窗口服务态度生硬，“门难进、脸难看”问题仍有反映，群众意见较大"
    header = [["单位", "问题", "发现时间", "责任领导", "整改时限"]]
    body = [
        ["市规划局", problem, "2014年4月9日", "韩某", "2014年9月30日（已逾期）"],
        ["市住建局", problem[:20], "2014年4月19日", "谢某", "2014年10月30日"],
    ]
    widths = column_widths(header, body, 63.0)  # 156 mm of 小四 after the cell margins
    assert sum(widths) == pytest.approx(63.0)
    assert widths[1] > max(widths[0], widths[2], widths[3], widths[4])
    assert widths[1] >= 24  # twelve characters at least, not nine
    # the rows are three lines tall for the problem: a date may take two, after its year
    assert _lines(_tokens(problem), widths[1]) == 3
    assert _wrap_points(_pieces("2014年4月19日"), widths[2]) == [5]
    assert _display_width("4月19日") <= widths[2] < _display_width("2014年4月19日")


def test_widths_spread_in_proportion_when_everything_fits() -> None:
    assert column_widths([["序号", "单位"]], [["1", "市政府办"]], 24.0) == pytest.approx(
        [4 * 24 / 12, 8 * 24 / 12]
    )


def test_a_narrow_cell_breaks_between_pieces_not_inside_a_date(layout: Layout) -> None:
    rows = "".join(
        f"| 单位{n} | 审定实施方案和动员讲话稿{n} | 按时完成（2月17日） | {'说明' * 20} |\n"
        for n in range(3)
    )
    doc = markdown_to_docx(f"| 单位 | 动作 | 完成情况 | 说明 |\n|---|---|---|---|\n{rows}", layout)
    cell = doc.tables[0].rows[1].cells[2]
    assert cell.text in ("按时完成（2月17日）", "按时完成\n（2月17日）")
    if "\n" in cell.text:  # the column is too narrow for the whole: the bracket moves down
        assert cell.paragraphs[0].runs[-1].text == "\n（2月17日）"  # a break, then the rest
    assert _wrap_points(_pieces("按时完成（2月17日）"), 12) == [4]


def test_a_wrapped_cell_evens_out_its_lines(layout: Layout) -> None:
    """No single character left alone on a cell's last line: the lines are evened out."""
    rows = "".join(
        f"| 市政府办{n} | 召开动员大会并开展民主评议 | 按时完成（2月19日） | {'说明' * 30} |\n"
        for n in range(3)
    )
    doc = markdown_to_docx(f"| 单位 | 动作 | 完成情况 | 说明 |\n|---|---|---|---|\n{rows}", layout)
    lines = doc.tables[0].rows[1].cells[1].text.split("\n")
    assert "".join(lines) == "召开动员大会并开展民主评议"
    if len(lines) > 1:
        assert max(map(len, lines)) - min(map(len, lines)) <= 2, lines


def test_the_attachment_note_is_never_split_by_a_page(layout: Layout) -> None:
    """附件说明 (7.3.4): its lines are kept together, and with the 落款 below them."""
    doc = markdown_to_docx(
        "# 标题\n\n正文。\n\n附件：1.甲\n\n2.乙\n\n3.丙\n\n"
        "<!-- signature -->\n\n某督导组\n\n2014年4月20日\n",
        layout,
    )
    note = [p for p in doc.paragraphs if p.text.startswith(("附件：", "2.", "3."))]
    assert len(note) == 3
    assert all(p.paragraph_format.keep_with_next for p in note)


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("短标题", ["短标题"]),
        (
            "市委第二督导组关于学习教育、听取意见环节督导工作的总结",
            ["市委第二督导组关于学习教育、听取意见环节", "督导工作的总结"],
        ),
        (
            "市委第二督导组关于党的群众路线教育实践活动督导工作的总结",
            ["市委第二督导组", "关于党的群众路线教育实践活动", "督导工作的总结"],
        ),
        (
            "关于学习教育、听取意见环节督导工作情况的通报",
            ["关于学习教育、听取意见环节", "督导工作情况的通报"],
        ),
        # no place its words allow: left to the renderer
        (
            "一二三四五六七八九十一二三四五六七八九十一二三四五",
            ["一二三四五六七八九十一二三四五六七八九十一二三四五"],
        ),
    ],
)
def test_a_long_title_breaks_where_its_words_allow(
    layout: Layout, title: str, lines: list[str]
) -> None:
    """GB/T 9704 7.3.1: a title of several lines keeps its words whole (never "…督导工作的"
    / "总结", "…实践活" / "动…")."""
    doc = markdown_to_docx(f"# {title}\n\n正文。\n", layout)
    assert doc.paragraphs[0].text.split("\n") == lines
    assert doc.core_properties.title == title


# --- language, fonts ----------------------------------------------------------------------------


def test_the_language_is_chinese(doc: DocumentType) -> None:
    styles = doc.styles.element
    default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for element in [default] + [
        doc.styles[n].element.rPr
        for n in ("Normal", "公文标题", "一级标题", "二级标题", "三级标题", "表格文字", "附件标识")
    ]:
        lang = element.find(qn("w:lang"))
        assert lang.get(qn("w:eastAsia")) == "zh-CN"
        # the Latin slot (numbers in Times New Roman) is English, as in Word's Chinese
        # documents: Chinese there let LibreOffice break a line inside a number
        assert lang.get(qn("w:val")) == "en-US"
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    assert theme.get(qn("w:eastAsia")) == "zh-CN"


def test_the_fonts_are_in_the_font_table(tmp_path: Path, layout: Layout) -> None:
    path = tmp_path / "r.docx"
    save_docx(markdown_to_docx(REPORT, layout), path)
    table = part_xml(path, "word/fontTable.xml")
    fonts = dict(re.findall(r'<w:font w:name="([^"]+)">(.*?)</w:font>', table))
    assert set(fonts) == {
        "仿宋_GB2312",
        "方正小标宋简体",
        "黑体",
        "楷体_GB2312",
        "宋体",
        "Times New Roman",
    }
    assert '<w:altName w:val="仿宋"/>' in fonts["仿宋_GB2312"]
    assert '<w:altName w:val="楷体"/>' in fonts["楷体_GB2312"]
    assert '<w:altName w:val="华文中宋"/>' in fonts["方正小标宋简体"]
    for name in ("仿宋_GB2312", "黑体", "楷体_GB2312", "宋体", "方正小标宋简体"):
        assert '<w:charset w:val="86"/>' in fonts[name]  # GB2312
    assert '<w:family w:val="roman"/>' in fonts["Times New Roman"]


# --- properties, provenance, reproducible bytes ---------------------------------------------------


def test_properties_are_the_documents_own(doc: DocumentType) -> None:
    core = doc.core_properties
    assert core.title == "市委第二督导组关于学习教育环节督导工作的总结"  # the first H1
    assert core.author == core.last_modified_by == "市委第二督导组"  # the 署名
    assert core.comments == PROVENANCE
    assert core.created is not None and core.created.date().isoformat() == "2014-04-30"
    assert core.modified == core.created
    assert core.revision == 1


def test_the_provenance_is_in_the_properties_not_the_text(tmp_path: Path, layout: Layout) -> None:
    path = tmp_path / "r.docx"
    save_docx(markdown_to_docx(REPORT, layout), path)
    document = part_xml(path, "word/document.xml")
    assert "本稿依据" not in document and "abc1234" not in document
    custom = part_xml(path, "docProps/custom.xml")
    assert 'name="duchu.as_of"><vt:lpwstr>2014-04-30<' in custom
    assert 'name="duchu.commit"><vt:lpwstr>abc1234<' in custom
    assert 'name="duchu.dirty"><vt:bool>true<' in custom
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        everything = b"".join(archive.read(name) for name in names)
    assert b"python-docx" not in everything and b"Macintosh" not in everything
    assert "<Application>duchu</Application>" in part_xml(path, "docProps/app.xml")
    assert not any("thumbnail" in name for name in names)


def test_an_italic_last_line_without_the_marker_is_taken_too(layout: Layout) -> None:
    markdown = "# 通报\n\n正文。\n\n*本通报依据截至2014年4月30日的记录生成。*\n"
    doc = markdown_to_docx(markdown, layout)
    assert body_paragraphs(doc) == ["通报", "正文。"]
    assert doc.core_properties.comments == "本通报依据截至2014年4月30日的记录生成。"
    # any other italic paragraph is text
    doc = markdown_to_docx("# 通报\n\n*另有说明。*\n", layout)
    assert body_paragraphs(doc) == ["通报", "另有说明。"]
    assert doc.core_properties.comments == ""


def test_without_a_date_the_properties_carry_none(layout: Layout, tmp_path: Path) -> None:
    path = tmp_path / "r.docx"
    save_docx(markdown_to_docx("# 标题\n\n正文。\n", layout), path)
    core = part_xml(path, "docProps/core.xml")
    assert "dcterms:created" not in core and "2013-12-23" not in core
    assert "custom.xml" not in "".join(zipfile.ZipFile(path).namelist())


def test_the_same_markdown_gives_the_same_bytes(layout: Layout, tmp_path: Path) -> None:
    first, second = tmp_path / "1.docx", tmp_path / "2.docx"
    save_docx(markdown_to_docx(REPORT, layout), first)
    save_docx(markdown_to_docx(REPORT, layout), second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(io.BytesIO(first.read_bytes())) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- 7.3.7 attachments --------------------------------------------------------------------------


def test_an_attachment_starts_a_page_with_its_label(doc: DocumentType) -> None:
    texts = body_paragraphs(doc)
    label = doc.paragraphs[texts.index("附件1")]
    assert label.style.name == "附件标识" and label.paragraph_format.page_break_before is True
    assert doc.paragraphs[texts.index("附件1") + 1].style.name == "公文标题"
    note = doc.paragraphs[texts.index("2.发现问题及整改情况")]
    assert note.paragraph_format.left_indent == Grid.of(
        load_layout(builtin_templates() / "gongwen.yaml")
    ).chars(5)


# --- rendered by LibreOffice --------------------------------------------------------------------

RENDERERS = ("soffice", "pdftotext", "pdfinfo")


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in RENDERERS),
    reason="needs LibreOffice (soffice) and poppler (pdftotext, pdfinfo)",
)
def test_libreoffice_renders_28_characters_a_line_and_the_page_numbers(
    layout: Layout, tmp_path: Path
) -> None:
    # three pages of plain Chinese text in paragraphs of 100 characters, no punctuation
    # (which may hang into the margin) and no digits (half a character each)
    text = "督导组深入基层听取意见" * 10
    markdown = "# 标题\n\n" + "".join(f"{text[:100]}\n\n" for _ in range(22))
    docx = tmp_path / "r.docx"
    save_docx(markdown_to_docx(markdown, layout), docx)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "r.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert int(re.search(r"Pages:\s+(\d+)", info.stdout)[1]) >= 3  # type: ignore[index]
    layout_xml = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "2", "-bbox-layout", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lengths = [
        len("".join(re.findall(r"<word[^>]*>(.*?)</word>", line)))
        for line in re.findall(r"<line[^>]*>(.*?)</line>", layout_xml, re.DOTALL)
    ]
    assert max(lengths) == 28 and lengths.count(28) >= 10
    assert 26 in lengths  # a paragraph's first line: two characters in
    # page numbers: page 1's on the right half, page 2's on the left half
    pages = re.findall(r"<page width=\"([\d.]+)\".*?</page>", layout_xml, re.DOTALL)
    width = float(pages[0])
    for page, digit, right in ((1, "1", True), (2, "2", False)):
        page_xml = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        found = re.search(rf'<word xMin="([\d.]+)"[^>]*>(?:—)?{digit}(?:—)?</word>', page_xml)
        assert found is not None, page_xml[-600:]
        assert (float(found[1]) > width / 2) is right
