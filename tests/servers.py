"""Real git servers on 127.0.0.1 for the tests of duchu's server hook (tests/test_servers.py):
gitolite behind an sshd of its own, and ``git http-backend`` under lighttpd -- each started
with a configuration of its own in a temporary folder, as a dedicated system user
(``duchugl``), and stopped at the end, also when a test fails. Nothing of the machine's own
ssh or web server configuration, nor root's ~/.ssh, is read.

They need root (to start sshd, to run as the server user) and the programs; where either is
missing the tests skip, saying why. The server user gets a Python of its own: a virtual
environment made from a system Python the user can run, whose ``.pth`` names this checkout
and the site-packages of the Python running the tests (the duchu under test, with its
dependencies) -- what an office's ``python3 -m venv ~/duchu`` is to its server user.
"""

from __future__ import annotations

import base64
import contextlib
import grp
import hashlib
import os
import pwd
import shutil
import site
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import duchu

SERVER_USER = "duchugl"
CHECKOUT = Path(duchu.__file__).resolve().parent.parent
SAMPLE = CHECKOUT / "records"
# the sample's groups with a clerk each, and the office
CLERKS = {"g1": "g1clerk", "g2": "g2clerk", "g3": "g3clerk"}
OFFICE = "office"
READER = "reader"
ACCOUNTS = (*CLERKS.values(), OFFICE, READER)
SSHD = "/usr/sbin/sshd"
GIT_HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"


def missing(*programs: str) -> str | None:
    """Why these servers cannot run here (not root, a program absent), or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the server tests run as root (they start sshd and run as a system user)"
    for program in ("git", "useradd", *programs):
        if shutil.which(program) is None and not Path(program).is_file():
            return f"{program} is not installed"
    return None


def ensure_user() -> pwd.struct_passwd:
    """The dedicated system user the servers run as, made when missing (an unlocked
    password field, ``*``, so that sshd lets its keys in without PAM)."""
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    options = ["--system", "--shell", "/bin/sh", "--home-dir", f"/var/lib/{SERVER_USER}"]
    made = subprocess.run(
        ["useradd", *options, "--create-home", "--password", "*", SERVER_USER],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0 and "already exists" not in made.stderr:
        pytest.skip(f"cannot create the user {SERVER_USER}: {made.stderr.strip()}")
    return pwd.getpwnam(SERVER_USER)


def give(path: Path, user: pwd.struct_passwd) -> None:
    """``path`` and everything under it to ``user``."""
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.lchown(name, user.pw_uid, user.pw_gid)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"the server did not listen on {port}: {log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _server_env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LC_ALL": "C.UTF-8",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def as_server(
    home: Path,
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """A command run as the server user, with ``home`` as its HOME and nothing else of the
    test's environment."""
    done = subprocess.run(
        list(args),
        cwd=cwd or home,
        env=_server_env(home),
        user=SERVER_USER,
        group=pwd.getpwnam(SERVER_USER).pw_gid,
        extra_groups=[],
        capture_output=True,
        text=True,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)}: {done.stdout}{done.stderr}")
    return done


def server_python(home: Path) -> Path:
    """A virtual environment for the server user, with the duchu under test (see the
    module's notes); skips when no Python of the tests' version is there for that user."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [
        os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
    ]
    venv = home / "duchu"
    for candidate in dict.fromkeys(candidates):
        if not os.path.isfile(candidate):
            continue
        with contextlib.suppress(OSError):  # not this user's to run
            made = as_server(
                home, [candidate, "-m", "venv", "--without-pip", str(venv)], check=False
            )
            if made.returncode == 0:
                break
        shutil.rmtree(venv, ignore_errors=True)
    else:
        pytest.skip(f"no Python {version} that the user {SERVER_USER} may run")
    found = list(venv.glob("lib/python*/site-packages"))
    paths = [str(CHECKOUT), *site.getsitepackages()]
    (found[0] / "duchu-under-test.pth").write_text("\n".join(paths) + "\n", encoding="utf-8")
    python = venv / "bin" / "python"
    tried = as_server(home, [str(python), "-P", "-c", "import duchu.launch"], check=False)
    if tried.returncode != 0:
        pytest.skip(f"the user {SERVER_USER} cannot import duchu: {tried.stderr.strip()[-200:]}")
    return python


# --- the client side: keys and git -------------------------------------------------------------


def client_env(ssh_command: str | None = None, **extra: str) -> dict[str, str]:
    """A git client with no user or system configuration and no pusher variables (they do
    not travel over ssh or http anyway: the server names the pusher)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "GL_", "DUCHU_", "SSH_")) and k != "REMOTE_USER"
    }
    env.update(
        GIT_AUTHOR_NAME="clerk",
        GIT_AUTHOR_EMAIL="clerk@example.cn",
        GIT_COMMITTER_NAME="clerk",
        GIT_COMMITTER_EMAIL="clerk@example.cn",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="/bin/false",
        SSH_ASKPASS="/bin/false",
        LC_ALL="C.UTF-8",
    )
    if ssh_command is not None:
        env["GIT_SSH_COMMAND"] = ssh_command
    env.update(extra)
    return env


