"""``duchu report``'s drafts: a group's summary or the office's circular as Markdown from
its template, and the Markdown or DOCX file written whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from duchu.errors import DuchuError
from duchu.judge.circular import OfficeCircular

if TYPE_CHECKING:
    from duchu.judge.asof import Provenance
    from duchu.judge.summary import GroupSummary


def draft_markdown(
    judgement: OfficeCircular | GroupSummary,
    provenance: Provenance,
    root: Path,
    template: str | None,
) -> str:
    """The draft of what the judge decided a report states: the office's circular or the
    group's summary, through its template (the tree's own first)."""
    from duchu.render.templating import CIRCULAR_TEMPLATE, DEFAULT_TEMPLATE, render

    if isinstance(judgement, OfficeCircular):
        from duchu.render.circular import circular_context

        return render(root, template or CIRCULAR_TEMPLATE, circular_context(judgement, provenance))
    from duchu.render.report import report_context

    return render(root, template or DEFAULT_TEMPLATE, report_context(judgement, provenance))


def write_draft(
    markdown: str,
    output: Path,
    output_format: str,
    root: Path,
    force: bool,
    read_layout: Callable[[Path], dict[str, Any]],
) -> None:
    """The draft written to ``output`` as Markdown, or as a DOCX 公文 laid out by the
    tree's gongwen.yaml, which ``read_layout`` reads (reading a file of the records tree is
    the records' job, ``duchu.records.layout``)."""
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
    document = markdown_to_docx(markdown, layout_from(read_layout(layout_file), layout_file))
    write_output(output, lambda temporary: save_docx(document, temporary), root, force=force)
