"""``duchu hook``: install the git hooks, and what the installed hooks run."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from duchu.cli.console import Process, echo
from duchu.cli.options import (
    CommandError,
    LangOption,
    NoCacheOption,
    RecordsOption,
    given_lang,
    lang_of,
    records_root,
    safe_lang,
    use_cache,
)
from duchu.errors import DuchuError
from duchu.messages import message
from duchu.problems import Ref

# the folder both `hook install` and `hook status` look at
HookFolderArgument = Annotated[
    Path | None,
    typer.Argument(
        help="记录目录；--server 时为裸仓库（默认当前文件夹）/ records, or the bare repo",
        show_default=False,
    ),
]

HOOK_EXAMPLES = """\b
例 / examples:
  duchu hook install                      本记录库的提交和合并前检查
  cd /srv/git/records.git && duchu hook install --server
                                          中心仓库（裸仓库）的推送检查
  duchu hook run pre-receive < updates    （由钩子调用 / what the hooks run）
"""
HOOK_HELP = "git 钩子：提交、合并前检查；中心仓库的推送检查 / git hooks"


def hook_install(
    ctx: typer.Context,
    folder: HookFolderArgument = None,
    server: Annotated[
        bool,
        typer.Option(
            "--server",
            help="在中心仓库（裸仓库）安装推送检查 pre-receive / the central repository's hook",
        ),
    ] = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """安装 git 钩子 / install the git hooks.

    记录库：pre-commit、pre-merge-commit。--server，中心仓库（裸仓库）：pre-receive。
    A records repository: pre-commit, pre-merge-commit. --server, a bare one: pre-receive.
    """
    from duchu.hooks.install import install_client_hooks, install_server_hook
    from duchu.records.tree import CAMPAIGN_FILE

    language = lang_of(ctx, lang)
    given = given_lang(ctx, lang)
    if server:
        installed = install_server_hook(folder or Path.cwd(), sys.executable, given)
    else:
        root = folder or records_root(ctx, records)
        if not (root / CAMPAIGN_FILE).is_file():
            raise CommandError("no-records", path=root)
        installed = install_client_hooks(root, sys.executable, given)
    for path in installed:
        echo(message("hook-installed", language, path=path))


HOOK_STATUS_EXAMPLES = """\b
例 / examples:
  duchu hook install && duchu hook status  安装后看提交、合并前检查是否在起作用
  cd /srv/git/records.git && duchu hook status --server
                                          中心仓库的推送检查是否在起作用（改过服务器设置后运行）
"""


def hook_status(
    ctx: typer.Context,
    folder: HookFolderArgument = None,
    server: Annotated[
        bool,
        typer.Option(
            "--server", help="中心仓库（裸仓库）的 pre-receive / the central repository's"
        ),
    ] = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """钩子是否在起作用 / whether duchu's hooks are at work.

    是否安装的是 duchu 的钩子、能否运行、会不会拒绝有错误的记录；都是则退出码 0，否则 1。
    Whether duchu's hook is the one installed, can run, and refuses an invalid tree: exit 0
    when all three hold, 1 when not.
    """
    from duchu.hooks.status import client_status, server_status
    from duchu.records.discover import shown_path

    language = lang_of(ctx, lang)
    if server:
        findings = server_status(folder or Path.cwd())
    else:
        findings = client_status(folder or records_root(ctx, records))
    for finding in findings:
        shown = {key: shown_path(str(value)) for key, value in finding.args.items()}
        echo(message(finding.key, language, **shown))
    raise typer.Exit(0 if all(finding.ok for finding in findings) else 1)


HOOK_RUN_EXAMPLES = """\b
例 / examples（通常由 git 调用 / usually run by git）:
  duchu hook run pre-commit                   检查将要提交的内容
  duchu hook run pre-merge-commit --lang en   检查合并的结果
  duchu hook run pre-receive < updates        中心仓库：检查推送
