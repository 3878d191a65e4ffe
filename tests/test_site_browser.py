"""The site in a real browser, as its readers will see it: headless Chromium opening the
pages from disk with the network cut, asserting on the page it rendered (the DOM after the
page's own script ran).

The network is cut by a proxy that answers nothing: every request the browser makes for a
page goes to a socket this test listens on, and is recorded. A page that fetched a font,
a script or an image from anywhere would show up there (a control page that does is caught
too). Chromium's own housekeeping (update checks, the time, sign-in) goes through the same
proxy; those requests name Google's service hosts and are set aside.

Skipped, saying why, where no Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, build_tree, copy_tree
from tests.test_site import HOSTILE, hostile_tree

BROWSER = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
        if (found := shutil.which(name))
    ),
    None,
)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium found (apt-get install chromium): browser tests skipped"
)
runner = CliRunner()
AS_OF = "2014-06-20"
# Chromium's own services: requests the browser makes for itself, never for a page
BROWSER_OWN = (".google.com", ".googleapis.com", ".gvt1.com", ".gstatic.com")
PAGE_FETCHABLE = ("fonts.googleapis.com", "fonts.gstatic.com", "ajax.googleapis.com")


def host_of(request_line: str) -> str:
    """The host a proxied request is for: ``CONNECT host:443`` or ``GET http://host/...``."""
    target = request_line.split(" ")[1] if " " in request_line else ""
    if "://" not in target:
        return target.rsplit(":", 1)[0]
    return urlsplit(target).hostname or ""


class Catcher:
    """A proxy that records the first line of every request and answers nothing."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(32)
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            client.settimeout(2)
            with contextlib.suppress(OSError):
                first_line = client.recv(512).decode("latin-1").split("\r\n")[0]
                # a connection closed before sending a byte is the browser's speculative
                # preconnect to the proxy: it asked for nothing
                if first_line:
                    self.requests.append(first_line)
            client.close()

    def page_requests(self) -> list[str]:
        """The requests a page made: all but the browser's housekeeping."""
        return [
            r
            for r in self.requests
            if host_of(r) in PAGE_FETCHABLE or not host_of(r).endswith(BROWSER_OWN)
        ]

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def catcher() -> Iterator[Catcher]:
    caught = Catcher()
    yield caught
    caught.close()


