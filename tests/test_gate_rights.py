"""The central repository's gate, 1.2: pushed to for real (a bare repository with the hook
installed by ``duchu hook install --server``, clones pushing over local paths as accounts named
in the environment), on what a tester found on a real gitolite3:

- a group's ``accounts`` and ``order`` are the office's to change;
- git's replace refs and grafts never change what the hook reads, and a ``refs/replace/`` ref
  is the office's alone;
- the pusher may come from ``REMOTE_USER`` (``git http-backend``), after the others;
- a push is refused for the errors it brings, not for those already on the branch;
- a refusal says what the pusher may do;
- a new ref is never judged against a branch a pusher could have planted.

The records are the sample tree with accounts (see ``tests/test_hooks.py``): g1's clerk1, g2's
clerk2, g3's clerk3, clerk12 in both g1 and g2, and the office's ``office``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import test_hooks
from tests.test_hooks import (
    clone,
    commit,
    edit,
    git,
    landed,
    make_central,
    push,
    ref,
    refused,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


# the central repository the hook tests push to, the same fixtures (pytest finds them here)
cache = test_hooks.cache
template = test_hooks.template
central = test_hooks.central


def set_line(work: Path, rel: str, old: str, new: str) -> None:
    path = work / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def denied_paths(told: str) -> list[str]:
    """The records or refs the refusal's lines name (not the tree's errors), in order."""
    return re.findall(r"(?m)^remote: ([^:\s]+): error: ", told)


# --- 1. a group's accounts and order are the office's --------------------------------------------


def test_a_group_cannot_give_its_write_rights_away(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    # g2's clerk adds g1's account to g2: what the tester did
    set_line(work, "groups/g2.yaml", "accounts: [clerk2,", "accounts: [clerk1, clerk2,")
    change = commit(work, "让第一组也能改")
    told = refused(push(work, "clerk2"), central, before)
    assert (
        f"remote: groups/g2.yaml: error: commit {change[:8]} changes the accounts or the order "
        "of group g2, which the office keeps; only the office (accounts office) may do this "
        "[group-rights]"
    ) in told
    # so g1 cannot then change g2's meetings: the office may make the change
    landed(push(work, "office"), central, work)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("accounts: [clerk2, clerk12]", "accounts: [clerk12, clerk2]"),  # reordered
        ("accounts: [clerk2, clerk12]", "accounts: [clerk2]"),  # one removed
        ("accounts: [clerk2, clerk12]\n", ""),  # all removed
        ("order: 2\n", "order: 1\n"),  # another order
        ("order: 2\n", ""),  # none
    ],
)
def test_accounts_and_order_in_any_way_are_the_offices(
    central: Path, tmp_path: Path, old: str, new: str
) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    set_line(work, "groups/g2.yaml", old, new)
    commit(work)
    told = refused(push(work, "clerk2"), central, before)
    assert "[group-rights]" in told and "[not-your-group]" not in told
    landed(push(work, "office"), central, work)


def test_the_rest_of_its_own_group_file_is_the_groups(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    set_line(work, "groups/g2.yaml", "leader: 张某", "leader: 张某  # 组长")
    edit(work, "groups/g2.yaml", append="# 成员有调整\n")
    commit(work)
    landed(push(work, "clerk2"), central, work)
    # another group's file is not, even where accounts stay as they are
    edit(work, "groups/g2.yaml", append="# 第一组改的\n")
    before = ref(central)
    commit(work)
    assert "[not-your-group]" in refused(push(work, "clerk1"), central, before)


def test_a_new_or_deleted_group_file_with_accounts_is_the_offices(
    central: Path, tmp_path: Path
) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "groups/g4.yaml", "name: 第四组\nleader: 某某\naccounts: [clerk1]\n")
    change = commit(work, "自建一个组")
    told = refused(push(work, "clerk1"), central, before)
    assert f"groups/g4.yaml: error: commit {change[:8]} changes the accounts" in told
    git(work, "reset", "--quiet", "--hard", "HEAD~1")
    (work / "groups" / "g3.yaml").unlink()
    commit(work, "删掉第三组")
    told = refused(push(work, "clerk3"), central, before)
    assert "remote: groups/g3.yaml: error: commit" in told and "[group-rights]" in told


def test_a_merge_that_keeps_the_offices_accounts_is_no_change_of_them(
    central: Path, tmp_path: Path
) -> None:
    office = clone(central, tmp_path / "office")
    two = clone(central, tmp_path / "two")
    set_line(office, "groups/g2.yaml", "accounts: [clerk2,", "accounts: [clerk2, clerk3,")
    commit(office, "活动办调整账号")
    landed(push(office, "office"), central, office)
    set_line(two, "groups/g2.yaml", "leader: 张某", "leader: 张某  # 组长")
    commit(two, "第二组")
    # a merge of the office's accounts with the group's own edit, conflict-free
    git(two, "pull", "--quiet", "--no-rebase", "--no-edit", "origin", "master")
    landed(push(two, "clerk2"), central, two)
    # a merge that throws the office's accounts away is a change of them
    set_line(office, "groups/g2.yaml", "accounts: [clerk2, clerk3,", "accounts: [clerk2,")
    commit(office, "活动办再调整")
    landed(push(office, "office", "HEAD:master", "--force"), central, office)
    edit(two, "units/jiaotong.yaml")
    commit(two, "第二组再改")
    before = ref(central)
    git(two, "fetch", "--quiet", "origin")
    git(two, "merge", "--quiet", "--no-edit", "-s", "ours", "origin/master")
    told = refused(push(two, "clerk2"), central, before)
    assert "groups/g2.yaml: error:" in told and "[group-rights]" in told


# --- 2. replace refs and grafts -------------------------------------------------------------------


def test_a_replace_ref_does_not_fool_the_hook(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaoyu.yaml")
    harmless = commit(work, "无害的")
    git(work, "reset", "--quiet", "--hard", "HEAD~1")
    set_line(
        work, "campaign.yaml", "office_accounts: [office]", "office_accounts: [office, clerk1]"
    )
    edit(work, "units/jiaotong.yaml")  # g2's
    sneaky = commit(work, "把自己加进活动办")
    # a clerk may not push a replace ref at all
    told = push(work, "clerk1", f"{harmless}:refs/replace/{sneaky}")
    assert told.returncode != 0 and "[replace-office-only]" in told.stderr
    assert "only the office (accounts office) may do this" in told.stderr
    assert ref(central, f"refs/replace/{sneaky}") is None
    # one there (the office's, or from an outage) does not change what the hook reads of E
    git(work, "push", "--quiet", "origin", f"{harmless}:refs/replace/{sneaky}", who="office")
    assert ref(central, f"refs/replace/{sneaky}") == harmless
    told = refused(push(work, "clerk1"), central, before)
    assert f"campaign.yaml: error: commit {sneaky[:8]}" in told
    assert f"units/jiaotong.yaml: error: commit {sneaky[:8]}" in told
    # moving or deleting one is the office's alone too
    told = push(work, "clerk1", f":refs/replace/{sneaky}")
    assert told.returncode != 0 and "[replace-office-only]" in told.stderr
    assert push(work, "office", f":refs/replace/{sneaky}").returncode == 0


def test_every_git_duchu_runs_reads_the_commits_own_objects(tmp_path: Path) -> None:
    """A working repository with a graft file and a replace ref (received from someone, or
    left from an outage): duchu's history, a commit's files and their contents are the
    commits' own."""
    from duchu.git.history import history
    from duchu.git.objects import BlobReader, tree_entries

    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "--quiet")
    edit(work, "a.yaml", "a: 1\n")
    first = commit(work, "first")
    edit(work, "a.yaml", "a: 2\n")
    second = commit(work, "second")
    blob = git(work, "rev-parse", f"{second}:a.yaml").stdout.strip()
    other = git(work, "rev-parse", f"{first}:a.yaml").stdout.strip()
    git(work, "replace", blob, other)  # a.yaml's content at `second` replaced by the first's
    git(work, "replace", second, first)  # and the commit itself by the first
    (work / ".git" / "info").mkdir(exist_ok=True)
    (work / ".git" / "info" / "grafts").write_text(f"{second}\n")  # second: no parent
    assert git(work, "log", "--format=%H").stdout.split() != [second, first]  # git's own view
    assert [c.commit for c in history(work)] == [second, first]
    (entry,) = tree_entries(work, second)
    assert entry.blob == blob
    with BlobReader(work) as reader:
        assert reader.read(blob, 100) == b"a: 2\n"


