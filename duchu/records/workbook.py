"""Opening a ballot workbook (``.xlsx``) safely: a zip package and nothing else -- a CSV
renamed, an old ``.xls``, an encrypted workbook or a zip bomb is one problem that says what it
is -- then openpyxl's read-only view of it and its sheets (``_Book``). Reading the rows is
``duchu.records.ballot_xlsx``'s."""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from duchu.problems import problem
from duchu.records.ballot_counts import (
    CONTROL_IN_TEXT,
    OLE_MAGIC,
    ZIP_MAGIC,
    BallotFileError,
)

# A zip bomb: parts that claim to unpack to far more than any workbook does. A sheet of
# ballots packs 10 to 20 to one; deflate cannot pack better than about 1,000 to one.
BOMB_RATIO = 200
BOMB_FLOOR = 64 << 20  # what any workbook may unpack to, whatever its ratio

_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


# --- opening ------------------------------------------------------------------------------------


def _head(source: Path | bytes, size: int) -> bytes:
    if isinstance(source, bytes):
        return source[:size]
    with open(source, "rb") as handle:
        return handle.read(size)


def _refusal(rel_path: str, code: str, **args: Any) -> BallotFileError:
    return BallotFileError(problem(rel_path, code, line=1, column=1, **args))


def _not_a_workbook(source: Path | bytes, rel_path: str) -> BallotFileError:
    """What a file named .xlsx that is not a zip package is: say so in its own terms."""
    head = _head(source, 1 << 16)
    if head.startswith(OLE_MAGIC):
        # an Office "compound file": an encrypted workbook wraps its package in one, and an
        # old .xls (or WPS .et) is one
        whole = head if len(head) < 1 << 16 else _head(source, 64 << 20)
        if _ENCRYPTED in whole:
            return _refusal(rel_path, "xlsx-encrypted")
        return _refusal(rel_path, "xlsx-old-format")
    if not head:
        return _refusal(rel_path, "ballot-empty")
    text = head.lstrip(b"\xef\xbb\xbf")
    try:
        text.decode("utf-8")
        is_text = True
    except UnicodeDecodeError as err:
        is_text = err.start >= len(text) - 3  # a character cut at the end of the sample
    if not is_text:
        try:
            text.decode("gbk")
            is_text = True
        except UnicodeDecodeError:
            is_text = False
    if is_text and b"\x00" not in text:
        return _refusal(rel_path, "xlsx-is-text")
    return _refusal(rel_path, "xlsx-not-workbook", detail="zip")


def _open_zip(source: Path | bytes, rel_path: str) -> zipfile.ZipFile:
    if not _head(source, 4).startswith(ZIP_MAGIC):
        raise _not_a_workbook(source, rel_path)
    try:
        archive = zipfile.ZipFile(BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise _refusal(rel_path, "xlsx-not-workbook", detail=str(err)) from None
    packed = sum(info.compress_size for info in archive.infolist())
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > max(BOMB_FLOOR, BOMB_RATIO * packed):
        archive.close()
        raise _refusal(rel_path, "xlsx-bomb", size=unpacked, packed=packed)
    return archive


@dataclass
class _Sheet:
    title: str
    path: str | None  # its part in the package (None: not a worksheet, or unknown)
    worksheet: Any  # openpyxl's read-only worksheet, or its chartsheet


class _Book:
    """An opened ballot workbook: the package, openpyxl's view of it, its sheets."""

    def __init__(self, source: Path | bytes, rel_path: str) -> None:
        self.rel_path = rel_path
        self.archive = _open_zip(source, rel_path)
        try:
            self._open_workbook(source)
        except BaseException:
            self.archive.close()
            raise

    def _open_workbook(self, source: Path | bytes) -> None:
        import openpyxl
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "extension not supported" and its kin
                self.book = openpyxl.load_workbook(
                    BytesIO(source) if isinstance(source, bytes) else str(source),
                    read_only=True,
                    data_only=False,
                    keep_links=False,
                )
        except Exception as err:  # a damaged or foreign package: openpyxl says what
            detail = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise _refusal(self.rel_path, "xlsx-not-workbook", detail=detail[:200]) from None
        self.strings: list[str] = []
        self._suspect: bool | None = None
        self.sheets: list[_Sheet] = []
        try:
            for title in self.book.sheetnames:
                sheet = self.book[title]
                path = None
                if isinstance(sheet, ReadOnlyWorksheet):
                    path = getattr(sheet, "_worksheet_path", None)
                    self.strings = getattr(sheet, "_shared_strings", self.strings)
                self.sheets.append(_Sheet(title, path, sheet))
        except Exception as err:  # a sheet openpyxl names but cannot open
            self.book.close()
            raise _refusal(self.rel_path, "xlsx-not-workbook", detail=_error_detail(err)) from None
        if not self.sheets:
            self.book.close()
            raise _refusal(self.rel_path, "xlsx-not-workbook", detail="no sheet")

    def strings_suspect(self) -> bool:
        """Whether a shared string holds a control character (looked for once, in all)."""
        if self._suspect is None:
            self._suspect = bool(CONTROL_IN_TEXT.search("".join(self.strings)))
        return self._suspect

    def close(self) -> None:
        self.book.close()
        self.archive.close()

    def __enter__(self) -> _Book:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# What a problem may not quote raw: controls, bidirectional overrides, lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _snippet(raw: bytes | str, limit: int = 40) -> str:
    """A piece of a damaged part as a problem quotes it: short, and nothing unprintable."""
    text = raw[: limit * 4].decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
    if len(text) > limit:
        text = text[:limit] + "…"
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _error_detail(err: BaseException) -> str:
    """What a parser (or the zip module) said, in one short line."""
    lines = str(err).splitlines()
    return _snippet(lines[0] if lines and lines[0] else type(err).__name__, 200)