def chromium(catcher: Catcher, profile: Path, *args: str) -> str:
    assert BROWSER is not None
    flags = [
        "--headless",
        "--no-sandbox",  # tests may run as root in a container
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        f"--proxy-server=http://127.0.0.1:{catcher.port}",
        "--proxy-bypass-list=<-loopback>",  # even 127.0.0.1 goes to the catcher
        f"--user-data-dir={profile}",
        "--virtual-time-budget=3000",  # let every load the page starts happen first
    ]
    done = subprocess.run(
        [BROWSER, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dom(catcher: Catcher, profile: Path, page: Path) -> str:
    return chromium(catcher, profile, "--dump-dom", page.as_uri())


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("browser")
    records = copy_tree(SAMPLE, top / "records")
    out = top / "site"
    env = {"DUCHU_NO_CACHE": "1", "XDG_CACHE_HOME": str(top / "cache")}
    result = runner.invoke(
        app, ["site", "--records", str(records), "-o", str(out), "--as-of", AS_OF], env=env
    )
    assert result.exit_code == 0, result.stderr
    return out


def test_the_catcher_sees_a_page_that_fetches_from_outside(
    tmp_path: Path, catcher: Catcher
) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><body><img src="http://example.com/x.png">'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=X"></body></html>'
    )
    dom(catcher, tmp_path / "profile", page)
    caught = catcher.page_requests()
    assert any("example.com" in r for r in caught), catcher.requests
    assert any("fonts.googleapis.com" in r for r in caught), catcher.requests


def test_overview_names_every_group_and_fetches_nothing(
    sample_site: Path, tmp_path: Path, catcher: Catcher
) -> None:
    rendered = dom(catcher, tmp_path / "profile", sample_site / "index.html")
    for name in ("市委第一督导组", "市委第二督导组", "市委第三督导组"):
        assert name in rendered
    assert "依据截至 2014年6月20日 的记录" in rendered  # the foot of the page was reached
    assert catcher.page_requests() == []


def test_a_lagging_units_page_shows_its_overdue_action(
    sample_site: Path, tmp_path: Path, catcher: Catcher
) -> None:
    rendered = dom(catcher, tmp_path / "profile", sample_site / "units" / "guotu.html")
    assert "谈心谈话全覆盖（逾期 20 天）" in rendered
    assert catcher.page_requests() == []


def test_a_group_page_and_the_appraisals_fetch_nothing(
    sample_site: Path, tmp_path: Path, catcher: Catcher
) -> None:
    group = dom(catcher, tmp_path / "profile", sample_site / "groups" / "g3.html")
    assert 'class="cell overdue' in group and "市国土局" in group
    appraisals = dom(catcher, tmp_path / "profile", sample_site / "appraisals.html")
    assert "<svg" in appraisals
    assert catcher.page_requests() == []


def test_a_script_in_a_record_is_text_and_never_runs(tmp_path: Path, catcher: Catcher) -> None:
    tree = hostile_tree(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["site", "--records", str(tree), "-o", str(out), "--as-of", "2014-03-01"]
    )
    assert result.exit_code == 0, result.stderr
    for page in (out / "units" / "a.html", out / "index.html", out / "groups" / "g1.html"):
        rendered = dom(catcher, tmp_path / "profile", page)
        # had the script run, the body would carry its attribute; had the <img> been made,
        # the DOM would hold an img element
        body_tag = re.search(r"<body[^>]*>", rendered)
        assert body_tag is not None and "data-pwned" not in body_tag.group(0)
        assert "<img" not in rendered
        assert rendered.count("<script") == 1  # site.js
    unit = dom(catcher, tmp_path / "profile", out / "units" / "a.html")
    # the DOM holds the record's text as text: serialised, its '<' is '&lt;'
    assert "甲单位&lt;script&gt;document.body.setAttribute(" in unit
    assert HOSTILE not in unit
    assert catcher.page_requests() == []


def test_screenshot_and_a4_print(sample_site: Path, tmp_path: Path, catcher: Catcher) -> None:
    shot = tmp_path / "group.png"
    pdf = tmp_path / "group.pdf"
    page = (sample_site / "groups" / "g2.html").as_uri()
    chromium(
        catcher,
        tmp_path / "profile",
        "--window-size=1366,768",
        "--hide-scrollbars",
        f"--screenshot={shot}",
        page,
    )
    chromium(catcher, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page)
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(header[16:20], "big") == 1366
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF")
    # A4 landscape (the print stylesheet's @page): 842 x 595 points
    assert b"/MediaBox [0 0 841.91998 594.95996]" in body or b"841.92" in body
    assert catcher.page_requests() == []


def test_the_one_group_site_opens(tmp_path: Path, catcher: Catcher) -> None:
    tree = build_tree(tmp_path / "tree")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["site", "--records", str(tree), "-o", str(out), "--as-of", "2014-03-01"]
    )
    assert result.exit_code == 0, result.stderr
    rendered = dom(catcher, tmp_path / "profile", out / "index.html")
    assert "第一督导组" in rendered and "测试活动督导工作看板" in rendered


# Appended after the page's own script, as a reader's clicks would come: sorts the office
# table by a text column twice, by a number column, by the keyboard, and writes what the
# rows read after each into <pre id="probe">.
SORT_PROBE = r"""<script>
(function () {
  var table = document.querySelector("table.sortable.office");
  var heads = table.tHead.rows[0].cells;
  // the completion rate's column, found by its heading (columns come and go)
  var rate = Array.prototype.findIndex.call(heads, function (th) {
    return th.textContent.replace(/\s/g, "") === "完成率";
  });
  function names() {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return row.cells[0].textContent.trim();
    });
  }
  function done() {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return parseFloat(row.cells[rate].getAttribute("data-value"));
    });
  }
  var seen = {before: names()};
  heads[0].click(); seen.by_name = names(); seen.aria = heads[0].getAttribute("aria-sort");
  heads[0].click(); seen.by_name_again = names();
  seen.aria_again = heads[0].getAttribute("aria-sort");
  heads[rate].click(); seen.by_done = done();
  seen.aria_name_after = heads[0].getAttribute("aria-sort");
  heads[rate].dispatchEvent(new KeyboardEvent("keydown", {key: "Enter"}));
  seen.by_done_key = done();
  var out = document.createElement("pre"); out.id = "probe";
  out.textContent = JSON.stringify(seen); document.body.appendChild(out);
})();
</script>"""

