"""The ``duchu`` command line: the only module that knows Typer.

Each command parses its options, calls one core function, renders, and exits. Exit codes
(CLI.md): 0 done; 1 done and found what it was asked to fail on; 2 could not run. The
exceptions that mean "cannot continue" become exit codes in one place, ``_handled``, and
nothing a user types or writes ever ends in a traceback. Heavy libraries (pydantic, yaml,
rich) are imported inside the commands, so ``--version`` and ``--help`` start quickly.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from duchu import __version__
from duchu.messages import LANGS, message

if TYPE_CHECKING:
    from duchu.loader import Tree

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="duchu",
    help="督导组记录工具：校验记录、查看进度（duchu — records for supervision groups）",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

RecordsOption = Annotated[
    Path | None,
    typer.Option(
        "--records",
        help="记录目录 / records tree (else $DUCHU_RECORDS, else found)",
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None, typer.Option("--lang", help="界面语言 zh|en / language", show_default=False)
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="以此日期为“今天” / judge as of this date", show_default=False),
]
FormatOption = Annotated[str, typer.Option("--format", help="text|json")]


class CommandError(Exception):
    """Cannot continue: a message-catalogue key and its arguments, printed as one line."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


class TreeHasErrors(Exception):
    def __init__(self, tree: Tree) -> None:
        super().__init__("tree has errors")
        self.tree = tree


def _lang(ctx: typer.Context | None, given: str | None) -> str:
    lang = given or (ctx.obj or {}).get("lang") if ctx else given
    lang = lang or os.environ.get("DUCHU_LANG") or "zh"
    if lang not in LANGS:
        raise CommandError("bad-lang", lang=lang)
    return lang


def _safe_lang(ctx: typer.Context | None, given: Any) -> str:
    try:
        return _lang(ctx, given if isinstance(given, str) else None)
    except CommandError:
        return "zh"


