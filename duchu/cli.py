"""The ``duchu`` command line: the only module that knows Typer.

Each command parses its options, calls one core function, renders, and exits. Exit codes
(CLI.md): 0 done; 1 done and found what it was asked to fail on; 2 could not run. The
exceptions that mean "cannot continue" become exit codes in one place, ``_handled``, and
nothing a user types or writes ever ends in a traceback. Heavy libraries (pydantic, yaml,
rich) are imported inside the commands, so ``--version`` and ``--help`` start quickly.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from duchu import __version__
from duchu.errors import DuchuError
from duchu.messages import LANGS, message
from duchu.problems import Ref

if TYPE_CHECKING:
    from duchu.loader import Tree

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="duchu",
    help="督导组记录工具：校验、进度、评议汇总、起草总结、留痕（duchu: supervision records）",
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
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="不用缓存，全部重新读取 / read every file again, ignoring .duchu-cache",
    ),
]


CommandError = DuchuError  # a command that cannot continue raises one of these


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
        collecting = gc.isenabled()
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CommandError as err:
            shown = {k: message(v, lang) if isinstance(v, Ref) else v for k, v in err.args_.items()}
            _fail(message(err.key, lang, **shown))
        except TreeHasErrors as err:
            from duchu.view import console_for, print_problems

            errors = err.tree.errors()
            print_problems(console_for(sys.stderr), err.tree.problems, err.tree.files, lang)
            _fail(message("tree-has-errors", lang, errors=len(errors)))
        except Exception as err:  # the promise: never a traceback for any input
            if os.environ.get("DUCHU_DEBUG"):
                raise
            _fail(message("internal-error", lang, detail=f"{type(err).__name__}: {err}"))
        finally:
            if collecting and not _process_ends_with_command:  # as it was before `_load`
                gc.enable()  # (in a process about to end, that would cost a collection)

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
    no_cache: NoCacheOption = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="版本 / version")
    ] = False,
) -> None:
    """督导组记录工具 duchu：校验、进度、评议汇总、起草总结、留痕。"""
    del version
    ctx.obj = {"records": records, "lang": lang, "no_cache": no_cache}


# --- shared steps ---------------------------------------------------------------------------------


def _records_root(ctx: typer.Context, records: Path | None) -> Path:
    from duchu.loader import find_root

    explicit = records or (ctx.obj or {}).get("records")
    return find_root(explicit, os.environ.get("DUCHU_RECORDS"), Path.cwd())


def _load(
    ctx: typer.Context,
    records: Path | None,
    no_cache: bool = False,
    quiet: bool = False,
    lang: str | None = None,
) -> Tree:
    """Load the tree, through its cache unless told not to (``--no-cache``, before or after
    the command, or ``DUCHU_NO_CACHE``); a progress bar on a terminal's stderr when loading
    takes a while, never when ``quiet`` (JSON output)."""
    from duchu.loader import NoRecordsError, load_tree
    from duchu.view import loading_progress

    root = _records_root(ctx, records)
    no_cache = no_cache or (ctx.obj or {}).get("no_cache") or bool(os.environ.get("DUCHU_NO_CACHE"))
    # The tree lives until the command ends, and what the command makes of it -- hundreds of
    # thousands of short-lived objects for a province's table -- holds no cycles worth
    # collecting. The cyclic collector walked them all the same: 1.1 s of the 2.6 s that a
    # 20,000-unit `status` spends after loading. So it is paused from before loading (had
    # `load_tree` resumed it, its first pass would walk the whole new tree) until the
    # command ends (`_handled`).
    gc.disable()
    try:
        with loading_progress(sys.stderr, _safe_lang(ctx, lang), enabled=not quiet) as progress:
            tree = load_tree(root, use_cache=not no_cache, progress=progress)
    except NoRecordsError as err:
        raise CommandError("no-records", path=err.path) from None
    return tree


def _load_valid(
    ctx: typer.Context,
    records: Path | None,
    no_cache: bool = False,
    quiet: bool = False,
    lang: str | None = None,
) -> Tree:
    """The tree, or exit 2 with its errors: only `check` judges a tree with errors."""
    tree = _load(ctx, records, no_cache, quiet, lang)
    if tree.errors() or tree.campaign is None:
        raise TreeHasErrors(tree)
    return tree


def _as_of(text: str | None, tree: Tree) -> date:
    if text is None:
        return date.today()  # the one place duchu reads the clock
    return _parse_day(text, tree, "--as-of")


def _parse_day(text: str, tree: Tree, option: str) -> date:
    """A date typed on the command line, in any form RECORDS.md allows."""
    from duchu.dates import DateError, parse_date

    year = tree.campaign.year if tree.campaign else None
    try:
        return parse_date(text, year)
    except DateError as err:
        raise CommandError(
            "bad-date-option", option=option, text=text, reason=Ref(err.reason)
        ) from None


def _start(ctx: typer.Context, lang: str | None, output_format: str) -> str:
    """The common first step of a command: its language, and a known ``--format``."""
    language = _lang(ctx, lang)
    _format(output_format, ("text", "json"))
    return language


def _format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise CommandError("bad-choice", option="--format", choices="|".join(allowed), value=value)
    return value


def _print_json(data: object) -> None:
    """The document as ``json.dumps(data, ensure_ascii=False, indent=2)`` would write it,
    serialised in Rust by pydantic-core: for a province's tally (90 MB of JSON) the
    standard library's indenting encoder, in Python, peaked at 1.3 GB and took seconds."""
    from pydantic_core import to_json

    body = to_json(data, indent=2) + b"\n"
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stream (some test harnesses, IDE consoles)
        sys.stdout.write(body.decode())
    else:
        binary.write(body)
        binary.flush()