FILTER_PROBE = """<script>
(function () {
  var select = document.querySelector("select[data-filter]");
  var table = document.getElementById(select.getAttribute("data-filter"));
  function shown() {
    return Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
      return !row.hidden;
    }).map(function (row) { return row.getAttribute("data-group"); });
  }
  var seen = {all: shown(), choices: []};
  Array.prototype.forEach.call(select.options, function (option) {
    select.value = option.value; select.dispatchEvent(new Event("change"));
    seen.choices.push([option.value, shown()]);
  });
  var out = document.createElement("pre"); out.id = "probe";
  out.textContent = JSON.stringify(seen); document.body.appendChild(out);
})();
</script>"""


def probed(
    catcher: Catcher, profile: Path, page: Path, probe: str, *, phone: bool = False
) -> dict[str, Any]:
    """Open a copy of ``page`` (beside it, so its links and site.js resolve) with ``probe``
    run after the page's own script; what the probe wrote. ``phone``: the page is laid out
    390 px wide, in a frame of that width (headless Chromium lays a window out no narrower
    than 500 px), and the probe's answer comes back from the frame as a message."""
    copy = page.with_name(f"probe-{page.name}")
    copy.write_text(
        page.read_text(encoding="utf-8").replace("</body>", probe + "\n</body>"), "utf-8"
    )
    opened = copy
    if phone:
        opened = page.with_name(f"phone-{page.name}")
        opened.write_text(phone_frame(copy.name), "utf-8")
    try:
        rendered = chromium(catcher, profile, "--hide-scrollbars", "--dump-dom", opened.as_uri())
    finally:
        copy.unlink()
        if phone:
            opened.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', rendered, re.S)
    assert found is not None, rendered[-2000:]
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


PHONE = (390, 844)


def phone_frame(name: str) -> str:
    """A page holding ``name`` in a frame as wide as a phone, and what the frame reports."""
    width, height = PHONE
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">'
        f'<iframe src="{name}" style="display:block;border:0;width:{width}px;'
        f'height:{height}px"></iframe><script>window.addEventListener("message", function (e) {{'
        'var out = document.createElement("pre"); out.id = "probe"; out.textContent = e.data;'
        "document.body.appendChild(out); });</script></body></html>"
    )


def test_a_tables_heading_sorts_it_both_ways(
    sample_site: Path, tmp_path: Path, catcher: Catcher
) -> None:
    seen = probed(catcher, tmp_path / "profile", sample_site / "index.html", SORT_PROBE)
    groups = ["市委第一督导组", "市委第二督导组", "市委第三督导组"]
    assert sorted(seen["before"]) == sorted(groups)
    # by the group's name as Chinese sorts it (pinyin: er, san, yi), then the other way
    assert seen["by_name"] == ["市委第二督导组", "市委第三督导组", "市委第一督导组"]
    assert seen["aria"] == "ascending"
    assert seen["by_name_again"] == list(reversed(seen["by_name"]))
    assert seen["aria_again"] == "descending"
    # a number column sorts by its value, not its text; the other heading forgets its order
    assert seen["by_done"] == sorted(seen["by_done"]) and len(set(seen["by_done"])) > 1
    assert seen["aria_name_after"] is None
    assert seen["by_done_key"] == sorted(seen["by_done"], reverse=True)  # Enter as a click
    assert catcher.page_requests() == []


def test_the_group_filter_shows_one_groups_rows(
    sample_site: Path, tmp_path: Path, catcher: Catcher
) -> None:
    seen = probed(catcher, tmp_path / "profile", sample_site / "appraisals.html", FILTER_PROBE)
    everyone = seen["all"]
    assert len(set(everyone)) > 1  # the sample has flagged subjects in two groups
    choices = dict((value, rows) for value, rows in seen["choices"])
    assert choices[""] == everyone
    for group in set(everyone):
        assert choices[group] == [g for g in everyone if g == group]
    assert catcher.page_requests() == []