def git(
    cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env or client_env(), capture_output=True, text=True
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stdout}{done.stderr}")
    return done


def server_ref(repository: Path, name: str = "refs/heads/master") -> str | None:
    """A ref of a repository on the server, read directly (as root: the repository is the
    server user's, hence ``safe.directory``)."""
    done = git(
        repository.parent,
        "-c",
        "safe.directory=*",
        f"--git-dir={repository}",
        "rev-parse",
        "--verify",
        "--quiet",
        name,
        check=False,
    )
    return done.stdout.strip() or None


def records_with_accounts(target: Path) -> Path:
    """The sample tree with each group's clerk as its account and the office's account."""
    shutil.copytree(SAMPLE, target, symlinks=True, ignore=shutil.ignore_patterns(".duchu-cache"))
    for group, clerk in CLERKS.items():
        path = target / "groups" / f"{group}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + f"accounts: [{clerk}]\n", "utf-8")
    campaign = target / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace("year: 2014\n", f"year: 2014\noffice_accounts: [{OFFICE}]\n"))
    git(target, "init", "--quiet")
    git(target, "add", "--all")
    git(target, "commit", "--quiet", "-m", "records")
    return target


# --- sshd, and gitolite behind it ---------------------------------------------------------------

_SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {base}/ssh_host_ed25519_key
PidFile {base}/sshd.pid
UsePAM no
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers {user}
AuthorizedKeysFile {home}/.ssh/authorized_keys
PermitUserEnvironment no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
SetEnv HOME={home}
LogLevel VERBOSE
"""

GITOLITE_CONF = """\
repo gitolite-admin
    RW+     =   admin

repo records
    RW      =   {writers}
    R       =   {reader}
{extra}"""


@dataclass
class SshServer:
    """An sshd of its own on a free loopback port, letting in the server user (HOME in
    ``base``/home) by the keys of its ``~/.ssh/authorized_keys``; an ssh key per account
    (and the admin's) in ``base``/keys."""

    base: Path
    python: Path = field(default_factory=Path)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    keys: dict[str, Path] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.base / "home"

    def ssh(self, account: str, *options: str) -> str:
        """The GIT_SSH_COMMAND of an account: its key only, the server's host key only, and
        no configuration of the machine's or of root's."""
        return " ".join(
            [
                f"ssh -F /dev/null -i {self.keys[account]} -o IdentitiesOnly=yes",
                "-o IdentityAgent=none -o BatchMode=yes -o StrictHostKeyChecking=yes",
                f"-o UserKnownHostsFile={self.base}/known_hosts -o GlobalKnownHostsFile=/dev/null",
                *options,
            ]
        )

    def env(self, account: str, *options: str) -> dict[str, str]:
        return client_env(self.ssh(account, *options))

    def make_keys(self, user: pwd.struct_passwd) -> None:
        keys = self.base / "keys"
        keys.mkdir(mode=0o700)
        for account in ("admin", *ACCOUNTS):
            key = keys / account
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", account, "-f", str(key)],
                check=True,
            )
            self.keys[account] = key
        self.home.mkdir()
        give(self.home, user)

    def start_sshd(self) -> None:
        host_key = self.base / "ssh_host_ed25519_key"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True
        )
        self.port = free_port()
        public = host_key.with_suffix(".pub").read_text().split()
        known = f"[127.0.0.1]:{self.port} {public[0]} {public[1]}\n"
        (self.base / "known_hosts").write_text(known)
        config = self.base / "sshd_config"
        config.write_text(
            _SSHD_CONFIG.format(port=self.port, base=self.base, home=self.home, user=SERVER_USER)
        )
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
        log = self.base / "sshd.log"
        with open(log, "wb") as handle:
            self.process = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)], stdout=handle, stderr=handle
            )
        wait_for_port(self.port, self.process, log)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@contextlib.contextmanager
def running(server: SshServer) -> Iterator[pwd.struct_passwd]:
    """The server user, an sshd for it and the server's Python; all stopped and removed on
    leaving, also when a test fails."""
    try:
        reason = missing(SSHD, "ssh", "ssh-keygen")
        if reason:
            pytest.skip(reason)
        user = ensure_user()
        os.chmod(server.base, 0o755)
        server.make_keys(user)
        server.python = server_python(server.home)
        yield user
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)


