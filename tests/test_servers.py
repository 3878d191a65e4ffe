"""duchu's server hook on real servers, set up as the README has an office set them up
(README, 服务器上的检查 Server setups): plain ssh with forced commands and gitolite, each
behind an sshd of its own (every push a real ``git push`` over ssh with the account's key),
and ``git http-backend`` under lighttpd with a login (the harness is ``tests/servers.py``).

The records are the sample tree with accounts: g1's g1clerk (g1 supervises caizheng, jiaoyu,
renshe and weisheng), g2's g2clerk (fagaiwei, jiaotong, ...), g3's g3clerk, the office's
``office``; ``reader`` may only read. Each test clones what the server holds and leaves the
branch valid for the next.
"""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import (
    CLERKS,
    OFFICE,
    READER,
    Gitolite,
    Lighttpd,
    PlainSsh,
    as_server,
    client_env,
    git,
    gitolite_server,
    lighttpd_server,
    plain_ssh_server,
    records_with_accounts,
    server_ref,
)

# A visit to a g1 unit (jiaoyu) and to a g2 unit (jiaotong), both valid records.
G1_VISIT = ("meetings/2014-10/jiaoyu-visit.yaml", "date: 2014-10-08\nunit: jiaoyu\nkind: visit\n")
G2_VISIT = (
    "meetings/2014-10/jiaotong-visit.yaml",
    "date: 2014-10-08\nunit: jiaotong\nkind: visit\n",
)
# and one that is not: no such month
BAD_VISIT = ("meetings/2014-10/jiaoyu-bad.yaml", "date: 2014-13-08\nunit: jiaoyu\nkind: visit\n")


@pytest.fixture(scope="module")
def gitolite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gitolite]:
    with gitolite_server(tmp_path_factory.mktemp("gitolite-admin")) as server:
        yield server


def write(work: Path, rel: str, text: str) -> None:
    path = work / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def commit(work: Path, env: dict[str, str], message: str = "修改") -> str:
    git(work, "add", "--all", env=env)
    git(work, "commit", "--quiet", "--no-verify", "-m", message, env=env)
    return git(work, "rev-parse", "HEAD", env=env).stdout.strip()


class Clerk:
    """An account's clone of a repository on a server (``url``), pushing as that account:
    with its own key over ssh, or logged in over http."""

    def __init__(self, url: str, env: dict[str, str], central: Path, work: Path) -> None:
        self.env, self.central, self.work = env, central, work
        git(work.parent, "clone", "--quiet", url, str(work), env=env)

    @classmethod
    def of(cls, server: Gitolite, account: str, work: Path, repo: str = "records") -> Clerk:
        central = server.repositories / f"{repo}.git"
        return cls(server.url(repo), server.env(account), central, work)

    def push(self, *refspecs: str) -> subprocess.CompletedProcess[str]:
        refspecs = refspecs or ("HEAD:master",)
        return git(self.work, "push", "origin", *refspecs, env=self.env, check=False)


def landed(done: subprocess.CompletedProcess[str], clerk: Clerk) -> None:
    assert done.returncode == 0, done.stderr
    head = git(clerk.work, "rev-parse", "HEAD", env=clerk.env).stdout.strip()
    assert server_ref(clerk.central) == head


def refused(done: subprocess.CompletedProcess[str], clerk: Clerk, before: str | None) -> str:
    """Refused by duchu's hook; the branch did not move; what the pusher was told."""
    assert done.returncode != 0, done.stderr
    assert "pre-receive hook declined" in done.stderr, done.stderr
    assert server_ref(clerk.central) == before
    return done.stderr


# --- plain ssh ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlainSsh]:
    with plain_ssh_server(tmp_path_factory.mktemp("plain")) as server:
        yield server


def plain_clerk(server: PlainSsh, account: str, work: Path, *options: str) -> Clerk:
    return Clerk(server.url(), server.env(account, *options), server.central, work)


def test_plain_ssh_the_key_names_the_account(plain: PlainSsh, tmp_path: Path) -> None:
    clerk = plain_clerk(plain, CLERKS["g1"], tmp_path / "work")
    before = server_ref(clerk.central)
    write(clerk.work, *G2_VISIT)
    change = commit(clerk.work, clerk.env)
    told = refused(clerk.push(), clerk, before)
    assert (
        f"remote: {G2_VISIT[0]}: error: 提交 {change[:8]} 改动了督导组 g2 的记录，账号 g1clerk"
        in told
    )
    # an account the clerk names is nothing: the forced command sets the pusher
    clerk.env = plain.env(CLERKS["g1"], "-o SetEnv=DUCHU_PUSHER=office")
    refused(clerk.push(), clerk, before)
    git(clerk.work, "reset", "--quiet", "--hard", "origin/master", env=clerk.env)
    write(clerk.work, *G1_VISIT)
    commit(clerk.work, clerk.env)
    landed(clerk.push(), clerk)


