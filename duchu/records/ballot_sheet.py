"""The empty ballot sheet of ``duchu new meeting --ballots xlsx``: a record file written into
the tree beside its meeting, for the forms to be typed into. (The CSV kind is one header
line, written by ``duchu.records.write``.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from duchu.messages import message

# as in duchu's other workbooks (``duchu.render.xlsx``)
FONT = "宋体"  # in every Chinese Windows, WPS and (by substitution) LibreOffice
FONT_SIZE = 11


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

    book = xlsxwriter.Workbook(
        str(path) if isinstance(path, Path) else path,
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    book.formats[0].set_font_name(FONT)
    book.formats[0].set_font_size(FONT_SIZE)
    font = {"font_name": FONT, "font_size": FONT_SIZE}
    bold = book.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1, **font})
    text = book.add_format({"num_format": "@", **font})  # typed in as text, never a number
    sheet = book.add_worksheet(message("sheet-ballots", lang))
    for column, name in enumerate(header):
        sheet.write_string(0, column, name, bold)
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
    book.close()
