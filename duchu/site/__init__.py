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

from pathlib import Path

from duchu.errors import DuchuError
from duchu.site.folder import SiteFolder, check_site_folder
from duchu.site.pages import SiteBuilder, SiteInput
from duchu.templating import environment, find_template_file, render_in

__all__ = ["SiteInput", "check_site_folder", "write_site"]

# Files written as they are (a tree's templates/site/ may replace them by name).
ASSETS = ("site.css", "site.js")


def write_site(folder: Path, data: SiteInput) -> int:
    """Render every page of ``data`` into ``folder`` (``duchu.site.folder``); the number of
    pages written."""
    root = data.tree.root
    env = environment(root, html=True)
    assets = {}
    for name in ASSETS:  # found before anything is written: a missing one is refused now
        source = find_template_file(root, f"site/{name}")
        if source is None:
            raise DuchuError("template-not-found", name=f"site/{name}")
        assets[name] = source.read_bytes()
    output = SiteFolder(folder, root)
    pages = 0
    try:
        for name, content in assets.items():
            output.write(f"assets/{name}", content)
        for page in SiteBuilder(data).pages():
            output.write(page.path, render_in(env, page.template, page.context))
            pages += 1
        output.commit()
    except OSError as err:
        from duchu.errors import os_reason

        output.discard()
        raise DuchuError("cannot-write", path=folder, reason=os_reason(err)) from None
    except BaseException:
        output.discard()
        raise
    return pages
