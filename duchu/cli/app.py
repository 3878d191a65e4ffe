"""The ``duchu`` command line: the only package that knows Typer.

Each command (``duchu.cli.commands``) parses its options, calls one core function, renders,
and exits. Exit codes (../shared/spec/CLI.md): 0 done; 1 done and found what it was asked to fail
on; 2 could not run. The exceptions that mean "cannot continue" become exit codes in one place,
``_handled``, and nothing a user types or writes ever ends in a traceback. Heavy libraries
(pydantic, yaml, rich) are imported inside the commands, so ``--version`` and ``--help``
start quickly.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from duchu import __version__
from duchu.cli.commands.check import CHECK_EXAMPLES, check
from duchu.cli.commands.entry import EXPORT_EXAMPLES, IMPORT_EXAMPLES, export, import_workbook
from duchu.cli.commands.hook import (
    HOOK_EXAMPLES,
    HOOK_HELP,
    HOOK_RUN_EXAMPLES,
    HOOK_STATUS_EXAMPLES,
    hook_install,
    hook_run,
    hook_status,
)
from duchu.cli.commands.init import INIT_EXAMPLES, init
from duchu.cli.commands.log import LOG_EXAMPLES, log
from duchu.cli.commands.new import (
    NEW_EXAMPLES,
    NEW_GROUP_EXAMPLES,
    NEW_HELP,
    NEW_MEETING_EXAMPLES,
    NEW_UNIT_EXAMPLES,
    new_group_command,
    new_meeting_command,
    new_unit_command,
)
from duchu.cli.commands.remind import REMIND_EXAMPLES, remind
from duchu.cli.commands.report import REPORT_EXAMPLES, report
from duchu.cli.commands.site import SITE_EXAMPLES, site
from duchu.cli.commands.status import STATUS_EXAMPLES, status
from duchu.cli.commands.tally import TALLY_EXAMPLES, tally
from duchu.cli.console import Process, closed_streams, degrade_output, echo, pipe_closed
from duchu.cli.i18n import SpeakingGroup
from duchu.cli.options import CommandError, LangOption, NoCacheOption, RecordsOption, safe_lang
from duchu.errors import DuchuError
from duchu.messages import message
from duchu.problems import Ref, candidates_text

F = TypeVar("F", bound=Callable[..., Any])


class _Duchu(SpeakingGroup):
    """The root command: Typer's words in the user's language (``duchu.cli.i18n``)."""

    def before_parsing(self) -> None:
        degrade_output()  # help and usage errors are printed while parsing, before `_root`


DUCHU_EXAMPLES = """\b
例 / examples:
  duchu init 督导记录 && cd 督导记录   建立记录库
  duchu check                          校验记录
  duchu status --as-of 2014-06-11      截至某日哪些单位滞后
"""
app = typer.Typer(
    cls=_Duchu,
    name="duchu",
    help="督导组记录工具：校验、进度、评议汇总、起草总结、留痕（duchu: supervision records）",
    epilog=DUCHU_EXAMPLES,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _handled(func: F) -> F:
    """Turn every "cannot continue" into one line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = safe_lang(kwargs.get("ctx"), kwargs.get("lang"))
        collecting = gc.isenabled()
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            pipe_closed()  # `duchu tally | head -1`: the reader has what it wanted
        except Exception as err:
            _fail(_reason(err, lang))
        finally:
            if collecting and not Process.ends_with_command:  # as it was before loading
                gc.enable()  # (in a process about to end, that would cost a collection)

    return wrapper  # type: ignore[return-value]


def _reason(err: Exception, lang: str) -> str:
    """The one line that says why a command could not continue."""
    from duchu.judge.asof import TreeHasErrors

    fault = _os_fault(err)
    if fault is not None:  # an ordinary fault of the machine: full disk, no permission
        from duchu.errors import os_reason

        reason = os_reason(fault)
        shown = message(reason, lang) if isinstance(reason, Ref) else reason
        if fault.filename is None:
            return message("os-error-no-path", lang, reason=shown)
        return message("os-error", lang, reason=shown, path=fault.filename)
    if isinstance(err, CommandError):
        args = {k: message(v, lang) if isinstance(v, Ref) else v for k, v in err.args_.items()}
        if "candidates" in args:  # (name, id) pairs as a problem keeps them
            args["candidates"] = candidates_text(str(args["candidates"]), lang)
        return message(err.key, lang, **args)
    if isinstance(err, TreeHasErrors):
        from duchu.render.text import console_for, print_problems

        errors = err.tree.errors()
        print_problems(console_for(sys.stderr), err.tree.problems, err.tree.files, lang)
        return message("tree-has-errors", lang, errors=len(errors))
    if os.environ.get("DUCHU_DEBUG"):  # the promise: never a traceback for any input
        raise err
    return message("internal-error", lang, detail=f"{type(err).__name__}: {err}")


