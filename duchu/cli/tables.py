"""What the table commands (``status``, ``tally``) share: their format -- text or JSON on
stdout, or an .xlsx workbook written to ``-o`` -- and writing the workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from duchu.cli.console import echo
from duchu.cli.options import CommandError, choose_format, records_root
from duchu.messages import message

if TYPE_CHECKING:
    from duchu.judge.asof import Judged


def table_format(
    ctx: typer.Context,
    records: Path | None,
    output: Path | None,
    given: str | None,
    force: bool,
) -> str:
    """The format of a table command: text or JSON on stdout, or an .xlsx workbook written
    to ``-o`` -- whose path is checked before any work is done."""
    from duchu.render.output import check_output_path, output_format

    if output is None:
        chosen = choose_format(given or "text", ("text", "json", "xlsx"))
        if chosen == "xlsx":
            raise CommandError("xlsx-needs-output")
        return chosen
    check_output_path(output, records_root(ctx, records), force=force)
    return output_format(output, given, ("xlsx",))


def write_workbook(
    output: Path,
    make_sheets: Callable[[], Any],
    judged: Judged,
    language: str,
    title: str,
    force: bool,
) -> None:
    """The workbook of a table, written whole or not at all (``duchu.render.output``). The
    commit it names is asked of git while the sheets are made."""
    import duchu.render.xlsx as xlsx
    from duchu.judge.asof import beside_provenance
    from duchu.render.output import write_output

    sheets, source = beside_provenance(judged, make_sheets)
    write_output(
        output,
        lambda temporary: xlsx.write_workbook(
            temporary, sheets, lang=language, source=source, title=message(title, language)
        ),
        judged.tree.root,
        force=force,
    )
    echo(message("report-written", language, path=output), err=True)