# --- a phone (390 px) and A4 paper (../shared/spec/CLI.md 1.2) -------------------------------

# Measures the laid-out page, as a phone shows it: every element whose right edge passes
# the viewport (or left edge before it) unless it sits inside a sideways scroller, which
# must itself fit; every table cell with Chinese text narrower than two of its characters.
LAYOUT_PROBE = """<script>
(function () {
  var width = document.documentElement.clientWidth;
  var cjk = /[\\u3400-\\u9fff]/;
  function scroller(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      var x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll") { return p; }
    }
    return null;
  }
  var wide = [], narrow = [], scrollers = 0, scrolled = 0;
  document.querySelectorAll("body *").forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) { return; }
    if (getComputedStyle(el).overflowX === "auto") {
      scrollers += 1;
      if (el.scrollWidth > el.clientWidth) { scrolled += 1; }
    }
    if (scroller(el)) { return; }
    if (box.right > width + 0.5 || box.left < -0.5) {
      wide.push(el.tagName + "." + el.className + " "
        + Math.round(box.left) + ".." + Math.round(box.right));
    }
  });
  document.querySelectorAll("td, th").forEach(function (cell) {
    var text = cell.textContent.trim();
    if (!cjk.test(text) || cell.getClientRects().length === 0) { return; }
    var vertical = [cell].concat(Array.prototype.slice.call(cell.querySelectorAll("*")));
    if (vertical.some(function (el) {
      return getComputedStyle(el).writingMode.indexOf("vertical") === 0;
    })) { return; }  // read top to bottom: its width is a column's, not a line's
    var style = getComputedStyle(cell);
    var size = parseFloat(style.fontSize);
    var inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // two characters wide, or the whole text when it is shorter (a rating: 好)
    if (inner < Math.min(2, Array.from(text).length) * size - 0.5) {
      narrow.push(cell.textContent.trim().slice(0, 24) + " " + Math.round(inner) + "px");
    }
  });
  var seen = JSON.stringify({width: width, wide: wide, narrow: narrow,
    scrollers: scrollers, scrolled: scrolled, page: document.documentElement.scrollWidth});
  if (window.parent !== window) { window.parent.postMessage(seen, "*"); return; }
  var out = document.createElement("pre"); out.id = "probe"; out.textContent = seen;
  document.body.appendChild(out);
})();
</script>"""

PAGE_KINDS = {
    "overview": "index.html",
    "group": "groups/g3.html",
    "unit": "units/guotu.html",
    "appraisals": "appraisals.html",
}


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as the office's git history has it: the overview draws the trend."""
    from tests.sample_history import build_sample_repository

    top = tmp_path_factory.mktemp("history-site")
    records = build_sample_repository(top / "records")
    out = top / "site"
    env = {"DUCHU_NO_CACHE": "1", "XDG_CACHE_HOME": str(top / "cache")}
    result = runner.invoke(
        app, ["site", "--records", str(records), "-o", str(out), "--as-of", AS_OF], env=env
    )
    assert result.exit_code == 0, result.stderr
    assert 'class="chart trend"' in (out / "index.html").read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_every_page_reads_on_a_390_px_phone(
    history_site: Path, tmp_path: Path, catcher: Catcher, kind: str
) -> None:
    seen = probed(
        catcher,
        tmp_path / "profile",
        history_site / PAGE_KINDS[kind],
        LAYOUT_PROBE,
        phone=True,
    )
    assert seen["width"] == 390, seen
    assert seen["wide"] == [], seen["wide"]  # nothing wider than the phone but scrollers
    assert seen["page"] <= 390  # so the page itself never scrolls sideways
    assert seen["narrow"] == [], seen["narrow"]  # no name broken a character a line
    assert seen["scrollers"] >= 1
    assert catcher.page_requests() == []


def test_the_390_px_probe_catches_a_page_that_overflows(tmp_path: Path, catcher: Catcher) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><head><meta name="viewport" content="width=device-width"></head><body>'
        '<div style="width:600px">宽</div><table style="width:40px"><tr>'
        "<td>市委第一督导组</td><td>x</td></tr></table></body></html>",
        encoding="utf-8",
    )
    seen = probed(catcher, tmp_path / "profile", page, LAYOUT_PROBE, phone=True)
    assert seen["width"] == 390
    assert seen["wide"] and seen["narrow"]


