"""The server hook against a small model of who may change what: generated sequences of
pushes by random accounts touching random files, and on every push the hook must decide
what the model decides.

The model knows the office's records as plain dictionaries -- which group each unit is in,
which units each meeting is of, which meeting names which ballot file -- and says, for each
commit, whose records it touches (before and after) and whether the pusher may: the office
anything; a group's accounts their groups' records; nobody but the office campaign.yaml;
anyone the files that are nobody's records; nobody anything when no pusher is named. A
push is accepted when every commit is allowed and the last one leaves a valid tree.

The pushes are real commits in a clone. The first sequences (200 pushes each) hand each push
to the hook as git would -- ``duchu hook run pre-receive`` in the central repository, its
input the ref update, before the ref moves -- in this process, with the clone's objects
readable from the central repository as a push's quarantine makes them; the ref moves
when the hook accepts. The last sequence pushes for real, through git and the installed hook.
"""

from __future__ import annotations

import copy
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.test_hooks import git, ref

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
runner = CliRunner()

ACCOUNTS = {"g1": ["c1", "c12"], "g2": ["c2", "c12"], "g3": ["c3"]}
PUSHERS = ["office", "c1", "c2", "c12", "c3", "stranger", None]
# what a commit does, as often as it comes up here
CHANGES = ["unit", "unit", "move", "meeting", "meeting", "ballot", "add", "delete", "campaign"]
CHANGES += ["free", "group"]

CAMPAIGN = """\
name: 党的群众路线教育实践活动
office_accounts: [office]
year: 2014
meeting_kinds:
  coordination: 协调会
  visit: 督导检查
  summary: {name: 总结大会, appraisal: true}
phases:
  - id: study
    name: 学习教育、听取意见
    start: 2014-02-11
    due: 2014-09-30
    actions:
      - {id: plan, name: 审定实施方案, due: 2014-02-28}
      - {id: summary_meeting, name: 召开总结大会, due: 2014-09-30, meeting: summary}
"""


@dataclass
class Model:
    """What the records hold, as far as who owns what goes."""

    units: dict[str, str] = field(default_factory=dict)  # unit -> group
    meetings: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # how, whom
    ballots: dict[str, str] = field(default_factory=dict)  # ballot file -> meeting
    counter: int = 0

    def meeting_groups(self, meeting: str) -> set[str]:
        how, whom = self.meetings[meeting]
        if how == "group":
            return set(whom)
        return {self.units[u] for u in whom if u in self.units}

    def ballot_groups(self, ballot: str) -> set[str]:
        meeting = self.ballots[ballot]
        return self.meeting_groups(meeting) if meeting in self.meetings else set()


def unit_text(group: str, extra: str = "") -> str:
    return f"name: 单位\ngroup: {group}\nleaders: [甲某]\n{extra}"


def meeting_text(how: str, whom: list[str], kind: str = "visit", ballots: str = "") -> str:
    target = f"{how}: {whom[0]}" if how in ("unit", "group") else f"units: [{', '.join(whom)}]"
    text = f"date: 2014-03-10\n{target}\nkind: {kind}\n"
    if ballots:
        text += f"appraisal:\n  distributed: 10\n  ballots: {ballots}\n"
    return text


def initial(root: Path) -> Model:
    model = Model()
    files = {"campaign.yaml": CAMPAIGN, "README.md": "活动办记录库\n"}
    for group, accounts in ACCOUNTS.items():
        files[f"groups/{group}.yaml"] = (
            f"name: 第{group}组\nleader: 组长{group}\naccounts: [{', '.join(accounts)}]\n"
        )
    for i, group in enumerate(["g1", "g1", "g2", "g2", "g3", "g3"], start=1):
        model.units[f"u{i}"] = group
        files[f"units/u{i}.yaml"] = unit_text(group)
        model.meetings[f"m-u{i}"] = ("unit", [f"u{i}"])
        files[f"meetings/m-u{i}.yaml"] = meeting_text("unit", [f"u{i}"])
    for group in ACCOUNTS:
        model.meetings[f"m-{group}"] = ("group", [group])
        files[f"meetings/m-{group}.yaml"] = meeting_text("group", [group], "coordination")
    model.meetings["m-joint"] = ("units", ["u1", "u3"])
    files["meetings/m-joint.yaml"] = meeting_text("units", ["u1", "u3"])
    for unit in ("u1", "u4"):
        model.meetings[f"s-{unit}"] = ("unit", [unit])
        model.ballots[f"meetings/s-{unit}.csv"] = f"s-{unit}"
        files[f"meetings/s-{unit}.yaml"] = meeting_text("unit", [unit], "summary", f"s-{unit}.csv")
        files[f"meetings/s-{unit}.csv"] = "领导班子,甲某\n好,较好\n差,好\n"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return model


