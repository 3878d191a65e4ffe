"""``duchu report``: draft a group's summary or the office's circular."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duchu.cli.console import echo
from duchu.cli.notes import warn_not_begun, warn_outside
from duchu.cli.options import (
    AsOfOption,
    CommandError,
    ForceOption,
    KnownOption,
    LangOption,
    NoCacheOption,
    RecordsOption,
    judged,
    lang_of,
    records_root,
    resolved,
)
from duchu.messages import message

REPORT_EXAMPLES = """\b
例 / examples:
  duchu report --phase study --group g2 --as-of 2014-04-18
  duchu report --phase 查摆问题、开展批评 --group g2 -o ../总结.docx
  duchu report --phase study --number 3 -o ../通报.docx
    （campaign.yaml 写有 documents: 时带版头、版记和发文字号）
    （不写 --group、有多个督导组时：活动办通报）
"""


def report(
    ctx: typer.Context,
    phase: Annotated[str, typer.Option("--phase", help="环节 id 或名称 / phase")],
    group: Annotated[
        str | None,
        typer.Option("--group", help="督导组 id 或名称（不写：多个组时为活动办通报）"),
    ] = None,
    as_of: AsOfOption = None,
    known: KnownOption = False,
    output_format: Annotated[
        str | None,
        typer.Option("--format", help="md|docx（默认按 -o 的扩展名）", show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="输出文件 / output file", show_default=False),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option("--template", help="模板文件名 / template name", show_default=False),
    ] = None,
    number: Annotated[
        int | None,
        typer.Option(
            "--number",
            min=1,
            help="发文序号（发文字号：县活办〔2014〕3号）/ document number",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """起草督导工作总结或活动办通报（Markdown 或 DOCX 公文）/ draft a summary or circular."""
    from duchu.judge.asof import file_dates, provenance
    from duchu.judge.circular import judge_report
    from duchu.records.layout import read_layout
    from duchu.render.draft import document_frame, draft_markdown, write_draft
    from duchu.render.output import check_output_path
    from duchu.render.output import output_format as chosen_format

    language = lang_of(ctx, lang)
    if output is not None:  # before the work: a path that will be refused is refused now
        check_output_path(output, records_root(ctx, records), force=force)
    output_format = chosen_format(output, output_format, ("md", "docx"))
    if output_format == "docx" and output is None:
        raise CommandError("docx-needs-output")
    # a circular's git answers (the checkout, every file's dates) asked beside the loading
    beside = group is None and not known
    opened = judged(
        ctx, records, as_of=as_of, known=known, no_cache=no_cache, lang=lang, beside=beside
    )
    tree = opened.tree
    phase_id = resolved(tree, "phase", phase, language)
    group_id = resolved(tree, "group", group, language)
    assert phase_id is not None
    judgement = judge_report(
        tree, phase_id, group_id, opened.day, lambda: file_dates(opened), opened.known_commit
    )
    source = provenance(opened)  # after the judging, which git's answers come beside
    markdown = draft_markdown(judgement, source, tree.root, template, number)
    if output is not None:
        frame = document_frame(judgement.campaign, judgement.as_of, number)
        write_draft(markdown, output, output_format, tree.root, force, read_layout, frame)
    else:
        echo(markdown, nl=False)
    # notes last: a command that fails says one line only
    warn_outside(opened, language)
    warn_not_begun(tree, phase_id, opened.day, language)
    if output is not None:
        echo(message("report-written", language, path=output), err=True)
