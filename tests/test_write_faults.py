"""A disk that refuses a write -- full (ENOSPC), over a quota, or a file past ``ulimit -f``
(EFBIG) -- is one line naming the file and the reason, exit 2, and nothing half written.

Every writer is tried: the report as Markdown and as DOCX, the workbooks of ``status`` and
``tally``, the site, the records and ballot sheets of ``new`` and ``init``. The size limit
is the real one (``RLIMIT_FSIZE`` in a child process that ignores SIGXFSZ, so a write past
it fails with EFBIG); a full disk is simulated in-process, every write to a file under the
test's folder failing with ENOSPC once a few bytes are in.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, copy_tree

runner = CliRunner()

_LIMITED = """\
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["duchu", *sys.argv[2:]]
runpy.run_module("duchu", run_name="__main__")
"""


def _case(name: str, tmp: Path) -> tuple[list[str], Path, int]:
    """The command, the file (or folder) it writes, and a size limit it cannot stay under."""
    records, out = tmp / "records", tmp / "out"
    meetings = ["new", "meeting", "--records", str(records), "--unit", "fagaiwei"]
    meetings += ["--kind", "mobilization", "--date", "2014-03-03"]
    sheet = records / "meetings" / "2014-03" / "fagaiwei-mobilization"
    cases: dict[str, tuple[list[str], Path, int]] = {
        "md": (["report", "--phase", "study", "--group", "g2"], out / "r.md", 2000),
        "docx": (["report", "--phase", "study", "--group", "g2"], out / "r.docx", 8000),
        "status-xlsx": (["status", "--all", "--format", "xlsx"], out / "s.xlsx", 3000),
        "tally-xlsx": (["tally", "--format", "xlsx"], out / "t.xlsx", 3000),
        "site": (["site"], out / "site", 3000),
        "new-meeting": (meetings, sheet.with_suffix(".yaml"), 200),
        "ballots-csv": ([*meetings, "--ballots", "csv"], sheet.with_suffix(".yaml"), 200),
        "ballots-xlsx": ([*meetings, "--ballots", "xlsx"], sheet.with_suffix(".xlsx"), 500),
        "new-unit": (
            ["new", "unit", "xinjian", "--records", str(records), "--group", "g2"],
            records / "units" / "xinjian.yaml",
            60,
        ),
        "init": (["init", str(tmp / "fresh")], tmp / "fresh" / "campaign.yaml", 60),
    }
    args, target, limit = cases[name]
    if not name.startswith(("new", "ballots", "init")):
        args = [*args, "--records", str(records), "-o", str(target)]
    return args, target, limit


CASES = [
    "md",
    "docx",
    "status-xlsx",
    "tally-xlsx",
    "site",
    "new-meeting",
    "ballots-csv",
    "ballots-xlsx",
    "new-unit",
    "init",
]


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir()}


def _prepare(tmp: Path) -> tuple[Path, set[str]]:
    records = copy_tree(SAMPLE, tmp / "records")
    (tmp / "out").mkdir()
    return records, _files(records)


def _nothing_half_written(tmp: Path, records: Path, before: set[str], target: Path) -> None:
    assert not os.path.lexists(target), target
    assert _files(tmp / "out") == set()  # no temporary file, no half a site
    assert _files(records) == before  # no record, no ballot sheet
    if (tmp / "fresh").exists():
        assert _files(tmp / "fresh") == set()


@pytest.mark.parametrize("name", CASES)
def test_a_file_past_ulimit_f_is_one_line_and_nothing_half_written(
    tmp_path: Path, name: str
) -> None:
    records, before = _prepare(tmp_path)
    args, target, limit = _case(name, tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED, str(limit), *args],
        capture_output=True,
        check=False,
        env={**os.environ, "DUCHU_NO_CACHE": "1"},
    )
    err = done.stderr.decode("utf-8")
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    shown = target if name != "site" else tmp_path / "out" / "site"
    assert err == f"无法写入 {shown}：文件太大\n"
    _nothing_half_written(tmp_path, records, before, target)


class _FillingFile:
    """A file object whose writes fail with ENOSPC once ``room`` bytes are in."""

    def __init__(self, inner: Any, room: list[int]) -> None:
        self._inner = inner
        self._room = room

    def write(self, data: Any) -> int:
        size = len(data)
        if size > self._room[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room[0] -= size
        return int(self._inner.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()

    def __iter__(self) -> Any:
        return iter(self._inner)


def _full_disk(monkeypatch: pytest.MonkeyPatch, under: Path, room: int) -> None:
    """Every write to a file under ``under`` -- through ``open`` or ``os.write`` -- fails
    with ENOSPC once ``room`` bytes (in all) are written."""
    left = [room]
    real_open: Callable[..., Any] = io.open
    real_write = os.write
    prefix = str(under.resolve())

    def filling_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        writing = any(c in mode for c in "wax+")
        named = isinstance(file, str | os.PathLike)
        if writing and named and os.path.abspath(os.fspath(file)).startswith(prefix):
            return _FillingFile(handle, left)
        return handle

    def filling_write(descriptor: int, data: Any) -> int:
        try:
            where = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            where = ""
        if where.startswith(prefix):
            if len(data) > left[0]:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            left[0] -= len(data)
        return real_write(descriptor, data)

    monkeypatch.setattr(io, "open", filling_open)
    monkeypatch.setattr("builtins.open", filling_open)
    monkeypatch.setattr(os, "write", filling_write)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", CASES)
def test_a_full_disk_is_one_line_and_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, lang: str
) -> None:
    records, before = _prepare(tmp_path)
    args, target, limit = _case(name, tmp_path)
    _full_disk(monkeypatch, tmp_path, limit)
    result = runner.invoke(app, [*args, "--lang", lang])
    monkeypatch.undo()
    err = result.stderr
    assert result.exit_code == 2, (err, result.exception)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    shown = target if name != "site" else tmp_path / "out" / "site"
    if lang == "zh":
        assert err == f"无法写入 {shown}：磁盘空间已满\n"
    else:
        assert err == f"cannot write {shown}: no space left on the device\n"
    _nothing_half_written(tmp_path, records, before, target)


def test_a_refusal_wrapped_by_a_writing_library_is_the_refusal() -> None:
    """XlsxWriter's FileCreateError and an error of zipfile raised while a refusal was being
    handled are told as the refusal, in one line; any other error is not taken for one."""
    import zipfile

    from xlsxwriter.exceptions import FileCreateError

    from duchu.cli.app import _reason

    full = OSError(errno.ENOSPC, "No space left on device", "/tmp/x.xlsx")
    assert _reason(FileCreateError(full), "zh") == "操作系统拒绝了操作：磁盘空间已满（/tmp/x.xlsx）"
    try:
        try:
            raise OSError(errno.EDQUOT, "Disk quota exceeded")
        except OSError:
            raise zipfile.BadZipFile("truncated") from None
    except zipfile.BadZipFile as err:
        assert _reason(err, "en") == "the operating system refused: disk quota exceeded"
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError:
            raise KeyError("a fault of duchu's own") from None
    except KeyError as err:
        assert _reason(err, "en").startswith("internal error in duchu: KeyError")
