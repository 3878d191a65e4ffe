"""``duchu status``: which units are lagging, as of a date."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from duchu.cli.notes import warn_outside
from duchu.cli.options import (
    AsOfOption,
    CommandError,
    ForceOption,
    KnownOption,
    LangOption,
    NoCacheOption,
    RecordsOption,
    TableFormatOption,
    TableOutputOption,
    check_choice,
    judged,
    lang_of,
    resolved,
)
from duchu.cli.tables import table_format, write_workbook

if TYPE_CHECKING:
    from duchu.judge.asof import Judged
    from duchu.judge.commands import StatusView

STATUS_EXAMPLES = """\b
例 / examples:
  duchu status --as-of 2014-06-11             截至某日哪些单位滞后
  duchu status --group 市委第二督导组 --all   一个督导组的全部单位
  duchu status --by group -o ../进度.xlsx     活动办：逐个督导组，写入工作簿
"""


def status(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    by: Annotated[
        str,
        typer.Option("--by", help="unit：逐个单位；group：逐个督导组（活动办）/ unit|group"),
    ] = "unit",
    show_all: Annotated[bool, typer.Option("--all", help="显示全部单位 / every unit")] = False,
    group: Annotated[str | None, typer.Option("--group", help="督导组 id 或名称")] = None,
    phase: Annotated[str | None, typer.Option("--phase", help="环节 id 或名称")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位 id 或名称")] = None,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="overdue|due_soon", show_default=False)
    ] = None,
    stale: Annotated[
        int | None,
        typer.Option(
            "--stale",
            min=0,
            show_default=False,
            help="标出超过这么多天未更新的单位（git）/ mark units unchanged for DAYS",
        ),
    ] = None,
    known: KnownOption = False,
    format_given: TableFormatOption = None,
    output: TableOutputOption = None,
    force: ForceOption = False,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """哪些单位滞后 / which units are lagging, as of a date."""
    from duchu.judge.commands import judge_status

    language = lang_of(ctx, lang)
    output_format = table_format(ctx, records, output, format_given, force)
    check_choice("--fail-on", fail_on, ("overdue", "due_soon"))
    check_choice("--by", by, ("unit", "group"))
    if by == "group" and (unit is not None or stale is not None):
        raise CommandError("by-group-excludes", option="--unit" if unit is not None else "--stale")
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
    view = judge_status(
        opened,
        by_group=by == "group",
        group=resolved(tree, "group", group, language),
        phase=resolved(tree, "phase", phase, language),
        unit=resolved(tree, "unit", unit, language),
        fail_on=fail_on,  # type: ignore[arg-type]
        stale=stale,
    )
    if view.office is not None:
        _show_office(view, opened, output_format, output, language, force)
    else:
        _show_units(view, opened, output_format, output, language, force, show_all, unit)
    warn_outside(opened, language)  # last: a command that fails says one line only
    raise typer.Exit(1 if view.failing else 0)


def _show_office(
    view: StatusView,
    opened: Judged,
    output_format: str,
    output: Path | None,
    language: str,
    force: bool,
) -> None:
    """``--by group``: the office's rollup, in the format asked for."""
    office = view.office
    assert office is not None
    if output_format == "json":
        from duchu.judge.office import office_json
        from duchu.render.json import print_json

        print_json(office_json(office))
    elif output is not None:
        from duchu.render.ledger import office_workbook

        write_workbook(
            output,
            lambda: office_workbook(office, view.report, view.names, view.group_names, language),
            opened,
            language,
            "xlsx-title-office",
            force,
        )
    else:
        from duchu.render.text import console_for, print_office

        print_office(console_for(), office, lang=language)


def _show_units(
    view: StatusView,
    opened: Judged,
    output_format: str,
    output: Path | None,
    language: str,
    force: bool,
    show_all: bool,
    unit: str | None,
) -> None:
    """The units' status, in the format asked for."""
    if output_format == "json":
        from duchu.judge.status import status_json
        from duchu.render.json import print_json

        print_json(status_json(view.report))
        return
    detail = unit is not None
    if output is not None:
        from duchu.render.ledger import status_workbook

        write_workbook(
            output,
            lambda: status_workbook(
                view.report,
                lang=language,
                show_all=show_all,
                names=view.names,
                group_names=view.group_names,
                detail=detail,
            ),
            opened,
            language,
            "xlsx-title-status",
            force,
        )
    else:
        from duchu.render.text import console_for, print_status

        print_status(
            console_for(),
            view.report,
            lang=language,
            show_all=show_all,
            names=view.names,
            group_names=view.group_names,
            detail=detail,
        )
