"""``duchu report``: the golden Markdown of the sample, templates and their faults, DOCX
laid out after GB/T 9704-2012, and writing whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, copy_tree, write_tree

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the sample outside any git repository (so the provenance line is fixed)."""
    return copy_tree(SAMPLE, tmp_path / "records")


def report(root: Path, *args: str) -> tuple[int, str, str]:
    """A group's report (市委第二督导组's unless the test names a group): the sample holds
    three groups, and without --group the office's circular is drafted instead."""
    group = [] if "--group" in args else ["--group", "g2"]
    result = runner.invoke(app, ["report", "--records", str(root), *group, *args])
    return result.exit_code, result.stdout, result.stderr


def test_golden_markdown_of_the_study_phase(sample: Path) -> None:
    code, out, _ = report(sample, "--phase", "study", "--group", "g2", "--as-of", "2014-04-20")
    assert code == 0
    assert out == (GOLDEN / "report-study-g2.md").read_text(encoding="utf-8")


def test_golden_markdown_of_the_last_phase_covers_the_whole_campaign(sample: Path) -> None:
    code, out, _ = report(sample, "--phase", "summary", "--group", "g2", "--as-of", "2014-10-15")
    assert code == 0
    assert out == (GOLDEN / "report-summary-g2.md").read_text(encoding="utf-8")


def test_sections_and_facts_of_another_phase(sample: Path) -> None:
    code, out, _ = report(sample, "--phase", "criticism", "--as-of", "2014-06-20")
    assert code == 0
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 一、基本情况",
        "## 二、主要做法和成效",
        "## 三、存在的问题",
        "## 四、下一步工作",
    ]
    main = out.split("<!-- signature")[0]
    assert "|" not in main  # the detail tables are in the 附件, not in the main text
    assert "市环保局召开专题民主生活会时，“对照检查材料审核通过”尚未完成，不符合程序要求。" in main
    assert "市住建局对照检查材料审核通过逾期" in main
    assert out.splitlines()[-1] == "*本稿依据截至2014年6月20日的记录生成。*"
    assert out.splitlines()[-3] == "<!-- provenance -->"


def test_the_last_phase_and_a_lagging_unit(sample: Path) -> None:
    _, out, _ = report(sample, "--phase", "summary", "--as-of", "2014-10-31")
    assert "本环节是教育实践活动的最后一个环节。" in out
    # still overdue from an earlier phase: said in the last phase's summary (issue 15)
    assert "市规划局建章立制（整改落实、建章立制环节，时限8月下旬）逾期61天" in out
    _, rect, _ = report(sample, "--phase", "rectification", "--as-of", "2014-10-31")
    assert "市规划局建章立制逾期61天未完成" in rect  # due 8-31, as of 10-31
    # a finding made after the phase's end is a later phase's: the last phase tells it
    assert "建章立制滞后" not in rect
    assert (
        "| 市规划局 | 建章立制滞后，规划审批制度修订未完成 | 9月5日 | 许某 | 9月底 "
        "| 未整改，逾期31天 |" in out
    )


