"""``duchu hook status``: whether duchu's hook is the one git runs, whether it can run, and
whether it would refuse an invalid tree -- each a finding of its own.

A git server changes hooks behind one's back: gitolite with ``LOCAL_CODE`` and
``repo-specific-hooks`` puts a link to its own driver in place of ``hooks/pre-receive`` at the
next admin push, a ``core.hooksPath`` sends git to another folder, a new Python lacks duchu.
Every push then goes in unchecked, silently. So the hook is looked at as git would find it,
its Python is asked to start duchu (``hook run --probe``), and the hook's own judgement is run
on a trial: a commit of an invalid ``campaign.yaml`` on top of the default branch (or, for the
client hooks, an index holding one), written into a folder of its own beside the repository's
objects, as git's quarantine holds a push -- no ref moves and nothing is written into the
repository.

The installed script itself is never run: it must be exactly what this duchu writes (so what
it would do is known), and its Python is run with that script's arguments.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from duchu.errors import DuchuError
from duchu.git.objects import (
    aside,
    default_commit,
    head_branch,
    is_bare,
    own_folders,
    trial_commit,
    trial_index,
)
from duchu.git.run import hooks_folder, repository_root
from duchu.hooks.install import CLIENT_HOOKS, SERVER_HOOK, _ours, hook_script, launcher
from duchu.hooks.server import PUSHER_VARIABLES

TRIAL_FILE = "campaign.yaml"
TRIAL = b"# duchu hook status: a trial record, never committed\nname: [\n"
TRIAL_CODE = "yaml-syntax"
GITOLITE_DRIVER = "multi-hook-driver"
_TIMEOUT = 120


@dataclass(frozen=True)
class Finding:
    """One line of the status: whether it holds, its message key and the key's fields."""

    ok: bool
    key: str
    args: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Installed:
    """A hook of duchu's that git runs, as its script says: the Python and the options."""

    path: Path
    python: str
    options: list[str]


def _parse(path: Path, hook: str) -> Installed | None:
    """The Python and options of duchu's script at ``path``, when the script is exactly what
    this duchu writes for them; None otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    python = options = None
    for line in text.splitlines():
        if line.startswith("python="):
            words = shlex.split(line[len("python=") :])
            python = words[0] if len(words) == 1 else None
        elif line.strip().startswith('exec "$python"'):
            words = shlex.split(line)
            run = words.index("run") if "run" in words else -1
            options = words[run + 2 : -1] if run > 0 and words[-1] == "$@" else None
    if python is None or options is None:
        return None
    return Installed(path, python, options) if hook_script(hook, python, options) == text else None


def _script(folder: Path, hook: str, server: str) -> tuple[Finding, Installed | None]:
    """Whether git, looking in ``folder``, runs duchu's ``hook`` (directly, or through the
    dispatcher of Gitea or gitolite)."""
    path = folder / hook
    ours: Path | None = None
    if path.is_symlink():
        target = os.readlink(path)
        driven = folder / f"{hook}.h"  # gitolite's repo-specific hooks, run by its driver
        found = sorted(p for p in driven.glob("*") if _ours(p.resolve())) if driven.is_dir() else []
        if Path(target).name != GITOLITE_DRIVER or not found:
            return Finding(False, "status-hook-link", {"path": path, "target": target}), None
        ours, driver = found[0].resolve(), target
    elif not path.exists():
        return Finding(False, "status-hook-missing", {"path": path, "server": server}), None
    elif _ours(path):
        ours, driver = path, ""
    elif _ours(folder / f"{hook}.d" / "duchu"):  # Gitea's and Forgejo's pre-receive.d
        ours, driver = folder / f"{hook}.d" / "duchu", str(path)
    else:
        return Finding(False, "status-hook-foreign", {"path": path}), None
    if not os.access(ours, os.X_OK):
        return Finding(False, "status-hook-not-executable", {"path": ours, "server": server}), None
    installed = _parse(ours, hook)
    if installed is None:
        return Finding(False, "status-hook-stale", {"path": ours, "server": server}), None
    if driver:
        return Finding(True, "status-hook-dispatched", {"path": ours, "driver": driver}), installed
    return Finding(True, "status-hook-installed", {"path": ours}), installed


def _where(repository: Path, hook: str, server: str) -> tuple[Finding, Installed | None]:
    """The hook git runs, where git looks for it (``core.hooksPath`` honoured): a duchu hook
    in the repository's own folder that git does not look in is no hook."""
    folder = hooks_folder(repository)
    finding, installed = _script(folder, hook, server)
    own = own_folders(repository)[0] / "hooks"
    if installed is None and folder != own.resolve() and _ours(own / hook):
        return Finding(False, "status-hook-elsewhere", {"folder": folder, "path": own / hook}), None
    return finding, installed