"""


def hook_run(
    ctx: typer.Context,
    hook: Annotated[
        str, typer.Argument(help="pre-commit | pre-merge-commit | pre-receive", show_default=False)
    ],
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix",
            help="记录目录在仓库中的位置 / where the records are in the repository",
            show_default=False,
        ),
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
    probe: Annotated[
        bool,
        typer.Option("--probe", hidden=True, help="只检查能否启动 / only whether it starts"),
    ] = False,
) -> None:
    """（由已安装的钩子调用）检查要提交或推送的内容 / what the installed hooks run.

    退出码 0 接受，1 拒绝，2 出错（也拒绝）。Exit 0 accepts, 1 refuses, 2 failed (refuses).
    """
    language = safe_lang(ctx, lang)
    cache = use_cache(ctx, no_cache)
    code = 2
    collecting = gc.isenabled()
    try:
        if hook not in ("pre-receive", "pre-commit", "pre-merge-commit"):
            raise CommandError(
                "bad-choice",
                option="HOOK",
                choices="pre-commit|pre-merge-commit|pre-receive",
                value=hook,
            )
        if probe:
            code = _probe()
        elif hook == "pre-receive":
            code = _run_pre_receive(language, cache)
        else:
            code = _run_pre_commit(ctx, hook, prefix, records, language, cache)
    except BaseException as err:  # fail closed: whatever happened, refuse, in one line
        if os.environ.get("DUCHU_DEBUG"):
            raise
        _hook_failed(hook, err, language)
        code = 2
    finally:
        if collecting and not Process.ends_with_command:  # as `_handled` gives it back
            gc.enable()
    raise typer.Exit(code)


def _probe() -> int:
    """``duchu hook status`` asking whether the hook starts: everything a hook runs is
    imported (a missing dependency fails here, as it would on a push), nothing is read."""
    from duchu import __version__
    from duchu.hooks import gate, server  # noqa: F401
    from duchu.render import text  # noqa: F401

    echo(f"duchu {__version__}")
    return 0


def _hook_failed(hook: str, err: BaseException, language: str) -> None:
    """One line on stderr: the hook failed, and so refuses."""
    if isinstance(err, DuchuError):
        shown = {k: message(v, language) if isinstance(v, Ref) else v for k, v in err.args_.items()}
        detail = message(err.key, language, **shown)
    elif isinstance(err, ModuleNotFoundError):  # a dependency missing from this Python
        detail = message("hook-missing-module", language, python=sys.executable, module=err.name)
    else:
        detail = f"{type(err).__name__}: {err}".rstrip(": ")
    failed = "hook-failed-push" if hook == "pre-receive" else "hook-failed-commit"
    echo(message(failed, language, detail=" ".join(detail.split())), err=True)


def _run_pre_commit(
    ctx: typer.Context,
    hook: str,
    prefix: str | None,
    records: Path | None,
    lang: str,
    cache: bool,
) -> int:
    """Check the records as the index holds them; 1 (refused) when they have errors."""
    from duchu.git.run import repository_root
    from duchu.hooks.gate import check_staged
    from duchu.records.tree import NoRecordsError
    from duchu.render.text import console_for, print_problems

    if prefix is not None:
        root = repository_root(Path.cwd()) / prefix
    else:
        root = records_root(ctx, records)
    gc.disable()  # as in loading: nothing to collect until the hook ends
    try:
        tree = check_staged(root, cache=cache)
    except NoRecordsError:
        echo(message("hook-staged-no-records", lang, path=root), err=True)
        return 1
    if tree.problems:
        print_problems(console_for(sys.stderr), tree.problems, tree.files, lang)
    errors = tree.errors()
    if errors:
        refused = "merge-refused" if hook == "pre-merge-commit" else "commit-refused"
        echo(message(refused, lang, errors=len(errors)), err=True)
        return 1
    return 0


def _run_pre_receive(lang: str, cache: bool) -> int:
    """Judge the push git describes on stdin, in the repository the hook runs in."""
    from duchu.hooks.server import judge_push, pusher_from, read_updates, refusal_lines

    updates = read_updates(sys.stdin.buffer.read())
    gc.disable()
    verdict = judge_push(Path.cwd(), updates, pusher_from(os.environ), cache=cache)
    if verdict.accepted:
        return 0
    sys.stderr.write("".join(line + "\n" for line in refusal_lines(verdict, lang)))
    sys.stderr.flush()
    return 1
