"""Reading the layout of a 公文 (``gongwen.yaml``, duchu's own or a records tree's override in
``templates/``): its bytes decoded and parsed as records are, into the mapping that
``duchu.render.docx.layout.layout_from`` validates. A file that cannot be read as such a
mapping is a ``layout-invalid`` error that says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from duchu.errors import DuchuError
from duchu.problems import Ref


def read_layout(path: Path) -> dict[str, Any]:
    """The mapping a layout file holds (``layout-invalid`` when it cannot be read, is not
    UTF-8, or is no YAML mapping)."""
    from duchu.records.read import decode, parse_yaml

    try:
        text, _ = decode(path.read_bytes(), str(path))
    except OSError as err:
        raise DuchuError("layout-invalid", file=path, detail=err.strerror or str(err)) from None
    if text is None:
        raise DuchuError("layout-invalid", file=path, detail=Ref("encoding"))
    parsed = parse_yaml(text, str(path))
    if parsed.problems or not isinstance(parsed.data, dict):
        raise DuchuError("layout-invalid", file=path, detail="YAML")
    return parsed.data
