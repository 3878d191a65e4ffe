"""The command-line framework's own words in the user's language.

Typer (with the Click it vendors) prints words of its own: the help's "Usage:", "Options",
"[default: …]", "Show this message and exit.", and usage errors such as "Missing option
'--date'." or "No such option: --x". duchu speaks Chinese unless told ``--lang en``, so
these must too -- and they are printed while the command line is parsed, before any
command (or ``--lang`` itself, which may come after the mistake) has been read. So the
language is decided from the arguments first (``language_of``), by ``SpeakingGroup.main``,
the root command's entry point; then:

- the help's panel titles and marks are Typer's module constants (``typer.rich_utils``),
  set for the language (both ways: one process -- a test run -- may speak both);
- usage errors are caught as exceptions (``standalone_mode=False``, Click's supported way
  to handle them oneself) and shown here, their words chosen by the exception's class and
  fields, not by rewording English text, where the class says enough;
- three methods are wrapped, as no hook reaches them: the usage line (its "Usage:" and
  "[OPTIONS]"), the help option's help text, and the type shown beside an option -- which
  Typer shows for flags too (``--all <bool>``, when ``--all true`` is refused): a flag
  shows no type.

English is Typer's own words, unchanged. Nothing here knows duchu's commands.

Typer's help machinery (``typer.rich_utils``, which imports rich's Markdown and its parser:
a third of a command's start-up) is imported only when help is drawn: the help methods of
Typer's commands are wrapped to make it ready -- its constants set for the language, its
text maker wrapped -- first (``_help_ready``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import typer
from typer import core as typer_core
from typer._click import core as click_core
from typer._click import exceptions as click_exceptions

LANGS = ("zh", "en")

# The help's and the errors' words. "en" is what Typer itself says (restored by ``use``).
WORDS: dict[str, dict[str, str]] = {
    "usage": {"zh": "用法：", "en": "Usage: "},
    "[OPTIONS]": {"zh": "[选项]", "en": "[OPTIONS]"},
    "COMMAND [ARGS]...": {"zh": "命令 [参数]...", "en": "COMMAND [ARGS]..."},
    "help-option": {"zh": "显示本帮助并退出", "en": "Show this message and exit."},
    "try-help": {
        "zh": "运行 '{command} {option}' 查看帮助",
        "en": "Try '{command} {option}' for help.",
    },
    "error": {"zh": "错误", "en": "Error"},
    "aborted": {"zh": "已中止", "en": "Aborted!"},
}

# typer.rich_utils's constants, per language: what `rich_format_help` reads as it draws.
_HELP_CONSTANTS: dict[str, dict[str, str]] = {
    "ARGUMENTS_PANEL_TITLE": {"zh": "参数", "en": "Arguments"},
    "OPTIONS_PANEL_TITLE": {"zh": "选项", "en": "Options"},
    "COMMANDS_PANEL_TITLE": {"zh": "命令", "en": "Commands"},
    "ERRORS_PANEL_TITLE": {"zh": "错误", "en": "Error"},
    "DEFAULT_STRING": {"zh": "[默认：{}]", "en": "[default: {}]"},
    "ENVVAR_STRING": {"zh": "[环境变量：{}]", "en": "[env var: {}]"},
    "REQUIRED_LONG_STRING": {"zh": "[必填]", "en": "[required]"},
    "DEPRECATED_STRING": {"zh": "（已弃用）", "en": "(deprecated) "},
    "ABORTED_TEXT": {"zh": "已中止", "en": "Aborted."},
}

# The value types Typer shows beside an option (``<int>``), as a Chinese user reads them.
_TYPE_NAMES_ZH = {
    "str": "文本",
    "int": "整数",
    "int range": "整数",
    "float": "数",
    "float range": "数",
    "path": "路径",
    "list[str]": "文本",
    "bool": "是否",
}

# Usage errors, in Chinese, by kind. Their fields are what the exception carries.
_ERRORS_ZH = {
    "missing-option": "缺少选项 {hint}",
    "missing-argument": "缺少参数 {hint}",
    "missing-parameter": "缺少 {hint}",
    "no-such-option": "没有选项 {option}",
    "no-such-option-like": "没有选项 {option}（是不是 {like}？）",
    "bad-option-value": "选项 {hint} 的值 {value} 无效：{reason}",
    "bad-argument-value": "参数 {hint} 的值 {value} 无效：{reason}",
    "bad-value": "{hint} 的值无效：{reason}",
    "option-needs-value": "选项 {option} 后面要跟一个值",
    "option-needs-values": "选项 {option} 后面要跟 {count} 个值",
    "option-takes-no-value": "选项 {option} 不带值（只写 {option} 即可）",
    "argument-takes-values": "参数 {argument} 要 {count} 个值",
    "extra-arguments": "多余的参数：{arguments}",
    "no-such-command": "没有命令 {name}",
    "no-such-command-like": "没有命令 {name}（是不是 {like}？）",
    "missing-command": "缺少命令",
    "other": "命令行有误：{text}",
}

# What pydantic (which Typer 0.2x converts values with) found wrong with a value, by its
# error type -- a stable part of pydantic's API, unlike its English sentences.
_REASONS_ZH = {
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数",
    "float_type": "应为数",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "literal_error": "应为 {expected} 之一",
    "enum": "应为 {expected} 之一",
}

# Messages Click builds as text alone (``ctx.fail``), read back by their fixed English form.
_TEXT_ERRORS = [
    (
        re.compile(r"Got unexpected extra arguments? ?(?:\(s\))? \((?P<arguments>.*)\)", re.S),
        "extra-arguments",
    ),
    (
        re.compile(r"No such command (?P<name>.+?)\. Did you mean (?P<like>.+)\?", re.S),
        "no-such-command-like",
    ),
    (re.compile(r"No such command (?P<name>.+?)\.?", re.S), "no-such-command"),
    (re.compile(r"Missing command\.?"), "missing-command"),
    (re.compile(r"Option (?P<option>.+?) requires an argument\."), "option-needs-value"),
    (
        re.compile(r"Option (?P<option>.+?) requires (?P<count>\d+) arguments\."),
        "option-needs-values",
    ),
    (re.compile(r"Option (?P<option>.+?) does not take a value\."), "option-takes-no-value"),
    (
        re.compile(r"Argument (?P<argument>.+?) takes (?P<count>\d+) values\."),
        "argument-takes-values",
    ),
]

_current = "zh"


def language_of(args: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """The language a command line asks for: its last ``--lang X`` or ``--lang=X`` (as the
    option parser keeps the last), else ``$DUCHU_LANG``, else Chinese. An unknown language
    is Chinese here; the command itself says it is unknown."""
    chosen: str | None = None
    words = list(args)
    for i, word in enumerate(words):
        if word == "--":
            break  # what follows is arguments, whatever it looks like
        if word == "--lang" and i + 1 < len(words):
            chosen = words[i + 1]
        elif word.startswith("--lang="):
            chosen = word.partition("=")[2]
    if chosen is None:
        chosen = (os.environ if environ is None else environ).get("DUCHU_LANG")
    return chosen if chosen in LANGS else "zh"


def use(lang: str) -> None:
    """Speak ``lang`` from now on: Typer's help constants and this module's words."""
    global _current
    _current = lang if lang in LANGS else "zh"
    helper = sys.modules.get("typer.rich_utils")
    if helper is not None:  # else set when help is first drawn (``_help_ready``)
        _speak_help(helper)


def _speak_help(helper: ModuleType) -> None:
    for name, values in _HELP_CONSTANTS.items():
        setattr(helper, name, values[_current])


def current() -> str:
    return _current


def word(key: str, **fields: object) -> str:
    return WORDS[key][_current].format(**fields)


# --- usage errors -------------------------------------------------------------------------


def error_text(err: click_exceptions.ClickException, lang: str | None = None) -> str:
    """What a usage error says, in ``lang`` (the current language by default)."""
    lang = lang or _current
    if lang == "en":
        return err.format_message()
    kind, fields = _error_kind(err)
    return _ERRORS_ZH[kind].format(**fields)


def _error_kind(err: click_exceptions.ClickException) -> tuple[str, dict[str, object]]:
    if isinstance(err, click_exceptions.NoSuchOption):
        option = err.option_name
        if err.possibilities:
            return "no-such-option-like", {
                "option": option,
                "like": "、".join(sorted(err.possibilities)),
            }
        return "no-such-option", {"option": option}
    if isinstance(err, click_exceptions.MissingParameter):
        hint = _hint(err)
        kind = err.param_type or (err.param.param_type_name if err.param is not None else None)
        if kind in ("option", "argument"):
            return f"missing-{kind}", {"hint": hint}
        return "missing-parameter", {"hint": hint}
    if isinstance(err, click_exceptions.BadParameter) and err.param is not None:
        found = _validation_error(err)
        reason = _reason(found) if found is not None else None
        value = found.get("input") if found is not None else None
        if reason is not None and isinstance(value, str):
            kind = "argument" if err.param.param_type_name == "argument" else "option"
            return f"bad-{kind}-value", {"hint": _hint(err), "value": repr(value), "reason": reason}
        if reason is not None:
            return "bad-value", {"hint": _hint(err), "reason": reason}
    text = err.format_message() if not isinstance(err, click_exceptions.UsageError) else err.message
    for pattern, kind in _TEXT_ERRORS:
        match = pattern.fullmatch(text.strip())
        if match:
            return kind, match.groupdict()
    return "other", {"text": err.format_message()}


def _hint(err: click_exceptions.BadParameter) -> str:
    if err.param_hint is not None:
        hint = err.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    return err.param.get_error_hint() if err.param is not None else ""


def _validation_error(err: BaseException) -> dict[str, Any] | None:
    """The first error pydantic reported, if it is what the exception came from."""
    cause = err.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    try:
        found = errors()
    except Exception:  # not pydantic's ValidationError after all
        return None
    return found[0] if found and isinstance(found[0], dict) else None


def _reason(found: dict[str, Any]) -> str | None:
    template = _REASONS_ZH.get(str(found.get("type")))
    if template is None:
        return None
    context = found.get("ctx") or {}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return None


def show_error(err: click_exceptions.ClickException) -> None:
    """A usage error as Typer shows one -- the usage line, where to find help, the message
    in a panel -- in the current language, on stderr. No text in it is read as markup."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    console = Console(stderr=True, highlight=False)
    ctx = getattr(err, "ctx", None)
    if ctx is not None:
        console.print(Text(ctx.get_usage()), style="bold")
        if ctx.command.get_help_option(ctx) is not None:
            hint = word("try-help", command=ctx.command_path, option=ctx.help_option_names[0])
            console.print(Text(hint), style="dim")
    console.print(
        Panel(Text(error_text(err)), border_style="red", title=word("error"), title_align="left")
    )