@dataclass
class Change:
    """One commit: what it did, whose records it touched (None: the campaign's), whether it
    leaves the tree invalid."""

    what: str
    owners: set[str]
    campaign: bool = False
    breaks: bool = False


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def random_change(rng: random.Random, model: Model, root: Path) -> Change:
    """Make one change in the clone and in the model; say whose records it touched."""
    model.counter += 1
    n = model.counter
    kind = rng.choice(CHANGES)
    if kind == "unit":
        unit = rng.choice(sorted(model.units))
        append(root, f"units/{unit}.yaml", f"# {n}\n")
        return Change(f"edit units/{unit}.yaml", {model.units[unit]})
    if kind == "move":
        unit = rng.choice(sorted(model.units))
        old, new = model.units[unit], rng.choice(sorted(ACCOUNTS))
        (root / f"units/{unit}.yaml").write_text(unit_text(new, f"# {n}\n"), encoding="utf-8")
        model.units[unit] = new
        return Change(f"move {unit} {old}->{new}", {old, new})
    if kind == "meeting" and model.meetings:
        meeting = rng.choice(sorted(model.meetings))
        append(root, f"meetings/{meeting}.yaml", f"# {n}\n")
        return Change(f"edit meeting {meeting}", model.meeting_groups(meeting))
    if kind == "ballot":
        ballot = rng.choice(sorted(model.ballots))
        append(root, ballot, rng.choice(["好,好\n", "一般,\n", "差,较好\n"]))
        return Change(f"edit {ballot}", model.ballot_groups(ballot))
    if kind == "add":
        unit = rng.choice(sorted(model.units))
        meeting = f"new/m{n}"
        path = root / f"meetings/{meeting}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(meeting_text("unit", [unit]), encoding="utf-8")
        model.meetings[meeting] = ("unit", [unit])
        return Change(f"add {meeting} of {unit}", {model.units[unit]})
    if kind == "delete" and model.meetings:
        meeting = rng.choice(sorted(model.meetings))
        owners = model.meeting_groups(meeting)
        (root / f"meetings/{meeting}.yaml").unlink()
        del model.meetings[meeting]
        return Change(f"delete {meeting}", owners)
    if kind == "campaign":
        append(root, "campaign.yaml", f"# {n}\n")
        return Change("edit campaign.yaml", set(), campaign=True)
    if kind == "group":
        group = rng.choice(sorted(ACCOUNTS))
        append(root, f"groups/{group}.yaml", f"# {n}\n")
        return Change(f"edit groups/{group}.yaml", {group})
    append(root, "README.md", f"{n}\n")
    return Change("edit README.md", set())


def may(pusher: str | None, changes: list[Change]) -> bool:
    """The model's verdict on a push."""
    if changes and changes[-1].breaks:
        return False
    if pusher is None:
        return False
    if pusher == "office":
        return True
    mine = {group for group, accounts in ACCOUNTS.items() if pusher in accounts}
    return all(not c.campaign and c.owners <= mine for c in changes)


