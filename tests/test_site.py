"""``duchu site``: the pages of the sample and of small trees, read as HTML -- every group
named on the overview, a lagging unit's overdue action on its page, every link and source
resolving to a file inside DIR, record texts escaped -- and writing: refused inside the
tree, over a file or a link, over what duchu did not write; earlier output replaced whole,
other files kept; a failed write leaving DIR as it was. (tests/test_site_browser.py opens
the same pages in Chromium.)"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.render.site.pages import file_names
from tests.conftest import SAMPLE, build_tree, copy_tree

runner = CliRunner()
AS_OF = "2014-06-20"  # the sample on that day: 市委第三督导组's three units lag
HOSTILE = "<script>document.body.setAttribute('data-pwned','1')</script>"


def site(records: Path, out: Path | str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["site", "--records", str(records), "-o", str(out), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "records")


@pytest.fixture
def sample_site(sample: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    code, _, err = site(sample, out, "--as-of", AS_OF)
    assert code == 0, err
    return out


class _Page(HTMLParser):
    """The text of a page (scripts and styles left out) and every URL it refers to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.urls: list[str] = []
        self.titles: list[str] = []
        self.scripts = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.scripts += tag == "script"
            self._skip += 1
        for name, value in attrs:
            if name in ("href", "src", "action", "data", "poster", "srcset") and value:
                self.urls.append(value)
            if name == "style" and value and "url(" in value:
                self.urls.extend(re.findall(r"url\(['\"]?([^'\")]+)", value))
            if name == "title" and value:
                self.titles.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def read_page(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def text_of(path: Path) -> str:
    return "".join(read_page(path).text)


# --- what the pages show ------------------------------------------------------------------------


def test_the_sample_site_has_every_page(sample_site: Path) -> None:
    files = {p.relative_to(sample_site).as_posix() for p in sample_site.rglob("*") if p.is_file()}
    units = {p.stem for p in (SAMPLE / "units").glob("*.yaml")}
    assert {f"units/{u}.html" for u in units} <= files
    assert {"index.html", "appraisals.html", "assets/site.css", "assets/site.js"} <= files
    assert {"groups/g1.html", "groups/g2.html", "groups/g3.html"} <= files
    manifest = json.loads((sample_site / ".duchu-site.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(files - {".duchu-site.json"})


def test_every_group_is_named_on_the_overview_worst_first(sample_site: Path) -> None:
    text = text_of(sample_site / "index.html")
    names = ["市委第三督导组", "市委第一督导组", "市委第二督导组"]
    assert all(name in text for name in names)
    assert [text.index(n) for n in names] == sorted(text.index(n) for n in names)
    assert "截至 2014年6月20日：3 个督导组、15 个单位，3 个单位滞后" in text
    assert "市国土局" in text and "谈心谈话全覆盖（逾期 20 天）" in text


def test_a_lagging_units_page_shows_its_overdue_action(sample_site: Path) -> None:
    text = text_of(sample_site / "units" / "guotu.html")
    assert "市国土资源局" in text
    assert "逾期未完成：谈心谈话全覆盖（逾期 20 天）" in text
    assert "召开专题民主生活会（逾期 10 天）" in text
    assert "市委第三督导组" in text


def test_the_group_grid_has_a_light_for_every_unit_and_action(sample_site: Path) -> None:
    page = read_page(sample_site / "groups" / "g2.html")
    html = (sample_site / "groups" / "g2.html").read_text(encoding="utf-8")
    assert html.count('class="cell ') == 7 * 13  # 7 units; 13 unit actions, applying or not
    # the date on hover: 市住建局 held its 专题民主生活会 late, on 6月12日
    assert any(t.startswith("召开专题民主生活会，逾期完成，2014年6月12日") for t in page.titles), (
        page.titles
    )
    assert "市环保局" in "".join(page.text)


def test_a_unit_page_has_meetings_notes_findings_and_appraisals(sample_site: Path) -> None:
    text = text_of(sample_site / "units" / "weisheng.html")
    assert "市直医院院长、医护人员代表参加" in text  # a meeting's notes
    assert "余某（参加省卫生厅医改工作会议）" in text  # who was absent, and why
    assert "市直医院门诊挂号、缴费排队时间长" in text  # a finding
    assert "发出 65 张，收回 63 张，有效 61 张，无效 2 张" in text  # the appraisal, as tally
    html = (sample_site / "units" / "weisheng.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 5  # a bar a subject


def test_before_and_after_on_a_unit_page_once_it_has_two_appraisals(
    sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "late"
    assert site(sample, out, "--as-of", "2014-10-31")[0] == 0
    text = text_of(out / "units" / "weisheng.html")
    assert "活动前后对比" in text
    assert "动员大会（2014年2月24日）→ 总结大会" in text


def test_provenance_on_every_page(sample_site: Path) -> None:
    for page in sample_site.rglob("*.html"):
        assert "依据截至 2014年6月20日 的记录" in text_of(page), page
        assert "记录不在 git 仓库中" in text_of(page), page  # a copy outside git


def test_tool_words_in_english(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "en"
    assert site(sample, out, "--as-of", AS_OF, "--lang", "en")[0] == 0
    text = text_of(out / "index.html")
    assert "supervision dashboard" in text and "The groups side by side" in text
    assert "市委第三督导组" in text  # the records' own words as written
    assert "From the records as of 2014-06-20" in text


def test_one_group(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "one"
    assert site(sample, out, "--as-of", AS_OF, "--group", "市委第二督导组")[0] == 0
    assert sorted(p.name for p in (out / "groups").iterdir()) == ["g2.html"]
    assert len(list((out / "units").iterdir())) == 7
    assert "市委第一督导组" not in text_of(out / "index.html")


# --- nothing outside DIR -------------------------------------------------------------------------


def _urls_of(out: Path) -> list[tuple[Path, str]]:
    found = []
    for page in out.rglob("*.html"):
        found += [(page, url) for url in read_page(page).urls]
    for sheet in out.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        found += [(sheet, u) for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", text)]
        found += [(sheet, u) for u in re.findall(r"@import\s+['\"]([^'\"]+)", text)]
    return found


def test_every_link_and_source_is_a_file_in_dir(sample_site: Path) -> None:
    urls = _urls_of(sample_site)
    assert len(urls) > 100
    top = sample_site.resolve()
    for page, url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, (page, url)  # no http:, file:, //host
        assert not url.startswith("/"), (page, url)  # no absolute path
        target = (page.parent / unquote(parts.path)).resolve()
        assert target.is_file() and top in target.parents, (page, url)


def test_no_local_path_in_any_page(sample: Path, sample_site: Path) -> None:
    for page in [*sample_site.rglob("*.html"), *sample_site.rglob("*.css")]:
        body = page.read_text(encoding="utf-8")
        assert str(sample) not in body and str(sample_site) not in body
        assert "/tmp/" not in body and "/home/" not in body


# --- escaping -----------------------------------------------------------------------------------


def hostile_tree(tmp_path: Path) -> Path:
    return build_tree(
        tmp_path / "tree",
        files={
            "units/a.yaml": (
                f'name: "甲单位{HOSTILE}"\n'
                "group: g1\n"
                "leaders:\n  - {name: 王某, post: '书记\"><img src=x onerror=alert(1)>'}\n"
                "findings:\n"
                f'  - {{text: "问题{HOSTILE}", found: 2014-02-20}}\n'
            ),
            "meetings/2014-02/a-mob.yaml": (
                "date: 2014-02-26\nunit: a\nkind: mobilization\n"
                f'title: "<b>动员</b>"\nnotes: "记录{HOSTILE}"\n'
            ),
        },
    )


def test_record_texts_are_escaped(tmp_path: Path) -> None:
    tree = hostile_tree(tmp_path)
    out = tmp_path / "out"
    code, _, err = site(tree, out, "--as-of", "2014-03-01")
    assert code == 0, err
    for page in out.rglob("*.html"):
        body = page.read_text(encoding="utf-8")
        assert "<script>document" not in body and "<img src=x" not in body, page
        assert "<b>动员" not in body, page
        assert read_page(page).scripts == 1  # site.js, nothing else
    unit = (out / "units" / "a.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)" in unit
    assert "甲单位" + HOSTILE in text_of(out / "units" / "a.html")  # shown as text


# --- refusals -----------------------------------------------------------------------------------


def one_line_exit_2(code: int, err: str, words: str) -> None:
    assert code == 2 and len(err.strip().splitlines()) == 1 and words in err, err


def test_dir_inside_the_records_tree_is_refused(sample: Path) -> None:
    code, _, err = site(sample, sample / "site", "--as-of", AS_OF)
    one_line_exit_2(code, err, "在记录目录之内")
    assert not (sample / "site").exists()
    code, _, err = site(sample, sample, "--as-of", AS_OF)
    one_line_exit_2(code, err, "在记录目录之内")


@pytest.mark.parametrize("typed", ["", "  "])
def test_an_empty_dir_is_refused_and_nothing_goes_into_the_current_folder(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    """``-o "$OUT"`` with OUT unset: one line, exit 2, never the site in the current folder
    (Path("") is ".")."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    code, _, err = site(sample, typed, "--as-of", AS_OF)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "-o ." in err, err
    assert list(here.iterdir()) == []


def test_dir_that_is_a_file_or_a_link_is_refused(sample: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    one_line_exit_2(
        *site(sample, tmp_path / "file", "--as-of", AS_OF)[::2], "已存在且是文件，不是文件夹"
    )
    os.mkfifo(tmp_path / "fifo")
    one_line_exit_2(*site(sample, tmp_path / "fifo", "--as-of", AS_OF)[::2], "设备、管道或套接字")
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    one_line_exit_2(*site(sample, tmp_path / "link", "--as-of", AS_OF)[::2], "符号链接")
    assert list((tmp_path / "real").iterdir()) == []


def test_an_unwritable_dir_is_one_line_and_leaves_nothing(sample: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = site(sample, tmp_path / "file" / "site", "--as-of", AS_OF)
    one_line_exit_2(code, err, "无法写入")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "records"]


def test_a_tree_with_errors_is_refused_as_status_refuses(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", files={"units/c.yaml": "name: 丙\ngroup: g9\n"})
    result = runner.invoke(app, ["site", "--records", str(tree), "-o", str(tmp_path / "o")])
    status = runner.invoke(app, ["status", "--records", str(tree)])
    assert result.exit_code == status.exit_code == 2
    assert result.stderr == status.stderr
    assert not (tmp_path / "o").exists()


def test_an_unknown_group_is_refused(sample: Path, tmp_path: Path) -> None:
    code, _, err = site(sample, tmp_path / "o", "--group", "g9")
    assert code == 2 and "g9" in err
    assert not (tmp_path / "o").exists()


# --- replacing earlier output -------------------------------------------------------------------


def test_a_second_run_replaces_its_own_output_and_keeps_other_files(
    sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "说明.txt").write_text("共享盘上的说明", encoding="utf-8")
    (out / "2013").mkdir()
    (out / "2013" / "index.html").write_text("去年的网页", encoding="utf-8")
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    assert len(list((out / "units").iterdir())) == 15
    assert site(sample, out, "--as-of", AS_OF, "--group", "g1")[0] == 0
    assert len(list((out / "units").iterdir())) == 4  # the other groups' pages are gone
    assert not (out / "groups" / "g2.html").exists()
    assert (out / "说明.txt").read_text(encoding="utf-8") == "共享盘上的说明"
    assert (out / "2013" / "index.html").read_text(encoding="utf-8") == "去年的网页"
    assert not [p for p in out.iterdir() if p.name.startswith(".duchu-site-")]


def test_a_file_duchu_did_not_write_is_never_replaced(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("someone else's page", encoding="utf-8")
    code, _, err = site(sample, out, "--as-of", AS_OF)
    one_line_exit_2(code, err, "不是 duchu 上次生成的")
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert (out / "index.html").read_text(encoding="utf-8") == "someone else's page"


def test_a_foreign_file_inside_duchus_folder_stops_the_run(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    (out / "units" / "notes.txt").write_text("mine", encoding="utf-8")
    before = (out / "index.html").read_bytes()
    code, _, err = site(sample, out, "--as-of", "2014-10-31")
    one_line_exit_2(code, err, "units")
    assert (out / "units" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "index.html").read_bytes() == before


def test_a_manifest_naming_paths_outside_is_refused(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / ".duchu-site.json").write_text('{"files": ["../records/campaign.yaml"]}')
    one_line_exit_2(*site(sample, out, "--as-of", AS_OF)[::2], "无法读取或已损坏")
    assert (sample / "campaign.yaml").is_file()


def test_a_failed_write_leaves_the_earlier_site_whole(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    from duchu.render.site.folder import SiteFolder

    real_write = SiteFolder.write_prepared
    count = {"n": 0}

    def full_disk(self: SiteFolder, rel_path: str, content: str | bytes) -> None:
        count["n"] += 1
        if count["n"] == 8:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, rel_path, content)

    monkeypatch.setattr(SiteFolder, "write_prepared", full_disk)
    code, _, err = site(sample, out, "--as-of", "2014-10-31")
    one_line_exit_2(code, err, "磁盘空间已满")
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_a_new_dir_is_not_left_behind_when_writing_fails(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from duchu.render.site.folder import SiteFolder

    def full_disk(self: SiteFolder, rel_path: str, content: str | bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(SiteFolder, "write_prepared", full_disk)
    one_line_exit_2(*site(sample, tmp_path / "new", "--as-of", AS_OF)[::2], "磁盘空间已满")
    assert not (tmp_path / "new").exists()


def test_a_killed_runs_staging_folder_is_removed(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    dead = subprocess.run(["true"], check=True)  # a process id that is gone now
    del dead
    left = out / ".duchu-site-999999999.new"
    left.mkdir()
    (left / "index.html").write_text("half")
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    assert not left.exists()


# --- templates, git, names ----------------------------------------------------------------------


def test_a_tree_overrides_a_site_template(sample: Path, tmp_path: Path) -> None:
    own = sample / "templates" / "site"
    own.mkdir(parents=True)
    (own / "site.css").write_text("body { color: black; }\n", encoding="utf-8")
    (own / "overview.html.j2").write_text(
        '{% extends "builtin/site/overview.html.j2" %}'
        "{% block main %}<p>本市看板</p>{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    assert (out / "assets" / "site.css").read_text(encoding="utf-8") == "body { color: black; }\n"
    assert "本市看板" in text_of(out / "index.html")


def test_a_tree_template_cannot_unescape_by_accident(sample: Path, tmp_path: Path) -> None:
    own = sample / "templates" / "site"
    own.mkdir(parents=True)
    (own / "unit.html.j2").write_text("<h1>{{ unit.name }}</h1>", encoding="utf-8")
    (sample / "units" / "guihua.yaml").write_text(
        (sample / "units" / "guihua.yaml")
        .read_text(encoding="utf-8")
        .replace("name: 市城乡规划局", 'name: "<i>市城乡规划局</i>"'),
        encoding="utf-8",
    )
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    assert "&lt;i&gt;" in (out / "units" / "guihua.html").read_text(encoding="utf-8")


def git(root: Path, *args: str, when: str = "2014-06-01T10:00:00+08:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "张某",
        "GIT_AUTHOR_EMAIL": "z@example.cn",
        "GIT_COMMITTER_NAME": "张某",
        "GIT_COMMITTER_EMAIL": "z@example.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_provenance_names_the_commit_and_known(sample: Path, tmp_path: Path) -> None:
    git(sample, "init", "-q")
    git(sample, "add", ".")
    git(sample, "commit", "-qm", "记录")
    head = git(sample, "rev-parse", "HEAD")
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    assert f"git 提交 {head[:8]}" in text_of(out / "index.html")
    assert "另有未提交的修改" not in text_of(out / "index.html")
    (sample / "units" / "guihua.yaml").write_text(
        (sample / "units" / "guihua.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    assert "另有未提交的修改" in text_of(out / "units" / "guihua.html")
    assert site(sample, out, "--as-of", AS_OF, "--known")[0] == 0
    text = text_of(out / "groups" / "g1.html")
    assert f"按当日已提交的记录 {head[:8]}" in text and "另有未提交的修改" not in text


def test_known_before_the_first_commit_is_refused_as_status_refuses(
    sample: Path, tmp_path: Path
) -> None:
    git(sample, "init", "-q")
    git(sample, "add", ".")
    git(sample, "commit", "-qm", "记录")
    args = ["--records", str(sample)]
    status = runner.invoke(app, ["status", *args, "--known", "--as-of", "2014-01-01"])
    result = runner.invoke(
        app, ["site", *args, "-o", str(tmp_path / "o"), "--known", "--as-of", "2014-01-01"]
    )
    assert result.exit_code == status.exit_code == 2 and result.stderr == status.stderr
    assert not (tmp_path / "o").exists()


def test_file_names_open_on_any_file_system() -> None:
    names = file_names(["fagaiwei", "東城区", "CON", "con", "A", "x-1", "a.b"])
    assert names["fagaiwei"] == "fagaiwei" and names["x-1"] == "x-1"
    for ident in ("東城区", "CON", "con", "A", "a.b"):
        assert re.fullmatch(r"x-[0-9a-f]{12}", names[ident]), ident
    assert len({n.lower() for n in names.values()}) == len(names)
    assert file_names(["東城区"]) == {"東城区": names["東城区"]}  # stable from run to run


# --- pages shared out among forked renderers ----------------------------------------------


def test_forked_renderers_write_the_same_site(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A province's pages are rendered by forked copies of the process: the site they
    write is the one a single process writes, file for file."""
    import duchu.render.site

    alone, shared = tmp_path / "alone", tmp_path / "shared"
    assert site(sample, alone, "--as-of", AS_OF)[0] == 0
    monkeypatch.setattr(duchu.render.site, "FORK_MIN_PAGES", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert site(sample, shared, "--as-of", AS_OF)[0] == 0
    files = sorted(p.relative_to(alone) for p in alone.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(shared) for p in shared.rglob("*") if p.is_file())
    for rel in files:
        assert (alone / rel).read_bytes() == (shared / rel).read_bytes(), rel


def test_a_forked_renderers_failure_fails_the_site_whole(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up in a forked renderer (a unit page of its share): one line, exit
    2, the earlier site untouched, no staging folder left."""
    import duchu.render.site
    from duchu.render.site.folder import SiteFolder

    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    parent = os.getpid()
    write = SiteFolder.write_prepared

    def full_disk_in_a_child(self: SiteFolder, rel_path: str, content: str | bytes) -> None:
        if os.getpid() != parent and rel_path.startswith("units/"):
            raise OSError(errno.ENOSPC, "No space left on device")
        write(self, rel_path, content)

    monkeypatch.setattr(SiteFolder, "write_prepared", full_disk_in_a_child)
    monkeypatch.setattr(duchu.render.site, "FORK_MIN_PAGES", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    code, _, err = site(sample, out, "--as-of", "2014-10-31")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".duchu-site-")]


def test_an_as_of_written_as_officials_write_it_gives_the_same_site(
    sample: Path, tmp_path: Path
) -> None:
    """A full date lets git be asked while the records load; 6月20日 needs the campaign's
    year first: the pages are the same either way."""
    git(sample, "init", "-q")
    git(sample, "add", ".")
    git(sample, "commit", "-qm", "记录")
    full, short = tmp_path / "full", tmp_path / "short"
    assert site(sample, full, "--as-of", "2014-06-20")[0] == 0
    assert site(sample, short, "--as-of", "6月20日")[0] == 0
    for page in ("index.html", "groups/g2.html", "units/guihua.html"):
        assert (full / page).read_bytes() == (short / page).read_bytes(), page


# --- faults found by an adversarial review ---------------------------------------------------


def site_files(top: Path) -> dict[Path, bytes]:
    """Every file under ``top``, by its path there: a site, to compare whole."""
    return {p.relative_to(top): p.read_bytes() for p in top.rglob("*") if p.is_file()}


def assert_the_earlier_site_stands(
    out: Path, before: dict[Path, bytes], code: int, err: str
) -> None:
    """A refused or failed run: one line, exit 2, DIR as it was, nothing of the run left."""
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert site_files(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".duchu-site-")]


def refused_at(
    number: int, call: Callable[..., Any], counted: Callable[..., bool] = lambda *_: True
) -> Callable[..., Any]:
    """``call``, except that the ``number``-th call ``counted`` admits fails as a folder
    of DIR that may not be renamed would (read-only, immutable)."""
    seen = 0

    def refusing(*args: Any) -> Any:
        nonlocal seen
        if counted(*args):
            seen += 1
            if seen == number:
                raise PermissionError(errno.EACCES, "Permission denied", str(args[-1]))
        return call(*args)

    return refusing


def test_a_swap_that_fails_half_way_is_undone(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of DIR that may not be renamed (read-only, immutable) stops the swap after
    some entries were exchanged: they are put back, and DIR is the earlier site, whole."""
    import duchu.render.site.folder as folder

    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    before = site_files(out)
    monkeypatch.setattr(folder, "_exchange", refused_at(3, folder._exchange))
    code, _, err = site(sample, out, "--as-of", "2014-10-31")
    assert_the_earlier_site_stands(out, before, code, err)


def test_where_the_system_cannot_exchange_the_old_site_is_moved_aside_and_replaced(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without renameat2 (macOS, an old C library): each old entry is moved aside, the new
    one renamed in, the old ones removed -- the same site as one written fresh, the files
    duchu did not write kept, nothing of the swap left behind."""
    import duchu.render.site.folder as folder

    monkeypatch.setattr(folder, "_exchange", lambda new, target: False)
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    (out / "说明.txt").write_text("共享盘说明", encoding="utf-8")
    assert site(sample, out, "--as-of", "2014-10-31")[0] == 0
    fresh = tmp_path / "fresh"
    assert site(sample, fresh, "--as-of", "2014-10-31")[0] == 0
    assert site_files(out) == {**site_files(fresh), Path("说明.txt"): "共享盘说明".encode()}
    assert not [p for p in out.iterdir() if p.name.startswith(".duchu-site-")]


def test_where_the_system_cannot_exchange_a_swap_failing_half_way_is_undone(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same without renameat2: a rename that fails after others were made puts every
    moved entry back, and DIR is the earlier site, whole."""
    import duchu.render.site.folder as folder

    monkeypatch.setattr(folder, "_exchange", lambda new, target: False)
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    before = site_files(out)
    # the fourth move of the swap (not of its undoing, which moves back out of .old)
    swap_move = refused_at(4, os.rename, counted=lambda source, _: ".old" not in str(source))
    monkeypatch.setattr(os, "rename", swap_move)
    code, _, err = site(sample, out, "--as-of", "2014-10-31")
    assert_the_earlier_site_stands(out, before, code, err)


def test_a_folder_of_someones_inside_duchus_is_not_moved(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    (out / "units" / "我的草稿" / "2024").mkdir(parents=True)  # empty, but someone's
    code, _, err = site(sample, out, "--as-of", "2014-10-31")
    one_line_exit_2(code, err, "units")
    assert (out / "units" / "我的草稿" / "2024").is_dir()


def test_what_stands_at_the_temporary_manifests_name_is_not_written_through(
    sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    assert site(sample, out, "--as-of", AS_OF)[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("mine", encoding="utf-8")
    os.link(victim, out / f".duchu-site-{os.getpid()}.manifest")  # this run's name
    assert site(sample, out, "--as-of", "2014-10-31")[0] == 0
    assert victim.read_text(encoding="utf-8") == "mine"


def test_a_fifo_as_the_manifest_is_refused_at_once(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    os.mkfifo(out / ".duchu-site.json")
    done = subprocess.run(
        [sys.executable, "-m", "duchu", "site", "--records", str(sample), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "无法读取或已损坏" in done.stderr, done.stderr


def test_a_forked_renderer_killed_is_one_line(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The out-of-memory killer ends a forked renderer: one line, exit 2, no site."""
    import signal

    import duchu.render.site
    from duchu.render.site.folder import SiteFolder

    parent = os.getpid()
    write = SiteFolder.write_prepared

    def killed_in_a_child(self: SiteFolder, rel_path: str, content: str | bytes) -> None:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        write(self, rel_path, content)

    monkeypatch.setattr(SiteFolder, "write_prepared", killed_in_a_child)
    monkeypatch.setattr(duchu.render.site, "FORK_MIN_PAGES", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    out = tmp_path / "site"
    code, _, err = site(sample, out, "--as-of", AS_OF)
    assert code == 2 and "意外终止（signal 9" in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("fault", ["{{ 1 // 0 }}", "{{ [][3] }}", "{{ (1)(2) }}"])
def test_a_fault_in_a_trees_own_site_template_is_one_line(
    sample: Path, tmp_path: Path, fault: str
) -> None:
    from duchu.render.templating import builtin_templates

    own = sample / "templates" / "site"
    own.mkdir(parents=True)
    text = (builtin_templates() / "site" / "unit.html.j2").read_text(encoding="utf-8")
    (own / "unit.html.j2").write_text(
        text.replace("{% block main %}", "{% block main %}" + fault), encoding="utf-8"
    )
    code, _, err = site(sample, tmp_path / "site", "--as-of", AS_OF)
    one_line_exit_2(code, err, "unit.html.j2")
    assert "内部错误" not in err


def test_removing_a_replaced_site_never_follows_a_link(tmp_path: Path) -> None:
    """The old site is removed by several threads walking it by descriptor: every file and
    folder in it goes, and a link inside it to a folder elsewhere is removed as a link,
    what it points to left whole."""
    from duchu.render.site.folder import _remove_tree

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.html").write_text("keep", encoding="utf-8")
    old = tmp_path / "old"
    (old / "units").mkdir(parents=True)
    for number in range(300):  # enough for the folder's files to be shared among threads
        (old / "units" / f"u{number}.html").write_text("x", encoding="utf-8")
    (old / "units" / "deep").mkdir()
    (old / "units" / "deep" / "page.html").write_text("x", encoding="utf-8")
    (old / "units" / "to-elsewhere").symlink_to(elsewhere, target_is_directory=True)
    (old / "index.html").symlink_to(elsewhere / "keep.html")
    _remove_tree(old)
    assert not os.path.lexists(old)
    assert (elsewhere / "keep.html").read_text(encoding="utf-8") == "keep"
    _remove_tree(tmp_path / "never-was")  # nothing there: nothing to do, no fault


@given(st.one_of(st.text(), st.integers(), st.none(), st.builds(markupsafe.Markup, st.text())))
def test_duchus_own_pages_escape_every_value_as_markupsafe_does(value: object) -> None:
    """duchu's own pages print through a faster escape than Jinja's: the same characters
    out for any text, number or None, and a value that is already markup (a chart, a
    macro's output) as it is."""
    from duchu.render.templating import _escape_output

    assert _escape_output(value) == str(markupsafe.escape(value))


def test_duchus_own_templates_escape_and_keep_markup_once(tmp_path: Path) -> None:
    """Through the whole template machinery: a record's text escaped once, a macro's output
    and a Markup value printed as they are, never escaped twice."""
    from duchu.render.templating import builtin_html_environment

    env = builtin_html_environment()
    template = env.from_string(
        "{% macro cell(x) %}<td>{{ x }}</td>{% endmacro %}"
        "{{ text }}|{{ cell(text) }}|{{ svg }}|{{ number }}|{{ text ~ '&' }}"
    )
    hostile = "<script>'\"&"
    rendered = template.render(text=hostile, svg=markupsafe.Markup("<svg></svg>"), number=3)
    escaped = "&lt;script&gt;&#39;&#34;&amp;"
    assert rendered == f"{escaped}|<td>{escaped}</td>|<svg></svg>|3|{escaped}&amp;"


def test_two_groups_of_one_name_are_two_choices_of_the_filter(tmp_path: Path) -> None:
    """The group filter keys a group by its id (RECORDS.md 1.2 lets two groups share a name,
    with a warning): the choices are told apart, and each row belongs to its own group."""
    tree = tmp_path / "records"
    copy_tree(SAMPLE, tree)
    g2 = tree / "groups" / "g2.yaml"
    g2.write_text(
        g2.read_text(encoding="utf-8").replace("name: 市委第二督导组", "name: 市委第一督导组"),
        encoding="utf-8",
    )
    out = tmp_path / "site"
    done = runner.invoke(
        app, ["site", "--records", str(tree), "-o", str(out), "--as-of", "2014-10-15"]
    )
    assert done.exit_code == 0, done.output
    page = (out / "appraisals.html").read_text(encoding="utf-8")
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', page)
    groups = {value: label for value, label in options if value}
    assert set(re.findall(r'<tr data-group="([^"]*)">', page)) <= set(groups)
    assert len(groups) == len(set(groups.values())) > 1  # no two choices read the same
    for value, label in groups.items():
        assert value in {"g1", "g2", "g3"}
        if value in {"g1", "g2"}:
            assert label == f"市委第一督导组（{value}）"


def test_the_overview_shows_the_notices_still_open(tmp_path: Path) -> None:
    """(1.2) The overview lists the unit actions under a notice that are not done yet, the
    highest grade first, in the campaign's words, and how many notices each group gave;
    a notice whose action is done by then drops off."""
    out = tmp_path / "site"
    result = CliRunner().invoke(
        app, ["site", "--records", str(SAMPLE), "--as-of", "2014-04-20", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="notices"') : page.index('id="open-findings"')]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "督办情况" in text
    assert "市水利局 领导班子中心组专题学习 督办 2014年4月3日 逾期未完成" in text
    assert "市委第三督导组 3" in text
    later = tmp_path / "later"
    result = CliRunner().invoke(
        app, ["site", "--records", str(SAMPLE), "--as-of", "2014-10-30", "-o", str(later)]
    )
    assert result.exit_code == 0, result.output
    page = (later / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="notices"') : page.index('id="open-findings"')]
    assert "领导班子中心组专题学习" not in section  # done (late) by then