# --- the root command ---------------------------------------------------------------------


class SpeakingGroup(typer_core.TyperGroup):
    """The root command: decides the language before anything is parsed, and shows usage
    errors in it. ``before_parsing`` is for what else must be ready by then."""

    def before_parsing(self) -> None:
        """Called once the language is known, before the command line is parsed."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        use(language_of(sys.argv[1:] if args is None else args))
        self.before_parsing()
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            done = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click_exceptions.NoArgsIsHelpError:  # the help is the answer, already shown
            sys.exit(2)
        except click_exceptions.ClickException as err:
            show_error(err)
            sys.exit(err.exit_code)
        except typer.Abort:
            print(word("aborted"), file=sys.stderr)
            sys.exit(1)
        # not standalone, Typer returns an Exit's code, or the command's value when it ends
        sys.exit(done if isinstance(done, int) else 0)


# --- the three wrapped methods ------------------------------------------------------------


def _usage_piece(piece: str) -> str:
    return WORDS[piece][_current] if piece in WORDS else piece


def _format_usage(self: click_core.Command, ctx: click_core.Context, formatter: Any) -> None:
    """Click's usage line, its own words (``Usage:``, ``[OPTIONS]``) in the language."""
    pieces = [_usage_piece(piece) for piece in self.collect_usage_pieces(ctx)]
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=word("usage"))


