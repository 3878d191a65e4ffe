"""Answers kept (``duchu.answers``): a question asked again of what has not changed is
answered with the bytes and the exit status a fresh run gives, without running the command;
any change to what the answer depends on -- a record file, a folder, a ballot beyond the
record folders, git's history, the terminal, the language, today -- is another answer; an
answer file that is not sound is never used; and what is not a question is never kept.

Each asking is a whole process (``_ASK``): the command runs through ``duchu.answers.answer``
as the ``duchu`` script runs it, and leaves a mark in a file when the command itself ran, so
a test can tell a kept answer from a fresh one. Every fresh answer it is compared with is the
same command with ``DUCHU_NO_ANSWERS=1``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duchu import answers
from tests.conftest import BROKEN, SAMPLE, build_tree, copy_tree

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))

from make_tree import make  # bench/ is not a package: found through sys.path

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2014-04-20"
_ASK = """
import sys
from duchu import answers
from duchu.launch import _run

mark, argv = sys.argv[1], ["duchu", *sys.argv[2:]]

def run():
    with open(mark, "a", encoding="utf-8") as handle:
        handle.write("ran\\n")
    sys.argv = argv
    _run()

answers.answer(argv, run)
"""


class Asker:
    """Asks duchu questions in processes of their own, with one user cache folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cache = folder / "user-cache"
        self.mark = folder / "ran.txt"
        self.timeout = 300  # seconds an asking may take
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DUCHU_NO_CACHE", "DUCHU_NO_ANSWERS", "DUCHU_LANG", "COLUMNS")
        }
        self.env.update(
            PYTHONPATH=str(REPO), XDG_CACHE_HOME=str(self.cache), PYTHONDONTWRITEBYTECODE="1"
        )

    def ask(self, *args: str, **env: str) -> tuple[int, bytes, bytes, bool]:
        """(exit status, stdout, stderr, whether the command ran)."""
        self.mark.unlink(missing_ok=True)
        done = subprocess.run(
            [sys.executable, "-c", _ASK, str(self.mark), *args],
            capture_output=True,
            env={**self.env, **env},
            cwd=self.folder,
            timeout=self.timeout,
        )
        return done.returncode, done.stdout, done.stderr, self.mark.exists()

    def fresh(self, *args: str, **env: str) -> tuple[int, bytes, bytes]:
        status, out, err, ran = self.ask(*args, DUCHU_NO_ANSWERS="1", **env)
        assert ran
        return status, out, err

    def kept(self) -> list[Path]:
        folder = self.cache / "duchu" / "answers"
        return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def asker(tmp_path: Path) -> Asker:
    return Asker(tmp_path)


def _settle() -> None:
    """Let the clock move past the tick the files were last written in: an answer is kept
    only when nothing it looked at changed in the tick its look began in (git's racy rule)."""
    time.sleep(0.05)


def _same_as_fresh(asker: Asker, *args: str, **env: str) -> tuple[bool, bytes]:
    """Ask; the answer must be the fresh one, byte for byte. Whether the command ran."""
    status, out, err, ran = asker.ask(*args, **env)
    assert (status, out, err) == asker.fresh(*args, **env)
    return ran, out


QUESTIONS = [
    ("status", "--as-of", AS_OF),
    ("status", "--as-of", AS_OF, "--all", "--format", "json"),
    ("status", "--as-of", AS_OF, "--by", "group"),
    ("status", "--as-of", "2014-12-31", "--fail-on", "overdue"),  # exit 1
    ("status", "--as-of", AS_OF, "--lang", "en", "--group", "市委第一督导组"),
    ("check",),
    ("check", "--format", "json"),
    ("--help",),
    ("status", "--help"),
]