def test_provenance_names_the_commit_and_uncommitted_changes(tmp_path: Path) -> None:
    import subprocess

    root = copy_tree(SAMPLE, tmp_path / "records")
    env_git = ["git", "-c", "user.name=张某", "-c", "user.email=z@example.cn"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*env_git, "add", "."], cwd=root, check=True)
    subprocess.run([*env_git, "commit", "-qm", "记录"], cwd=root, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    _, clean, _ = report(root, "--phase", "study", "--as-of", "2014-04-20")
    assert (
        clean.splitlines()[-1] == f"*本稿依据截至2014年4月20日的记录生成（git 提交 {head[:8]}）。*"
    )
    (root / "units" / "guihua.yaml").write_text(
        (root / "units" / "guihua.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    _, dirty, _ = report(root, "--phase", "study", "--as-of", "2014-04-20")
    assert dirty.splitlines()[-1].endswith(f"（git 提交 {head[:8]}，另有未提交的修改）。*")


# --- templates ----------------------------------------------------------------------------------


def test_a_tree_template_extends_the_builtin_one_to_change_one_block(sample: Path) -> None:
    (sample / "templates").mkdir()
    (sample / "templates" / "report.md.j2").write_text(
        '{% extends "builtin/report.md.j2" %}\n'
        "{% block opening %}\n本组按市委活动办要求报告如下。\n\n{% endblock %}\n",
        encoding="utf-8",
    )
    _, out, _ = report(sample, "--phase", "study", "--as-of", "2014-04-20")
    golden = (GOLDEN / "report-study-g2.md").read_text(encoding="utf-8")
    original = "根据党的群众路线教育实践活动的部署，市委第二督导组对所联系的7个单位"
    assert "本组按市委活动办要求报告如下。" in out and original not in out
    assert out.split("## 一、基本情况")[1] == golden.split("## 一、基本情况")[1]


def test_template_by_name(sample: Path) -> None:
    (sample / "templates").mkdir()
    (sample / "templates" / "brief.md.j2").write_text(
        "{{ group.name }}：{{ units | length }}个单位，滞后{{ lagging | length }}个。\n", "utf-8"
    )
    code, out, _ = report(
        sample, "--phase", "study", "--template", "brief.md.j2", "--as-of", "2014-04-20"
    )
    assert (code, out) == (0, "市委第二督导组：7个单位，滞后0个。\n")
    missing = report(sample, "--phase", "study", "--template", "nope.md.j2")
    assert missing[0] == 2 and "找不到报告模板 'nope.md.j2'" in missing[2]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("第一行\n{{ group.nme }}\n", "模板 "),
        ("{% if %}\n", "有语法错误"),
        ("{{ ''.__class__.__mro__ }}\n", "不允许"),
        ("{{ group.name.__class__.__init__.__globals__ }}\n", "不允许"),
    ],
)
def test_template_faults_are_one_clear_line(sample: Path, text: str, words: str) -> None:
    (sample / "templates").mkdir()
    (sample / "templates" / "bad.md.j2").write_text(text, encoding="utf-8")
    code, out, err = report(sample, "--phase", "study", "--template", "bad.md.j2")
    assert code == 2 and out == ""
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_missing_field_names_the_template_line(sample: Path) -> None:
    (sample / "templates").mkdir()
    (sample / "templates" / "bad.md.j2").write_text("第一行\n{{ group.nme }}\n", "utf-8")
    _, _, err = report(sample, "--phase", "study", "--template", "bad.md.j2")
    assert "bad.md.j2 第 2 行用到了不存在的字段" in err and "nme" in err


def test_report_options_that_cannot_run(sample: Path, tmp_path: Path) -> None:
    assert "没有环节“zz”" in report(sample, "--phase", "zz")[2]
    assert "没有督导组“zz”" in report(sample, "--phase", "study", "--group", "zz")[2]
    assert "DOCX 格式需要用 -o" in report(sample, "--phase", "study", "--format", "docx")[2]


# --- writing --------------------------------------------------------------------------------


def test_markdown_to_a_file_and_format_from_the_extension(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "总结.md"
    code, out, err = report(sample, "--phase", "study", "--as-of", "2014-04-20", "-o", str(target))
    assert code == 0 and out == "" and "已写入" in err
    assert target.read_text(encoding="utf-8") == (GOLDEN / "report-study-g2.md").read_text("utf-8")
    assert (target.stat().st_mode & 0o777) == 0o666 & ~_umask()


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_unwritable_path_is_one_line(sample: Path, tmp_path: Path) -> None:
    code, _, err = report(sample, "--phase", "study", "-o", str(tmp_path / "no" / "r.docx"))
    assert code == 2 and err.strip().startswith("无法写入") and len(err.strip().splitlines()) == 1


def test_a_failed_write_leaves_the_old_file_whole(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.docx"
    target.write_bytes(b"the old report")

    def fail_half_way(self: object, path: str) -> None:
        Path(path).write_bytes(b"half a docx")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("docx.document.Document.save", fail_half_way)
    code, _, err = report(sample, "--phase", "study", "-o", str(target), "--force")
    assert code == 2 and "磁盘空间已满" in err
    assert target.read_bytes() == b"the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.docx", "records"]


# --- DOCX ----------------------------------------------------------------------------------------


def east_asian(element: object) -> str | None:
    r_pr = element.find(qn("w:rPr"))  # type: ignore[attr-defined]
    fonts = r_pr.find(qn("w:rFonts")) if r_pr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


@pytest.fixture
def docx_path(sample: Path, tmp_path: Path) -> Path:
    target = tmp_path / "总结.docx"
    code, _, err = report(sample, "--phase", "study", "--as-of", "2014-04-20", "-o", str(target))
    assert code == 0, err
    return target


def mm(length: int | None) -> float:
    """A length in millimetres to 0.1 mm (Word stores page geometry in twips)."""
    assert length is not None
    return round(length / Mm(1), 1)


def test_docx_page_and_margins(docx_path: Path) -> None:
    section = Document(str(docx_path)).sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37.0, 35.0)
    assert (mm(section.left_margin), mm(section.right_margin)) == (28.0, 26.0)


def test_docx_fonts_of_title_headings_and_body(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    styles = doc.styles
    # the sample's campaign has documents: the 版头 (mark, red line) stands before the title
    paragraphs = doc.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.style.name == "公文标题")
    title = paragraphs[at]
    assert title.text == "市委第二督导组关于学习教育、听取意见环节\n督导工作的总结"
    assert title.style.name == "公文标题"
    assert east_asian(styles["公文标题"].element) == "方正小标宋简体"
    assert styles["公文标题"].font.size == Pt(22)
    assert styles["公文标题"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert east_asian(styles["一级标题"].element) == "黑体"
    assert east_asian(styles["二级标题"].element) == "楷体_GB2312"
    normal = styles["Normal"]
    assert east_asian(normal.element) == "仿宋_GB2312" and normal.font.size == Pt(16)
    fmt = normal.paragraph_format
    assert fmt.first_line_indent == Twips(630)  # two characters of 15.75 pt (28 a line)
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing == Pt(28.95)
    # the runs carry the East Asian font too, not only the styles
    heading = next(p for p in doc.paragraphs if p.text == "一、基本情况")
    assert heading.style.name == "一级标题"
    assert east_asian(heading.runs[0]._r) == "黑体"
    body = next(p for p in doc.paragraphs if p.text.startswith("根据要求，现将"))
    assert east_asian(body.runs[0]._r) == "仿宋_GB2312"
    addressee = paragraphs[at + 1]
    assert addressee.text == "中共××市委教育实践活动领导小组："
    assert addressee.paragraph_format.first_line_indent == Pt(0)


def test_docx_tables_and_provenance(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    # a cell's text as read, without the line breaks set between its pieces
    texts = [
        [cell.text.replace("\n", "") for cell in row.cells]
        for table in doc.tables
        for row in table.rows
    ]
    assert ["谢某（已谈话提醒）", "22", "11", "7", "10", "0", "66.0%", "20.0%"] in texts
    assert [
        "市住建局",
        "召开动员大会并开展民主评议",
        "2014年2月28日",
        "按时完成（2月28日）",
        "",
    ] in texts
    first_table = doc.tables[0]
    assert first_table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    cell_run = first_table.rows[1].cells[1].paragraphs[0].runs[0]
    assert east_asian(cell_run._r) == "仿宋_GB2312" and cell_run.font.size == Pt(12)
    # the provenance is in the properties, not under the 成文日期
    assert all("本稿依据" not in p.text for p in doc.paragraphs)
    assert doc.core_properties.comments == "本稿依据截至2014年4月20日的记录生成。"
    texts = [p.text for p in doc.paragraphs]
    signature = doc.paragraphs[texts.index("市委第二督导组")]
    assert signature.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert texts[texts.index("市委第二督导组") + 1] == "2014年4月20日"


def test_docx_page_number(docx_path: Path) -> None:
    footer = Document(str(docx_path)).sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert "PAGE" in xml and footer.text.startswith("— ") and footer.text.endswith(" —")


def test_a_tree_overrides_the_layout(sample: Path, tmp_path: Path) -> None:
    from duchu.render.templating import builtin_templates

    layout = (builtin_templates() / "gongwen.yaml").read_text(encoding="utf-8")
    (sample / "templates").mkdir()
    (sample / "templates" / "gongwen.yaml").write_text(
        layout.replace("title_font: 方正小标宋简体", "title_font: 华文中宋"), encoding="utf-8"
    )
    target = tmp_path / "r.docx"
    assert report(sample, "--phase", "study", "-o", str(target))[0] == 0
    assert east_asian(Document(str(target)).styles["公文标题"].element) == "华文中宋"
    (sample / "templates" / "gongwen.yaml").write_text("title_font: 1\n", encoding="utf-8")
    code, _, err = report(sample, "--phase", "study", "-o", str(target), "--force")
    assert code == 2 and "版式文件" in err


# duchu 1.0's gongwen.yaml, as users copied it into their trees' templates/ to change a font
LAYOUT_1_0 = """\
# 公文版式（依据 GB/T 9704-2012《党政机关公文格式》），用于 duchu report --format docx。
# 记录库的 templates/ 下放一个同名文件即可整体覆盖：例如机器上没有华文中宋，
# 可改为 title_font: 华文中宋；字号单位为磅（pt），边距单位为毫米。
page: {width: 210, height: 297}                    # A4
margins: {top: 37, bottom: 35, left: 28, right: 26}
title_font: 华文中宋                           # 标题：2号（22磅）小标宋，居中
title_size: 22
body_font: 仿宋_GB2312                               # 正文：3号（16磅）仿宋，首行缩进两字
body_size: 16
heading1_font: 黑体                                  # 一级标题“一、”
heading2_font: 楷体_GB2312                           # 二级标题“（一）”
latin_font: Times New Roman                          # 数字和西文
line_spacing: 28.95                                  # 固定行距：版心 225 毫米排 22 行
table_font: 仿宋_GB2312                              # 表格：小一些的字号
table_size: 12
page_number_font: 宋体                               # 页码：4号半角，“— 1 —”
page_number_size: 14
note_size: 12                                        # 末行生成说明
"""


def test_a_layout_copied_from_duchu_1_0_still_works(sample: Path, tmp_path: Path) -> None:
    (sample / "templates").mkdir()
    (sample / "templates" / "gongwen.yaml").write_text(LAYOUT_1_0, encoding="utf-8")
    target = tmp_path / "r.docx"
    code, _, err = report(sample, "--phase", "study", "-o", str(target))
    assert code == 0, err
    document = Document(str(target))
    assert east_asian(document.styles["公文标题"].element) == "华文中宋"
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines, as GB/T 9704 5.2.3 says


# --- packaging ------------------------------------------------------------------------------------


def test_the_wheel_ships_the_templates(tmp_path: Path) -> None:
    """A regular (non-editable) install must find the built-in templates in the package."""
    import subprocess
    import sys
    import zipfile

    project = Path(__file__).parent.parent
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(project),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("duchu-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    assert "duchu/templates/report.md.j2" in names and "duchu/templates/gongwen.yaml" in names
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from duchu.render.templating import builtin_templates as b; print(b())",
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path / "site")},
        cwd=tmp_path,  # not the checkout, whose duchu/ would be found first
        check=True,
    )
    assert Path(found.stdout.strip()) == tmp_path / "site" / "duchu" / "templates"


def test_a_tree_with_no_templates_folder_uses_the_builtin(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "t", {})
    from duchu.render.templating import find_template_file

    assert find_template_file(root, "gongwen.yaml") is not None


def test_column_widths_keep_short_columns_whole() -> None:
    from duchu.render.docx.widths import _allocate, _display_width

    assert _display_width("市政府办") == 8
    assert _display_width("2014年2月19日") == 13 + 2.5  # five changes of script
    # everything fits: the spare width is spread in proportion
    assert _allocate([10, 30], 80) == [20, 60]
    # too wide: the short columns keep what they need, the long ones share the rest
    assert _allocate([30, 20, 200, 150], 156) == [30, 20, 53, 53]


def test_docx_columns_fit_their_dates(docx_path: Path) -> None:
    from duchu.render.docx.widths import _display_width

    meetings = next(t for t in Document(str(docx_path)).tables if t.rows[0].cells[0].text == "日期")
    date_width = meetings.columns[0].width
    widest = max(_display_width(row.cells[0].text) for row in meetings.rows[1:])
    # each date on one line: its width in half-em cells of 小四 and the cell's margins
    assert date_width is not None and mm(date_width) >= widest * 6 * 25.4 / 72 + 4.5 - 0.1
    headings = Document(str(docx_path)).styles["一级标题"].paragraph_format
    assert headings.keep_with_next is True
