"""The frame of a document an office sends (CLI.md 1.2 "What an office signs", GB/T 9704
7.2 and 7.4): with ``documents:`` in campaign.yaml the DOCX opens with the 版头 -- the red
发文机关标志, the 发文字号 of ``--number`` and the red line -- and ends with the 版记 (抄送,
印发机关 and 印发日期 between a thick first and last rule and a thin rule between); without
``documents:`` neither. ``--number`` is an integer of 1 or more; the Markdown prints the
发文字号 under the title. A group's summary does not ask for itself."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentType
from docx.oxml.ns import qn
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, build_tree, copy_tree

DOCUMENTS = """\
documents:
  issuer_mark: 中共××县委教育实践活动领导小组办公室
  number_prefix: 县活办
  copy_to: [县委办公室, 县政府办公室]
  printed_by: 县委教育实践活动领导小组办公室
"""


def _with_documents(root: Path, documents: str = DOCUMENTS) -> Path:
    campaign = _without_documents(root) / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(documents + text, encoding="utf-8")
    return root


def _without_documents(root: Path) -> Path:
    """The sample tree without its ``documents:`` block."""
    campaign = root / "campaign.yaml"
    kept, skipping = [], False
    for line in campaign.read_text(encoding="utf-8").splitlines():
        if line.startswith("documents:"):
            skipping = True
            continue
        if skipping and line.startswith(" "):
            continue
        skipping = False
        kept.append(line)
    campaign.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return root


def _report(root: Path, out: Path, *extra: str) -> Document:
    result = CliRunner().invoke(
        app,
        ["report", "--records", str(root), "--phase", "study", "--as-of", "2014-04-20",
         "-o", str(out), *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return Document(str(out))


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """The sample's three groups, with a county office's ``documents:``."""
    return _with_documents(copy_tree(SAMPLE, tmp_path / "tree"))


def _body_paragraphs(document: DocumentType) -> list[object]:
    return list(document.element.body.iterchildren())


def _text(element: object) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))  # type: ignore[attr-defined]


def test_banner_mark_number_and_red_line(county: Path, tmp_path: Path) -> None:
    document = _report(county, tmp_path / "c.docx", "--number", "3")
    children = _body_paragraphs(document)
    texts = [_text(c) for c in children]
    # the mark first, in red, larger than the title; the number under it; then the title
    assert texts[0] == "中共××县委教育实践活动领导小组办公室"
    mark_runs = list(children[0].iter(qn("w:r")))
    colours = {r.find(qn("w:rPr")).find(qn("w:color")).get(qn("w:val")) for r in mark_runs}
    assert colours == {"FF0000"}
    size = int(mark_runs[0].find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")))
    assert size > 44  # half-points: larger than the title's 2号 (22 pt)
    jc = children[0].find(qn("w:pPr")).find(qn("w:jc")).get(qn("w:val"))
    assert jc == "center"
    assert texts[1] == "县活办〔2014〕3号"
    # the red line: the number's bottom border, red, under the text block's width
    border = children[1].find(qn("w:pPr")).find(qn("w:pBdr")).find(qn("w:bottom"))
    assert border.get(qn("w:color")) == "FF0000" and border.get(qn("w:val")) == "single"
    assert texts[2].startswith("关于") and texts[2].endswith("通报")


def test_number_without_leading_zeros_and_year_of_issue(county: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["report", "--records", str(county), "--phase", "study", "--as-of", "2015-01-05",
         "--number", "007"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "县活办〔2015〕7号" in result.output  # the 成文日期's year, no leading zero
    assert "〔2015〕07" not in result.output


def test_markdown_prints_the_number_under_the_title(county: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["report", "--records", str(county), "--phase", "study", "--as-of", "2014-04-20",
         "--number", "3"],
    )  # fmt: skip
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line and not line.startswith("<!")]
    assert lines[0].startswith("# ")
    assert lines[1] == "县活办〔2014〕3号"


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", ""])
def test_number_must_be_a_whole_number_of_one_or_more(county: Path, bad: str) -> None:
    result = CliRunner().invoke(
        app, ["report", "--records", str(county), "--phase", "study", "--number", bad]
    )
    assert result.exit_code == 2


def test_record_lines_widths_order_and_text(county: Path, tmp_path: Path) -> None:
    document = _report(county, tmp_path / "c.docx", "--number", "3")
    tables = document.element.body.findall(qn("w:tbl"))
    record = tables[-1]
    borders = record.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    sizes = {side: borders.find(qn(f"w:{side}")) for side in ("top", "insideH", "bottom")}
    assert sizes["top"].get(qn("w:sz")) == "8"  # 1 pt ≈ 0.35 mm: the first rule, thick
    assert sizes["insideH"].get(qn("w:sz")) == "6"  # 0.75 pt ≈ 0.25 mm: thin between
    assert sizes["bottom"].get(qn("w:sz")) == "8"  # the last rule, thick
    for side in ("left", "right", "insideV"):
        assert borders.find(qn(f"w:{side}")).get(qn("w:val")) == "nil"
    rows = [_text(tr) for tr in record.findall(qn("w:tr"))]
    assert rows == [
        "抄送：县委办公室，县政府办公室。",
        "县委教育实践活动领导小组办公室2014年4月20日印发",
    ]
    # as wide as the text block and placed at its foot, after everything else
    grid_width = document.sections[0].page_width - document.sections[0].left_margin
    grid_width -= document.sections[0].right_margin
    width = int(record.find(qn("w:tblPr")).find(qn("w:tblW")).get(qn("w:w")))
    assert abs(width * 635 - grid_width) < 635 * 20
    position = record.find(qn("w:tblPr")).find(qn("w:tblpPr"))
    assert position.get(qn("w:tblpYSpec")) == "bottom"
    after = list(record.itersiblings())
    assert all(_text(e) == "" for e in after)


def test_record_without_copy_to_has_one_row_between_thick_rules(tmp_path: Path) -> None:
    root = _with_documents(
        copy_tree(SAMPLE, tmp_path / "tree"),
        "documents:\n  issuer_mark: 县活动办\n  printed_by: 县活动办\n",
    )
    document = _report(root, tmp_path / "c.docx")
    record = document.element.body.findall(qn("w:tbl"))[-1]
    rows = [_text(tr) for tr in record.findall(qn("w:tr"))]
    assert rows == ["县活动办2014年4月20日印发"]
    children = _body_paragraphs(document)
    assert _text(children[0]) == "县活动办"
    # no --number: the red line is under the mark
    assert children[0].find(qn("w:pPr")).find(qn("w:pBdr")) is not None


def test_nothing_changes_without_documents(tmp_path: Path) -> None:
    root = _without_documents(copy_tree(SAMPLE, tmp_path / "tree"))
    document = _report(root, tmp_path / "c.docx", "--number", "3")
    xml = document.element.xml
    assert "FF0000" not in xml and "印发" not in xml and "〔" not in xml
    assert "tblpPr" not in xml
    result = CliRunner().invoke(
        app,
        ["report", "--records", str(root), "--phase", "study", "--as-of", "2014-04-20",
         "--number", "3"],
    )  # fmt: skip
    assert "〔" not in result.output


def test_group_summary_framed_too(tmp_path: Path) -> None:
    root = _with_documents(build_tree(tmp_path / "tree"))
    document = _report(root, tmp_path / "s.docx", "--number", "12")
    texts = [_text(c) for c in _body_paragraphs(document)]
    assert texts[:2] == ["中共××县委教育实践活动领导小组办公室", "县活办〔2014〕12号"]
    assert "印发" in _text(document.element.body.findall(qn("w:tbl"))[-1])


def test_group_summary_does_not_ask_for_itself(tmp_path: Path) -> None:
    """The sample's study phase has the group action 报送第一环节督导工作总结: the summary
    of that phase is that very report, so it never appears as a task, a lag or a next step
    in it -- on its due day, before it and after it."""
    for day in ("2014-04-10", "2014-04-20", "2014-05-30"):
        result = CliRunner().invoke(
            app,
            ["report", "--records", str(SAMPLE), "--phase", "study", "--group", "g1",
             "--as-of", day],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        # what it says was done stays; it never asks for itself in 三 (problems) or 四
        problems_and_next = result.output.split("## 三、")[1].split("<!-- attachment")[0]
        assert "报送第一环节督导工作总结" not in problems_and_next, day


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_rendered_banner_is_on_page_one(county: Path, tmp_path: Path) -> None:
    _report(county, tmp_path / "c.docx", "--number", "3")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(tmp_path / "c.docx")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "c.pdf"), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    pages = [page.replace(" ", "") for page in text.split("\f")]
    assert "县活办〔2014〕3号" in pages[0]
    assert "领导小组办公室" in pages[0].split("县活办")[0]
    last = [p for p in pages if p.strip()][-1]
    assert "抄送：" in last and "印发" in last


def _pdf_words(docx: Path) -> list[list[tuple[str, float, float]]]:
    """Each page's words of the DOCX as LibreOffice prints it: (text, top, bottom), in
    points from the page's top edge, with each page's height last as ("", height, height)."""
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(docx.parent),
         str(docx)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    html = subprocess.run(
        ["pdftotext", "-bbox", str(docx.with_suffix(".pdf")), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    pages: list[list[tuple[str, float, float]]] = []
    for page in re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', html, re.S):
        height, words = page
        found = [
            (text, float(top), float(bottom))
            for top, bottom, text in re.findall(
                r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>',
                words,
            )
        ]
        pages.append([*found, ("", float(height), float(height))])
    return pages


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler's pdftotext not installed",
)
@pytest.mark.parametrize("group", [None, "g1"])
def test_record_printed_at_the_foot_of_the_last_page(
    county: Path, tmp_path: Path, group: str | None
) -> None:
    """GB/T 9704 7.4 and 10: the 版记 at the bottom of the last page, its last rule on the
    text block's lower edge -- under everything else on that page but the page number, in
    its bottom quarter, wherever the text above it ends."""
    extra = ["--group", group] if group else []
    _report(county, tmp_path / "c.docx", "--number", "3", *extra)
    pages = [page for page in _pdf_words(tmp_path / "c.docx") if len(page) > 1]
    last = pages[-1]
    height = last[-1][1]
    words = [word for word in last[:-1] if word[0]]
    record = [w for w in words if w[0].startswith("抄送") or w[0].endswith("印发")]
    assert len(record) == 2, words
    assert all(not any(w[0].startswith("抄送") for w in page) for page in pages[:-1])
    top_of_record = min(top for _, top, _ in record)
    bottom_of_record = max(bottom for _, _, bottom in record)
    assert top_of_record > height * 0.75, (top_of_record, height)
    # nothing above it runs into it; nothing under it but the page number
    above = [w for w in words if w[1] < top_of_record - 1]
    assert all(bottom <= top_of_record for _, _, bottom in above), above
    under = [w for w in words if w[1] > bottom_of_record]
    assert re.fullmatch(r"[—－-]*\d+[—－-]*", "".join(w[0] for w in under)), under


def _keeps_with_next(element: object) -> bool:
    paragraphs = [element] if element.tag == qn("w:p") else []  # type: ignore[attr-defined]
    if element.tag == qn("w:tbl"):  # type: ignore[attr-defined]
        paragraphs = list(element.findall(qn("w:tr"))[-1].iter(qn("w:p")))  # type: ignore[attr-defined]
    return bool(paragraphs) and all(
        p.find(qn("w:pPr")) is not None and p.find(qn("w:pPr")).find(qn("w:keepNext")) is not None
        for p in paragraphs
    )


@pytest.mark.parametrize(
    ("group", "signer"), [(None, "中共××市委教育实践活动领导小组办公室"), ("g1", "市委第一督导组")]
)
def test_signature_is_kept_with_the_text_before_it(
    tmp_path: Path, group: str | None, signer: str
) -> None:
    """The 落款 never opens a page alone: the text before it (its last paragraph, or a
    table's last row), the blank line and the 署名 are each kept with what follows."""
    root = copy_tree(SAMPLE, tmp_path / "tree")
    document = _report(root, tmp_path / "c.docx", *(["--group", group] if group else []))
    children = _body_paragraphs(document)
    # the last paragraph that is the 署名 alone (the 版头's mark may be the same words)
    at = max(i for i, c in enumerate(children) if _text(c) == signer and c.tag == qn("w:p"))
    assert _text(children[at + 1]).startswith("2014年")  # the 成文日期 under the 署名
    assert _text(children[at - 1]) == ""  # 空一行
    assert all(_keeps_with_next(children[i]) for i in (at - 2, at - 1, at))
    assert _text(children[at - 2]) != ""