@pytest.mark.parametrize("question", QUESTIONS, ids=" ".join)
def test_a_question_asked_again_is_answered_as_a_fresh_run_answers_it(
    asker: Asker, tmp_path: Path, question: tuple[str, ...]
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = (*question, "--records", str(tree))
    first_ran, first = _same_as_fresh(asker, *args)
    assert first_ran
    again_ran, again = _same_as_fresh(asker, *args)
    assert not again_ran, "asked again of the same tree, the command ran"
    assert again == first


@pytest.mark.parametrize("units", [23, 41])
def test_on_generated_trees_a_kept_answer_is_the_fresh_one(
    asker: Asker, tmp_path: Path, units: int
) -> None:
    tree = tmp_path / f"tree-{units}"
    make(units, tree)
    _settle()
    for question in (
        ("status", "--as-of", "2014-06-15", "--all", "--format", "json"),
        ("status", "--as-of", "2014-06-15"),
        ("check", "--format", "json"),
    ):
        args = (*question, "--records", str(tree))
        _same_as_fresh(asker, *args)
        ran, _ = _same_as_fresh(asker, *args)
        assert not ran


def test_a_tree_with_errors_is_answered_with_its_errors_and_status(
    asker: Asker, tmp_path: Path
) -> None:
    tree = build_tree(tmp_path / "tree", BROKEN / "ambiguous-name")
    _settle()
    for _ in range(2):
        _same_as_fresh(asker, "check", "--records", str(tree))
    status, _, _, ran = asker.ask("check", "--records", str(tree))
    assert status == 1 and not ran


def _replace_same_size(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"(\d\d)(\b)", lambda m: f"{(int(m.group(1)) + 1) % 100:02d}", text, count=1)
    assert changed != text and len(changed) == len(text)
    path.write_text(changed, encoding="utf-8")


def _first(tree: Path, pattern: str) -> Path:
    return sorted(tree.glob(pattern))[0]


CHANGES = {
    "a record edited, same size, at once": lambda t: _replace_same_size(
        _first(t, "meetings/**/*.yaml")
    ),
    "a meeting added": lambda t: shutil.copyfile(
        _first(t, "meetings/**/*.yaml"), _first(t, "meetings/**/*.yaml").parent / "zz-new.yaml"
    ),
    "a meeting removed": lambda t: _first(t, "meetings/**/*.yaml").unlink(),
    "a unit renamed": lambda t: _first(t, "units/*.yaml").rename(t / "units" / "zz-renamed.yaml"),
    "a hidden record file": lambda t: (t / "units" / ".hidden.yaml").write_text("x: 1\n"),
    "a misspelt record file": lambda t: (t / "groups" / "extra.yml").write_text("x: 1\n"),
    "the campaign touched": lambda t: os.utime(t / "campaign.yaml"),
    "a ballot edited": lambda t: _replace_same_size(_first(t, "meetings/**/*.csv")),
    "an empty folder made": lambda t: (t / "notices" / "2099-01").mkdir(),
    "a folder linked in": lambda t: (t / "meetings" / "linked").symlink_to(
        _first(t, "meetings/*/")
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=str)
def test_every_change_to_the_tree_is_another_answer(
    asker: Asker, tmp_path: Path, change: str
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = ("status", "--as-of", AS_OF, "--all", "--records", str(tree))
    _same_as_fresh(asker, *args)
    assert not asker.ask(*args)[3]
    CHANGES[change](tree)
    ran, _ = _same_as_fresh(asker, *args)
    assert ran, f"{change}: answered from before the change"
    for check_args in (("check", "--records", str(tree)),):
        _same_as_fresh(asker, *check_args)


def test_a_ballot_beyond_the_record_folders_is_part_of_the_answer(
    asker: Asker, tmp_path: Path
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "records")
    meeting = tree / "meetings" / "2014-09" / "jiaotong-summary.yaml"
    (tree / "ballots").mkdir()
    shutil.move(tree / "meetings" / "2014-09" / "jiaotong-summary.csv", tree / "ballots" / "j.csv")
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("jiaotong-summary.csv", "../../ballots/j.csv"), "utf-8")
    _settle()
    args = ("status", "--as-of", "2014-12-31", "--all", "--format", "json", "--records", str(tree))
    args_tally = ("check", "--format", "json", "--records", str(tree))
    for question in (args, args_tally):
        _same_as_fresh(asker, *question)
        assert not asker.ask(*question)[3]
    _replace_same_size(tree / "ballots" / "j.csv")
    for question in (args, args_tally):
        ran, _ = _same_as_fresh(asker, *question)
        assert ran, "a ballot beyond meetings/ changed, and the kept answer was given"


def _git(tree: Path, *args: str, date: str = "2014-04-01T12:00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
    )


def test_the_office_answer_follows_git_history(asker: Asker, tmp_path: Path) -> None:
    """``status --by group`` dates each group's reports by their commits: a commit that adds
    nothing to the working tree is still another answer."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _git(tree, "init", "-q")
    late = sorted(tree.glob("meetings/2014-04/*.yaml"))[-1]
    _git(tree, "add", "-A", ".", f":!{late.relative_to(tree)}")
    _git(tree, "commit", "-qm", "first")
    _settle()
    args = ("status", "--as-of", AS_OF, "--by", "group", "--format", "json", "--records", str(tree))
    _, before = _same_as_fresh(asker, *args)
    assert not asker.ask(*args)[3]
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "late report", date="2014-04-15T12:00:00")
    ran, after = _same_as_fresh(asker, *args)
    assert ran and after != before


@pytest.mark.parametrize(
    "env", [{"COLUMNS": "60"}, {"COLUMNS": "200"}, {"DUCHU_LANG": "en"}, {"NO_COLOR": "1"}]
)
def test_the_terminal_and_the_language_are_part_of_the_question(
    asker: Asker, tmp_path: Path, env: dict[str, str]
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = ("status", "--as-of", AS_OF, "--records", str(tree))
    _same_as_fresh(asker, *args)
    ran, _ = _same_as_fresh(asker, *args, **env)
    assert ran, f"{env}: answered as asked without it"
    assert not asker.ask(*args, **env)[3]


def _damage(kept: Path, how: str) -> None:
    if how == "a byte changed":
        data = bytearray(kept.read_bytes())
        data[-1] ^= 1
        kept.write_bytes(bytes(data))
    elif how == "readable by others":
        kept.chmod(0o644)
    elif how == "a link":
        copy = kept.with_name("copy")
        shutil.copyfile(kept, copy)
        copy.chmod(0o600)
        kept.unlink()
        kept.symlink_to(copy)
    elif how == "another user's key":
        key = kept.parent.parent / "snapshot.key"
        key.write_bytes(bytes(32))
    elif how == "cut short":
        data = kept.read_bytes()
        kept.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    "how", ["a byte changed", "readable by others", "a link", "another user's key", "cut short"]
)
def test_an_answer_file_that_is_not_sound_is_never_used(
    asker: Asker, tmp_path: Path, how: str
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = ("status", "--as-of", AS_OF, "--records", str(tree))
    _same_as_fresh(asker, *args)
    [kept] = asker.kept()
    _damage(kept, how)
    ran, _ = _same_as_fresh(asker, *args)
    assert ran, f"{how}: the answer file was used"


def test_an_answer_planted_with_other_bytes_is_refused(asker: Asker, tmp_path: Path) -> None:
    """An answer file made by someone without the key -- the terminal's bytes of their
    choosing, signed with a key of their own -- is not shown."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = ("status", "--as-of", AS_OF, "--records", str(tree))
    _same_as_fresh(asker, *args)
    [kept] = asker.kept()
    data = kept.read_bytes()
    evil = data.replace("督导".encode(), b"\x1b]0;".ljust(6, b"!"))
    assert evil != data
    kept.write_bytes(evil)
    ran, out = _same_as_fresh(asker, *args)
    assert ran and b"\x1b]0;" not in out


@pytest.mark.parametrize(
    "question",
    [
        ("status", "--as-of", AS_OF, "-o", "{out}/s.xlsx"),
        ("status", "--as-of", AS_OF, "--no-cache"),
        ("--no-cache", "check"),
        ("tally", "--format", "json"),
        ("report", "--phase", "study", "--as-of", AS_OF),
        ("remind", "--as-of", AS_OF),
    ],
    ids=" ".join,
)
def test_what_is_not_a_question_is_never_kept(
    asker: Asker, tmp_path: Path, question: tuple[str, ...]
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "records")
    (tmp_path / "out").mkdir()
    args = [a.replace("{out}", str(tmp_path / "out")) for a in question]
    for _ in range(2):
        (tmp_path / "out" / "s.xlsx").unlink(missing_ok=True)
        assert asker.ask(*args, "--records", str(tree))[3]
    assert asker.kept() == []
    assert asker.ask("check", "--records", str(tree), DUCHU_NO_CACHE="1")[3]
    assert asker.kept() == []


def test_a_change_in_the_tick_the_look_began_is_not_trusted(
    asker: Asker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git's racy rule: a file written in the clock tick the look began in could be written
    again in that tick with the same stamp, so the answer is not kept."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    newest = max(
        max(p.stat().st_mtime_ns, p.stat().st_ctime_ns) for p in tree.rglob("*") if p.is_file()
    )
    monkeypatch.setattr(answers, "_clock_ns", lambda folder: newest)
    monkeypatch.setenv("XDG_CACHE_HOME", str(asker.cache))
    monkeypatch.delenv("DUCHU_NO_CACHE")
    argv = ["duchu", "check", "--records", str(tree)]
    with pytest.raises(SystemExit):
        answers.answer(argv, lambda: sys.exit(0))
    assert asker.kept() == []
    monkeypatch.setattr(answers, "_clock_ns", lambda folder: newest + 1)
    with pytest.raises(SystemExit):
        answers.answer(argv, lambda: sys.exit(0))
    assert len(asker.kept()) == 1


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["status"], "tree"),
        (["--records", "r", "--lang", "en", "check"], "tree"),
        (["--lang", "status", "check"], "tree"),
        ([], "help"),
        (["report", "-h"], "help"),
        (["status", "-o", "x.xlsx"], None),
        (["status", "--output=x.xlsx"], None),
        (["status", "--records", "a", "--records", "b"], None),
        (["status", "--records"], None),
        (["status", "--", "x"], None),
        (["remind", "--write"], None),
        (["site", "-o", "x"], None),
        (["tally"], None),
        (["status", "--no-cache"], None),
    ],
)
def test_which_command_lines_are_questions(args: list[str], kind: str | None) -> None:
    question = answers.question_of(args, {}, "/nowhere")
    assert (question.kind if question else None) == kind
    assert answers.question_of(args, {"DUCHU_NO_ANSWERS": "1"}, "/nowhere") is None


