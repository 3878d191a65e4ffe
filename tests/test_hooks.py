"""The central repository's pre-receive hook, pushed to for real: a bare repository in a
temporary folder, the hook installed by ``duchu hook install --server``, clones pushing to it
over local paths and ``file://`` as different accounts named through the environment.

The office's records are the sample tree with accounts: g1's clerk1, g2's clerk2, g3's
clerk3, clerk12 in both g1 and g2, and the office's ``office``. g1 supervises caizheng,
jiaoyu, renshe and weisheng; g2 fagaiwei and jiaotong (whose 总结大会 has a ballot file)
among others; g3 gongan, guotu, nongwei and shuili.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, copy_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
runner = CliRunner()

PUSHER_VARIABLES = ("GL_USER", "GL_USERNAME", "GITEA_PUSHER_NAME", "DUCHU_PUSHER", "REMOTE_USER")
ACCOUNTS = {"g1": ["clerk1", "clerk12"], "g2": ["clerk2", "clerk12"], "g3": ["clerk3"]}


def git_env(who: str | None = None, **extra: str) -> dict[str, str]:
    """No user or system configuration; the pusher (if any) as DUCHU_PUSHER."""
    env = {k: v for k, v in os.environ.items() if k not in PUSHER_VARIABLES}
    env.update(
        GIT_AUTHOR_NAME="clerk",
        GIT_AUTHOR_EMAIL="clerk@example.cn",
        GIT_COMMITTER_NAME="clerk",
        GIT_COMMITTER_EMAIL="clerk@example.cn",
        GIT_AUTHOR_DATE="2014-03-01T10:00:00+08:00",
        GIT_COMMITTER_DATE="2014-03-01T10:00:00+08:00",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        LC_ALL="C",
    )
    if who is not None:
        env["DUCHU_PUSHER"] = who
    env.update(extra)
    return env


def git(cwd: Path, *args: str, who: str | None = None, check: bool = True, **extra: str):
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=git_env(who, **extra), capture_output=True, text=True
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stdout}{done.stderr}")
    return done


def ref(repo: Path, name: str = "refs/heads/master") -> str | None:
    done = git(repo, "rev-parse", "--verify", "--quiet", name, check=False)
    return done.stdout.strip() or None


def with_accounts(root: Path) -> None:
    """The sample tree's groups given accounts, and the office its own."""
    for group, accounts in ACCOUNTS.items():
        path = root / "groups" / f"{group}.yaml"
        path.write_text(
            path.read_text(encoding="utf-8") + f"accounts: [{', '.join(accounts)}]\n", "utf-8"
        )
    campaign = root / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace("year: 2014\n", "year: 2014\noffice_accounts: [office]\n"))