def _handled(func: F) -> F:
    """Turn every "cannot continue" into one line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = kwargs.get("ctx")
        lang = _safe_lang(ctx, kwargs.get("lang"))
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CommandError as err:
            _fail(message(err.key, lang, **err.args_))
        except TreeHasErrors as err:
            from duchu.view import console_for, print_problems

            errors = err.tree.errors()
            print_problems(console_for(sys.stderr), err.tree.problems, err.tree.files, lang)
            _fail(message("tree-has-errors", lang, errors=len(errors)))
        except Exception as err:  # the promise: never a traceback for any input
            if os.environ.get("DUCHU_DEBUG"):
                raise
            _fail(message("internal-error", lang, detail=f"{type(err).__name__}: {err}"))

    return wrapper  # type: ignore[return-value]


def _fail(text: str) -> NoReturn:
    typer.echo(text, err=True)
    raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"duchu {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    records: RecordsOption = None,
    lang: LangOption = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="版本 / version")
    ] = False,
) -> None:
    """督导组记录工具 duchu：校验记录（check）、查看进度（status）、评议汇总（tally）。"""
    del version
    ctx.obj = {"records": records, "lang": lang}


# --- shared steps ---------------------------------------------------------------------------------


def _records_root(ctx: typer.Context, records: Path | None) -> Path:
    from duchu.loader import find_root

    explicit = records or (ctx.obj or {}).get("records")
    return find_root(explicit, os.environ.get("DUCHU_RECORDS"), Path.cwd())


def _load(ctx: typer.Context, records: Path | None) -> Tree:
    from duchu.loader import NoRecordsError, load_tree

    root = _records_root(ctx, records)
    try:
        return load_tree(root)
    except NoRecordsError as err:
        raise CommandError("no-records", path=err.path) from None


def _load_valid(ctx: typer.Context, records: Path | None) -> Tree:
    """The tree, or exit 2 with its errors: only `check` judges a tree with errors."""
    tree = _load(ctx, records)
    if tree.errors() or tree.campaign is None:
        raise TreeHasErrors(tree)
    return tree


def _as_of(text: str | None, tree: Tree) -> date:
    from duchu.dates import DateError, parse_date

    if text is None:
        return date.today()  # the one place duchu reads the clock
    year = tree.campaign.year if tree.campaign else None
    try:
        return parse_date(text, year)
    except DateError as err:
        raise CommandError("bad-as-of", text=text, reason=message(err.reason, "zh")) from None


def _format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise CommandError("bad-choice", option="--format", choices="|".join(allowed), value=value)
    return value


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


# --- commands -------------------------------------------------------------------------------------


@app.command()
@_handled
def check(
    ctx: typer.Context,
    strict: Annotated[bool, typer.Option("--strict", help="警告也算失败 / warnings fail")] = False,
    output_format: FormatOption = "text",
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """校验整个记录目录，列出全部问题 / validate the whole records tree."""
    language = _lang(ctx, lang)
    _format(output_format, ("text", "json"))
    tree = _load(ctx, records)
    if output_format == "json":
        _print_json({"problems": [p.as_json(language) for p in tree.problems], "files": tree.files})
    else:
        from duchu.view import console_for, print_problems

        print_problems(console_for(), tree.problems, tree.files, language)
    failing = tree.errors() or (strict and tree.problems)
    raise typer.Exit(1 if failing else 0)


@app.command()
@_handled
def status(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="显示全部单位 / every unit")] = False,
    group: Annotated[str | None, typer.Option("--group", help="督导组 id")] = None,
    phase: Annotated[str | None, typer.Option("--phase", help="环节 id")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位 id")] = None,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="overdue|due_soon", show_default=False)
    ] = None,
    output_format: FormatOption = "text",
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """哪些单位滞后 / which units are lagging, as of a date."""
    from duchu.status import UnknownIdError, status_json, unit_status

    language = _lang(ctx, lang)
    _format(output_format, ("text", "json"))
    if fail_on is not None and fail_on not in ("overdue", "due_soon"):
        raise CommandError(
            "bad-choice", option="--fail-on", choices="overdue|due_soon", value=fail_on
        )
    tree = _load_valid(ctx, records)
    day = _as_of(as_of, tree)
    try:
        report = unit_status(tree, day, group=group, phase=phase, unit=unit)
    except UnknownIdError as err:
        raise CommandError(f"no-such-{err.kind}", id=err.ident) from None
    if output_format == "json":
        _print_json(status_json(report))
    else:
        from duchu.view import console_for, print_status

        assert tree.campaign is not None
        names = {p.id: p.name for p in tree.campaign.phases}
        names.update({a.id: a.name for p in tree.campaign.phases for a in p.actions})
        group_names = {gid: g.name for gid, g in tree.groups.items()}
        print_status(
            console_for(),
            report,
            lang=language,
            show_all=show_all,
            names=names,
            group_names=group_names,
            detail=unit is not None,
        )
    failing = fail_on is not None and report.any_unit_in(fail_on)  # type: ignore[arg-type]
    raise typer.Exit(1 if failing else 0)


@app.command()
@_handled
def tally(
    ctx: typer.Context,
    meetings: Annotated[
        list[str] | None,
        typer.Argument(help="会议 id（默认：全部有评议的会议）/ meeting ids", show_default=False),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位 id")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="会议类型 / meeting kind")] = None,
    group: Annotated[str | None, typer.Option("--group", help="督导组 id")] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="首次与末次评议对比 / first vs last appraisal")
    ] = False,
    output_format: FormatOption = "text",
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """民主评议汇总 / tally the democratic appraisals."""
    from duchu.tally import (
        UnknownMeetingError,
        compare_json,
        compare_units,
        tally_json,
        tally_meetings,
    )

    language = _lang(ctx, lang)
    _format(output_format, ("text", "json"))
    tree = _load_valid(ctx, records)
    campaign = tree.campaign
    assert campaign is not None
    if unit is not None and unit not in tree.units:
        raise CommandError("no-such-unit", id=unit)
    if group is not None and group not in tree.groups:
        raise CommandError("no-such-group", id=group)
    if kind is not None and kind not in campaign.meeting_kinds:
        raise CommandError("unknown-kind", kind=kind, kinds=", ".join(campaign.meeting_kinds))
    try:
        tallies = tally_meetings(tree, meetings or (), unit=unit, kind=kind, group=group)
    except UnknownMeetingError as err:
        raise CommandError(
            "meeting-no-appraisal" if err.exists else "no-such-meeting", id=err.ident
        ) from None
    unit_names = {uid: u.label for uid, u in tree.units.items()}
    kind_names = {kid: k.name for kid, k in campaign.meeting_kinds.items()}
    if compare:
        comparisons, single = compare_units(tallies)
        if output_format == "json":
            _print_json(compare_json(comparisons, single))
        else:
            from duchu.view import console_for, print_comparisons

            print_comparisons(
                console_for(),
                comparisons,
                single,
                lang=language,
                unit_names=unit_names,
                kind_names=kind_names,
            )
        return
    if output_format == "json":
        _print_json(tally_json(tallies))
        return
    from duchu.appraisal import exact_fraction
    from duchu.view import console_for, print_tallies

    scheme = campaign.appraisal
    print_tallies(
        console_for(),
        tallies,
        lang=language,
        ratings=scheme.ratings,
        positive=scheme.positive,
        negative=scheme.negative,
        flag_at=exact_fraction(scheme.flag_at),
        unit_names=unit_names,
        kind_names=kind_names,
    )


def main() -> None:
    """Entry point of the ``duchu`` script and ``python -m duchu``."""
    app()