# --- every environment variable the code reads is part of the question --------------------------

_READ = re.compile(
    r"""(?:environ(?:\.get)?\s*[\[(]\s*|getenv\s*\(\s*|["']\s*in\s+os\.environ)["']([A-Z_][A-Z0-9_]*)["']"""
)
_READ_IN = re.compile(r"""["']([A-Z_][A-Z0-9_]*)["']\s+in\s+(?:os\.)?environ""")
# Read by these libraries but never in a way that changes what duchu prints: the wait
# between a progress bar's frames; Windows' own folder names; what a pager or editor opened
# from click would be (duchu opens neither); the marker a test runner sets.
_NOT_AN_ANSWER = {
    "PYTEST_CURRENT_TEST",
    "SYSTEMROOT",
    "WINDIR",
    "PATHEXT",
    "PATH",
    "TMPDIR",
    "TEMP",
    "TMP",
    "USER",
    "USERNAME",
    "LOGNAME",
    "HOSTNAME",
    "DISPLAY",
    "WSL_DISTRO_NAME",
    "SSH_CLIENT",
    "SSH_TTY",
    "SSH_CONNECTION",
    "PWD",
    "WT_SESSION",
    "ANDROID_ROOT",
    "IDLE",
    "PROCESSOR_ARCHITECTURE",
}