# --- 3. REMOTE_USER ------------------------------------------------------------------------------


def test_the_pusher_may_come_from_remote_user_last(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaotong.yaml")  # g2's
    commit(work)
    told = refused(push(work, None, REMOTE_USER="clerk1"), central, before)
    assert "account clerk1 is not" in told
    # every other variable comes before it
    told = refused(push(work, "clerk1", REMOTE_USER="clerk2"), central, before)
    assert "account clerk1 is not" in told
    told = refused(push(work, None, GL_USER="clerk3", REMOTE_USER="clerk2"), central, before)
    assert "account clerk3 is not" in told
    landed(push(work, None, REMOTE_USER="clerk2"), central, work)


# --- 5. the errors a push brings ------------------------------------------------------------------


def outage(central: Path, work: Path, who: str = "clerk2") -> None:
    """Push ``work``'s HEAD with the hook away, as after an outage of it."""
    hook = central / "hooks" / "pre-receive"
    hook.rename(hook.with_name("pre-receive.off"))
    try:
        git(work, "push", "--quiet", "origin", "HEAD:master", who=who)
    finally:
        hook.with_name("pre-receive.off").rename(hook)


def test_an_error_already_on_the_branch_stops_nobody_else(central: Path, tmp_path: Path) -> None:
    two = clone(central, tmp_path / "two")
    set_line(two, "units/jiaotong.yaml", "group: g2", "group: g2\nbad_field: 1")
    commit(two, "第二组写坏了")
    outage(central, two)
    one = clone(central, tmp_path / "one")
    edit(one, "units/jiaoyu.yaml")
    commit(one, "第一组照常工作")
    landed(push(one, "clerk1"), central, one)
    # an error of its own is still refused, and only its own is shown
    before = ref(central)
    set_line(one, "units/caizheng.yaml", "group: g1", "group: g1\nbad_field: 1")
    commit(one, "第一组也写坏了")
    told = refused(push(one, "clerk1"), central, before)
    assert "remote: units/caizheng.yaml:" in told
    assert "units/jiaotong.yaml" not in told
    assert "1 problem (1 error, 0 warnings)" in told
    git(one, "reset", "--quiet", "--hard", "HEAD~1")
    # g2 may leave its own broken record as it is while changing something else of it ...
    git(two, "pull", "--quiet", "--no-rebase", "--no-edit", "origin", "master")
    edit(two, "units/fagaiwei.yaml")
    commit(two, "第二组别的修改")
    landed(push(two, "clerk2"), central, two)
    # ... and mend it
    set_line(two, "units/jiaotong.yaml", "\nbad_field: 1", "")
    commit(two, "改好了")
    landed(push(two, "clerk2"), central, two)


def test_what_a_change_breaks_elsewhere_is_its_own(central: Path, tmp_path: Path) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    (work / "units" / "jiaoyu.yaml").unlink()  # g1's unit: its meetings now name nothing
    commit(work, "删掉一个单位")
    told = refused(push(work, "clerk1"), central, before)
    assert "remote: meetings/" in told and "jiaoyu" in told


def test_a_new_branch_is_compared_with_the_default_branch(central: Path, tmp_path: Path) -> None:
    two = clone(central, tmp_path / "two")
    set_line(two, "units/jiaotong.yaml", "group: g2", "group: g2\nbad_field: 1")
    commit(two, "第二组写坏了")
    outage(central, two)
    one = clone(central, tmp_path / "one")
    git(one, "checkout", "--quiet", "-b", "g1-draft")
    edit(one, "units/jiaoyu.yaml")
    commit(one)
    assert push(one, "clerk1", "g1-draft:g1-draft").returncode == 0


# --- 6. what a refusal says -----------------------------------------------------------------------


def test_a_forced_push_says_fetch_and_rebase_and_names_each_file_once(
    central: Path, tmp_path: Path
) -> None:
    one = clone(central, tmp_path / "one")
    two = clone(central, tmp_path / "two")
    edit(two, "units/jiaotong.yaml")
    edit(two, "campaign.yaml")
    commit(two, "活动办和第二组")
    landed(push(two, "office"), central, two)
    edit(one, "units/jiaotong.yaml", append="# 第一组也改了\n")  # g2's, in its own commit too
    mine = commit(one, "第一组，没有先拉取")
    old = ref(central)
    assert old is not None
    told = refused(push(one, "clerk1", "+HEAD:master"), central, old)
    assert sorted(denied_paths(told)) == ["campaign.yaml", "units/jiaotong.yaml"]  # each once
    assert (
        f"remote: campaign.yaml: error: the update {old[:8]}..{mine[:8]} (not a fast-forward: "
        "it drops commits) changes the office's campaign file; only the office (accounts "
        "office) may do this; fetch and rebase first: git pull --rebase, then push (without "
        "--force) [office-only]"
    ) in told
    assert (
        f"remote: units/jiaotong.yaml: error: commit {mine[:8]} changes records of group g2"
    ) in told
    # the same in Chinese: no stray space after the parenthesis, the file named once
    hook = central / "hooks" / "pre-receive"
    hook.write_text(hook.read_text(encoding="utf-8").replace(" --lang en", ""), "utf-8")
    told = refused(push(one, "clerk1", "+HEAD:master"), central, old)
    assert (
        f"remote: campaign.yaml: error: 非快进更新 {old[:8]}..{mine[:8]}（丢弃了别人的提交）"
        "改动了活动办的方案文件；只有活动办（账号 office）可以这样做；先取回并变基："
        "git pull --rebase，再推送（不要 --force） [office-only]"
    ) in told
    assert (
        f"remote: units/jiaotong.yaml: error: 提交 {mine[:8]} 改动了督导组 g2 的记录，账号 clerk1 "
        "不是该组的账号；可以修改的是督导组 g2（市委第二督导组，账号 clerk12, clerk2），"
        "或活动办（账号 office） [not-your-group]"
    ) in told
    assert sorted(denied_paths(told)) == ["campaign.yaml", "units/jiaotong.yaml"]
    assert "） 改动" not in told and "）改动了" in told


def test_a_meeting_of_two_groups_names_both_with_their_accounts(
    central: Path, tmp_path: Path
) -> None:
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(
        work,
        "meetings/2014-10/joint.yaml",
        "date: 2014-10-08\nunits: [jiaotong, gongan]\nkind: visit\n",
    )
    commit(work, "联合检查")
    told = refused(push(work, "clerk1"), central, before)
    assert (
        "it may be changed by an account of each of group g2 (市委第二督导组; accounts "
        "clerk12, clerk2), group g3 (市委第三督导组; accounts clerk3), or by the office "
        "(accounts office)"
    ) in told


# --- 8. a repository whose HEAD names no branch ---------------------------------------------------


def test_a_planted_branch_never_judges_new_refs(tmp_path: Path, cache: Path) -> None:
    central = make_central(tmp_path)
    work = clone(central, tmp_path / "work")
    first = git(work, "rev-list", "--max-parents=0", "HEAD").stdout.strip()
    # HEAD names a branch that does not exist (a server's default of `main`, say)
    git(central, "symbolic-ref", "HEAD", "refs/heads/main")
    # a clerk plants a branch that sorts first, at a commit without accounts ...
    edit(work, "units/jiaotong.yaml")  # g2's
    commit(work)
    told = push(work, "clerk1", "HEAD:refs/heads/0000")
    assert told.returncode != 0 and "[no-default-branch]" in told.stderr
    assert "HEAD names refs/heads/main, which does not exist" in told.stderr
    assert ref(central, "refs/heads/0000") is None
    assert first  # (the planted branch could point anywhere: it is refused as new)
    # updating an existing branch is judged by its own tree as ever
    told = refused(push(work, "clerk1"), central, ref(central))
    assert "[not-your-group]" in told
    git(work, "reset", "--quiet", "--hard", "HEAD~1")
    edit(work, "units/jiaoyu.yaml")
    commit(work)
    landed(push(work, "clerk1"), central, work)
    # with HEAD pointing at the records' branch, new branches are judged by it
    git(central, "symbolic-ref", "HEAD", "refs/heads/master")
    assert push(work, "clerk1", "HEAD:refs/heads/g1-draft").returncode == 0


# --- 4. a server Python without duchu's dependencies -------------------------------------------


def bare_python(tmp_path: Path) -> Path:
    """A Python with nothing installed (a virtual environment without packages) but duchu
    itself, which a ``.pth`` file finds in this checkout (whatever PYTHONPATH the tests run
    with): none of its dependencies are there."""
    folder = tmp_path / "bare-python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "duchu-checkout.pth").write_text(str(Path(__file__).parent.parent) + "\n")
    found = subprocess.run([python, "-c", "import pydantic"], capture_output=True)
    assert found.returncode != 0  # the point: it lacks duchu's dependencies
    return python


def test_a_python_missing_a_dependency_refuses_in_one_line(central: Path, tmp_path: Path) -> None:
    python = bare_python(tmp_path)
    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(work, "units/jiaoyu.yaml")
    commit(work)
    hook = central / "hooks" / "pre-receive"
    text = hook.read_text(encoding="utf-8")
    hook.write_text(text.replace("python=", f"python={python} #", 1), encoding="utf-8")
    path = os.pathsep.join(
        filter(None, [str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH")])
    )
    told = refused(push(work, "clerk1", PYTHONPATH=path), central, before)
    lines = [line for line in told.splitlines() if line.startswith("remote:")]
    assert len(lines) == 1, told
    assert lines[0].startswith("remote: duchu: 无法启动，推送被拒绝 / cannot start, push refused: ")
    assert f"{python} is missing the module typer: install duchu into that Python" in lines[0]
    assert f"({python} -m pip install duchu)" in lines[0]
    assert "Traceback" not in told
    # the duchu on PATH (the hook's fallback) in such a Python says the same, in one line
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    script = bin_folder / "duchu"
    script.write_text(
        f"#!{python}\nimport sys\nfrom duchu.launch import main\nsys.exit(main())\n", "utf-8"
    )
    script.chmod(0o755)
    hook.write_text(text.replace("python=", "python=/nonexistent/python #", 1), encoding="utf-8")
    search = f"{bin_folder}{os.pathsep}{os.environ['PATH']}"
    told = refused(push(work, "clerk1", PYTHONPATH=path, PATH=search), central, before)
    lines = [line for line in told.splitlines() if line.startswith("remote:")]
    assert len(lines) == 1, told
    assert f"{python} is missing the module typer" in lines[0] and "Traceback" not in told
    hook.write_text(text, encoding="utf-8")
    landed(push(work, "clerk1"), central, work)
