"""What the commands share in parsing: their options, the language, the format, the records
root, the tree (as of a day) they open, and the names a user types for ids."""

from __future__ import annotations

import gc
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from duchu.errors import DuchuError
from duchu.messages import LANGS, named_list
from duchu.problems import Ref

if TYPE_CHECKING:
    from duchu.judge.asof import Judged
    from duchu.records.tree import Tree

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
TableFormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="text|json|xlsx（xlsx 写入 -o 给出的工作簿 / a workbook, with -o）",
        show_default=False,
    ),
]
TableOutputOption = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help="输出的 .xlsx 文件 / the .xlsx file to write", show_default=False
    ),
]
KnownOption = Annotated[
    bool,
    typer.Option(
        "--known",
        help="按截至该日已提交到 git 的记录判断（活动办当日所知）/ as committed by the as-of date",
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="覆盖已有的输出文件 / replace an existing output file"),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="不用缓存，全部重新读取 / read every file again, ignoring the cache",
    ),
]


CommandError = DuchuError  # a command that cannot continue raises one of these


def lang_of(ctx: typer.Context | None, given: str | None) -> str:
    lang = given or (ctx.obj or {}).get("lang") if ctx else given
    lang = lang or os.environ.get("DUCHU_LANG") or "zh"
    if lang not in LANGS:
        raise CommandError("bad-lang", lang=lang)
    return lang


def safe_lang(ctx: typer.Context | None, given: Any) -> str:
    try:
        return lang_of(ctx, given if isinstance(given, str) else None)
    except CommandError:
        return "zh"


def given_lang(ctx: typer.Context, lang: str | None) -> str | None:
    """The language asked for on the command line (not the default): what installed hooks
    keep speaking."""
    given = lang or (ctx.obj or {}).get("lang")
    return given if isinstance(given, str) and given in LANGS else None


def start(ctx: typer.Context, lang: str | None, output_format: str) -> str:
    """The common first step of a command: its language, and a known ``--format``."""
    language = lang_of(ctx, lang)
    choose_format(output_format, ("text", "json"))
    return language


def choose_format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise CommandError("bad-choice", option="--format", choices="|".join(allowed), value=value)
    return value


def check_choice(option: str, value: str | None, allowed: tuple[str, ...]) -> None:
    """A value of ``option`` among ``allowed`` (or not given), else exit 2 naming them."""
    if value is not None and value not in allowed:
        raise CommandError("bad-choice", option=option, choices="|".join(allowed), value=value)


def records_root(ctx: typer.Context, records: Path | None) -> Path:
    from duchu.records.tree import find_root

    explicit = records or (ctx.obj or {}).get("records")
    return find_root(explicit, os.environ.get("DUCHU_RECORDS"), Path.cwd())


def use_cache(ctx: typer.Context, no_cache: bool) -> bool:
    """Through the cache unless told not to: ``--no-cache`` before or after the command,
    or ``DUCHU_NO_CACHE``."""
    return not (no_cache or (ctx.obj or {}).get("no_cache") or os.environ.get("DUCHU_NO_CACHE"))


# The tree lives until the command ends, and what the command makes of it -- hundreds of
# thousands of short-lived objects for a province's table -- holds no cycles worth
# collecting. The cyclic collector walked them all the same: 1.1 s of the 2.6 s that a
# 20,000-unit `status` spends after loading. So it is paused from before loading (had
# `load_tree` resumed it, its first pass would walk the whole new tree) until the command
# ends (`duchu.cli.app._handled`).


def load(
    ctx: typer.Context,
    records: Path | None,
    no_cache: bool = False,
    quiet: bool = False,
    lang: str | None = None,
) -> Tree:
    """The working tree, errors and all; a progress bar on a terminal's stderr when loading
    takes a while, never when ``quiet`` (JSON output)."""
    from duchu.judge.asof import load_done
    from duchu.render.text import loading_progress

    root = records_root(ctx, records)
    cache = use_cache(ctx, no_cache)
    gc.disable()
    with loading_progress(sys.stderr, safe_lang(ctx, lang), enabled=not quiet) as progress:
        return load_done(root, use_cache=cache, progress=progress)


def load_valid(
    ctx: typer.Context,
    records: Path | None,
    no_cache: bool = False,
    lang: str | None = None,
) -> Tree:
    """The tree, or exit 2 with its errors: only `check` judges a tree with errors."""
    from duchu.judge.asof import valid

    return valid(load(ctx, records, no_cache, lang=lang))


def judged(
    ctx: typer.Context,
    records: Path | None,
    *,
    as_of: str | None,
    known: bool,
    no_cache: bool = False,
    quiet: bool = False,
    lang: str | None = None,
    beside: bool = False,
) -> Judged:
    """The valid tree as of the day (``duchu.judge.asof.open_as_of``)."""
    from duchu.judge.asof import open_as_of
    from duchu.render.text import loading_progress

    root = records_root(ctx, records)
    cache = use_cache(ctx, no_cache)
    shown = not quiet and not known  # the known tree is read from git, with no bar
    with loading_progress(sys.stderr, safe_lang(ctx, lang), enabled=shown) as progress:
        return open_as_of(
            root,
            as_of,
            known=known,
            use_cache=cache,
            progress=progress,
            beside=beside,
            before_loading=gc.disable,
        )


def parse_day(text: str, tree: Tree, option: str) -> date:
    """A date typed on the command line, in any form ../shared/spec/RECORDS.md allows."""
    from duchu.judge.asof import day_from_text, tree_year

    return day_from_text(text, tree_year(tree), option)


def resolved(tree: Tree, kind: str, text: str | None, lang: str) -> str | None:
    """The id a user meant by ``text`` -- an id, or a name or short name (../shared/spec/CLI.md 1.1)
    -- or exit 2 naming the candidates as 名称（id）."""
    if text is None:
        return None
    from duchu.records.lookup import NameLookupError, resolve

    try:
        return resolve(tree, kind, text)  # type: ignore[arg-type]
    except NameLookupError as err:
        listed = named_list(err.candidates, err.more, lang) if err.candidates else ""
        what = Ref(f"what-name-{err.kind}")
        if err.ambiguous:
            raise CommandError("ambiguous-name", what=what, text=text, candidates=listed) from None
        if not listed:
            raise CommandError("no-such-name-none", what=what, text=text) from None
        raise CommandError("no-such-name", what=what, text=text, candidates=listed) from None
