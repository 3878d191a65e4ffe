"""What a renderer may read of the loaded records: their names, notes and links, never
the loading. ``duchu.records.load.Tree`` is one; a renderer is typed against this, so it
needs nothing from the records but their models."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from duchu.records.models import Campaign, Group, Meeting, Unit


class Records(Protocol):
    @property
    def root(self) -> Path: ...

    @property
    def campaign(self) -> Campaign | None: ...

    @property
    def groups(self) -> Mapping[str, Group]: ...

    @property
    def units(self) -> Mapping[str, Unit]: ...

    @property
    def meetings(self) -> Mapping[str, Meeting]: ...

    @property
    def meeting_units(self) -> Mapping[str, tuple[str, ...]]: ...
