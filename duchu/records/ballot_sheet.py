"""The empty ballot sheets of ``duchu new meeting --ballots csv|xlsx``: a record file
written into the tree beside its meeting, for the forms to be typed into.

The header names the subjects, which are the leaders' names as the records write them, and
no name may become a formula, a link or a command in the spreadsheet the sheet is opened
in (CSV injection). In the workbook every header is a string cell, quote-prefixed when it
starts as a formula would, so that editing it keeps it text. In the CSV a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe (OWASP), and
``header_name`` takes it off again when duchu reads the header back: ``'=x`` names the
subject ``=x``. So that this is one-to-one, a name that already starts with apostrophes
before such a character gets one more (``'=x`` is written ``''=x``); a header a person
typed without the apostrophe still reads as it is."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, BinaryIO

from duchu.messages import message

# as in duchu's other workbooks (``duchu.render.xlsx``)
FONT = "宋体"  # in every Chinese Windows, WPS and (by substitution) LibreOffice
FONT_SIZE = 11

# what a spreadsheet reads as the start of a formula (or of a DDE command)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"'*[=+\-@\t\r]")


def csv_cell(text: str) -> str:
    """A header cell of a ballot CSV as written: never a formula (see the module)."""
    return "'" + text if _ESCAPED.match(text) else text


def header_name(cell: str) -> str:
    """The name a ballot CSV's header cell stands for (``csv_cell`` undone)."""
    return cell[1:] if cell.startswith("'") and _ESCAPED.match(cell, 1) else cell


def ballot_csv_text(header: list[str]) -> str:
    """The empty ballot CSV: its header line, with a byte-order mark, as Excel and WPS save
    "CSV UTF-8" (both then open it as UTF-8)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([csv_cell(name) for name in header])
    return "\ufeff" + buffer.getvalue()


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _display_width(text: str) -> int:
    """Width in characters of the default font, a CJK character counting two: counted from
    the UTF-8 length (CJK takes three bytes, ASCII one)."""
    if text.isascii():
        return len(text)
    return (len(text.encode("utf-8")) + len(text)) // 2


def _inline(ratings: list[str]) -> bool:
    """Whether a list validation can hold the ratings written out (``"好,较好"``): Excel splits
    it at every comma, a quote ends it, spaces at either end are lost, and it holds 255
    characters at most."""
    return len(",".join(ratings)) <= 255 and all(
        rating == rating.strip() and rating.isprintable() and not set(rating) & {",", '"'}
        for rating in ratings
    )


def _list_source(book: Any, ratings: list[str], lang: str) -> list[str] | str:
    """The ratings to pick from: written out when they can be, else a range of cells on a
    hidden sheet of their own (``sheet-ratings``, one rating a cell in column A), which any
    text fills; the ballot reader passes over such a sheet."""
    if _inline(ratings):
        return ratings
    title = message("sheet-ratings", lang)
    hidden = book.add_worksheet(title)
    for row, rating in enumerate(ratings):
        hidden.write_string(row, 0, rating)
    hidden.hide()
    quoted = title.replace("'", "''")
    return f"='{quoted}'!$A$1:$A${len(ratings)}"


def _pick_message(ratings: list[str], lang: str) -> str:
    """The message of a refused entry, within Excel's 255 characters (a longer one would cost
    the sheet its list): the ratings named as far as they fit."""
    named = "、".join(ratings)
    text = message("ballot-pick-message", lang, ratings=named)
    while len(text) > 255:
        named = named[: len(named) - (len(text) - 255) - 1] + "…"
        text = message("ballot-pick-message", lang, ratings=named)
    return text


def write_ballot_template(
    path: Path | BinaryIO,
    header: list[str],
    ratings: list[str],
    subjects: int,
    *,
    lang: str,
    rows: int = 1000,
) -> None:
    """An empty ballot sheet: the header (form number, the subjects, invalid) frozen, and in
    every subject column of the first ``rows`` rows a list of the campaign's ratings to pick
    from, so a form typed in cannot hold anything else (whatever a rating holds: a comma, a
    quote, or more than a written-out list's 255 characters)."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    book = xlsxwriter.Workbook(
        str(path) if isinstance(path, Path) else path,
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "in_memory": True,  # a small sheet: no temporary files
        },
    )
    book.formats[0].set_font_name(FONT)
    book.formats[0].set_font_size(FONT_SIZE)
    font = {"font_name": FONT, "font_size": FONT_SIZE}
    head = {"bold": True, "bg_color": "#D9E1F2", "bottom": 1, **font}
    bold = book.add_format(head)
    quoted = book.add_format({**head, "quote_prefix": True})  # edited, it stays text
    text = book.add_format({"num_format": "@", **font})  # typed in as text, never a number
    sheet = book.add_worksheet(message("sheet-ballots", lang))
    for column, name in enumerate(header):
        sheet.write_string(0, column, name, quoted if name.startswith(FORMULA_START) else bold)
        sheet.set_column(column, column, max(_display_width(name) + 4, 10), text)
    sheet.freeze_panes(1, 0)
    if subjects:
        sheet.data_validation(
            1,
            1,
            rows,
            subjects,
            {
                "validate": "list",
                "source": _list_source(book, ratings, lang),
                "ignore_blank": True,
                "error_type": "stop",
                "error_title": message("ballot-pick-title", lang),
                "error_message": _pick_message(ratings, lang),
            },
        )
    try:
        book.close()
    except FileCreateError as err:  # the OSError it wraps, for the caller to name the file
        cause = err.args[0] if err.args else None
        raise cause if isinstance(cause, OSError) else OSError(str(err)) from None
