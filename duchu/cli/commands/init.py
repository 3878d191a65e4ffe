"""``duchu init``: start a records repository."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from duchu.cli.console import echo
from duchu.cli.options import LangOption, given_lang, lang_of
from duchu.errors import DuchuError
from duchu.messages import message

# Every --help ends with examples (an epilog: Typer shows it after the options); `\b`
# keeps the example lines as they are instead of folding them into one paragraph.
INIT_EXAMPLES = """\b
例 / examples:
  duchu init 督导记录              一个督导组、两个单位的示例记录
  duchu init 活动办记录 --empty    只有活动方案，再用 duchu new 添加
  duchu init records --empty --lang en
"""


def init(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="新的或空的文件夹 / a new or empty folder")],
    empty: Annotated[
        bool,
        typer.Option(
            "--empty",
            help="只写活动方案，不写示例督导组、单位和会议 / the campaign only, no examples",
        ),
    ] = False,
    lang: LangOption = None,
) -> None:
    """建立记录库 / start a records repository.

    写入示例记录（--empty：只写活动方案），建立 git 仓库，安装提交和合并前的检查。
    Example records (--empty: the campaign only), a git repository and its hooks.
    """
    from duchu.hooks.install import install_client_hooks
    from duchu.records.write import init_tree

    language = lang_of(ctx, lang)
    files = init_tree(folder, empty=empty)
    # the records and the repository are there whether or not the hooks can be installed
    refused: DuchuError | None = None
    try:
        install_client_hooks(folder, sys.executable, given_lang(ctx, lang))
    except DuchuError as err:
        refused = err
    if refused is None:
        echo(message("init-done", language, path=folder, files=len(files)))
    else:
        echo(message("init-done-no-hooks", language, path=folder, files=len(files)))
        reason = message(refused.key, language, **refused.args_)
        echo(message("init-hooks-refused", language, reason=reason), err=True)
    _tell_identity(folder, language)
    # quoted as a shell needs it, so the hint can be pasted (a folder 督导 记录 has a space)
    echo(
        message(
            "init-empty-next" if empty else "init-next", language, path=shlex.quote(str(folder))
        )
    )


def _tell_identity(folder: Path, language: str) -> None:
    """The next step commits: when git does not know who commits, one line saying how to
    set it (``duchu.git.run.require_identity``), never git's English at that commit. The
    tree is written all the same -- ``init`` itself commits nothing."""
    from duchu.errors import NoGitIdentityError
    from duchu.git.run import require_identity

    try:
        require_identity(folder)
    except NoGitIdentityError as err:
        echo(message(err.key, language, **err.args_), err=True)
    except DuchuError:
        pass  # git missing or refusing: the hooks' line has said so
