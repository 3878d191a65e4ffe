"""What the circular's speed rests on (issue 25) says the same as the slow way.

- each group's status cut out of one whole-tree ``unit_status`` (``group_slices``) is the
  group's own ``unit_status``, unit by unit, in the same order, on every day;
- the files' dates kept per commit and day (``duchu.records.kept_dates``) are git's
  answer, read back equal, and a new commit is asked of git again;
- the circular is the same with every cache warm as read cold.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.git.history import file_dates
from duchu.judge.asof import load_done
from duchu.judge.status import group_slices, unit_status
from duchu.records import kept_dates
from duchu.records.kept_dates import checkout_and_kept_dates, kept_file_dates
from duchu.records.reports import WorkReports
from tests.conftest import SAMPLE, copy_tree
from tests.sample_history import build_sample_repository

runner = CliRunner()
DAYS = [date(2014, 2, 20), date(2014, 2, 28), date(2014, 3, 1), date(2014, 4, 20)]


def _shown(report: object) -> list[tuple[str, list[tuple[str, str, object]]]]:
    units = report.units  # type: ignore[attr-defined]
    groups = report.groups  # type: ignore[attr-defined]
    return [(u.id, [(a.planned.id, a.state, a.done) for a in u.actions]) for u in units] + [
        (g.id, [(a.planned.id, a.state, a.done) for a in g.actions]) for g in groups
    ]


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("phase", ["study", "criticism", None])
def test_a_groups_slice_is_its_own_status(tmp_path: Path, day: date, phase: str | None) -> None:
    tree = load_done(copy_tree(SAMPLE, tmp_path / "records"), use_cache=False)
    whole = unit_status(tree, day, phase=phase)
    sliced = group_slices(whole, tree)
    assert list(sliced) == list(tree.groups)
    for gid in tree.groups:
        own = unit_status(tree, day, group=gid, phase=phase)
        assert _shown(sliced[gid]) == _shown(own), gid
        assert [u.due for u in sliced[gid].units] == [u.due for u in own.units]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return build_sample_repository(tmp_path_factory.mktemp("history") / "records")


def _head(root: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_kept_dates_are_gits_answer(history: Path, day: date) -> None:
    head = _head(history)
    asked = file_dates(history, day, rule=WorkReports())
    first = kept_file_dates(history, day, head, WorkReports())  # asked of git, kept
    again = kept_file_dates(history, day, head, WorkReports())  # read back
    assert first == asked
    assert again == asked
    assert again.added and again.changed and again.reported


def test_kept_dates_are_read_back_not_asked_again(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day, head = date(2014, 3, 5), _head(history)
    expected = kept_file_dates(history, day, head, WorkReports())

    def no_git(*args: object, **kwargs: object) -> object:
        raise AssertionError("git asked although the dates were kept")

    monkeypatch.setattr(kept_dates, "file_dates", no_git)
    assert kept_file_dates(history, day, head, WorkReports()) == expected


def test_dates_too_large_to_read_back_are_not_kept(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day, head = date(2014, 3, 7), _head(history)
    monkeypatch.setattr(kept_dates, "MAX_KEPT_BYTES", 100)
    assert kept_file_dates(history, day, head, WorkReports()) == file_dates(
        history, day, rule=WorkReports()
    )
    folder = kept_dates.user_cache_folder(history, kept_dates.PURPOSE)
    assert not list(folder.glob(f"{head}.{day.isoformat()}.*"))


def test_a_new_commit_is_asked_of_git_again(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = build_sample_repository(tmp_path / "records")
    day = date(2014, 9, 30)
    state, before = checkout_and_kept_dates(root, day, WorkReports())
    assert state is not None and before is not None
    name = min(
        (path for path in before.changed if path.startswith("meetings/")),
        key=lambda path: before.changed[path],
    )
    meeting = root / name
    meeting.write_text(meeting.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    environment = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "GIT_AUTHOR_DATE": "2014-09-01T12:00:00+08:00",
        "GIT_COMMITTER_DATE": "2014-09-01T12:00:00+08:00",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "commit", "-qam", "later"], cwd=root, env=environment, check=True)
    state_after, after = checkout_and_kept_dates(root, day, WorkReports())
    assert state_after is not None and state_after[0] == _head(root) != state[0]
    assert after == file_dates(root, day, rule=WorkReports())
    assert after is not None and after.changed[name] == date(2014, 9, 1) != before.changed[name]
    kept = list((kept_dates.user_cache_folder(root, kept_dates.PURPOSE)).glob("*.json"))
    assert kept and all(path.name.startswith(f"{_head(root)}.") for path in kept)


def test_the_circular_is_the_same_warm_as_cold(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arguments = ["report", "--records", str(history), "--phase", "study"]
    arguments += ["--as-of", "2014-03-01"]
    cold = runner.invoke(app, arguments)
    assert cold.exit_code == 0, cold.output
    monkeypatch.delenv("DUCHU_NO_CACHE")
    for _ in range(2):  # the first fills the caches, the second reads them
        warm = runner.invoke(app, arguments)
        assert warm.exit_code == 0, warm.output
        assert warm.stdout == cold.stdout


def _markdown_text_the_long_way(text: str) -> str:
    """``markdown_text`` without its shortcut for plain text: every rule applied."""
    from duchu.render import templating as t

    if "\n" in text or "\r" in text:
        text = t._LINE_BREAKS.sub(" ", text)
    text = t._MARKDOWN_SYNTAX.sub(r"\\\g<0>", text)
    core = text.lstrip()
    lead = text[: len(text) - len(core)]
    start = t._BLOCK_START.match(core)
    if start is not None:
        at = start.start() if core[:1] in "-+=" else start.end() - 1
        core = core[:at] + "\\" + core[at:]
    body = core.rstrip()
    return t._references(lead) + body + t._references(core[len(body) :])


_MARKDOWNISH = st.sampled_from(list("ab组 \t\u3000\n\r-+=.)0123456789#|*_`\\[]<>~&x\u00a0月日"))


@settings(max_examples=3000)
@given(
    st.text(_MARKDOWNISH, max_size=14)
    | st.text(max_size=10)
    | st.from_regex(r"[0-9]{0,12}[.)月]?.{0,3}", fullmatch=True)
)
def test_plain_text_passes_markdown_escaping_as_the_long_way_gives_it(text: str) -> None:
    from duchu.render.templating import markdown_text

    assert markdown_text(text) == _markdown_text_the_long_way(text)