# --- gitolite ----------------------------------------------------------------------------------


def test_gitolite_a_clerk_pushes_a_meeting_of_the_own_group(
    gitolite: Gitolite, tmp_path: Path
) -> None:
    clerk = Clerk.of(gitolite, CLERKS["g1"], tmp_path / "work")
    write(clerk.work, *G1_VISIT)
    commit(clerk.work, clerk.env)
    landed(clerk.push(), clerk)


def test_gitolite_a_meeting_of_another_group_is_refused_and_named(
    gitolite: Gitolite, tmp_path: Path
) -> None:
    clerk = Clerk.of(gitolite, CLERKS["g1"], tmp_path / "work")
    before = server_ref(clerk.central)
    write(clerk.work, *G2_VISIT)
    change = commit(clerk.work, clerk.env)
    told = refused(clerk.push(), clerk, before)
    # gitolite named the pusher (GL_USER): the clerk's key, nothing the clerk sent
    line = f"remote: {G2_VISIT[0]}: error: 提交 {change[:8]} 改动了督导组 g2 的记录，账号 g1clerk"
    assert line in told
    assert "[not-your-group]" in told


def test_gitolite_an_invalid_record_is_refused_with_checks_lines(
    gitolite: Gitolite, tmp_path: Path
) -> None:
    clerk = Clerk.of(gitolite, CLERKS["g1"], tmp_path / "work")
    before = server_ref(clerk.central)
    write(clerk.work, *BAD_VISIT)
    commit(clerk.work, clerk.env)
    told = refused(clerk.push(), clerk, before)
    assert re.search(rf"^remote: {re.escape(BAD_VISIT[0])}:1:\d+: error: .*\[[a-z-]+\]", told, re.M)
    assert "remote: duchu：推送被拒绝" in told


def test_gitolite_the_office_changes_anything(gitolite: Gitolite, tmp_path: Path) -> None:
    office = Clerk.of(gitolite, OFFICE, tmp_path / "work")
    for rel in ("units/jiaotong.yaml", "groups/g2.yaml", "campaign.yaml", "units/gongan.yaml"):
        path = office.work / rel
        path.write_text(path.read_text(encoding="utf-8") + "# 活动办修改\n", encoding="utf-8")
    commit(office.work, office.env)
    landed(office.push(), office)


def test_gitolite_the_reader_is_refused_by_gitolite_itself(
    gitolite: Gitolite, tmp_path: Path
) -> None:
    reader = Clerk.of(gitolite, READER, tmp_path / "work")  # it may read
    before = server_ref(reader.central)
    write(reader.work, *G1_VISIT[:1], G1_VISIT[1].replace("10-08", "10-09"))
    commit(reader.work, reader.env)
    done = reader.push()
    assert done.returncode != 0
    assert "FATAL: W any records reader DENIED by fallthru" in done.stderr, done.stderr
    assert "pre-receive" not in done.stderr  # refused before git ran any hook
    assert server_ref(reader.central) == before


def test_gitolite_a_clerk_cannot_add_an_account_to_the_own_group(
    gitolite: Gitolite, tmp_path: Path
) -> None:
    clerk = Clerk.of(gitolite, CLERKS["g1"], tmp_path / "work")
    before = server_ref(clerk.central)
    group = clerk.work / "groups" / "g1.yaml"
    text = group.read_text(encoding="utf-8")
    group.write_text(text.replace("accounts: [g1clerk]", "accounts: [g1clerk, reader]"), "utf-8")
    commit(clerk.work, clerk.env)
    told = refused(clerk.push(), clerk, before)
    assert "remote: groups/g1.yaml" in told


def test_gitolite_a_clerk_cannot_push_a_replace_ref(gitolite: Gitolite, tmp_path: Path) -> None:
    clerk = Clerk.of(gitolite, CLERKS["g1"], tmp_path / "work")
    tip = git(clerk.work, "rev-parse", "HEAD", env=clerk.env).stdout.strip()
    # a replacement of the branch's tip, valid and changing only g1's records: what every
    # reader honouring replace refs would take for the branch
    write(clerk.work, *G1_VISIT[:1], G1_VISIT[1].replace("10-08", "10-10"))
    replacement = commit(clerk.work, clerk.env)
    git(clerk.work, "reset", "--quiet", "--hard", tip, env=clerk.env)
    done = clerk.push(f"{replacement}:refs/replace/{tip}")
    landed_ref = server_ref(clerk.central, f"refs/replace/{tip}")
    if landed_ref is not None:  # the server's administrator takes it away for the next tests
        as_server(
            gitolite.home, ["git", "update-ref", "-d", f"refs/replace/{tip}"], cwd=clerk.central
        )
    assert landed_ref is None, done.stderr
    assert done.returncode != 0
    assert "refs/replace/" in done.stderr