@dataclass
class Gitolite(SshServer):
    """gitolite for the server user, behind the sshd."""

    @property
    def repositories(self) -> Path:
        return self.home / "repositories"

    def url(self, repo: str) -> str:
        return f"ssh://{SERVER_USER}@127.0.0.1:{self.port}/{repo}"

    def start(self) -> None:
        shutil.copyfile(self.keys["admin"].with_suffix(".pub"), self.home / "admin.pub")
        as_server(self.home, ["gitolite", "setup", "-pk", str(self.home / "admin.pub")])
        self.start_sshd()

    def admin_push(self, work: Path, conf: str) -> None:
        """The admin changes gitolite's configuration: every account's key and ``conf``, in
        a real push to gitolite-admin."""
        admin = client_env(self.ssh("admin"))
        clone = work / "gitolite-admin"
        if not clone.exists():
            git(work, "clone", "--quiet", self.url("gitolite-admin"), str(clone), env=admin)
        for account in ACCOUNTS:
            key = self.keys[account].with_suffix(".pub")
            shutil.copyfile(key, clone / "keydir" / f"{account}.pub")
        (clone / "conf" / "gitolite.conf").write_text(conf, encoding="utf-8")
        git(clone, "add", "--all", env=admin)
        git(clone, "commit", "--quiet", "--allow-empty", "-m", "conf", env=admin)
        git(clone, "push", "--quiet", "origin", "HEAD:master", env=admin)

    def conf(self, extra: str = "") -> str:
        writers = " ".join([*CLERKS.values(), OFFICE])
        return GITOLITE_CONF.format(writers=writers, reader=READER, extra=extra)

    def install_duchu(self, repo: str = "records") -> Path:
        """``duchu hook install --server`` as the README has an office run it: as the
        gitolite user, in the repository."""
        folder = self.repositories / f"{repo}.git"
        install = [str(self.python), "-m", "duchu", "hook", "install", "--server"]
        as_server(self.home, install, cwd=folder)
        return folder


@contextlib.contextmanager
def gitolite_server(work: Path) -> Iterator[Gitolite]:
    """A running gitolite with the repository ``records``: duchu's hook installed, the
    sample records with accounts pushed by the office."""
    reason = missing("gitolite")
    if reason:
        pytest.skip(reason)
    work.mkdir(parents=True, exist_ok=True)
    server = Gitolite(Path(tempfile.mkdtemp(prefix="duchu-gitolite-")))
    with running(server):
        server.start()
        server.admin_push(work, server.conf())
        server.install_duchu()
        seed = records_with_accounts(work / "seed")
        office = server.env(OFFICE)
        git(seed, "push", "--quiet", server.url("records"), "HEAD:refs/heads/master", env=office)
        yield server


# --- plain ssh: forced commands -----------------------------------------------------------------

# the README's line of ~git/.ssh/authorized_keys: the account fixed by the key
FORCED = 'command="DUCHU_PUSHER={account} git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"",restrict {key}'


@dataclass
class PlainSsh(SshServer):
    """A bare repository of the server user's, reached over the sshd with one forced command
    per key (the README's plain ssh setup)."""

    @property
    def central(self) -> Path:
        return self.home / "records.git"

    def url(self) -> str:
        return f"ssh://{SERVER_USER}@127.0.0.1:{self.port}{self.central}"

    def start(self) -> None:
        lines = []
        for account in (*CLERKS.values(), OFFICE):
            key = self.keys[account].with_suffix(".pub").read_text().strip()
            lines.append(FORCED.format(account=account, key=key) + "\n")
        as_server(self.home, ["mkdir", "-m", "700", str(self.home / ".ssh")])
        (self.home / ".ssh" / "authorized_keys").write_text("".join(lines))
        as_server(self.home, ["git", "init", "--quiet", "--bare", str(self.central)])
        as_server(self.home, ["git", "symbolic-ref", "HEAD", "refs/heads/master"], cwd=self.central)
        install = [str(self.python), "-m", "duchu", "hook", "install", "--server"]
        as_server(self.home, install, cwd=self.central)
        self.start_sshd()


@contextlib.contextmanager
def plain_ssh_server(work: Path) -> Iterator[PlainSsh]:
    """A running plain ssh server with the records pushed by the office."""
    reason = missing("git-shell")
    if reason:
        pytest.skip(reason)
    server = PlainSsh(Path(tempfile.mkdtemp(prefix="duchu-ssh-")))
    with running(server):
        server.start()
        seed = records_with_accounts(work / "seed")
        office = server.env(OFFICE)
        git(seed, "push", "--quiet", server.url(), "HEAD:refs/heads/master", env=office)
        yield server


