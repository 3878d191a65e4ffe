"""``duchu site``: a static HTML dashboard of the records, opened from disk with no server.

The pages show what the core already judged (``duchu.judge.site``: ``duchu.judge.status``
for every unit's actions, ``duchu.judge.office`` for the groups side by side,
``duchu.judge.tally`` for the appraisals) and are
rendered from Jinja templates (``templates/site/``; a records tree's own ``templates/site/``
overrides them by file name, in the same sandbox as reports) with HTML autoescaping on.
Charts are inline SVG made by ``duchu.render.site.charts``; a stylesheet and a little JavaScript
(sorting a table, filtering by group) are written beside the pages. Nothing in a page
points outside the folder: no CDN, no web fonts, no absolute local path.

``pages`` builds what each page shows, ``folder`` writes them whole or not at all and only
ever replaces what duchu wrote before. Like the rest of the core, nothing here prints,
reads the clock or runs git.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NoReturn

from jinja2 import Environment

from duchu import platform
from duchu.errors import DuchuError
from duchu.judge.site import SiteInput
from duchu.render.site.folder import SiteFolder, check_site_folder
from duchu.render.site.pages import Page, SiteBuilder
from duchu.render.templating import (
    builtin_html_environment,
    environment,
    find_template_file,
    own_templates,
    render_in,
)

__all__ = ["SiteInput", "check_site_folder", "write_site"]

# Files written as they are (a tree's templates/site/ may replace them by name).
ASSETS = ("site.css", "site.js")
# Pages rendered but not yet on disk, at most: a province's pages are never all in memory.
WRITES_AHEAD = 64


def write_site(folder: Path, data: SiteInput, *, die_with_parent: Callable[[int], None]) -> int:
    """Render every page of ``data`` into ``folder`` (``duchu.render.site.folder``); the number
    of pages written. ``die_with_parent`` makes a forked renderer end with the process that
    started it (the caller's: ``duchu.records.load.die_with_parent``)."""
    root = data.tree.root
    # A tree's own site templates -- any of them, base.html.j2 included -- render in the
    # sandbox, each page within its bounds; duchu's own are trusted and render unbounded.
    own = own_templates(root)
    bounded = own is not None and os.path.lexists(own / "site")
    env = environment(root, html=True) if bounded else builtin_html_environment()
    # the templates do not change while the site is written: no asking the file system
    # whether they had, twice for each of 20,000 pages
    env.auto_reload = False
    assets = {}
    for name in ASSETS:  # found before anything is written: a missing one is refused now
        source = find_template_file(root, f"site/{name}")
        if source is None:
            raise DuchuError("template-not-found", name=f"site/{name}")
        assets[name] = source.read_bytes()
    output = SiteFolder(folder, root)
    try:
        jobs = list(SiteBuilder(data).jobs())
        for name, content in assets.items():
            output.write(f"assets/{name}", content)
        for path, _ in jobs:
            output.prepare(path)  # every folder made and every file named, here
        _render(env, bounded, output, jobs, die_with_parent)
        output.commit()
    except OSError as err:
        from duchu.errors import os_reason

        output.discard()
        raise DuchuError("cannot-write", path=folder, reason=os_reason(err)) from None
    except BaseException:
        output.discard()
        raise
    pages = len(jobs)
    return pages


Job = tuple[str, Callable[[], Page]]

# Below this many pages one process renders them all: a fork costs more than it saves.
FORK_MIN_PAGES = 400


def _render(
    env: Environment,
    bounded: bool,
    output: SiteFolder,
    jobs: Sequence[Job],
    die_with_parent: Callable[[int], None],
) -> None:
    """Make, render and write ``jobs``: on a machine of several cores, a province's pages
    are shared out among forked copies of this process, which have the judged records
    already in memory (copy-on-write) and write their files straight into the staging
    folder; a failure in any of them fails the whole site as it would here."""
    workers = min(os.cpu_count() or 1, 4) if platform.can_fork() else 1
    if workers < 2 or len(jobs) < FORK_MIN_PAGES:
        _render_here(env, bounded, output, jobs, shared=False)
        return
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    parent = os.getpid()  # taken here: a child asking after the fork may find PID 1
    try:
        for share in range(1, workers):
            read_end, write_end = os.pipe()
            pid = platform.fork()
            if pid == 0:  # the child: its share of the pages, then out without cleanup
                os.close(read_end)
                _render_child(
                    env, bounded, output, jobs[share::workers], write_end, parent, die_with_parent
                )
            os.close(write_end)
            children.append((pid, read_end))
        _render_here(env, bounded, output, jobs[0::workers], shared=True)
    except BaseException:
        _stop(children)  # the site fails whole: the others need not finish
        raise
    failures = []
    try:
        while children:
            pid, read_end = children[0]
            failures.append(_reap(pid, read_end))
            children.pop(0)  # reaped: its pid gone; its pipe closed next
            os.close(read_end)
    except BaseException:  # interrupted while waiting (Ctrl-C): none may go on writing
        _stop(children)
        raise
    for failure in failures:
        if failure is not None:
            raise failure


def _stop(children: list[tuple[int, int]]) -> None:
    """End the forked renderers and wait for them, so that none writes into a staging
    folder that is being removed."""
    for pid, _ in children:
        with contextlib.suppress(OSError):
            platform.kill_now(pid)
    for pid, read_end in children:
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        with contextlib.suppress(OSError):
            os.close(read_end)


def _render_child(
    env: Environment,
    bounded: bool,
    output: SiteFolder,
    jobs: Sequence[Job],
    report: int,
    parent: int,
    die_with_parent: Callable[[int], None],
) -> NoReturn:
    """A forked renderer's whole life: it ends with the parent, renders its share, and
    tells the parent of a failure through ``report`` (a pickled exception)."""
    import pickle

    code = 0
    try:
        die_with_parent(parent)
        _render_here(env, bounded, output, jobs, shared=True)
    except BaseException as err:  # everything reaches the parent, which decides
        code = 1
        try:
            message = pickle.dumps(err)
        except Exception:  # an exception that cannot travel: its words do
            message = pickle.dumps(RuntimeError(str(err)))
        with contextlib.suppress(OSError):
            os.write(report, message)
    finally:
        os._exit(code)  # no atexit, no flushing of the parent's buffers twice


def _reap(pid: int, report: int) -> BaseException | None:
    """Wait for a forked renderer; the exception it failed with, if it did. Its pipe is
    the caller's to close."""
    import pickle

    chunks = []
    with contextlib.suppress(OSError):
        while chunk := os.read(report, 65536):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return None
    if chunks:
        try:
            failure: BaseException = pickle.loads(b"".join(chunks))
            return failure
        except Exception:  # a garbled report is a failure all the same
            pass
    how = f"signal {-code}" if (code := os.waitstatus_to_exitcode(status)) < 0 else f"exit {code}"
    return DuchuError("site-renderer-died", how=how)


def _render_here(
    env: Environment, bounded: bool, output: SiteFolder, jobs: Sequence[Job], *, shared: bool
) -> None:
    """Make, render and write ``jobs`` in this process. Alone, it has files created by a
    second thread while the next page renders (creating a file costs a virtual disk up to
    a millisecond, and the system call lets the renderer run meanwhile); ``shared`` among
    forked renderers, each writes its own files, as the other cores render meanwhile and
    a writer thread would only wait for the lock the renderer holds (measured: slower)."""
    if shared:
        for path, build in jobs:
            page = build()
            output.write_prepared(
                path, render_in(env, page.template, page.context, bounded=bounded)
            )
        return
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: deque[Future[None]] = deque()
        for path, build in jobs:
            page = build()
            body = render_in(env, page.template, page.context, bounded=bounded)
            pending.append(writer.submit(output.write_prepared, path, body))
            while len(pending) > WRITES_AHEAD or (pending and pending[0].done()):
                pending.popleft().result()  # a fault of the disk stops the run here
        while pending:
            pending.popleft().result()