# --- gitolite's repo-specific hooks --------------------------------------------------------------

NOTIFY = "#!/bin/sh\n# an office's own pre-receive hook (a notice by mail, say)\ncat >/dev/null\n"


def enable_repo_specific_hooks(server: Gitolite) -> Path:
    """``LOCAL_CODE`` and ``repo-specific-hooks`` switched on in the gitolite user's
    ~/.gitolite.rc (the lines gitolite's own rc file has, commented out), with the folder
    of repo-specific hooks and an office's hook ``notify`` in it."""
    rc = server.home / ".gitolite.rc"
    text = rc.read_text(encoding="utf-8")
    for line in ('LOCAL_CODE                =>  "$ENV{HOME}/local",', "'repo-specific-hooks',"):
        assert f"# {line}" in text
        text = text.replace(f"# {line}", line, 1)
    rc.write_text(text, encoding="utf-8")
    folder = server.home / "local" / "hooks" / "repo-specific"
    as_server(server.home, ["mkdir", "-p", str(folder)])
    (folder / "notify").write_text(NOTIFY, encoding="utf-8")
    (folder / "notify").chmod(0o755)
    return folder


def test_gitolite_repo_specific_hooks_replace_duchus_unless_it_is_one_of_them(
    tmp_path: Path,
) -> None:
    with gitolite_server(tmp_path / "admin") as server:
        central = server.repositories / "records.git"
        hooks = enable_repo_specific_hooks(server)
        # the office adds a pre-receive hook of its own for every repository: gitolite puts
        # its driver in place of hooks/pre-receive, and duchu's hook is gone
        server.admin_push(
            tmp_path / "admin", server.conf("\nrepo @all\n    option hook.pre-receive = notify\n")
        )
        driver = central / "hooks" / "pre-receive"
        assert driver.is_symlink() and driver.resolve().name == "multi-hook-driver"
        clerk = Clerk.of(server, CLERKS["g1"], tmp_path / "bad")
        write(clerk.work, *BAD_VISIT)
        commit(clerk.work, clerk.env)
        landed(clerk.push(), clerk)  # unchecked: an invalid record on the branch
        git(clerk.work, "rm", "--quiet", BAD_VISIT[0], env=clerk.env)
        commit(clerk.work, clerk.env, "撤回")
        landed(clerk.push(), clerk)
        # the README's setup: duchu's hook as one of gitolite's repo-specific hooks
        scratch = server.home / "duchu-hook.git"
        as_server(server.home, ["git", "init", "--quiet", "--bare", str(scratch)])
        install = [str(server.python), "-m", "duchu", "hook", "install", "--server"]
        as_server(server.home, install, cwd=scratch)
        as_server(server.home, ["mv", str(scratch / "hooks/pre-receive"), str(hooks / "duchu")])
        both = "\nrepo @all\n    option hook.pre-receive = notify\n"
        both += "\nrepo records\n    option hook.pre-receive.duchu = duchu\n"
        server.admin_push(tmp_path / "admin", server.conf(both))
        assert sorted(p.name for p in central.glob("hooks/pre-receive.h*")) == [
            "pre-receive.h00-notify",
            "pre-receive.h01-duchu",
        ]
        # refused again: an invalid record, and another group's (the pusher still gitolite's)
        clerk = Clerk.of(server, CLERKS["g1"], tmp_path / "again")
        before = server_ref(central)
        write(clerk.work, *BAD_VISIT)
        commit(clerk.work, clerk.env)
        told = refused(clerk.push(), clerk, before)
        assert f"remote: {BAD_VISIT[0]}:1:" in told
        git(clerk.work, "reset", "--quiet", "--hard", "origin/master", env=clerk.env)
        write(clerk.work, *G2_VISIT)
        commit(clerk.work, clerk.env)
        assert "[not-your-group]" in refused(clerk.push(), clerk, before)
        git(clerk.work, "reset", "--quiet", "--hard", "origin/master", env=clerk.env)
        write(clerk.work, *G1_VISIT)
        commit(clerk.work, clerk.env)
        landed(clerk.push(), clerk)


# --- git http-backend behind lighttpd's login ---------------------------------------------------