def _wrap_help_option(
    original: Callable[[click_core.Command, click_core.Context], Any],
) -> Callable[[click_core.Command, click_core.Context], Any]:
    def get_help_option(self: click_core.Command, ctx: click_core.Context) -> Any:
        option = original(self, ctx)
        if option is not None:  # one object per command, made once: its help set each time
            option.help = word("help-option")
        return option

    return get_help_option


def _wrap_type(
    original: Callable[[Any, click_core.Context], str | None],
) -> Callable[[Any, click_core.Context], str | None]:
    def display_type_rich(self: Any, ctx: click_core.Context) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None  # a flag takes no value: `--all`, never `--all <bool>`
        shown = original(self, ctx)
        if _current != "zh" or shown is None:
            return shown
        match = re.fullmatch(r"<(.+)>(\.\.\.)?", shown)
        if match is None or match.group(1) not in _TYPE_NAMES_ZH:
            return shown
        return f"<{_TYPE_NAMES_ZH[match.group(1)]}>{match.group(2) or ''}"

    return display_type_rich


def _wrap_help_text(original: Callable[..., Any]) -> Callable[..., Any]:
    from rich.text import Text

    def make_rich_text(**kwargs: Any) -> Any:
        text = original(**kwargs)
        if isinstance(text, Text) and text.overflow is None:
            # Rich wraps at spaces, and Typer's tables cut what does not fit with "…": a
            # Chinese help text, a run without spaces, lost its end. Folded, it wraps.
            text.overflow = "fold"
        return text

    return make_rich_text


def _help_ready() -> None:
    """Import Typer's help machinery, in the current language, its text maker wrapped."""
    from typer import rich_utils

    if not getattr(rich_utils, "_duchu_speaking", False):
        rich_utils._make_rich_text = _wrap_help_text(rich_utils._make_rich_text)
        rich_utils._duchu_speaking = True  # type: ignore[attr-defined]
    _speak_help(rich_utils)


def _wrap_format_help(original: Callable[..., Any]) -> Callable[..., Any]:
    def format_help(self: Any, ctx: click_core.Context, formatter: Any) -> Any:
        _help_ready()
        return original(self, ctx, formatter)

    return format_help


def _install() -> None:
    """Wrap the methods, once (a second import must not wrap the wrappers)."""
    command: Any = click_core.Command
    if getattr(command, "_duchu_speaking", False):
        return
    for help_class in (typer_core.TyperCommand, typer_core.TyperGroup):
        setattr(help_class, "format_help", _wrap_format_help(help_class.format_help))  # noqa: B010
    command.format_usage = _format_usage
    command.get_help_option = _wrap_help_option(command.get_help_option)
    for cls in (typer_core.TyperOption, typer_core.TyperArgument):
        setattr(cls, "display_type_rich", _wrap_type(cls.display_type_rich))  # noqa: B010
    command._duchu_speaking = True


_install()
use(language_of(sys.argv[1:]))  # until a command line is parsed: help printed without `main`