# --- commands -------------------------------------------------------------------------------------


@app.command()
@_handled
def check(
    ctx: typer.Context,
    strict: Annotated[bool, typer.Option("--strict", help="警告也算失败 / warnings fail")] = False,
    output_format: FormatOption = "text",
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """校验整个记录目录，列出全部问题 / validate the whole records tree."""
    language = _start(ctx, lang, output_format)
    tree = _load(ctx, records, no_cache, quiet=output_format == "json", lang=lang)
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
    stale: Annotated[
        int | None,
        typer.Option(
            "--stale",
            min=0,
            show_default=False,
            help="标出超过这么多天未更新的单位（git）/ mark units unchanged for DAYS",
        ),
    ] = None,
    output_format: FormatOption = "text",
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """哪些单位滞后 / which units are lagging, as of a date."""
    from duchu.status import UnknownIdError, status_json, unit_status

    language = _start(ctx, lang, output_format)
    if fail_on is not None and fail_on not in ("overdue", "due_soon"):
        raise CommandError(
            "bad-choice", option="--fail-on", choices="overdue|due_soon", value=fail_on
        )
    tree = _load_valid(ctx, records, no_cache, quiet=output_format == "json", lang=lang)
    day = _as_of(as_of, tree)
    try:
        report = unit_status(tree, day, group=group, phase=phase, unit=unit)
    except UnknownIdError as err:
        raise CommandError(f"no-such-{err.kind}", id=err.ident) from None
    if stale is not None:
        from duchu.gitrepo import last_changes
        from duchu.loader import unit_files
        from duchu.status import mark_stale

        changed = last_changes(tree.root, day)
        files_of = {u.id: unit_files(tree, u.id) for u in report.units}
        mark_stale(report, files_of, changed, stale)
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
    no_cache: NoCacheOption = False,
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

    language = _start(ctx, lang, output_format)
    tree = _load_valid(ctx, records, no_cache, quiet=output_format == "json", lang=lang)
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


@app.command()
@_handled
def report(
    ctx: typer.Context,
    phase: Annotated[str, typer.Option("--phase", help="环节 id / phase id")],
    group: Annotated[str | None, typer.Option("--group", help="督导组 id")] = None,
    as_of: AsOfOption = None,
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
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """起草督导工作总结（Markdown 或公文格式 DOCX）/ draft a phase summary."""
    from duchu.errors import NotAGitRepositoryError
    from duchu.gitrepo import head_state
    from duchu.report import Provenance, report_context
    from duchu.status import UnknownIdError
    from duchu.templating import DEFAULT_TEMPLATE, find_template_file, render

    language = _lang(ctx, lang)
    if output_format is None:
        output_format = "docx" if output is not None and output.suffix.lower() == ".docx" else "md"
    _format(output_format, ("md", "docx"))
    if output_format == "docx" and output is None:
        raise CommandError("docx-needs-output")
    tree = _load_valid(ctx, records, no_cache, lang=lang)
    day = _as_of(as_of, tree)
    try:
        commit, dirty = head_state(tree.root)
        provenance = Provenance(commit=commit, dirty=dirty, in_git=True)
    except NotAGitRepositoryError:
        provenance = Provenance()
    try:
        context = report_context(tree, phase, group, day, provenance)
    except UnknownIdError as err:
        if err.kind == "group" and not err.ident:
            raise CommandError(
                "report-needs-group", groups=", ".join(sorted(tree.groups))
            ) from None
        raise CommandError(f"no-such-{err.kind}", id=err.ident) from None
    markdown = render(tree.root, template or DEFAULT_TEMPLATE, context)
    if output_format == "docx":
        from duchu.docx_writer import load_layout, markdown_to_docx, write_atomically

        layout_file = find_template_file(tree.root, "gongwen.yaml")
        if layout_file is None:
            raise CommandError("template-not-found", name="gongwen.yaml")
        document = markdown_to_docx(markdown, load_layout(layout_file))
        assert output is not None
        write_atomically(output, lambda temporary: document.save(str(temporary)))
    elif output is not None:
        from duchu.docx_writer import write_atomically

        write_atomically(output, lambda temporary: temporary.write_text(markdown, encoding="utf-8"))
    else:
        typer.echo(markdown, nl=False)
        return
    typer.echo(message("report-written", language, path=output), err=True)


# --- init, new, log ---------------------------------------------------------------------------


@app.command()
@_handled
def init(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="新的或空的文件夹 / a new or empty folder")],
    lang: LangOption = None,
) -> None:
    """建立记录库：示例记录、git 仓库和提交前检查 / start a records repository."""
    from duchu.scaffold import init_tree

    language = _lang(ctx, lang)
    written = init_tree(folder)
    typer.echo(message("init-done", language, path=folder, files=len(written)))
    typer.echo(message("init-next", language, path=folder))


