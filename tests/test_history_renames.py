"""A meeting file moved or renamed keeps the date it first arrived (CLI.md 1.2, git's rename
detection): ``duchu.git.history.file_dates`` follows moves back to the first addition, with
real git."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from duchu.git.history import file_dates
from tests.test_gitlayer import commit, day, git, new_repo
from tests.test_office import COMMITS, by_group
from tests.test_office import git as office_git
from tests.test_office import write_tree as write_office

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names"),
]

MEETING = "date: 2014-03-01\nunit: a\nkind: mobilization\nattended_by: [张某]\nnotes: 动员。\n"


def test_a_file_moved_into_a_sub_folder_keeps_its_first_date(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    root = repo / "记录"
    commit(repo, "2014-03-02T10:00:00+08:00", {"记录/meetings/a-mob.yaml": MEETING})
    (root / "meetings" / "2014-03").mkdir()
    git(repo, "mv", "记录/meetings/a-mob.yaml", "记录/meetings/2014-03/a-mob.yaml")
    commit(repo, "2014-10-20T10:00:00+08:00")
    dates = file_dates(root, day("2014-12-31"))
    assert dates.added == {"meetings/2014-03/a-mob.yaml": day("2014-03-02")}
    assert dates.changed == {
        "meetings/2014-03/a-mob.yaml": day("2014-10-20"),
        "meetings/a-mob.yaml": day("2014-10-20"),  # where it was: it left on the 20th
    }
    # before the move, the file is known by its name now and arrived on the 2nd
    assert file_dates(root, day("2014-03-05")).added == {
        "meetings/2014-03/a-mob.yaml": day("2014-03-02")
    }


def test_renames_chained_edited_and_a_new_file_at_the_old_path(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    commit(repo, "2014-03-01T10:00:00+08:00", {"meetings/a.yaml": MEETING})
    commit(repo, "2014-03-05T10:00:00+08:00", {"meetings/a.yaml": None, "meetings/b.yaml": MEETING})
    # moved again with a small edit, and a new file written where it first was
    commit(
        repo,
        "2014-03-09T10:00:00+08:00",
        {
            "meetings/b.yaml": None,
            "meetings/2014-03/c.yaml": MEETING + "people: 12\n",
            "meetings/a.yaml": "date: 2014-03-08\nunit: b\nkind: talk\n",
        },
    )
    dates = file_dates(repo, day("2014-12-31"))
    assert dates.added == {
        "meetings/2014-03/c.yaml": day("2014-03-01"),  # followed through two moves
        "meetings/a.yaml": day("2014-03-09"),  # another file: it arrived on the 9th
    }


def test_a_file_deleted_and_written_again_later_is_not_a_rename(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    commit(repo, "2014-03-01T10:00:00+08:00", {"meetings/a.yaml": MEETING})
    commit(repo, "2014-03-05T10:00:00+08:00", {"meetings/a.yaml": None})
    commit(repo, "2014-03-09T10:00:00+08:00", {"meetings/x/b.yaml": MEETING})
    assert file_dates(repo, day("2014-12-31")).added == {
        "meetings/a.yaml": day("2014-03-01"),
        "meetings/x/b.yaml": day("2014-03-09"),
    }


def test_renames_are_followed_whatever_the_repository_configures(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    git(repo, "config", "diff.renames", "false")
    commit(repo, "2014-03-01T10:00:00+08:00", {"meetings/a.yaml": MEETING})
    commit(
        repo, "2014-04-01T10:00:00+08:00", {"meetings/a.yaml": None, "meetings/m/a.yaml": MEETING}
    )
    assert file_dates(repo, day("2014-12-31")).added == {"meetings/m/a.yaml": day("2014-03-01")}


def _committed_office(tmp_path: Path) -> tuple[Path, Path]:
    """The office's repository (``top``) with its records (``root``) committed as COMMITS."""
    top = tmp_path / "office"
    top.mkdir()
    office_git(top, "init", "--quiet", "--initial-branch=main")
    root = top / "记录"
    for when, files in COMMITS:
        write_office(root, files)
        office_git(top, "add", "--all")
        office_git(top, "commit", "--quiet", "-m", "记录", when=when)
    return top, root


def test_the_office_report_delay_survives_a_move_into_a_sub_folder(tmp_path: Path) -> None:
    top, root = _committed_office(tmp_path)
    before = by_group(root, "--as-of", "2014-10-10")
    assert before["ga"]["report_delay_days"] == {"median": 6, "max": 7}
    # the clerk files a1's meeting under a sub-folder in October
    later = "2014-10-01T10:00:00+08:00"
    (root / "meetings" / "一组").mkdir()
    office_git(top, "mv", "记录/meetings/2014-02/a1-mob.yaml", "记录/meetings/一组/a1-mob.yaml")
    office_git(top, "commit", "--quiet", "-m", "整理", when=later)
    after = by_group(root, "--as-of", "2014-10-10")
    assert after["ga"]["report_delay_days"] == before["ga"]["report_delay_days"]


@pytest.mark.parametrize("at_once", [1, 2])
def test_reports_read_a_few_files_at_a_time_date_the_same(
    at_once: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contents that tell whether a change reports are read a batch of files at a time
    (a province's every blob at once was 100 MB): whatever the batch, the same dates."""
    import duchu.git.history
    from duchu.records.reports import WorkReports

    _, root = _committed_office(tmp_path)
    as_of = day("2014-10-10")
    whole = file_dates(root, as_of, rule=WorkReports())
    assert whole.reported and whole.reported.keys() <= whole.changed.keys()
    monkeypatch.setattr(duchu.git.history, "_FILES_READ_AT_ONCE", at_once)
    assert file_dates(root, as_of, rule=WorkReports()) == whole
