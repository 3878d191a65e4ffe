"""``duchu report``'s drafts: a group's summary or the office's circular as Markdown from
its template, and the Markdown or DOCX file written whole."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from duchu.errors import DuchuError
from duchu.judge.circular import OfficeCircular
from duchu.records.models import Campaign

if TYPE_CHECKING:
    from duchu.judge.asof import Provenance
    from duchu.judge.summary import GroupSummary
    from duchu.render.docx.frame import DocumentFrame


def document_number(campaign: Campaign, as_of: date, number: int | None) -> str | None:
    """The 发文字号 ``{number_prefix}〔{year}〕{number}号`` (GB/T 9704 7.2.4: 六角括号, the
    number without leading zeros), or None without ``documents:``, a prefix or a number.
    The year is the year of issue: the as-of day's, which is the 成文日期 the document
    bears (a campaign's ``year`` only reads its ten-day phrases)."""
    settings = campaign.documents
    if settings is None or not settings.number_prefix or number is None:
        return None
    return f"{settings.number_prefix}〔{as_of.year}〕{number}号"


def document_frame(campaign: Campaign, as_of: date, number: int | None) -> DocumentFrame | None:
    """What the 版头 and 版记 of the DOCX carry, or None without ``documents:``."""
    from duchu.render.docx.frame import DocumentFrame

    settings = campaign.documents
    if settings is None:
        return None
    return DocumentFrame(
        issuer_mark=settings.issuer_mark,
        number=document_number(campaign, as_of, number),
        copy_to=list(settings.copy_to),
        printed_by=settings.printed_by,
        printed_on=f"{as_of.year}年{as_of.month}月{as_of.day}日",
    )


def draft_markdown(
    judgement: OfficeCircular | GroupSummary,
    provenance: Provenance,
    root: Path,
    template: str | None,
    number: int | None = None,
) -> str:
    """The draft of what the judge decided a report states: the office's circular or the
    group's summary, through its template (the tree's own first); with ``documents:`` and
    a ``number``, its 发文字号 under the title."""
    from duchu.render.templating import CIRCULAR_TEMPLATE, DEFAULT_TEMPLATE, render

    numbered = document_number(judgement.campaign, judgement.as_of, number)
    if isinstance(judgement, OfficeCircular):
        from duchu.render.circular import circular_context

        context = circular_context(judgement, provenance)
        context["document_number"] = numbered
        return render(root, template or CIRCULAR_TEMPLATE, context)
    from duchu.render.report import report_context

    context = report_context(judgement, provenance)
    context["document_number"] = numbered
    return render(root, template or DEFAULT_TEMPLATE, context)


def write_draft(
    markdown: str,
    output: Path,
    output_format: str,
    root: Path,
    force: bool,
    read_layout: Callable[[Path], dict[str, Any]],
    frame: DocumentFrame | None = None,
) -> None:
    """The draft written to ``output`` as Markdown, or as a DOCX 公文 laid out by the
    tree's gongwen.yaml, which ``read_layout`` reads (reading a file of the records tree is
    the records' job, ``duchu.records.layout``), framed by ``frame`` (版头, 版记)."""
    from duchu.render.output import write_output
    from duchu.render.templating import find_template_file

    if output_format != "docx":
        write_output(
            output,
            lambda temporary: temporary.write_text(markdown, encoding="utf-8"),
            root,
            force=force,
        )
        return
    from duchu.render.docx import layout_from, markdown_to_docx, save_docx

    layout_file = find_template_file(root, "gongwen.yaml")
    if layout_file is None:
        raise DuchuError("template-not-found", name="gongwen.yaml")
    layout = layout_from(read_layout(layout_file), layout_file)
    document = markdown_to_docx(markdown, layout, frame)
    write_output(output, lambda temporary: save_docx(document, temporary), root, force=force)