new_app = typer.Typer(
    help="新建记录文件（不覆盖已有文件）/ scaffold a record", no_args_is_help=True
)
app.add_typer(new_app, name="new")


@new_app.command("meeting")
@_handled
def new_meeting_command(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="单位 id")],
    kind: Annotated[str, typer.Option("--kind", help="会议类型 / meeting kind")],
    meeting_date: Annotated[str, typer.Option("--date", help="会议日期 / date")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="文件名（不含 .yaml）/ file stem", show_default=False),
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """新建会议记录 meetings/YYYY-MM/<单位>-<类型>.yaml / a new meeting record."""
    from duchu.scaffold import new_meeting, relative

    _lang(ctx, lang)
    tree = _load_valid(ctx, records, no_cache, lang=lang)
    day = _parse_day(meeting_date, tree, "--date")
    written = new_meeting(tree, unit, kind, day, name)
    typer.echo(relative(written.path))


@new_app.command("unit")
@_handled
def new_unit_command(
    ctx: typer.Context,
    unit_id: Annotated[str, typer.Argument(help="单位 id（文件名）/ unit id")],
    group: Annotated[str, typer.Option("--group", help="督导组 id")],
    name: Annotated[
        str | None, typer.Option("--name", help="单位全称 / full name", show_default=False)
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """新建单位记录 units/<id>.yaml / a new unit record."""
    from duchu.scaffold import new_unit, relative

    _lang(ctx, lang)
    tree = _load_valid(ctx, records, no_cache, lang=lang)
    written = new_unit(tree, unit_id, group, name)
    typer.echo(relative(written.path))


@app.command()
@_handled
def log(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(
            help="单位 id 或路径（默认：整个记录库）/ unit id or path", show_default=False
        ),
    ] = None,
    output_format: FormatOption = "text",
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """记录的修改历史（git）/ the git history of a unit's records or a path."""
    from duchu.gitrepo import history
    from duchu.loader import unit_files

    language = _start(ctx, lang, output_format)
    # history is worth reading even while the tree has errors
    tree = _load(ctx, records, no_cache, quiet=output_format == "json", lang=lang)
    root = tree.root
    if target is None:
        paths = None
    elif target in tree.units or target in tree.broken_units:
        paths = unit_files(tree, target) if target in tree.units else [f"units/{target}.yaml"]
    else:
        paths = [_path_in_tree(target, root)]
    commits = history(root, paths)
    if output_format == "json":
        _print_json(
            {
                "commits": [
                    {
                        "commit": c.commit,
                        "date": c.when.isoformat(),
                        "author": c.author,
                        "email": c.email,
                        "message": c.message,
                        "files": list(c.files),
                    }
                    for c in commits
                ]
            }
        )
    else:
        from duchu.view import console_for, print_log

        print_log(console_for(), commits, language)


def _path_in_tree(target: str, root: Path) -> str:
    """A path given on the command line, relative to the records root."""
    for candidate in (Path(target), root / target):
        try:
            return candidate.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    raise CommandError("no-such-path", path=target)


# Set by ``main``: the process ends when the command does, so the collector (paused by
# `_load`) need not be resumed -- resuming it made the interpreter collect the whole tree
# at exit (40 ms at 2,000 units). Embedders and tests get it back.
_process_ends_with_command = False


def main() -> None:
    """Entry point of the ``duchu`` script and ``python -m duchu``."""
    global _process_ends_with_command
    _process_ends_with_command = True
    app()
