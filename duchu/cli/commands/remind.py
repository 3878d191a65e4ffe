"""``duchu remind`` (1.2): the notices due now (督办 and 谈话提醒), as a table, JSON, notice
records (``--write``) or 督办通知单 (``-o FILE.docx``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from duchu.cli.console import echo
from duchu.cli.notes import warn_outside
from duchu.cli.options import (
    AsOfOption,
    CommandError,
    ForceOption,
    KnownOption,
    LangOption,
    NoCacheOption,
    RecordsOption,
    check_choice,
    judged,
    lang_of,
    records_root,
    resolved,
)
from duchu.messages import message

if TYPE_CHECKING:
    from duchu.judge.notices import RemindReport
    from duchu.records.tree import Tree

REMIND_EXAMPLES = """\b
例 / examples:
  duchu remind --as-of 2014-04-20                 截至某日应发的督办和谈话提醒
  duchu remind --group 市委第三督导组 --write      写成督办记录，核对后提交
  duchu remind -o ../督办通知单.docx --number 3    督办通知单，从3号起编号
"""


def remind(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    group: Annotated[str | None, typer.Option("--group", help="督导组 id 或名称")] = None,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", help="单位 id 或名称（可多次）")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="text|json")] = "text",
    write: Annotated[
        bool, typer.Option("--write", help="写成督办记录 notices/YYYY-MM/ / write notice records")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="督办通知单 .docx / the notices as DOCX", show_default=False
        ),
    ] = None,
    number: Annotated[
        int | None,
        typer.Option(
            "--number", min=1, help="通知单起始编号 / first document number", show_default=False
        ),
    ] = None,
    known: KnownOption = False,
    force: ForceOption = False,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """应发的督办和谈话提醒 / the notices due now (督办)."""
    from duchu.judge.notices import judge_remind

    language = lang_of(ctx, lang)
    check_choice("--format", output_format, ("text", "json"))
    if output is not None:
        _check_docx(ctx, records, output, force)
    if write and known:
        raise CommandError("remind-write-known")
    opened = judged(
        ctx,
        records,
        as_of=as_of,
        known=known,
        no_cache=no_cache,
        quiet=output_format == "json",
        lang=lang,
    )
    tree = opened.tree
    units = [resolved(tree, "unit", text, language) or text for text in unit] if unit else None
    report = judge_remind(
        tree, opened.day, group=resolved(tree, "group", group, language), units=units, number=number
    )
    _show(report, output_format, language)
    if write:
        _write_records(tree, report, language)
    if output is not None:
        _write_docx(tree.root, report, output, force, language)
    warn_outside(opened, language)


def _check_docx(ctx: typer.Context, records: Path | None, output: Path, force: bool) -> None:
    from duchu.render.output import check_output_path, output_format

    output_format(output, None, ("docx",))
    check_output_path(output, records_root(ctx, records), force=force)


def _show(report: RemindReport, output_format: str, language: str) -> None:
    from duchu.judge.notices import remind_json

    if output_format == "json":
        from duchu.render.json import print_json

        print_json(remind_json(report))
        return
    from duchu.render.remind import print_remind
    from duchu.render.text import console_for

    print_remind(console_for(), report, lang=language)


def _write_records(tree: Tree, report: RemindReport, language: str) -> None:
    from duchu.judge.notices import write_due_notices

    written = write_due_notices(tree, report)
    if not written:
        echo(message("remind-written-none", language), err=True)
        return
    echo(message("remind-written", language, count=len(written)), err=True)
    for rel in written:
        echo(f"+ {rel}", err=True)


def _write_docx(root: Path, report: RemindReport, output: Path, force: bool, language: str) -> None:
    from duchu.records.layout import read_layout
    from duchu.render.draft import write_draft
    from duchu.render.remind import notice_sheets_markdown

    if not report.notices:
        echo(message("remind-none", language), err=True)
        return
    markdown = notice_sheets_markdown(report, lang=language)
    write_draft(markdown, output, "docx", root, force, read_layout)
    echo(message("remind-docx-written", language, path=output, count=len(report.notices)), err=True)