def make_central(tmp: Path, *, accounts: bool = True) -> Path:
    """A bare repository holding the sample records (pushed by the office), with the
    server hook installed."""
    central = tmp / "central.git"
    git(tmp, "init", "--quiet", "--bare", str(central))
    git(central, "symbolic-ref", "HEAD", "refs/heads/master")
    installed = runner.invoke(app, ["hook", "install", "--server", str(central), "--lang", "en"])
    assert installed.exit_code == 0, installed.output
    assert (central / "hooks" / "pre-receive").is_file()
    seed = copy_tree(SAMPLE, tmp / "seed")
    if accounts:
        with_accounts(seed)
    git(seed, "init", "--quiet")
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "records")
    pushed = git(seed, "push", str(central), "HEAD:refs/heads/master", who="office", check=False)
    assert pushed.returncode == 0, pushed.stderr
    return central


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hook's caches on, as on a server, in a folder of the test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    return folder


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One central repository made for all the tests here, each of which gets a copy."""
    folder = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
        patch.delenv("DUCHU_NO_CACHE", raising=False)
        return make_central(folder)


@pytest.fixture
def central(tmp_path: Path, cache: Path, template: Path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "central.git", symlinks=True))


def clone(central: Path, target: Path, url: str | None = None) -> Path:
    git(central.parent, "clone", "--quiet", url or str(central), str(target))
    return target


def edit(work: Path, rel: str, text: str | None = None, *, append: str = "# 修改\n") -> None:
    """Write ``text`` to a file of the clone, or append a comment to it."""
    path = work / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        text = path.read_text(encoding="utf-8") + append
    path.write_text(text, encoding="utf-8")


def commit(work: Path, message: str = "修改") -> str:
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "--no-verify", "-m", message)
    return git(work, "rev-parse", "HEAD").stdout.strip()


def push(work: Path, who: str | None, *refspecs: str, **extra: str):
    return git(
        work, "push", "origin", *(refspecs or ("HEAD:master",)), who=who, check=False, **extra
    )


def refused(done: subprocess.CompletedProcess[str], central: Path, before: str | None) -> str:
    """The push was refused, the ref did not move; what the pusher was told."""
    assert done.returncode != 0, done.stderr
    assert "pre-receive hook declined" in done.stderr
    assert ref(central) == before
    return done.stderr


def landed(done: subprocess.CompletedProcess[str], central: Path, work: Path) -> None:
    assert done.returncode == 0, done.stderr
    assert ref(central) == git(work, "rev-parse", "HEAD").stdout.strip()


# --- what a group may change -------------------------------------------------------------------


def test_a_clerk_changes_the_own_groups_records(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    edit(work, "units/jiaoyu.yaml")
    edit(work, "meetings/2014-05/materials-review.yaml")  # jiaoyu and caizheng: both g1
    edit(work, "meetings/2014-02/g1-coordination.yaml")  # group: g1
    edit(work, "groups/g1.yaml")
    edit(work, "README.md", "组内说明\n")  # nobody's record
    commit(work)
    landed(push(work, "clerk1"), central, work)


@pytest.mark.parametrize(
    "rel",
    [
        "units/jiaotong.yaml",  # g2's unit
        "meetings/2014-09/jiaotong-summary.yaml",  # a meeting of g2's unit
        "meetings/2014-09/jiaotong-summary.csv",  # its ballot file
        "meetings/2014-02/g2-coordination.yaml",  # g2's own meeting (group: g2)
        "groups/g2.yaml",
    ],
)
def test_another_groups_record_is_refused_and_named(
    central: Path, tmp_path: Path, rel: str
) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    if rel.endswith(".csv"):
        edit(work, rel, append="999,差,差,差,差,\n")
    else:
        edit(work, rel)
    change = commit(work)
    told = refused(push(work, "clerk1"), central, before)
    line = (
        f"remote: {rel}: error: commit {change[:8]} changes records of group g2, "
        "and account clerk1 is not one of that group's; it may be changed by group g2 "
        "(市委第二督导组; accounts clerk12, clerk2), or by the office (accounts office) "
        "[not-your-group]"
    )
    assert line in told
    assert "push refused (1 problem): no branch or tag was updated" in told
    # the group's own clerk may
    landed(push(work, "clerk2"), central, work)


def test_a_deleted_or_new_record_of_another_group_is_refused(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    (work / "meetings/2014-02/g2-coordination.yaml").unlink()
    commit(work, "删除")
    assert "[not-your-group]" in refused(push(work, "clerk1"), central, before)
    git(work, "reset", "--quiet", "--hard", "origin/master")
    edit(
        work,
        "meetings/2014-10/jiaotong-visit.yaml",
        "date: 2014-10-08\nunit: jiaotong\nkind: visit\n",
    )
    commit(work, "新会议")
    told = refused(push(work, "clerk3"), central, before)
    assert "meetings/2014-10/jiaotong-visit.yaml: error:" in told
    landed(push(work, "clerk12"), central, work)


def test_every_new_commit_is_judged_not_just_the_tip(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaotong.yaml")
    sneaked = commit(work, "改别组的单位")
    git(work, "revert", "--no-edit", "HEAD")  # the tip is as it was: the history is not
    told = refused(push(work, "clerk1"), central, before)
    assert f"units/jiaotong.yaml: error: commit {sneaked[:8]}" in told


def test_moving_a_unit_needs_both_groups_or_the_office(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    unit = work / "units" / "jiaoyu.yaml"  # g1's, to g3
    unit.write_text(unit.read_text(encoding="utf-8").replace("group: g1", "group: g3"), "utf-8")
    # its meetings go with it: their attended_by must be g3's people now
    for meeting in (work / "meetings").rglob("jiaoyu-*.yaml"):
        text = meeting.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("attended_by:")]
        meeting.write_text("\n".join(lines) + "\n", encoding="utf-8")
    review = work / "meetings/2014-05/materials-review.yaml"
    review.write_text(
        review.read_text(encoding="utf-8").replace("units: [jiaoyu, caizheng]", "unit: caizheng")
    )
    commit(work, "调整分工")
    assert runner.invoke(app, ["check", "--records", str(work)]).exit_code == 0
    told = refused(push(work, "clerk1"), central, before)  # g1's own side only
    assert "units/jiaoyu.yaml: error:" in told and "group g3," in told
    told = refused(push(work, "clerk3"), central, before)  # g3's side only
    assert "units/jiaoyu.yaml: error:" in told and "group g1," in told
    landed(push(work, "office"), central, work)


def test_the_office_may_change_anything(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "campaign.yaml")
    commit(work, "调整方案")
    told = refused(push(work, "clerk12"), central, before)
    assert "campaign.yaml: error: commit" in told and "[office-only]" in told
    edit(work, "units/jiaotong.yaml")
    edit(work, "units/gongan.yaml")
    edit(work, "meetings/2014-09/jiaotong-summary.csv", append="999,差,差,差,差,\n")
    commit(work, "活动办统一修改")
    landed(push(work, "office"), central, work)
    # deleting a branch is the office's alone too
    git(work, "push", "--quiet", "origin", "HEAD:refs/heads/draft", who="office")
    told = push(work, "clerk1", ":refs/heads/draft")
    assert told.returncode != 0 and "[delete-office-only]" in told.stderr
    assert ref(central, "refs/heads/draft") is not None
    assert push(work, "office", ":refs/heads/draft").returncode == 0
    assert ref(central, "refs/heads/draft") is None


def test_no_identity_is_refused(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaoyu.yaml")
    commit(work)
    told = refused(push(work, None), central, before)
    assert (
        "remote: refs/heads/master: error: the records name accounts, but who is pushing is "
        "unknown: none of GL_USER, GL_USERNAME, GITEA_PUSHER_NAME, DUCHU_PUSHER, REMOTE_USER "
        "is set; push through the server's login (gitolite, GitLab, Gitea, a web server), or "
        "have its administrator set DUCHU_PUSHER for each key [no-pusher]"
    ) in told
    assert refused(push(work, ""), central, before)  # set, but empty


def test_the_pusher_comes_from_gitolite_gitlab_gitea_then_duchu(
    central: Path, tmp_path: Path
) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaotong.yaml")  # g2's
    commit(work)
    # the first variable set is the pusher, whatever the later ones say
    for first, rest in [
        ("GL_USER", ["GL_USERNAME", "GITEA_PUSHER_NAME"]),
        ("GL_USERNAME", ["GITEA_PUSHER_NAME"]),
        ("GITEA_PUSHER_NAME", []),
    ]:
        names = {first: "clerk1", **{name: "clerk2" for name in rest}}
        told = refused(push(work, "office", **names), central, before)
        assert "account clerk1 is not" in told
    landed(push(work, "clerk1", GL_USER="clerk2"), central, work)


def test_without_accounts_only_the_tree_is_checked(tmp_path: Path, cache: Path) -> None:
    central = make_central(tmp_path, accounts=False)
    work = clone(central, tmp_path / "work")
    edit(work, "units/jiaotong.yaml")
    edit(work, "campaign.yaml")
    commit(work)
    landed(push(work, None), central, work)


# --- what a tree must be ------------------------------------------------------------------------


def test_an_invalid_tree_is_refused_with_the_check_line(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work", url=f"file://{central}")
    before = ref(central)
    unit = work / "units" / "jiaoyu.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("group: g1", "group: zhen9"), "utf-8")
    change = commit(work, "写错了")
    told = refused(push(work, "clerk1"), central, before)
    checked = runner.invoke(app, ["--lang", "en", "check", "--records", str(work)])
    line = next(line for line in checked.stdout.splitlines() if "zhen9" in line)
    assert line.startswith("units/jiaoyu.yaml:3:8: error: unknown group 'zhen9'")
    assert (
        f"remote: the records of refs/heads/master ({change[:8]}) have errors this push "
        "brings (fix them, commit, and push again):"
    ) in told
    assert f"remote: {line}" in told
    # even the office cannot push an invalid tree
    refused(push(work, "office"), central, before)


def test_two_refs_in_one_push_one_bad_neither_moves(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaoyu.yaml")  # fine
    commit(work)
    git(work, "checkout", "--quiet", "-b", "broken")
    edit(work, "units/caizheng.yaml", "name: [未写完\n")
    commit(work, "坏了")
    told = push(work, "clerk1", "master:master", "broken:broken")
    assert told.returncode != 0
    assert ref(central) == before and ref(central, "refs/heads/broken") is None
    assert "remote: units/caizheng.yaml:2:1: error: YAML" in told.stderr
    # the same the other way round: a good tree, and a ref with another group's change
    git(work, "checkout", "--quiet", "master")
    git(work, "checkout", "--quiet", "-b", "other")
    edit(work, "units/gongan.yaml")
    commit(work, "改了三组的单位")
    told = push(work, "clerk1", "master:master", "other:other")
    assert told.returncode != 0 and "units/gongan.yaml: error:" in told.stderr
    assert ref(central) == before and ref(central, "refs/heads/other") is None


@pytest.mark.parametrize(
    ("make", "code"),
    [
        ("big", "too-large"),
        ("link-out", "outside-tree"),
        ("submodule", "not-a-file"),
    ],
)
def test_a_tree_that_cannot_be_read_is_refused_with_the_reason(
    central: Path, tmp_path: Path, make: str, code: str
) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    if make == "big":
        edit(work, "units/jiaoyu.yaml", "name: 市教育局\ngroup: g1\n" + "# 填充\n" * 800_000)
    elif make == "link-out":
        (work / "units" / "jiaoyu.yaml").unlink()
        os.symlink("/etc/passwd", work / "units" / "jiaoyu.yaml")
    if make != "submodule":
        git(work, "add", "--all")
    else:  # a gitlink in place of the unit file, as `git submodule add` leaves one
        head = git(work, "rev-parse", "HEAD").stdout.strip()
        git(work, "update-index", "--cacheinfo", f"160000,{head},units/jiaoyu.yaml")
    git(work, "commit", "--quiet", "--no-verify", "-m", make)
    told = refused(push(work, "clerk1"), central, before)
    assert "remote: units/jiaoyu.yaml:1:1: error:" in told and f"[{code}]" in told
    assert "Traceback" not in told


def test_a_hook_that_fails_refuses_the_push_in_one_line(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaoyu.yaml")
    commit(work)
    # duchu cannot be found: the installed Python gone, and no duchu on PATH
    hook = central / "hooks" / "pre-receive"
    text = hook.read_text(encoding="utf-8")
    hook.write_text(text.replace("python=", "python=/nonexistent/python #"), encoding="utf-8")
    told = refused(push(work, "clerk1", PATH="/usr/bin:/bin"), central, before)
    assert "duchu not found: push refused" in told
    # a Python that cannot import duchu (the system's, where duchu is not installed)
    system = shutil.which("python3", path="/usr/bin:/bin")
    if system and subprocess.run([system, "-P", "-c", "import duchu"]).returncode == 1:
        # (the first "python=" is the script's variable; the launcher's code holds another)
        hook.write_text(text.replace("python=", f"python={system} #", 1), encoding="utf-8")
        told = refused(push(work, "clerk1"), central, before)
        (line,) = [line for line in told.splitlines() if "duchu" in line]
        assert line.startswith("remote: duchu: 无法启动，推送被拒绝 / cannot start, push refused:")
        assert f"{system} is missing the module duchu" in line
    hook.write_text(text, encoding="utf-8")
    # the hook itself failing (here: input that is no pre-receive input) refuses, in a line
    run = subprocess.run(
        [sys.executable, "-P", "-m", "duchu", "hook", "run", "pre-receive", "--lang", "en"],
        cwd=central,
        input=b"not what git writes\n",
        capture_output=True,
        env=git_env("clerk1"),
    )
    assert run.returncode == 2
    lines = run.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "duchu failed while checking the push, push refused: the pre-receive hook was given "
        "something other than git's push lines ('not what git writes')"
    )
    landed(push(work, "clerk1"), central, work)


# --- merges and rewritten history ---------------------------------------------------------------


def test_a_merge_is_judged_by_what_it_changes_itself(central: Path, tmp_path: Path) -> None:
    one = clone(central, tmp_path / "one")
    two = clone(central, tmp_path / "two")
    edit(two, "units/jiaotong.yaml", append="# 第二组改的\n")
    commit(two, "第二组")
    landed(push(two, "clerk2"), central, two)
    edit(one, "units/jiaoyu.yaml")
    commit(one, "第一组")
    git(one, "pull", "--quiet", "--no-rebase", "--no-edit", "origin", "master")  # a plain merge
    landed(push(one, "clerk1"), central, one)
    # a merge that throws g2's change away ("-s ours") is a change to g2's record
    git(two, "pull", "--quiet", "--no-rebase", "--no-edit", "origin", "master")
    edit(two, "units/jiaotong.yaml", append="# 第二组又改了\n")
    commit(two, "第二组再改")
    landed(push(two, "clerk2"), central, two)
    edit(one, "units/jiaoyu.yaml", append="# again\n")
    commit(one, "第一组再改")
    before = ref(central)
    git(one, "fetch", "--quiet", "origin")
    git(one, "merge", "--quiet", "--no-edit", "-s", "ours", "origin/master")
    told = refused(push(one, "clerk1"), central, before)
    merge = git(one, "rev-parse", "HEAD").stdout.strip()
    assert f"units/jiaotong.yaml: error: commit {merge[:8]} changes records of group g2" in told
    # a clean merge with an edit of its own to another group's record ("evil merge")
    git(one, "reset", "--quiet", "--hard", "HEAD~1")
    git(one, "merge", "--quiet", "--no-commit", "origin/master")
    edit(one, "units/gongan.yaml")
    git(one, "add", "--all")
    git(one, "commit", "--quiet", "--no-verify", "--no-edit")
    merge = git(one, "rev-parse", "HEAD").stdout.strip()
    told = refused(push(one, "clerk1"), central, before)
    assert f"units/gongan.yaml: error: commit {merge[:8]} changes records of group g3" in told
    assert "units/jiaotong.yaml" not in told
    git(one, "reset", "--quiet", "--hard", "HEAD~1")
    git(one, "merge", "--quiet", "--no-edit", "origin/master")
    landed(push(one, "clerk1"), central, one)


def test_a_forced_push_that_drops_others_commits_is_refused(central: Path, tmp_path: Path) -> None:
    one = clone(central, tmp_path / "one")
    two = clone(central, tmp_path / "two")
    edit(two, "units/jiaotong.yaml")
    commit(two, "第二组")
    landed(push(two, "clerk2"), central, two)
    edit(one, "units/jiaoyu.yaml")
    commit(one, "第一组，没有先拉取")
    before = ref(central)
    told = refused(push(one, "clerk1", "+HEAD:master"), central, before)
    assert "units/jiaotong.yaml: error: the update" in told and "not a fast-forward" in told
    landed(push(one, "office", "+HEAD:master"), central, one)


def test_accounts_come_from_the_tree_before_the_push(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    # clerk1 writes itself into g2's accounts and changes g2's unit in the same push
    group = work / "groups" / "g2.yaml"
    group.write_text(group.read_text(encoding="utf-8").replace("clerk2,", "clerk1, clerk2,"))
    edit(work, "units/jiaotong.yaml")
    commit(work)
    told = refused(push(work, "clerk1"), central, before)
    assert "groups/g2.yaml: error:" in told and "units/jiaotong.yaml: error:" in told


def test_a_new_branch_is_judged_by_the_default_branchs_accounts(
    central: Path, tmp_path: Path
) -> None:
    work = clone(central, tmp_path / "work")
    git(work, "checkout", "--quiet", "-b", "g1-draft")
    edit(work, "units/jiaotong.yaml")
    commit(work)
    told = push(work, "clerk1", "g1-draft:g1-draft")
    assert told.returncode != 0 and "[not-your-group]" in told.stderr
    assert ref(central, "refs/heads/g1-draft") is None
    git(work, "reset", "--quiet", "--hard", "HEAD~1")
    edit(work, "units/jiaoyu.yaml")
    commit(work)
    assert push(work, "clerk1", "g1-draft:g1-draft").returncode == 0


# --- installing ---------------------------------------------------------------------------------


def test_install_server_needs_a_bare_repository_and_leaves_foreign_hooks(
    tmp_path: Path, cache: Path
) -> None:
    plain = tmp_path / "plain"
    git(tmp_path, "init", "--quiet", str(plain))
    done = runner.invoke(app, ["hook", "install", "--server", str(plain)])
    assert done.exit_code == 2 and "不是裸仓库" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    foreign = bare / "hooks" / "pre-receive"
    foreign.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    done = runner.invoke(app, ["hook", "install", "--server", str(bare)])
    assert done.exit_code == 2 and "已有别的钩子" in done.stderr
    assert foreign.read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"


def test_gitea_keeps_its_own_pre_receive_and_runs_ours_from_pre_receive_d(
    tmp_path: Path, cache: Path
) -> None:
    central = tmp_path / "central.git"
    git(tmp_path, "init", "--quiet", "--bare", str(central))
    git(central, "symbolic-ref", "HEAD", "refs/heads/master")
    # Gitea's (and Forgejo's) pre-receive: every script of pre-receive.d, each given stdin
    dispatcher = central / "hooks" / "pre-receive"
    dispatcher.write_text(
        "#!/bin/sh\n# gitea\ndata=$(cat)\nfor hook in hooks/pre-receive.d/*; do\n"
        '  [ -x "$hook" ] || continue\n  printf "%s\\n" "$data" | "$hook" || exit 1\ndone\n',
        encoding="utf-8",
    )
    dispatcher.chmod(0o755)
    (central / "hooks" / "pre-receive.d").mkdir()
    done = runner.invoke(app, ["hook", "install", "--server", str(central), "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert (central / "hooks" / "pre-receive.d" / "duchu").is_file()
    assert "# gitea" in dispatcher.read_text(encoding="utf-8")
    seed = copy_tree(SAMPLE, tmp_path / "seed")
    with_accounts(seed)
    git(seed, "init", "--quiet")
    commit(seed, "records")
    git(seed, "push", "--quiet", str(central), "HEAD:refs/heads/master", who="office")
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaotong.yaml")
    commit(work)
    told = refused(push(work, None, GITEA_PUSHER_NAME="clerk1"), central, before)
    assert "account clerk1 is not" in told
    landed(push(work, None, GITEA_PUSHER_NAME="clerk2"), central, work)
