"""The sample ``records/`` as the git history an activity office would have kept.

The sample ships as plain files inside duchu's own repository, so anything that reads git
history (``status --known``, ``status --by group``'s ``last_change`` and
``report_delay_days``, ``log``) has nothing to read from it. ``build_sample_repository``
copies the tree (without duchu's cache) into a new folder, makes it a repository and
commits the records in the order and at the dates the office and its three groups would
have committed them. Everything is fixed -- dates, authors, messages, the order -- so the
same commits, with the same ids, come out on every run and every machine.

The history, in the order of the commits (all times +08:00):

- 2014-02-10 09:00, the activity office (周某): ``campaign.yaml`` and a ``.gitignore``
  that keeps duchu's cache out of commits.
- 2014-02-11, -12, -13 09:00: ``groups/g1.yaml``, ``groups/g2.yaml``, ``groups/g3.yaml``,
  each by its group's recorder (below).
- 2014-02-14, -15, -17 09:00: each group's unit files, one commit per group (g1, g2, g3).
  A unit file is committed once, with everything it holds (its later ``done`` entries and
  findings too): only the meetings carry a reporting habit.
- Every meeting file (with its ballot CSV, if any) in a commit of its own by its group's
  recorder, at 18:00 on the day ``DELAYS`` gives after the meeting's date. Commits that
  fall on one day are three minutes apart, in the order (group, meeting id). 18:00 +08:00
  is 10:00 UTC of the same day, so a commit's day is the same in either zone.
- (1.2) Every notice file in a commit of its own by the recorder of the group that gave it,
  at 12:00 on the notice's date (three minutes apart on one day, in id order).

Reporting habits: days from a meeting's date to the commit that adds its file. A meeting
belongs to the group of its units (``unit``, ``units`` or ``group``):

=====  ========  =========================================  ==================  ========
group  recorder  meetings with an ``appraisal`` (动员大会,  专题民主生活会      any other
                 总结大会: ballots to count first)
=====  ========  =========================================  ==================  ========
g1     曹某      2                                          1                   1
g2     孙某      7                                          5                   3
g3     田某      21                                         17                  14
=====  ========  =========================================  ==================  ========

So over the whole history (every meeting committed): g1's 27 meetings (8 with an
appraisal) have median 1 and max 2; g2's 36 (14 with an appraisal, 7 democratic life, 15
other) median 5, max 7; g3's 14 (6, 4, 4) median 17, max 21. Counting only the files
committed on or before a day: as of 2014-06-20, g1 20 meetings, median 1, max 2; g2 29,
median 3, max 7; g3 8, median 17.5, max 21; as of 2014-09-30, g1 27 (1, 2), g2 30 (4, 7),
g3 12 (17, 21). ``meeting_commits`` gives every meeting's date and commit day, for tests
that want the numbers as of another day.

Run ``python -m tests.sample_history DEST`` (from the project folder) to build one by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import yaml

SAMPLE = Path(__file__).parent.parent / "records"
CHINA = timezone(timedelta(hours=8))

OFFICE = ("周某", "zhoumou@hdb.example.cn")
RECORDERS = {
    "g1": ("曹某", "caomou@g1.example.cn"),
    "g2": ("孙某", "sunmou@g2.example.cn"),
    "g3": ("田某", "tianmou@g3.example.cn"),
}
# group -> (with an appraisal, democratic life, any other): days from meeting to commit
DELAYS = {
    "g1": (2, 1, 1),
    "g2": (7, 5, 3),
    "g3": (21, 17, 14),
}
GROUP_DAYS = {"g1": date(2014, 2, 11), "g2": date(2014, 2, 12), "g3": date(2014, 2, 13)}
UNIT_DAYS = {"g1": date(2014, 2, 14), "g2": date(2014, 2, 15), "g3": date(2014, 2, 17)}
MORNING = time(9, 0)
EVENING = time(18, 0)
NOON = time(12, 0)
GITIGNORE = ".duchu-cache/\n"


@dataclass(frozen=True)
class MeetingCommit:
    """One meeting file of the sample and when the history commits it."""

    id: str  # the meeting id, e.g. "2014-02/jiaoyu-mobilization"
    group: str
    held: date
    committed: date

    @property
    def delay(self) -> int:
        return (self.committed - self.held).days


@dataclass(frozen=True)
class _Commit:
    when: datetime
    author: tuple[str, str]
    message: str
    files: tuple[str, ...]


def _read(path: Path) -> dict[str, object]:
    # BaseLoader: every scalar stays the text it is, so dates need no YAML timestamp rules
    data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader)
    assert isinstance(data, dict), path
    return data


def _day(text: str) -> date:
    from duchu.records.dates import parse_date

    return parse_date(text, 2014)


def meeting_commits(records: Path = SAMPLE) -> list[MeetingCommit]:
    """Every meeting of ``records`` with its group and the day the history commits it, in
    the order of meeting ids."""
    unit_group = {
        path.stem: str(_read(path)["group"]) for path in sorted((records / "units").glob("*.yaml"))
    }
    found = []
    for path in sorted((records / "meetings").rglob("*.yaml")):
        data = _read(path)
        if "group" in data:
            group = str(data["group"])
        elif "units" in data:
            units = data["units"]
            assert isinstance(units, list) and units, path
            group = unit_group[str(units[0])]
        else:
            group = unit_group[str(data["unit"])]
        held = _day(str(data["date"]))
        with_appraisal, democratic_life, other = DELAYS[group]
        if "appraisal" in data:
            delay = with_appraisal
        elif data["kind"] == "democratic_life":
            delay = democratic_life
        else:
            delay = other
        meeting_id = path.relative_to(records / "meetings").with_suffix("").as_posix()
        found.append(MeetingCommit(meeting_id, group, held, held + timedelta(days=delay)))
    return found


def _ballot_files(records: Path, meeting_id: str) -> list[str]:
    """The ballot file a meeting names (``appraisal: {ballots: ...}``), as a tree path."""
    data = _read(records / "meetings" / f"{meeting_id}.yaml")
    appraisal = data.get("appraisal")
    if isinstance(appraisal, dict) and "ballots" in appraisal:
        folder = Path("meetings", meeting_id).parent
        return [(folder / str(appraisal["ballots"])).as_posix()]
    return []


def _plan(records: Path) -> list[_Commit]:
    commits = [
        _Commit(
            datetime.combine(date(2014, 2, 10), MORNING, CHINA),
            OFFICE,
            "市委活动办：活动环节、规定动作和时限",
            ("campaign.yaml", ".gitignore"),
        )
    ]
    for group, day in GROUP_DAYS.items():
        name = _read(records / "groups" / f"{group}.yaml")["name"]
        commits.append(
            _Commit(
                datetime.combine(day, MORNING, CHINA),
                RECORDERS[group],
                f"{name}：组长和成员",
                (f"groups/{group}.yaml",),
            )
        )
    for group, day in UNIT_DAYS.items():
        units = tuple(
            f"units/{path.name}"
            for path in sorted((records / "units").glob("*.yaml"))
            if _read(path)["group"] == group
        )
        commits.append(
            _Commit(
                datetime.combine(day, MORNING, CHINA),
                RECORDERS[group],
                f"被督导单位 {len(units)} 个：领导班子、完成情况、存在问题",
                units,
            )
        )
    meetings = sorted(meeting_commits(records), key=lambda m: (m.committed, m.group, m.id))
    per_day: dict[date, int] = {}
    for meeting in meetings:
        index = per_day.get(meeting.committed, 0)
        per_day[meeting.committed] = index + 1
        when = datetime.combine(meeting.committed, EVENING, CHINA) + timedelta(minutes=3 * index)
        commits.append(
            _Commit(
                when,
                RECORDERS[meeting.group],
                f"会议记录 {meeting.id}（{meeting.held.isoformat()}）",
                (f"meetings/{meeting.id}.yaml", *_ballot_files(records, meeting.id)),
            )
        )
    notices = (
        sorted((records / "notices").rglob("*.yaml")) if (records / "notices").is_dir() else []
    )
    group_ids = {
        str(_read(path)["name"]): path.stem for path in (records / "groups").glob("*.yaml")
    }
    per_day = {}
    for path in notices:
        data = _read(path)
        giver = group_ids.get(str(data["by"]), str(data["by"]))  # a name or an id
        held = _day(str(data["date"]))
        index = per_day.get(held, 0)
        per_day[held] = index + 1
        rel = path.relative_to(records).as_posix()
        commits.append(
            _Commit(
                datetime.combine(held, NOON, CHINA) + timedelta(minutes=3 * index),
                RECORDERS.get(giver, OFFICE),
                f"督办 {rel.removeprefix('notices/').removesuffix('.yaml')}",
                (rel,),
            )
        )
    commits.sort(key=lambda commit: commit.when)
    # one history, in the order of time: `--known` takes the last commit before a day
    assert all(a.when < b.when for a, b in pairwise(commits))
    return commits


def _git(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def build_sample_repository(dest: Path, records: Path = SAMPLE) -> Path:
    """A git repository at ``dest`` (new or empty) holding ``records`` committed as the
    office and its groups would have: see the module's docstring. Returns ``dest``."""
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    without_cache = shutil.ignore_patterns(".duchu-cache")
    shutil.copytree(records, dest, ignore=without_cache, dirs_exist_ok=True)
    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    # No user or system configuration: no signing, hooks, templates or autocrlf of the
    # machine running this may change what is committed (or its ids).
    base = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(dest)),
        "LC_ALL": "C",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TEMPLATE_DIR": "",
    }
    _git(["init", "--quiet", "--initial-branch=main"], dest, base)
    for commit in _plan(records):
        stamp = commit.when.isoformat()
        name, email = commit.author
        env = {
            **base,
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": stamp,
        }
        _git(["add", "--", *commit.files], dest, env)
        _git(["commit", "--quiet", "--no-verify", "-m", commit.message], dest, env)
    return dest


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.sample_history DEST", file=sys.stderr)
        return 2
    print(build_sample_repository(Path(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