def _environment(extra: dict[str, str]) -> dict[str, str]:
    """The hook's environment for a trial: nobody pushing, no cache written."""
    env = {k: v for k, v in os.environ.items() if k not in PUSHER_VARIABLES}
    return {**env, "DUCHU_NO_CACHE": "1", **extra}


def _run(
    installed: Installed, hook: str, cwd: Path, env: dict[str, str], given: bytes, *more: str
) -> subprocess.CompletedProcess[bytes]:
    argv = [installed.python, "-P", "-c", launcher(hook), "hook", "run", hook, *installed.options]
    return subprocess.run(
        [*argv, *more],
        cwd=cwd,
        env=_environment(env),
        input=given,
        capture_output=True,
        timeout=_TIMEOUT,
        check=False,
    )


def _last_line(done: subprocess.CompletedProcess[bytes]) -> str:
    lines = (done.stderr + done.stdout).decode("utf-8", "replace").strip().splitlines()
    return " ".join(lines[-1].split()) if lines else f"exit {done.returncode}"


def _can_run(installed: Installed, hook: str, cwd: Path) -> Finding:
    python = installed.python
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        return Finding(False, "status-no-python", {"python": python})
    try:
        done = _run(installed, hook, cwd, {}, b"", "--probe")
    except (OSError, subprocess.SubprocessError) as err:
        return Finding(False, "status-cannot-run", {"python": python, "detail": str(err)})
    out = done.stdout.decode("utf-8", "replace").split()
    if done.returncode != 0 or len(out) != 2 or out[0] != "duchu":
        return Finding(False, "status-cannot-run", {"python": python, "detail": _last_line(done)})
    return Finding(True, "status-runs", {"python": python, "version": out[1]})


def _judged(done: subprocess.CompletedProcess[bytes], path: str) -> Finding:
    """What the hook made of the trial: refused for the trial's own error, or not."""
    told = (done.stderr + done.stdout).decode("utf-8", "replace")
    if done.returncode == 0:
        return Finding(False, "status-accepts", {"path": path, "code": done.returncode})
    named = any(
        line.startswith(f"{path}:") and line.rstrip().endswith(f"[{TRIAL_CODE}]")
        for line in told.splitlines()
    )
    if done.returncode != 1 or not named:
        detail = _last_line(done)
        return Finding(False, "status-refuses-wrongly", {"code": done.returncode, "detail": detail})
    return Finding(True, "status-refuses", {"path": path, "code": TRIAL_CODE})


def _refuses_push(installed: Installed, repository: Path) -> Finding:
    with tempfile.TemporaryDirectory(prefix="duchu-status-") as folder:
        try:
            env = aside(repository, Path(folder))
            base = default_commit(repository)
            commit = trial_commit(repository, env, {TRIAL_FILE: TRIAL}, base)
            ref = head_branch(repository) or "refs/heads/master"
            line = f"{base or '0' * len(commit)} {commit} {ref}\n"
            done = _run(installed, SERVER_HOOK, repository, env, line.encode())
        except (DuchuError, OSError, subprocess.SubprocessError) as err:
            return Finding(False, "status-trial-failed", {"detail": str(err)})
        return _judged(done, TRIAL_FILE)


def _refuses_commit(installed: Installed, hook: str, root: Path, top: Path) -> Finding:
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    with tempfile.TemporaryDirectory(prefix="duchu-status-") as folder:
        try:
            env = {**aside(top, Path(folder)), "GIT_INDEX_FILE": str(Path(folder) / "index")}
            trial_index(top, env, prefix, {TRIAL_FILE: TRIAL})
            done = _run(installed, hook, top, env, b"")
        except (DuchuError, OSError, subprocess.SubprocessError) as err:
            return Finding(False, "status-trial-failed", {"detail": str(err)})
        return _judged(done, TRIAL_FILE)


def server_status(repository: Path) -> list[Finding]:
    """The central repository's pre-receive hook: installed, can run, refuses an invalid
    tree."""
    if not is_bare(repository):
        raise DuchuError("hook-server-not-bare", path=repository)
    found, installed = _where(repository, SERVER_HOOK, " --server")
    if installed is None:
        return [found, Finding(False, "status-untested")]
    ran = _can_run(installed, SERVER_HOOK, repository)
    if not ran.ok:
        return [found, ran]
    return [found, ran, _refuses_push(installed, repository)]


def client_status(root: Path) -> list[Finding]:
    """The client hooks of the working repository holding the records ``root``: for each,
    installed, can run, refuses a commit of an invalid tree."""
    top = repository_root(root)
    findings = []
    for hook in CLIENT_HOOKS:
        found, installed = _where(top, hook, "")
        findings.append(found)
        if installed is None:
            continue
        ran = _can_run(installed, hook, top)
        findings.append(ran)
        if ran.ok:
            findings.append(_refuses_commit(installed, hook, root, top))
    if all(not finding.ok and finding.key.startswith("status-hook") for finding in findings):
        findings.append(Finding(False, "status-untested"))  # no hook of duchu's at all
    return findings
