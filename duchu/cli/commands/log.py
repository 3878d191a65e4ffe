"""``duchu log``: the git history of a unit's records or a path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from duchu.cli.console import echo
from duchu.cli.options import (
    CommandError,
    FormatOption,
    LangOption,
    NoCacheOption,
    RecordsOption,
    load,
    resolved,
    start,
)
from duchu.messages import message

if TYPE_CHECKING:
    from duchu.records.tree import Tree

LOG_EXAMPLES = """\b
例 / examples:
  duchu log 市交通局                      一个单位的记录的修改历史
  duchu log meetings/2014-06 --limit 10   一个文件夹，最近 10 个提交
  duchu log --format json --limit 100     供脚本读取
"""
LOG_LIMIT = 50  # commits `duchu log` lists in text unless --limit says otherwise


def log(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(
            help="单位 id 或路径（默认：整个记录库）/ unit id or path", show_default=False
        ),
    ] = None,
    output_format: FormatOption = "text",
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=0,
            show_default=False,
            help="最多列出最近的多少个提交（默认：文本 50 个，json 全部；0：全部）"
            "/ the newest N commits (default: 50 in text, all in json; 0: all)",
        ),
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """记录的修改历史（git）/ the git history of a unit's records or a path."""
    from duchu.git.history import commit_count, history

    language = start(ctx, lang, output_format)
    # history is worth reading even while the tree has errors
    tree = load(ctx, records, no_cache, quiet=output_format == "json", lang=lang)
    paths = _paths(tree, target, language)
    # A person reads the newest commits; a script gets them all unless it asks for fewer.
    # (Listing 100,000 commits took half a minute; counting them takes git a second.)
    if limit is None:
        limit = 0 if output_format == "json" else LOG_LIMIT
    commits = history(tree.root, paths, limit or None)
    more = commit_count(tree.root, paths) - len(commits) if limit and len(commits) == limit else 0
    if output_format == "json":
        from duchu.render.json import log_json, print_json

        print_json(log_json(commits, more))
    else:
        from duchu.render.text import console_for, print_log

        print_log(console_for(), commits, language)
        if more:
            echo(message("log-more", language, count=more, limit=limit))


def _paths(tree: Tree, target: str | None, language: str) -> list[str] | None:
    """The files ``target`` names: a unit's records (by id or name), or a path; None for
    the whole tree."""
    from duchu.records.tree import unit_files

    if target is None:
        return None
    if target in tree.units or target in tree.broken_units:
        return unit_files(tree, target) if target in tree.units else [f"units/{target}.yaml"]
    if _names_a_unit(tree, target):
        return unit_files(tree, resolved(tree, "unit", target, language) or target)
    return [_path_in_tree(target, tree.root)]


def _names_a_unit(tree: Tree, text: str) -> bool:
    """Whether ``text`` is some unit's name or short name (``log 市发改委``); a path is
    taken as a path."""
    return any(text in (unit.name, unit.short) for unit in tree.units.values())


def _path_in_tree(target: str, root: Path) -> str:
    """A path given on the command line, relative to the records root."""
    for candidate in (Path(target), root / target):
        try:
            return candidate.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    raise CommandError("no-such-path", path=target)
