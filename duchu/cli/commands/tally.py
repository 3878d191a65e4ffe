"""``duchu tally``: the democratic appraisals tallied, or compared first to last."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from duchu.cli.options import (
    AsOfOption,
    ForceOption,
    KnownOption,
    LangOption,
    NoCacheOption,
    RecordsOption,
    TableFormatOption,
    TableOutputOption,
    judged,
    lang_of,
    resolved,
)
from duchu.cli.tables import table_format, write_workbook

if TYPE_CHECKING:
    from duchu.judge.asof import Judged
    from duchu.judge.commands import TallyView

TALLY_EXAMPLES = """\b
例 / examples:
  duchu tally --unit 市发改委                   一个单位的各次评议
  duchu tally --compare --group g2              首次与末次评议对比
  duchu tally --kind 动员大会 -o ../评议.xlsx   写入工作簿
"""


def tally(
    ctx: typer.Context,
    meetings: Annotated[
        list[str] | None,
        typer.Argument(help="会议 id（默认：全部有评议的会议）/ meeting ids", show_default=False),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位 id 或名称")] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="会议类型 id 或名称 / meeting kind")
    ] = None,
    group: Annotated[str | None, typer.Option("--group", help="督导组 id 或名称")] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="首次与末次评议对比 / first vs last appraisal")
    ] = False,
    as_of: AsOfOption = None,
    known: KnownOption = False,
    format_given: TableFormatOption = None,
    output: TableOutputOption = None,
    force: ForceOption = False,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """民主评议汇总 / tally the democratic appraisals."""
    from duchu.judge.commands import judge_tally

    language = lang_of(ctx, lang)
    output_format = table_format(ctx, records, output, format_given, force)
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
    view = judge_tally(
        opened,
        meetings or (),
        unit=resolved(tree, "unit", unit, language),
        group=resolved(tree, "group", group, language),
        kind=resolved(tree, "kind", kind, language),
        dated=as_of is not None or known,
        compare=compare,
    )
    if view.comparisons is not None:
        _show_comparisons(view, opened, output_format, output, language, force)
    else:
        _show_tallies(view, opened, output_format, output, language, force)


def _show_comparisons(
    view: TallyView,
    opened: Judged,
    output_format: str,
    output: Path | None,
    language: str,
    force: bool,
) -> None:
    """``--compare``: each unit's first and last appraisal, in the format asked for."""
    comparisons = view.comparisons
    assert comparisons is not None
    if output_format == "json":
        from duchu.judge.tally import compare_json
        from duchu.render.json import print_json

        print_json(compare_json(comparisons, view.single))
    elif output is not None:
        from duchu.render.xlsx import compare_sheets

        write_workbook(
            output,
            lambda: compare_sheets(
                comparisons,
                view.single,
                lang=language,
                unit_names=view.unit_names,
                kind_names=view.kind_names,
            ),
            opened,
            language,
            "xlsx-title-compare",
            force,
        )
    else:
        from duchu.render.text import console_for, print_comparisons

        print_comparisons(
            console_for(),
            comparisons,
            view.single,
            lang=language,
            unit_names=view.unit_names,
            kind_names=view.kind_names,
        )


def _show_tallies(
    view: TallyView,
    opened: Judged,
    output_format: str,
    output: Path | None,
    language: str,
    force: bool,
) -> None:
    """The meetings' tallies, in the format asked for."""
    if output_format == "json":
        from duchu.judge.tally import tally_json
        from duchu.render.json import print_json

        print_json(tally_json(view.tallies))
    elif output is not None:
        from duchu.render.xlsx import tally_sheets

        write_workbook(
            output,
            lambda: tally_sheets(
                view.tallies,
                lang=language,
                ratings=view.ratings,
                flag_at=view.flag_at,
                unit_names=view.unit_names,
                kind_names=view.kind_names,
            ),
            opened,
            language,
            "xlsx-title-tally",
            force,
        )
    else:
        from duchu.render.text import console_for, print_tallies

        print_tallies(
            console_for(),
            view.tallies,
            lang=language,
            ratings=view.ratings,
            positive=view.positive,
            negative=view.negative,
            flag_at=view.flag_at,
            unit_names=view.unit_names,
            kind_names=view.kind_names,
        )