class Office:
    """The central repository and one clerk's clone, pushing either through the hook run in
    this process or through git itself."""

    def __init__(self, tmp: Path, real: bool, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = real
        self.monkeypatch = monkeypatch
        self.central = tmp / "central.git"
        git(tmp, "init", "--quiet", "--bare", str(self.central))
        git(self.central, "symbolic-ref", "HEAD", "refs/heads/master")
        self.work = tmp / "work"
        self.work.mkdir()
        self.model = initial(self.work)
        git(self.work, "init", "--quiet")
        git(self.work, "add", "--all")
        git(self.work, "commit", "--quiet", "-m", "records")
        git(self.work, "remote", "add", "origin", str(self.central))
        git(self.work, "push", "--quiet", "origin", "HEAD:refs/heads/master")
        checked = runner.invoke(app, ["check", "--records", str(self.work)])
        assert checked.exit_code == 0, checked.output
        if real:
            done = runner.invoke(app, ["hook", "install", "--server", str(self.central)])
            assert done.exit_code == 0, done.output
        else:  # what a push's quarantine does: the pushed objects are readable
            alternates = self.central / "objects" / "info" / "alternates"
            alternates.write_text(f"{self.work / '.git' / 'objects'}\n", encoding="utf-8")

    def commit(self, message: str) -> None:
        git(self.work, "add", "--all")
        git(self.work, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", message)

    def push(self, pusher: str | None) -> bool:
        if self.real:
            done = git(
                self.work, "push", "--quiet", "origin", "HEAD:master", who=pusher, check=False
            )
            return done.returncode == 0
        old = ref(self.central)
        new = ref(self.work, "HEAD")
        assert old is not None and new is not None
        env = {k: None for k in ("GL_USER", "GL_USERNAME", "GITEA_PUSHER_NAME")}
        self.monkeypatch.chdir(self.central)
        done = runner.invoke(
            app,
            ["hook", "run", "pre-receive"],
            input=f"{old} {new} refs/heads/master\n".encode(),
            env={**env, "DUCHU_PUSHER": pusher},
        )
        assert done.exit_code in (0, 1), done.output  # 2 would be the hook failing
        if done.exit_code == 0:
            git(self.central, "update-ref", "refs/heads/master", new, old)
        return done.exit_code == 0

    def undo(self) -> None:
        git(self.work, "fetch", "--quiet", "origin")
        git(self.work, "reset", "--quiet", "--hard", "origin/master")
        git(self.work, "clean", "--quiet", "-fdx")


def run_sequence(office: Office, seed: int, pushes: int) -> dict[bool, int]:
    rng = random.Random(seed)
    outcomes = {True: 0, False: 0}
    for step in range(pushes):
        pusher = rng.choice(PUSHERS)
        saved = copy.deepcopy(office.model)
        changes = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            change = random_change(rng, office.model, office.work)
            changes.append(change)
            office.commit(change.what)
        if rng.random() < 0.08:  # now and then, a tree that does not check
            append(office.work, f"units/{rng.choice(sorted(office.model.units))}.yaml", "bad: 1\n")
            changes.append(Change("break a unit", set(), breaks=True))
            office.commit("break")
        expected = may(pusher, changes)
        accepted = office.push(pusher)
        assert accepted == expected, (
            f"seed {seed}, push {step} by {pusher}: the hook "
            f"{'accepted' if accepted else 'refused'} {[c.what for c in changes]}"
        )
        outcomes[accepted] += 1
        if not accepted:
            office.model = saved
            office.undo()
    return outcomes


@pytest.mark.parametrize("seed", [1])
def test_two_hundred_pushes_agree_with_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)  # as on a server: warm after the first
    office = Office(tmp_path, real=False, monkeypatch=monkeypatch)
    outcomes = run_sequence(office, seed, 200)
    # both verdicts come up often: the sequence is not trivially one-sided
    assert outcomes[True] >= 40 and outcomes[False] >= 40, outcomes
    # and what was accepted is still a valid tree
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["check", "--records", str(office.work)]).exit_code == 0


def test_real_pushes_agree_with_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("DUCHU_NO_CACHE", "1")  # every push cold: the other way the hook goes
    for name in ("GL_USER", "GL_USERNAME", "GITEA_PUSHER_NAME", "DUCHU_PUSHER"):
        monkeypatch.delenv(name, raising=False)
    office = Office(tmp_path, real=True, monkeypatch=monkeypatch)
    outcomes = run_sequence(office, 3, 20)
    assert outcomes[True] and outcomes[False], outcomes