def _library_folders() -> list[Path]:
    import rich
    import typer  # click comes with it (``typer._click``), or beside it in older releases

    folders = [Path(module.__file__).parent for module in (typer, rich)] + [REPO / "duchu"]
    try:
        import click
    except ImportError:
        return folders
    return [*folders, Path(click.__file__).parent]


def test_every_environment_variable_read_is_part_of_the_question() -> None:
    found: dict[str, str] = {}
    for folder in _library_folders():
        for source in folder.rglob("*.py"):
            text = source.read_text(encoding="utf-8", errors="replace")
            for name in [*_READ.findall(text), *_READ_IN.findall(text)]:
                found.setdefault(name, str(source))
    assert "NO_COLOR" in found and "DUCHU_LANG" in found  # the reading itself works
    missing = {
        name: where
        for name, where in found.items()
        if not name.startswith(answers._ENVIRONMENT) and name not in _NOT_AN_ANSWER
    }
    assert missing == {}


# --- any sequence of changes ---------------------------------------------------------------------


@st.composite
def _changes(draw: st.DrawFn) -> list[tuple[str, int]]:
    kinds = st.sampled_from(["edit", "append", "remove", "add", "touch", "nothing"])
    return draw(st.lists(st.tuples(kinds, st.integers(0, 50)), min_size=1, max_size=3))


def _apply(tree: Path, kind: str, pick: int) -> None:
    files = sorted(p for p in tree.rglob("*.yaml") if p.name != "campaign.yaml")
    path = files[pick % len(files)]
    if kind == "edit":
        text = path.read_text(encoding="utf-8")
        index = pick % max(1, len(text) - 1)
        if text[index].isdigit():
            path.write_text(text[:index] + str((int(text[index]) + 1) % 10) + text[index + 1 :])
    elif kind == "append":
        with path.open("a", encoding="utf-8") as handle:
            handle.write("# 附注\n")
    elif kind == "remove":
        path.unlink()
    elif kind == "add":
        shutil.copyfile(path, path.with_name(f"copy-{pick}.yaml"))
    elif kind == "touch":
        os.utime(path)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=_changes())
def test_after_any_changes_the_answer_is_the_fresh_one(
    tmp_path_factory: pytest.TempPathFactory, changes: list[tuple[str, int]]
) -> None:
    folder = tmp_path_factory.mktemp("changes")
    asker = Asker(folder)
    tree = build_tree(folder / "tree")
    _settle()
    args = ("status", "--as-of", "2014-06-20", "--all", "--records", str(tree))
    _same_as_fresh(asker, *args)
    for kind, pick in changes:
        _apply(tree, kind, pick)
        _same_as_fresh(asker, *args)
        _same_as_fresh(asker, "check", "--records", str(tree))


