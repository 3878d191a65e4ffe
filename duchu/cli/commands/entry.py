"""``duchu export`` and ``duchu import``: a group's entry workbook (台账) out and back in
(../shared/spec/CLI.md 1.2)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from duchu.cli.console import echo
from duchu.cli.options import (
    CommandError,
    ForceOption,
    LangOption,
    NoCacheOption,
    RecordsOption,
    lang_of,
    load_valid,
    records_root,
    resolved,
)
from duchu.messages import message

if TYPE_CHECKING:
    from duchu.records.entry_import import ImportResult

EXPORT_EXAMPLES = """\b
例 / examples:
  duchu export --group g2 -o ../第二督导组台账.xlsx
  duchu export --group 市委第二督导组 -o ../第二督导组台账.xlsx --force      覆盖上次导出的
"""
IMPORT_EXAMPLES = """\b
例 / examples:
  duchu export --group g2 -o ../第二督导组台账.xlsx      活动办导出，发给督导组填写
  duchu import ../第二督导组台账.xlsx --dry-run      收回后先看会改什么
  duchu import ../第二督导组台账.xlsx      写入（加 --commit --author "姓名 <邮箱>" 同时提交）
"""


def export(
    ctx: typer.Context,
    group: Annotated[str, typer.Option("--group", help="督导组 id 或名称 / group")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="输出的 .xlsx 文件 / the .xlsx file to write")
    ],
    force: ForceOption = False,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """导出督导组工作台账 / write a group's entry workbook (.xlsx)."""
    from duchu.records.entry_import import export_entry
    from duchu.render.entry_xlsx import write_entry_workbook
    from duchu.render.output import check_output_path, output_format, write_output

    language = lang_of(ctx, lang)
    check_output_path(output, records_root(ctx, records), force=force)
    output_format(output, None, ("xlsx",))
    tree = load_valid(ctx, records, no_cache, lang=lang)
    group_id = resolved(tree, "group", group, language) or group
    entry = export_entry(tree, group_id)
    write_output(
        output, lambda temporary: write_entry_workbook(temporary, entry), tree.root, force=force
    )
    echo(message("report-written", language, path=output), err=True)


def import_workbook(
    ctx: typer.Context,
    workbook: Annotated[Path, typer.Argument(help="导出后填好的 .xlsx / the filled workbook")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只列出改动，不写入 / list, write nothing")
    ] = False,
    commit: Annotated[
        bool, typer.Option("--commit", help="写入后提交 git / commit what was written")
    ] = False,
    author: Annotated[
        str | None,
        typer.Option("--author", help='提交人 "姓名 <邮箱>" / commit author', show_default=False),
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """导入填好的工作台账 / change the records to match a filled entry workbook."""
    from duchu.records.entry_import import commit_import, import_entry
    from duchu.records.entry_read import EntryRefusal
    from duchu.render.text import console_for, print_problems

    language = lang_of(ctx, lang)
    if author is not None and not commit:
        raise CommandError("import-author-needs-commit")
    if not workbook.is_file():
        raise CommandError("entry-no-file", file=workbook)
    tree = load_valid(ctx, records, no_cache, lang=lang)
    if commit and not dry_run:  # before anything is written, not after
        from duchu.git.run import repository_root, require_identity

        require_identity(repository_root(tree.root))
    try:
        result = import_entry(tree, workbook, workbook.name, dry_run=dry_run)
    except EntryRefusal as err:
        key, args = _refusal(err, language)
        raise CommandError(key, **args) from None
    if result.problems:
        import sys

        print_problems(console_for(sys.stderr), result.problems, 1, language)
        echo(message("import-refused", language, errors=len(result.problems)), err=True)
        raise typer.Exit(1)
    _print_changes(result, language, dry_run=dry_run)
    if commit and result.written:
        done = commit_import(tree, result, workbook.name, author)
        echo(message("import-committed", language, commit=done[:8]))


def _refusal(err: object, language: str) -> tuple[str, dict[str, object]]:
    from duchu.records.entry_read import EntryRefusal

    assert isinstance(err, EntryRefusal)
    args = dict(err.args_)
    if err.found is not None:
        args["detail"] = err.found.message(language)
    return err.key, args


def _print_changes(result: ImportResult, language: str, *, dry_run: bool) -> None:
    from duchu.records.entry_import import change_lines
    from duchu.render.text import one_line

    for mark, path, what, removed in change_lines(result):
        if mark == "=":
            echo(one_line(message("import-kept", language, sheet=path, key=what)))
        elif removed is not None:
            gone = message("import-removed", language, old=removed)
            echo(one_line(f"{mark} {path}: {what} {gone}"))
        else:
            echo(one_line(f"{mark} {path}: {what}" if what else f"{mark} {path}"))
    key = "import-count-dry" if dry_run else "import-count"
    echo(message(key, language, count=result.count, kept=len(result.kept)))
    if result.removed:
        echo(message("import-removals", language, count=len(result.removed)))