# Libraries that write files and wrap the system's refusal in an error of their own
# (XlsxWriter's FileCreateError; zipfile or python-docx failing on a file a fault cut short)
_WRITING_LIBRARIES = ("xlsxwriter", "zipfile", "docx", "openpyxl")


def _os_fault(err: BaseException) -> OSError | None:
    """The refusal of the operating system behind ``err``, if it is one: ``err`` itself, or
    what a writing library wrapped or was interrupted by."""
    for _ in range(8):
        if isinstance(err, OSError):
            return err
        if not type(err).__module__.startswith(_WRITING_LIBRARIES):
            return None
        inner = next((a for a in err.args if isinstance(a, OSError)), None)
        follow = inner or err.__cause__ or err.__context__
        if follow is None:
            return None
        err = follow
    return None


def _fail(text: str) -> NoReturn:
    from duchu.render.text import one_line

    echo(one_line(text), err=True)  # it may quote what a user typed or a file holds
    raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        echo(f"duchu {__version__}")
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
    degrade_output()
    ctx.obj = {"records": records, "lang": lang, "no_cache": no_cache}


# --- the commands, in the order --help lists them -------------------------------------------

app.command(epilog=CHECK_EXAMPLES)(_handled(check))
app.command(epilog=STATUS_EXAMPLES)(_handled(status))
app.command(epilog=TALLY_EXAMPLES)(_handled(tally))
app.command(epilog=REPORT_EXAMPLES)(_handled(report))
app.command(epilog=REMIND_EXAMPLES)(_handled(remind))
app.command(epilog=SITE_EXAMPLES)(_handled(site))
app.command(epilog=INIT_EXAMPLES)(_handled(init))
app.command(epilog=EXPORT_EXAMPLES)(_handled(export))
app.command("import", epilog=IMPORT_EXAMPLES)(_handled(import_workbook))

hook_app = typer.Typer(help=HOOK_HELP, epilog=HOOK_EXAMPLES, no_args_is_help=True)
app.add_typer(hook_app, name="hook")
hook_app.command("install", epilog=HOOK_EXAMPLES)(_handled(hook_install))
hook_app.command("run", epilog=HOOK_RUN_EXAMPLES)(hook_run)  # refuses on its own terms
hook_app.command("status", epilog=HOOK_STATUS_EXAMPLES)(_handled(hook_status))

new_app = typer.Typer(help=NEW_HELP, epilog=NEW_EXAMPLES, no_args_is_help=True)
app.add_typer(new_app, name="new")
new_app.command("meeting", epilog=NEW_MEETING_EXAMPLES)(_handled(new_meeting_command))
new_app.command("unit", epilog=NEW_UNIT_EXAMPLES)(_handled(new_unit_command))
new_app.command("group", epilog=NEW_GROUP_EXAMPLES)(_handled(new_group_command))

app.command(epilog=LOG_EXAMPLES)(_handled(log))


def main() -> None:
    """Entry point of the ``duchu`` script and ``python -m duchu``."""
    Process.ends_with_command = True
    from rich.console import Console

    def on_broken_pipe(console: Console) -> None:
        raise BrokenPipeError  # rich would exit 1; we end a closed pipe with 0 (below)

    Console.on_broken_pipe = on_broken_pipe  # type: ignore[method-assign,assignment]  # typer help
    closed_streams()
    try:
        app()
    except DuchuError as err:  # stdout closed while typer or click wrote (help, usage errors)
        sys.stderr.write(message(err.key, "zh") + "\n")
        sys.exit(2)
    except BrokenPipeError:  # closed while typer or click wrote (help, usage errors)
        try:
            pipe_closed()
        except typer.Exit:
            sys.exit(0)