# The README's wrapper: the login the web server checked, handed to duchu as DUCHU_PUSHER.
WRAPPER = '#!/bin/sh\nDUCHU_PUSHER="$REMOTE_USER" exec "$(dirname "$0")/duchu-pre-receive"\n'
# the README's command that writes it, in the repository
WRAP = (
    "printf '%s\\n' '#!/bin/sh' "
    + '\'DUCHU_PUSHER="$REMOTE_USER" exec "$(dirname "$0")/duchu-pre-receive"\' \\\n'
    + "    > hooks/pre-receive && chmod 755 hooks/pre-receive"
)


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lighttpd]:
    """lighttpd with two repositories, the sample records pushed to each by the office:
    ``records``, set up as the README says (duchu's hook behind the wrapper), and
    ``records-plain``, with duchu's hook alone."""
    with lighttpd_server() as server:
        install = [str(server.python), "-m", "duchu", "hook", "install", "--server"]
        for repo in ("records", "records-plain"):
            folder = server.repository(repo)
            as_server(server.home, install, cwd=folder)
        hooks = server.home / "git" / "records.git" / "hooks"
        as_server(server.home, ["mv", str(hooks / "pre-receive"), str(hooks / "duchu-pre-receive")])
        as_server(server.home, ["sh", "-c", WRAP], cwd=hooks.parent)
        assert (hooks / "pre-receive").read_text(encoding="utf-8") == WRAPPER
        seed = records_with_accounts(tmp_path_factory.mktemp("http") / "seed")
        for repo in ("records", "records-plain"):
            git(seed, "push", "--quiet", server.url(repo, OFFICE), "HEAD:refs/heads/master")
        yield server


def http_clerk(http: Lighttpd, account: str | None, work: Path, repo: str = "records") -> Clerk:
    clerk = Clerk(http.url(repo, OFFICE), client_env(), http.home / "git" / f"{repo}.git", work)
    git(work, "remote", "set-url", "origin", http.url(repo, account), env=clerk.env)
    return clerk


def test_http_a_clerk_pushes_a_meeting_of_the_own_group(http: Lighttpd, tmp_path: Path) -> None:
    clerk = http_clerk(http, CLERKS["g1"], tmp_path / "work")
    write(clerk.work, *G1_VISIT)
    commit(clerk.work, clerk.env)
    landed(clerk.push(), clerk)


def test_http_a_meeting_of_another_group_is_refused_and_named(
    http: Lighttpd, tmp_path: Path
) -> None:
    clerk = http_clerk(http, CLERKS["g1"], tmp_path / "work")
    before = server_ref(clerk.central)
    write(clerk.work, *G2_VISIT)
    change = commit(clerk.work, clerk.env)
    told = refused(clerk.push(), clerk, before)
    line = f"remote: {G2_VISIT[0]}: error: 提交 {change[:8]} 改动了督导组 g2 的记录，账号 g1clerk"
    assert line in told
    # the group's own clerk may
    git(clerk.work, "remote", "set-url", "origin", http.url("records", CLERKS["g2"]), env=clerk.env)
    landed(clerk.push(), clerk)


@pytest.mark.parametrize("login", ["none", "wrong password"])
def test_http_a_push_without_a_login_is_refused_by_the_server(
    http: Lighttpd, tmp_path: Path, login: str
) -> None:
    clerk = http_clerk(http, None, tmp_path / "work")
    if login == "wrong password":
        url = http.url("records", CLERKS["g1"]).replace("g1clerk-pw", "guess")
        git(clerk.work, "remote", "set-url", "origin", url, env=clerk.env)
    before = server_ref(clerk.central)
    write(clerk.work, *G1_VISIT[:1], G1_VISIT[1].replace("10-08", "10-11"))
    commit(clerk.work, clerk.env)
    done = clerk.push()
    assert done.returncode != 0
    # git asks for a login only when the server answers 401
    asked = "could not read Username" if login == "none" else "Authentication failed"
    assert asked in done.stderr, done.stderr
    assert "pre-receive" not in done.stderr  # the web server refused: git never ran
    assert server_ref(clerk.central) == before
    # what git asked for before pushing anything: the server's answer is 401
    url = http.url("records", None) + "/info/refs?service=git-receive-pack"
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(url, timeout=10)
    assert answer.value.code == 401


def test_http_duchus_hook_alone_takes_the_login_from_remote_user(
    http: Lighttpd, tmp_path: Path
) -> None:
    clerk = http_clerk(http, CLERKS["g1"], tmp_path / "work", "records-plain")
    write(clerk.work, *G1_VISIT)
    commit(clerk.work, clerk.env)
    landed(clerk.push(), clerk)


def test_the_readme_writes_the_wrapper_the_tests_use() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"$ {WRAP}\n" in readme
