"""``duchu site``: a static HTML dashboard of the records, opened from disk with no server.

The pages show what the core already judged -- ``duchu.status`` for every unit's actions,
``duchu.office`` for the groups side by side, ``duchu.tally`` for the appraisals -- and are
rendered from Jinja templates (``templates/site/``; a records tree's own ``templates/site/``
overrides them by file name, in the same sandbox as reports) with HTML autoescaping on.
Charts are inline SVG made by ``duchu.site.charts``; a stylesheet and a little JavaScript
(sorting a table, filtering by group) are written beside the pages. Nothing in a page
points outside the folder: no CDN, no web fonts, no absolute local path.

``pages`` builds what each page shows, ``folder`` writes them whole or not at all and only
ever replaces what duchu wrote before. Like the rest of the core, nothing here prints,
reads the clock or runs git.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from jinja2 import Environment

from duchu.errors import DuchuError
from duchu.site.folder import SiteFolder, check_site_folder
from duchu.site.pages import Page, SiteBuilder, SiteInput
from duchu.templating import (
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


def write_site(folder: Path, data: SiteInput) -> int:
    """Render every page of ``data`` into ``folder`` (``duchu.site.folder``); the number of
    pages written."""
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
        _render(env, bounded, output, jobs)
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


def _render(env: Environment, bounded: bool, output: SiteFolder, jobs: Sequence[Job]) -> None:
    """Make, render and write ``jobs``. Files are created by a second thread while the next
    page renders: creating a file costs the disk half a millisecond, and the system call
    lets the renderer run meanwhile."""
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
