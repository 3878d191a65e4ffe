"""``duchu report``'s drafts: a group's summary or the office's circular as Markdown from
its template, and the Markdown or DOCX file written whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from duchu.errors import DuchuError
from duchu.judge.status import UnknownIdError

if TYPE_CHECKING:
    from duchu.judge.asof import Judged, Provenance
    from duchu.judge.office import FileDates


def draft_markdown(
    judged: Judged,
    phase_id: str,
    group_id: str | None,
    provenance: Provenance,
    file_dates: Callable[[], FileDates | None],
    template: str | None,
) -> str:
    """The draft: without a group where there are several, the office's circular."""
    from duchu.render.report import report_context
    from duchu.render.templating import CIRCULAR_TEMPLATE, DEFAULT_TEMPLATE, render

    tree, day = judged.tree, judged.day
    circular = group_id is None and len(tree.groups) > 1
    try:
        if circular:
            from duchu.render.circular import circular_context

            context = circular_context(
                tree, phase_id, day, provenance, file_dates(), known_commit=judged.known_commit
            )
        else:
            context = report_context(tree, phase_id, group_id, day, provenance)
    except UnknownIdError as err:
        if err.kind == "group" and not err.ident:
            raise DuchuError("no-groups") from None
        raise DuchuError(f"no-such-{err.kind}", id=err.ident) from None
    default = CIRCULAR_TEMPLATE if circular else DEFAULT_TEMPLATE
    return render(tree.root, template or default, context)


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
