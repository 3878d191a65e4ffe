"""Time a push to the office's central repository against a warm ``duchu check`` of the tree.

    python bench/push.py 2000             # makes /tmp/duchu-push-2000 if it is not there
    python bench/push.py 2000 --runs 5

The generated tree (bench/make_tree.py), every group given an account (``clerk0001`` for
g0001 ...) and the office its own (``office``), is committed in a working repository; a bare
clone of it is the central repository, with ``duchu hook install --server``; a clerk's clone
pushes to it. Each round, side by side, every figure a whole process with its output read
from a pipe:

- ``duchu check`` warm, on the clerk's working tree (its cache filled by an untimed run):
  the reference;
- an accepted push, warm: g0001's clerk changes one of the group's unit files and adds a
  meeting for it, commits, and times ``git push`` (git's own work and the pre-receive hook:
  the new tree checked from git's objects, every new commit judged against the accounts),
  the hook's caches filled by the previous push;
- a refused push, warm: the same clerk changes a unit of g0002 (refused, nothing moves; the
  clone is reset afterwards);
- an accepted push, cold: the hook's caches (``$XDG_CACHE_HOME/duchu/<central>/``) emptied
  first.

The target (issue 14): a warm push within 2x a warm ``duchu check`` of that tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Every warm figure here is a command that judges: an answer kept (duchu.answers) is given
# again in about a stat walk's time, which bench/run.py measures on its own.
os.environ["DUCHU_NO_ANSWERS"] = "1"

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_tree import make  # noqa: E402 -- bench/ is not a package

WHO = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.cn",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.cn",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**(env or os.environ), **WHO}, capture_output=True
    )
    if check and done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.decode()[-500:]}")
    return done.stdout.decode()


def make_office(units: int, base: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """The central repository (with the hook) and a clerk's clone of it."""
    seed, central, work = base / "seed", base / "central.git", base / "work"
    if not (seed / ".git").is_dir():
        shutil.rmtree(base, ignore_errors=True)
        make(units, seed)
        for group in sorted((seed / "groups").glob("*.yaml")):
            number = group.stem[1:]
            with open(group, "a", encoding="utf-8") as handle:
                handle.write(f"accounts: [clerk{number}]\n")
        campaign = seed / "campaign.yaml"
        text = campaign.read_text(encoding="utf-8")
        campaign.write_text(text.replace("\nyear:", "\noffice_accounts: [office]\nyear:", 1))
        (seed / ".gitignore").write_text(".duchu-cache/\n", encoding="utf-8")
        git(seed, "init", "--quiet")
        git(seed, "add", "--all")
        git(seed, "commit", "--quiet", "-m", "records")
    shutil.rmtree(central, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    git(base, "clone", "--quiet", "--bare", str(seed), str(central))
    subprocess.run(
        [sys.executable, "-m", "duchu", "hook", "install", "--server", str(central)],
        env=env,
        check=True,
        capture_output=True,
    )
    git(base, "clone", "--quiet", str(central), str(work))
    return central, work


def unit_of(work: Path, group: str) -> str:
    for path in sorted((work / "units").glob("*.yaml")):
        if f"\ngroup: {group}\n" in path.read_text(encoding="utf-8"):
            return path.stem
    raise SystemExit(f"no unit of {group}")


def timed_push(work: Path, who: str, env: dict[str, str]) -> tuple[float, bool]:
    started = time.perf_counter()
    done = subprocess.run(
        ["git", "push", "--quiet", "origin", "HEAD:master"],
        cwd=work,
        env={**env, **WHO, "DUCHU_PUSHER": who},
        capture_output=True,
    )
    return time.perf_counter() - started, done.returncode == 0


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-500:]!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("units", type=int)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--base", type=Path)
    options = parser.parse_args()
    base = options.base or Path(f"/tmp/duchu-push-{options.units}")
    cache_home = base / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    for name in ("DUCHU_NO_CACHE", "GL_USER", "GL_USERNAME", "GITEA_PUSHER_NAME"):
        env.pop(name, None)
    _, work = make_office(options.units, base, env)
    mine, theirs = unit_of(work, "g0001"), unit_of(work, "g0002")
    check = [sys.executable, "-m", "duchu", "--records", str(work), "check"]
    timed(check, env)  # fills the working tree's cache

    def change(unit: str, n: int) -> None:
        path = work / "units" / f"{unit}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + f"# round {n}\n", encoding="utf-8")
        meeting = work / "meetings" / "bench" / f"{unit}-{n}.yaml"
        meeting.parent.mkdir(parents=True, exist_ok=True)
        meeting.write_text(f"date: 2014-05-{n % 28 + 1:02d}\nunit: {unit}\nkind: visit\n")
        git(work, "add", "--all")
        git(work, "commit", "--quiet", "-m", f"round {n}")

    n = 0

    def accepted() -> float:
        nonlocal n
        n += 1
        change(mine, n)
        seconds, ok = timed_push(work, "clerk0001", env)
        if not ok:
            raise SystemExit("an own-group push was refused")
        return seconds

    def refused() -> float:
        nonlocal n
        n += 1
        change(theirs, n)
        seconds, ok = timed_push(work, "clerk0001", env)
        if ok:
            raise SystemExit("another group's change was accepted")
        git(work, "reset", "--quiet", "--hard", "origin/master")
        return seconds

    accepted()  # fills the hook's caches
    samples: dict[str, list[float]] = {
        "duchu check, warm": [],
        "push accepted, warm": [],
        "push refused, warm": [],
        "push accepted, cold": [],
    }
    for _ in range(options.runs):
        samples["duchu check, warm"].append(timed(check, env))
        samples["push accepted, warm"].append(accepted())
        samples["push refused, warm"].append(refused())
        for folder in cache_home.glob("duchu/*"):
            if (folder / "push").exists() or (folder / "owners").exists():
                shutil.rmtree(folder)
        samples["push accepted, cold"].append(accepted())
    median = {case: statistics.median(values) for case, values in samples.items()}
    files = sum(1 for _ in work.rglob("*.yaml"))
    print(f"## {options.units} units, {files} YAML files (median of {options.runs} rounds)")
    print("| what | median s | × warm check |")
    print("|---|---:|---:|")
    reference = median["duchu check, warm"]
    for case, seconds in median.items():
        print(f"| {case} | {seconds:.2f} | {seconds / reference:.2f} |")
    ratio = median["push accepted, warm"] / reference
    verdict = "met" if ratio <= 2 else "MISSED"
    print(f"\nwarm push / warm check: {ratio:.2f} (target <= 2: {verdict})")


if __name__ == "__main__":
    main()