def test_a_kept_answer_is_given_before_anything_heavy_is_imported(
    asker: Asker, tmp_path: Path
) -> None:
    """What makes a kept answer cheap: neither Typer, pydantic, rich, YAML nor even
    dataclasses, pathlib or typing is imported to give it (``duchu.answers``' promise)."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = ("status", "--as-of", AS_OF, "--records", str(tree))
    _same_as_fresh(asker, *args)
    listing = tmp_path / "modules.txt"
    script = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(listing)!r}, 'w').write('\\n'.join(sys.modules)))\n"
        + _ASK
    )
    asker.mark.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", script, str(asker.mark), *args],
        capture_output=True,
        env=asker.env,
        cwd=asker.folder,
        timeout=300,
    )
    assert done.returncode == 0 and not asker.mark.exists()
    loaded = set(listing.read_text().split())
    heavy = {"typer", "pydantic", "rich", "yaml", "dataclasses", "pathlib", "typing", "hashlib"}
    assert loaded & heavy == set()


def test_a_progress_bar_is_not_part_of_the_answer_kept(
    asker: Asker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A large tree draws a progress bar on a terminal while it loads; the bar wipes itself,
    and what it drew is not kept: the answer given again is the table alone."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    monkeypatch.setenv("XDG_CACHE_HOME", str(asker.cache))
    monkeypatch.delenv("DUCHU_NO_CACHE")
    argv = ["duchu", "check", "--records", str(tree)]

    def run() -> None:
        print("before", flush=True)
        answers.drawing(True)
        print("\x1b[?25l载入 3/7\r", file=sys.stderr, flush=True)
        answers.drawing(False)
        print("after", flush=True)
        sys.exit(1)

    with pytest.raises(SystemExit):
        answers.answer(argv, run)
    first = capfd.readouterr()
    assert "载入" in first.err and first.out == "before\nafter\n"

    def must_not_run() -> None:
        raise AssertionError("ran again")

    with pytest.raises(SystemExit) as exited:
        answers.answer(argv, must_not_run)
    again = capfd.readouterr()
    assert (again.out, again.err, exited.value.code) == ("before\nafter\n", "", 1)


# --- what the look misses ---------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_a_help_flag_given_as_an_options_value_is_not_a_help_page(
    asker: Asker, tmp_path: Path, flag: str
) -> None:
    """``--unit -h`` asks for the unit named "-h": the command runs and reads the tree, so
    its answer is the tree's, not a help page's that no change to the tree would renew."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    unit = tree / "units" / "caizheng.yaml"
    unit.write_text(unit.read_text("utf-8").replace("name: 市财政局", f'name: "{flag}"'), "utf-8")
    _settle()
    args = ("status", "--as-of", AS_OF, "--records", str(tree), "--unit", flag)
    _, before = _same_as_fresh(asker, *args)
    assert b"2014" in before  # the unit's table, not a help page
    _replace_same_size(unit)
    ran, after = _same_as_fresh(asker, *args)
    assert ran and after != before


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["status", "--unit", "-h"], "tree"),
        (["status", "--group=x", "--help"], "tree"),
        (["--lang", "--help", "check"], "tree"),
        (["new", "unit", "--name", "-h"], None),
        (["new", "unit", "--help"], "help"),
        (["-h", "status", "--unit", "x"], "help"),
    ],
)
def test_a_help_flag_after_an_option_may_be_its_value(args: list[str], kind: str | None) -> None:
    question = answers.question_of(args, {}, "/nowhere")
    assert (question.kind if question else None) == kind


@pytest.mark.parametrize("spelling", ["-o{out}", "--output={out}", "-o {out}"])
def test_an_output_file_in_any_spelling_is_written_every_time(
    asker: Asker, tmp_path: Path, spelling: str
) -> None:
    """``-oFILE`` is ``-o FILE`` to the parser: a command that writes a file is never
    answered from what was kept, which would say the file was written and not write it."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    out = tmp_path / "s.xlsx"
    _settle()
    given = spelling.format(out=out).split(" ")
    for _ in range(2):
        out.unlink(missing_ok=True)
        status, _, _, ran = asker.ask("status", "--as-of", AS_OF, "--records", str(tree), *given)
        assert status == 0 and ran and out.is_file()
    assert asker.kept() == []


@pytest.mark.parametrize("named", ["absolute", "with a work tree"])
def test_the_office_answer_follows_the_repository_git_dir_names(
    asker: Asker, tmp_path: Path, named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``GIT_DIR`` (as a hook or a script sets it) names the repository git reads, wherever it
    is: its history is what the answer depends on, not that of a repository above the tree."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _git(tree, "init", "-q")
    late = sorted(tree.glob("meetings/2014-04/*.yaml"))[-1]
    _git(tree, "add", "-A", ".", f":!{late.relative_to(tree)}")
    _git(tree, "commit", "-qm", "first")
    shutil.move(tree / ".git", tmp_path / "elsewhere.git")
    env = {"GIT_DIR": str(tmp_path / "elsewhere.git")}
    if named == "with a work tree":
        env["GIT_WORK_TREE"] = str(tree)
    _settle()
    args = ("status", "--as-of", AS_OF, "--by", "group", "--format", "json", "--records", str(tree))
    _, before = _same_as_fresh(asker, *args, **env)
    assert not asker.ask(*args, **env)[3]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "late report", date="2014-04-15T12:00:00")
    ran, after = _same_as_fresh(asker, *args, **env)
    assert ran and after != before


_ASK_INTERRUPTED = """
import sys
import duchu.judge.commands
from duchu import answers
from duchu.launch import _run

