"""``duchu check``: validate the whole records tree."""

from __future__ import annotations

from typing import Annotated

import typer

from duchu.cli.options import FormatOption, LangOption, NoCacheOption, RecordsOption, load, start

CHECK_EXAMPLES = """\b
例 / examples:
  duchu check                 列出全部问题，每行一个
  duchu check --strict        警告也算失败（提交或报送之前）
  duchu check --format json   供脚本读取
"""


def check(
    ctx: typer.Context,
    strict: Annotated[bool, typer.Option("--strict", help="警告也算失败 / warnings fail")] = False,
    output_format: FormatOption = "text",
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """校验整个记录目录，列出全部问题 / validate the whole records tree."""
    language = start(ctx, lang, output_format)
    tree = load(ctx, records, no_cache, quiet=output_format == "json", lang=lang)
    if output_format == "json":
        from duchu.render.json import print_json

        print_json({"problems": [p.as_json(language) for p in tree.problems], "files": tree.files})
    else:
        from duchu.render.text import console_for, print_problems

        print_problems(console_for(), tree.problems, tree.files, language)
    failing = tree.errors() or (strict and tree.problems)
    raise typer.Exit(1 if failing else 0)
