"""The framework's words in the user's language (issue 16, item 23): usage errors and every
command's help in Chinese by default and English with ``--lang en`` (wherever it stands,
or from ``$DUCHU_LANG``); flags shown as flags; every help ending with examples that work
on the sample records."""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.cli.i18n import language_of
from tests.conftest import build_tree

runner = CliRunner()

# Words Typer and Click print of their own: none may stand in a Chinese session.
FRAMEWORK_WORDS = [
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Show this message",
    "for help",
    "Try '",
    "[default",
    "[required]",
    "env var",
    "deprecated",
    "[OPTIONS]",
    "COMMAND",
    "[ARGS]",
    "<str>",
    "<int",
    "<path>",
    "<bool>",
    "<list",
    "range",
    "Error",
    "Missing",
    "No such",
    "Invalid value",
    "unexpected extra",
    "Aborted",
    "Did you mean",
    "Possible options",
    "requires an argument",
    "does not take a value",
    "is not a valid",
    "does not exist",
    "Input should",
]


def leftover_english(text: str) -> list[str]:
    return [word for word in FRAMEWORK_WORDS if word in text]


# --- usage errors -----------------------------------------------------------------------------

# (arguments, what a Chinese user reads, what an English one reads)
MISTAKES = [
    (
        ["new", "meeting", "--unit", "a", "--date", "2014-02-26"],
        "缺少选项 '--kind'",
        "Missing option '--kind'",
    ),
    (["init"], "缺少参数 'folder'", "Missing argument 'folder'"),
    (["check", "--bogus"], "没有选项 --bogus", "No such option: --bogus"),
    (["check", "--recrods", "x"], "没有选项 --recrods（是不是 --records？）", "--records"),
    (
        ["new", "unit", "x", "--group", "g1", "--order", "abc"],
        "选项 '--order' 的值 'abc' 无效：应为整数",
        "Invalid value for '--order'",
    ),
    (
        ["status", "--stale", "-1"],
        "选项 '--stale' 的值 '-1' 无效：应不小于 0",
        "Invalid value for '--stale'",
    ),
    (["log", "--limit", "1.5"], "选项 '--limit' 的值 '1.5' 无效：应为整数", "'--limit'"),
    (["check", "extra"], "多余的参数：extra", "Got unexpected extra argument"),
    (["tally", "--compare", "a", "b", "--bogus"], "没有选项 --bogus", "No such option"),
    (["nope"], "没有命令 'nope'", "No such command 'nope'"),
    (["stauts"], "没有命令 'stauts'（是不是 'status'？）", "Did you mean 'status'"),
    (["new", "nope"], "没有命令 'nope'", "No such command 'nope'"),
    (["status", "--unit"], "选项 '--unit' 后面要跟一个值", "Option '--unit' requires an argument"),
    (["status", "--all=true"], "选项 '--all' 不带值", "Option '--all' does not take a value"),
]


@pytest.mark.parametrize(("args", "zh", "en"), MISTAKES)
def test_a_usage_error_is_chinese_by_default(args: list[str], zh: str, en: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert zh in result.stderr, result.stderr
    assert leftover_english(result.stderr) == [], result.stderr


@pytest.mark.parametrize(("args", "zh", "en"), MISTAKES)
@pytest.mark.parametrize("where", ["first", "last", "equals", "environment"])
def test_a_usage_error_is_english_when_asked(args: list[str], zh: str, en: str, where: str) -> None:
    """--lang may come before the mistake or after it (read before the parser stops at
    the mistake), as ``--lang=en``, or from $DUCHU_LANG."""
    given = {
        "first": ["--lang", "en", *args],
        "last": [*args, "--lang", "en"],
        "equals": [*args, "--lang=en"],
        "environment": args,
    }[where]
    if where in ("last", "equals") and args[-1] == "--unit":
        pytest.skip("--lang after an option that needs a value is that option's value")
    env = {"DUCHU_LANG": "en"} if where == "environment" else {}
    result = runner.invoke(app, given, env=env)
    assert result.exit_code == 2
    assert en in result.stderr, result.stderr
    assert not re.search(r"[\u4e00-\u9fff]", result.stderr.replace(zh, "")), result.stderr


def test_the_usage_line_and_the_help_hint_are_in_the_language() -> None:
    zh = runner.invoke(app, ["new", "meeting", "--unit", "a"]).stderr
    assert zh.splitlines()[:2] == [
        "用法：duchu new meeting [选项]",
        "运行 'duchu new meeting -h' 查看帮助",
    ]
    assert "错误" in zh.splitlines()[2]
    en = runner.invoke(app, ["new", "meeting", "--unit", "a", "--lang", "en"]).stderr
    assert en.splitlines()[:2] == [
        "Usage: duchu new meeting [OPTIONS]",
        "Try 'duchu new meeting -h' for help.",
    ]


def test_a_usage_error_shows_no_markup() -> None:
    result = runner.invoke(app, ["check", "[red]x[/red]", "[/b]"])
    assert result.exit_code == 2
    assert "多余的参数：[red]x[/red] [/b]" in result.stderr


@pytest.mark.parametrize(
    ("args", "environment", "lang"),
    [
        ([], {}, "zh"),
        (["check"], {"DUCHU_LANG": "en"}, "en"),
        (["--lang", "en", "check", "--lang", "zh"], {}, "zh"),  # the last one counts
        (["check", "--lang=en"], {}, "en"),
        (["check", "--lang", "fr"], {"DUCHU_LANG": "en"}, "zh"),  # `check` will say why
        (["log", "--", "--lang", "en"], {}, "zh"),  # after --, a path, not an option
        (["check", "--lang"], {"DUCHU_LANG": "en"}, "en"),
    ],
)
def test_the_language_is_read_from_the_arguments_first(
    args: list[str], environment: dict[str, str], lang: str
) -> None:
    assert language_of(args, environment) == lang


# --- help ---------------------------------------------------------------------------------------


def command_paths() -> Iterator[list[str]]:
    """The path of every command and group, the root first ([], [check], [new, meeting]...)."""
    stack: list[tuple[list[str], object]] = [([], typer.main.get_command(app))]
    while stack:
        path, command = stack.pop(0)
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            stack.append(([*path, name], sub))


PATHS = list(command_paths())


def help_of(path: list[str], *extra: str) -> str:
    result = runner.invoke(app, [*path, "--help", *extra], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_command_is_walked() -> None:
    names = {" ".join(path) for path in PATHS}
    assert {"", "check", "status", "new", "new meeting", "hook", "hook run", "site"} <= names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "duchu")
def test_help_is_chinese_by_default(path: list[str]) -> None:
    text = help_of(path)
    assert text.lstrip().startswith(f"用法：{' '.join(['duchu', *path])}")
    assert "显示本帮助并退出" in text
    assert leftover_english(text) == [], leftover_english(text)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "duchu")