def interrupted(*args, **kwargs):
    print("half an answer", flush=True)
    raise KeyboardInterrupt  # Ctrl-C while the command runs

duchu.judge.commands.judge_status = interrupted
argv = ["duchu", *sys.argv[1:]]
sys.argv = argv
answers.answer(argv, _run)
"""


def test_a_command_interrupted_is_never_kept(asker: Asker, tmp_path: Path) -> None:
    """Ctrl-C: Typer exits 130 (click's abort, 1) after what was written so far -- half an
    answer, which is never the answer kept for the next asking."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = ("status", "--as-of", AS_OF, "--records", str(tree))
    done = subprocess.run(
        [sys.executable, "-c", _ASK_INTERRUPTED, *args],
        capture_output=True,
        env=asker.env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode in (1, 130) and b"half an answer" in done.stdout
    assert asker.kept() == []
    ran, out = _same_as_fresh(asker, *args)
    assert ran and b"half an answer" not in out


_ASK_WITHOUT_TYPER = """
import sys
from duchu import answers
from duchu.launch import _run

sys.modules["typer"] = None  # as if typer were missing from this Python
argv = ["duchu", *sys.argv[1:]]
sys.argv = argv
answers.answer(argv, _run)
"""


def test_a_message_python_prints_as_it_exits_is_not_lost(asker: Asker, tmp_path: Path) -> None:
    """``sys.exit(text)`` (a library missing): Python prints the text after the command has
    given its streams back, so it is not in what was captured; an answer kept without it would
    end with status 1 and not a word."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = ("check", "--records", str(tree))
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", _ASK_WITHOUT_TYPER, *args],
            capture_output=True,
            env=asker.env,
            cwd=tmp_path,
            timeout=300,
        )
        assert done.returncode == 1 and b"typer" in done.stderr
    assert asker.kept() == []


def _files_under(tree: Path) -> list[str]:
    return sorted(str(p.relative_to(tree)) for p in tree.rglob("*"))


@pytest.mark.parametrize("home", ["the tree", "the tree, and XDG_CACHE_HOME in it"])
def test_no_answer_is_written_into_the_tree_whatever_the_home_folder(
    asker: Asker, tmp_path: Path, home: str
) -> None:
    """The user's cache inside the tree (a tree kept as the home folder, ``~/.cache`` in it,
    ``XDG_CACHE_HOME`` in it or not): nothing is kept there, and every asking is answered
    afresh."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    del asker.env["XDG_CACHE_HOME"]
    asker.env["HOME"] = str(tree)
    if home.endswith("in it"):
        asker.env["XDG_CACHE_HOME"] = str(tree / "cache")
    asker.folder = tree  # the working folder: the tree
    before = _files_under(tree)
    _settle()
    for _ in range(2):
        ran, _ = _same_as_fresh(asker, "status", "--as-of", AS_OF, "--records", str(tree))
        assert ran
    assert _files_under(tree) == before


def test_the_office_answer_follows_a_branch_named_by_another(asker: Asker, tmp_path: Path) -> None:
    """HEAD names a branch that names another (``git symbolic-ref``): a commit moves the last
    branch of the chain, and that is the history the answer depends on."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _git(tree, "init", "-q")
    late = sorted(tree.glob("meetings/2014-04/*.yaml"))[-1]
    _git(tree, "add", "-A", ".", f":!{late.relative_to(tree)}")
    _git(tree, "commit", "-qm", "first")
    branch = _git_out(tree, "symbolic-ref", "HEAD")
    _git(tree, "symbolic-ref", "refs/heads/alias", branch)
    _git(tree, "symbolic-ref", "HEAD", "refs/heads/alias")
    _git(tree, "add", "-A")  # staged now: the commit below changes no file of the tree
    _settle()
    args = ("status", "--as-of", AS_OF, "--by", "group", "--format", "json", "--records", str(tree))
    _, before = _same_as_fresh(asker, *args)
    assert not asker.ask(*args)[3]
    _git(tree, "commit", "-qm", "late report", date="2014-04-15T12:00:00")
    assert (tree / ".git" / "HEAD").read_text("utf-8") == "ref: refs/heads/alias\n"
    ran, after = _same_as_fresh(asker, *args)
    assert ran and after != before


def _git_out(tree: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def test_refs_kept_as_reftables_are_looked_at(tmp_path: Path) -> None:
    """A repository whose refs are reftables (git 2.45's ``--ref-format=reftable``): a commit
    changes neither HEAD (``ref: refs/heads/.invalid``) nor any file under refs/, but writes a
    new table and names it in ``reftable/tables.list``. (Made by hand: the git here may be
    older than reftables.)"""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    dot_git = tree / ".git"
    (dot_git / "refs" / "heads").mkdir(parents=True)
    (dot_git / "reftable").mkdir()
    (dot_git / "HEAD").write_text("ref: refs/heads/.invalid\n")
    tables = dot_git / "reftable" / "tables.list"
    tables.write_text("0x000000000001-0x000000000001-aaaaaaaa.ref\n")
    args = ["status", "--by", "group", "--records", str(tree)]
    question = answers.question_of(args, {}, str(tmp_path))
    assert question is not None and question.asks_git

    def looked() -> bytes:
        return answers._look(question, {}, ()).digest.digest()

    before = looked()
    tables.write_text(
        "0x000000000001-0x000000000001-aaaaaaaa.ref\n0x000000000002-0x000000000002-bbbbbbbb.ref\n"
    )
    assert looked() != before


@pytest.mark.parametrize("nearer", ["an empty .git folder", "a .git folder without HEAD"])
def test_the_office_answer_follows_the_repository_git_takes(
    asker: Asker, tmp_path: Path, nearer: str
) -> None:
    """git passes over a ``.git`` folder that is no repository and takes the next one up:
    that one's history is what the answer depends on."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _git(tmp_path, "init", "-q")
    late = sorted(tree.glob("meetings/2014-04/*.yaml"))[-1]
    _git(tmp_path, "add", "-A", "records", f":!{late.relative_to(tmp_path)}")
    _git(tmp_path, "commit", "-qm", "first")
    _git(tmp_path, "add", "-A", "records")  # staged: the commit below changes no file
    (tree / ".git").mkdir()
    if nearer == "a .git folder without HEAD":
        (tree / ".git" / "objects").mkdir()
        (tree / ".git" / "refs").mkdir()
    _settle()
    args = ("status", "--as-of", AS_OF, "--by", "group", "--format", "json", "--records", str(tree))
    _, before = _same_as_fresh(asker, *args)
    assert not asker.ask(*args)[3]
    _git(tmp_path, "commit", "-qm", "late report", date="2014-04-15T12:00:00")
    ran, after = _same_as_fresh(asker, *args)
    assert ran and after != before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("where", ["HEAD", "commondir", "branch"])
def test_a_fifo_where_git_keeps_a_file_never_hangs(
    asker: Asker, tmp_path: Path, where: str
) -> None:
    """The look reads a few of git's files in every repository above the tree (HEAD, a branch,
    commondir), even those git passes by: a FIFO in one's place, where git never reads
    it, must not wait for a writer for ever."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _git(tree, "init", "-q")
    above = tmp_path / "above"  # what the .git file beside the tree's folder names
    (above / "refs" / "heads").mkdir(parents=True)
    (tmp_path / ".git").write_text(f"gitdir: {above}\n")
    if where == "branch":
        (above / "HEAD").write_text("ref: refs/heads/main\n")
        os.mkfifo(above / "refs" / "heads" / "main")
    else:
        os.mkfifo(above / where)
    _settle()
    asker.timeout = 60
    args = ("status", "--as-of", AS_OF, "--by", "group", "--records", str(tree))
    for _ in range(2):
        try:
            _same_as_fresh(asker, *args)
        except subprocess.TimeoutExpired:  # pragma: no cover - the failure itself
            pytest.fail(f"a FIFO at {where}: the look waited for a writer")


@pytest.mark.parametrize("change", ["a unit edited", "a commit made"])
def test_a_change_while_the_command_runs_is_not_kept(
    asker: Asker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """What the command read may be what changed after the look began: its answer is kept
    only if the tree and git look the same when it ends. (A commit made meanwhile, then
    undone with ``git reset --soft``, gives back HEAD's bytes: the answer of the commit would
    be the one given.)"""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _git(tree, "init", "-q")
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "first")
    _settle()
    monkeypatch.setenv("XDG_CACHE_HOME", str(asker.cache))
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    argv = ["duchu", "status", "--by", "group", "--records", str(tree)]

    def run() -> None:
        if change == "a unit edited":
            unit = _first(tree, "units/*.yaml")
            unit.write_text(unit.read_text("utf-8") + "# edited\n", "utf-8")
        else:
            _git(tree, "commit", "-q", "--allow-empty", "-m", "meanwhile")
        sys.exit(0)

    with pytest.raises(SystemExit):
        answers.answer(argv, run)
    assert asker.kept() == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_stream_that_refuses_the_answer_is_told_as_a_fresh_run_tells_it(
    asker: Asker, tmp_path: Path
) -> None:
    """A kept answer written to a stream that refuses it (a full disk: ``> /dev/full``, which
    is no terminal, so the same question as ``> file``) ends as a fresh run ends: one line
    that says why, status 2 -- not a traceback."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    args = ("check", "--records", str(tree))
    _same_as_fresh(asker, *args)
    assert not asker.ask(*args)[3]  # kept

    def to_full_disk(**env: str) -> tuple[int, bytes]:
        with open("/dev/full", "wb") as full:
            done = subprocess.run(
                [sys.executable, "-c", _ASK, str(asker.mark), *args],
                stdout=full,
                stderr=subprocess.PIPE,
                env={**asker.env, **env},
                cwd=asker.folder,
                timeout=300,
            )
        return done.returncode, done.stderr

    status, said = to_full_disk()
    assert (status, said) == to_full_disk(DUCHU_NO_ANSWERS="1")
    assert status == 2 and b"Traceback" not in said


def test_an_answer_given_as_midnight_passes_is_not_kept(
    asker: Asker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key says which day it is as the question is asked; a command that runs past
    midnight judges as of the new day: its answer is not the key's day's."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    monkeypatch.setenv("XDG_CACHE_HOME", str(asker.cache))
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    day = [(2014, 4, 20)]
    monkeypatch.setattr(answers, "_today", lambda: day[0])
    argv = ["duchu", "check", "--records", str(tree)]

    def run_past_midnight() -> None:
        day[0] = (2014, 4, 21)
        sys.exit(0)

    with pytest.raises(SystemExit):
        answers.answer(argv, run_past_midnight)
    assert asker.kept() == []
    with pytest.raises(SystemExit):  # the same day throughout: kept
        answers.answer(argv, lambda: sys.exit(0))
    assert len(asker.kept()) == 1


def test_a_link_gone_as_it_is_looked_at_is_a_change_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link listed, then removed before what it names is read: the look says so."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    (tree / "meetings" / "linked").symlink_to(_first(tree, "meetings/*/"))
    question = answers.question_of(["check", "--records", str(tree)], {}, str(tmp_path))
    assert question is not None
    before = answers._look(question, {}, ()).digest.digest()

    def gone(path: object) -> str:
        raise FileNotFoundError(2, "gone", path)

    monkeypatch.setattr(os, "readlink", gone)
    assert answers._look(question, {}, ()).digest.digest() != before


@pytest.mark.parametrize("where", ["GIT_CONFIG_GLOBAL", "an [include] of the repository's"])
def test_every_configuration_file_git_reads_is_looked_at(tmp_path: Path, where: str) -> None:
    """git reads the configuration files the environment names, and every file an
    ``[include]`` names; a change to one is another look at git."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _git(tree, "init", "-q")
    included = tmp_path / "more.gitconfig"
    included.write_text("[diff]\n\trenameLimit = 5\n")
    environ: dict[str, str] = {}
    if where == "GIT_CONFIG_GLOBAL":
        environ["GIT_CONFIG_GLOBAL"] = str(included)
    else:
        with open(tree / ".git" / "config", "a", encoding="utf-8") as config:
            config.write(f"[include]\n\tpath = {included}\n")
    args = ["status", "--by", "group", "--records", str(tree)]
    question = answers.question_of(args, environ, str(tmp_path))
    assert question is not None

    def looked() -> bytes:
        return answers._look(question, environ, ()).digest.digest()

    before = looked()
    included.write_text("[diff]\n\trenameLimit = 50000\n")
    assert looked() != before


def test_an_answer_drawn_as_the_terminal_is_resized_is_not_kept(
    asker: Asker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key says how wide the terminal is as the question is asked; a table drawn after
    the window was resized is of another width, not the key's."""
    tree = copy_tree(SAMPLE, tmp_path / "records")
    _settle()
    monkeypatch.setenv("XDG_CACHE_HOME", str(asker.cache))
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    sizes = [[None, (80, 24), None]]
    monkeypatch.setattr(answers, "_terminal_sizes", lambda: sizes[0])
    argv = ["duchu", "check", "--records", str(tree)]

    def run_while_resized() -> None:
        sizes[0] = [None, (120, 40), None]
        sys.exit(0)

    with pytest.raises(SystemExit):
        answers.answer(argv, run_while_resized)
    assert asker.kept() == []
    with pytest.raises(SystemExit):  # the same size throughout: kept
        answers.answer(argv, lambda: sys.exit(0))
    assert len(asker.kept()) == 1


def test_a_package_installed_beside_duchu_is_another_answer(tmp_path: Path) -> None:
    """Typer, rich and pydantic bring libraries of their own (typing_extensions,
    shellingham, ...): a package installed, upgraded or removed anywhere in site-packages
    makes a new ``*.dist-info`` there, and a new key."""
    site = tmp_path / "lib" / "site-packages"
    site.mkdir(parents=True)
    question = answers.question_of(["--help"], {}, str(tmp_path))
    assert question is not None
    saved = list(sys.path)
    try:
        sys.path.append(str(site))
        before = answers._key(["duchu", "--help"], {}, str(tmp_path), question)
        (site / "somelib-1.0.dist-info").mkdir()
        after = answers._key(["duchu", "--help"], {}, str(tmp_path), question)
    finally:
        sys.path[:] = saved
    assert before != after
