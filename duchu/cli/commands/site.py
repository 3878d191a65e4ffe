"""``duchu site``: a static HTML dashboard, opened from disk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duchu.cli.console import echo
from duchu.cli.notes import warn_outside
from duchu.cli.options import (
    AsOfOption,
    CommandError,
    KnownOption,
    LangOption,
    NoCacheOption,
    RecordsOption,
    judged,
    lang_of,
    records_root,
    resolved,
    use_cache,
)
from duchu.messages import message

SITE_EXAMPLES = """\b
例 / examples:
  duchu site -o ../看板   然后打开 ../看板/index.html
  duchu site -o ../看板 --as-of 2014-06-30 --group g2
  duchu site -o ../活动办看板 --known --as-of 2014-06-30
"""


def site(
    ctx: typer.Context,
    output_text: Annotated[
        str,
        typer.Option(
            "-o",
            "--output",
            metavar="<path>",  # read as text: Path("") is "." and the site would go into cwd
            help="网页写入的文件夹 / the folder to write the site into",
        ),
    ],
    as_of: AsOfOption = None,
    known: KnownOption = False,
    group: Annotated[
        str | None, typer.Option("--group", help="只含这个督导组 / only this group")
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """生成静态网页看板（离线打开）/ write a static HTML dashboard, opened from disk."""
    from duchu.judge.asof import git_facts
    from duchu.judge.site import judge_for_site
    from duchu.records.parallel import die_with_parent
    from duchu.render.site import check_site_folder, write_site

    language = lang_of(ctx, lang)
    if not output_text.strip():  # an unset variable in a script: never the current folder
        raise CommandError("site-no-folder")
    output = Path(output_text)
    check_site_folder(output, records_root(ctx, records))  # refused before the work
    # git is asked about the checkout and the files' dates while the records load, and
    # what it was not asked then, beside the judging (as workbooks do)
    opened = judged(
        ctx, records, as_of=as_of, known=known, no_cache=no_cache, lang=lang, beside=not known
    )
    group_id = resolved(opened.tree, "group", group, language)
    judgement = judge_for_site(
        opened.tree,
        opened.day,
        lang=language,
        group=group_id,
        known=known,
        commit=opened.known_commit,
        git_facts=lambda: git_facts(opened),
        use_cache=use_cache(ctx, no_cache),
    )
    pages = write_site(output, judgement, die_with_parent=die_with_parent)
    warn_outside(opened, language)
    echo(message("site-written", language, path=output, pages=pages), err=True)