# --- git http-backend under lighttpd ------------------------------------------------------------

_LIGHTTPD_CONFIG = """\
server.modules = ("mod_alias", "mod_setenv", "mod_cgi", "mod_auth", "mod_authn_file")
server.document-root = "{base}/www"
server.bind = "127.0.0.1"
server.port = {port}
server.username = "{user}"
server.groupname = "{group}"
server.pid-file = "{base}/lighttpd.pid"
server.errorlog = "{base}/log/error.log"
alias.url = ("/git/" => "{backend}/")
auth.backend = "htpasswd"
auth.backend.htpasswd.userfile = "{base}/users"
auth.require = ("/git/" => ("method" => "basic", "realm" => "records", "require" => "valid-user"))
$HTTP["url"] =~ "^/git/" {{
    cgi.assign = ("" => "")
    setenv.set-environment = (
        "GIT_PROJECT_ROOT" => "{home}/git",
        "GIT_HTTP_EXPORT_ALL" => "1",
        "HOME" => "{home}",
        "PATH" => "/usr/local/bin:/usr/bin:/bin",
    )
}}
"""

PASSWORDS = {account: f"{account}-pw" for account in ACCOUNTS}


@dataclass
class Lighttpd:
    """lighttpd on a free loopback port, running ``git http-backend`` as the server user for
    the bare repositories under ``base``/home/git, each account logging in with its
    password (``PASSWORDS``, checked against an htpasswd file); the login is the CGI's
    ``REMOTE_USER``."""

    base: Path
    python: Path = field(default_factory=Path)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def home(self) -> Path:
        return self.base / "home"

    def url(self, repo: str, account: str | None) -> str:
        login = f"{account}:{PASSWORDS[account]}@" if account else ""
        return f"http://{login}127.0.0.1:{self.port}/git/{repo}.git"

    def start(self, user: pwd.struct_passwd) -> None:
        for folder in ("www", "log", "home/git"):
            (self.base / folder).mkdir(parents=True)
        give(self.base / "log", user)
        give(self.home, user)
        users = "".join(f"{a}:{htpasswd(p)}\n" for a, p in PASSWORDS.items())
        (self.base / "users").write_text(users, encoding="utf-8")
        self.port = free_port()
        config = self.base / "lighttpd.conf"
        config.write_text(
            _LIGHTTPD_CONFIG.format(
                base=self.base,
                home=self.home,
                port=self.port,
                user=SERVER_USER,
                group=grp_name(user),
                backend=GIT_HTTP_BACKEND,
            )
        )
        tested = subprocess.run(["lighttpd", "-tt", "-f", str(config)], capture_output=True)
        assert tested.returncode == 0, tested.stderr
        log = self.base / "lighttpd.log"
        with open(log, "wb") as handle:
            self.process = subprocess.Popen(
                ["lighttpd", "-D", "-f", str(config)], stdout=handle, stderr=handle
            )
        wait_for_port(self.port, self.process, log)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def repository(self, repo: str) -> Path:
        """A new bare repository served over http, pushes on (``http.receivepack``), made
        as the server user."""
        folder = self.home / "git" / f"{repo}.git"
        as_server(self.home, ["git", "init", "--quiet", "--bare", str(folder)])
        as_server(self.home, ["git", "symbolic-ref", "HEAD", "refs/heads/master"], cwd=folder)
        as_server(self.home, ["git", "config", "http.receivepack", "true"], cwd=folder)
        return folder


def htpasswd(password: str) -> str:
    """A password as an htpasswd file holds it, in the form ``htpasswd -s`` writes."""
    digest = hashlib.sha1(password.encode()).digest()
    return "{SHA}" + base64.b64encode(digest).decode()


def grp_name(user: pwd.struct_passwd) -> str:
    return grp.getgrgid(user.pw_gid).gr_name


@contextlib.contextmanager
def lighttpd_server() -> Iterator[Lighttpd]:
    """A running lighttpd serving ``git http-backend``; stopped and removed on leaving."""
    reason = missing("lighttpd", GIT_HTTP_BACKEND)
    if reason:
        pytest.skip(reason)
    user = ensure_user()
    base = Path(tempfile.mkdtemp(prefix="duchu-http-"))
    os.chmod(base, 0o755)
    server = Lighttpd(base)
    try:
        server.start(user)
        server.python = server_python(server.home)
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