def screenshot(catcher: Catcher, profile: Path, page: Path, shot: Path, width: int) -> None:
    """``page`` as a window ``width`` px wide shows it (a phone's through a frame, as
    ``probed``), in a PNG."""
    opened = page
    if width == PHONE[0]:
        opened = page.with_name(f"phone-{page.name}")
        opened.write_text(phone_frame(page.name), "utf-8")
    try:
        chromium(
            catcher,
            profile,
            f"--window-size={width},{PHONE[1]}",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            opened.as_uri(),
        )
    finally:
        if opened != page:
            opened.unlink()


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_screenshots_at_390_and_1366_px(
    history_site: Path, tmp_path: Path, catcher: Catcher, kind: str
) -> None:
    for width in (PHONE[0], 1366):
        shot = tmp_path / f"{kind}-{width}.png"
        screenshot(catcher, tmp_path / "profile", history_site / PAGE_KINDS[kind], shot, width)
        header = shot.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(header[16:20], "big") == width
    assert catcher.page_requests() == []


PDF_TOOLS = shutil.which("pdfinfo") and shutil.which("pdftotext")


def printed(catcher: Catcher, profile: Path, page: Path, pdf: Path) -> list[str]:
    """``page`` printed to PDF as Chromium prints it; each page's text."""
    chromium(catcher, profile, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


@pytest.mark.skipif(not PDF_TOOLS, reason="no pdfinfo/pdftotext (apt-get install poppler-utils)")
@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_every_page_prints_on_a4_with_no_empty_first_page(
    history_site: Path, tmp_path: Path, catcher: Catcher, kind: str
) -> None:
    pdf = tmp_path / f"{kind}.pdf"
    pages = printed(catcher, tmp_path / "profile", history_site / PAGE_KINDS[kind], pdf)
    first = pages[0]
    # the page's own heading on the first page, not a header alone
    heading = {"overview": "督导工作看板", "group": "市委第三督导组", "unit": "市国土资源局"}
    assert heading.get(kind, "民主评议") in first
    assert "总览" not in first  # the navigation is not printed
    body = pdf.read_bytes()
    # A4: the group's page landscape (its grid), the others portrait
    landscape = b"/MediaBox [0 0 841.91998 594.95996]" in body
    portrait = b"/MediaBox [0 0 594.95996 841.91998]" in body
    assert (landscape, portrait) == ((True, False) if kind == "group" else (False, True))
    assert all(text.strip() for text in pages)  # no blank page anywhere
    assert catcher.page_requests() == []


def big_group_tree(top: Path, units: int) -> Path:
    """The base tree with ``units`` more units in its one group: a grid taller than a page
    at full size."""
    tree = build_tree(top / "tree")
    for n in range(units):
        (tree / "units" / f"u{n:02d}.yaml").write_text(
            f"name: 第{n + 1}号测试单位\ngroup: g1\nleaders:\n  - {{name: 王某{n}, post: 书记}}\n",
            encoding="utf-8",
        )
    return tree


@pytest.mark.skipif(not PDF_TOOLS, reason="no pdfinfo/pdftotext (apt-get install poppler-utils)")
@pytest.mark.parametrize("units", [3, 25, 60])
def test_a_groups_grid_prints_on_one_page(tmp_path: Path, catcher: Catcher, units: int) -> None:
    tree = big_group_tree(tmp_path, units)
    out = tmp_path / "site"
    result = runner.invoke(
        app, ["site", "--records", str(tree), "-o", str(out), "--as-of", "2014-03-01"]
    )
    assert result.exit_code == 0, result.stderr
    pages = printed(catcher, tmp_path / "profile", out / "groups" / "g1.html", tmp_path / "g.pdf")
    first = pages[0]
    assert "第一督导组" in first and "各单位规定动作完成情况" in first
    # every row of the grid, and the legend under it, on the first page
    for n in range(units):
        assert f"第{n + 1}号测试单位" in first, (n, first)
    assert "不适用" in first
    assert all("第1号测试单位" not in text for text in pages[1:]) or units < 1
    assert catcher.page_requests() == []