def test_help_is_english_with_lang_en(path: list[str]) -> None:
    result = runner.invoke(app, ["--lang", "en", *path, "--help"], env={"COLUMNS": "100"})
    text = result.stdout
    assert "Usage:" in text and "Options" in text and "Show this message and exit." in text
    assert "用法" not in text and "显示本帮助" not in text


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "duchu")
def test_flags_are_shown_as_flags(path: list[str]) -> None:
    """A flag takes no value (`--all true` is refused), so none shows a type like <bool>;
    an option that takes a value still shows one."""
    text = help_of(path)
    command: object = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    rows = {line.split()[1]: line for line in text.splitlines() if re.match(r"│ +--", line)}
    for param in command.params:  # type: ignore[attr-defined]
        long = [o for o in getattr(param, "opts", []) if o.startswith("--")]
        if not long or getattr(param, "hidden", False) or long[0] not in rows:
            continue
        shows_type = "<" in rows[long[0]].split("  ")[1] or re.search(r" <\S+>", rows[long[0]])
        assert bool(shows_type) != bool(param.is_flag), rows[long[0]]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "duchu")
def test_every_help_ends_with_two_or_three_examples(path: list[str]) -> None:
    tail = help_of(path).rstrip().split("例 / examples")
    assert len(tail) == 2, "no examples"
    lines = [line.strip() for line in tail[1].splitlines()[1:]]
    commands = [line for line in lines if line.startswith(("duchu ", "cd "))]
    assert 2 <= len(commands) <= 3, lines
    assert any(" ".join(["duchu", *path]) in line for line in commands)


# --- the examples work on the sample records -------------------------------------------------


def examples(path: list[str]) -> list[list[str]]:
    """Every example command of a help, as arguments (continued lines joined, notes after
    two spaces dropped); a line that first changes folder, or reads stdin, is not run."""
    command: object = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    epilog = getattr(command, "epilog", "") or ""
    joined = re.sub(r"\\\\?\n\s+", " ", epilog.replace("\\b\n", ""))
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if not line.startswith("duchu ") or "<" in line:
            continue
        for part in line.split("&&"):
            words = shlex.split(re.split(r"\s{2,}", part.strip())[0])
            if words[0] == "duchu":
                found.append(words[1:])
    return found


@pytest.fixture(scope="module")
def sample_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.sample_history import build_sample_repository

    return build_sample_repository(tmp_path_factory.mktemp("sample") / "records")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "duchu")
def test_the_examples_work_on_the_sample(
    path: list[str], sample_repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each help's examples, run in order in the sample's folder (a copy with its history),
    as the help shows them: found from the current folder, outputs beside the tree."""
    root = tmp_path / "work" / "records"
    shutil.copytree(sample_repository, root, symlinks=True)
    monkeypatch.chdir(tmp_path if path == ["init"] else root)
    monkeypatch.delenv("DUCHU_RECORDS", raising=False)
    ran = examples(path)
    assert ran or path in (["hook"],), "no example to run"
    for args in ran:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "内部错误" not in result.output


def test_an_example_that_fails_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner above reports failure: an example on a tree without the sample's names."""
    monkeypatch.chdir(build_tree(tmp_path / "t"))
    result = runner.invoke(app, examples(["tally"])[0])
    assert result.exit_code == 2
