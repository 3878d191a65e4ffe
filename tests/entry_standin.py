"""A thin stand-in for ``duchu.records.edit`` (the round-trip YAML editor of branch
``yamledit``), installed only when that module is not there yet, so the workbook's tests run
on this branch alone. ruamel.yaml round-trips the document; the real editor splices text."""

from __future__ import annotations

import hashlib
import io
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

ACTIVE = False  # whether the stand-in is in use (then YAML diffs are not byte-exact)


def install() -> None:
    global ACTIVE
    try:
        import duchu.records.edit  # noqa: F401
    except ImportError:
        sys.modules["duchu.records.edit"] = _module()
        ACTIVE = True


def _module() -> types.ModuleType:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    @dataclass(frozen=True)
    class FieldChange:
        keys: tuple[str | int, ...]
        value: object

    class EditConflict(ValueError):
        pass

    def plain(value: object) -> object:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    def yaml() -> Any:
        handler = YAML()
        handler.preserve_quotes = True
        handler.width = 4096
        handler.allow_unicode = True
        return handler

    def edit_record_text(text: str, changes: Sequence[FieldChange]) -> str:
        data = yaml().load(text)
        for change in changes:
            holder = data
            for key in change.keys[:-1]:
                if isinstance(holder, list):
                    holder = holder[key]  # type: ignore[index]
                else:
                    if holder.get(key) is None:
                        holder[key] = CommentedMap()
                    holder = holder[key]
            last = change.keys[-1]
            if change.value is None:
                if isinstance(holder, list):
                    del holder[last]  # type: ignore[arg-type]
                else:
                    holder.pop(last, None)
            elif isinstance(holder, list) and last == len(holder):
                holder.append(plain(change.value))
            else:
                holder[last] = plain(change.value)
        out = io.StringIO()
        yaml().dump(data, out)
        return out.getvalue()

    def new_record_text(data: Mapping[str, object], comment: str | None = None) -> str:
        import yaml as pyyaml

        return pyyaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)

    def fingerprint(text: str | bytes) -> str:
        raw = text.encode("utf-8") if isinstance(text, str) else text
        return hashlib.sha256(raw).hexdigest()

    module = types.ModuleType("duchu.records.edit")
    module.FieldChange = FieldChange  # type: ignore[attr-defined]
    module.EditConflict = EditConflict  # type: ignore[attr-defined]
    module.edit_record_text = edit_record_text  # type: ignore[attr-defined]
    module.new_record_text = new_record_text  # type: ignore[attr-defined]
    module.fingerprint = fingerprint  # type: ignore[attr-defined]
    return module
