"""The entry workbook's layout as the renderer takes it (``duchu.render.entry_xlsx``): the
types and names of ``duchu.records.entry_layout``, where the records layer defines them
for reading the workbook back, passed on here so that a renderer never imports records."""

from __future__ import annotations

from duchu.records.entry_layout import (
    DIGEST_HEADER,
    EMPTY_ROWS,
    FORMAT_VERSION,
    HIDDEN_COLUMNS,
    KEY_HEADER,
    LISTS_SHEET,
    MARKER,
    META_SHEET,
    Column,
    EntryBook,
    EntrySheet,
)

__all__ = [
    "DIGEST_HEADER",
    "EMPTY_ROWS",
    "FORMAT_VERSION",
    "HIDDEN_COLUMNS",
    "KEY_HEADER",
    "LISTS_SHEET",
    "MARKER",
    "META_SHEET",
    "Column",
    "EntryBook",
    "EntrySheet",
]
