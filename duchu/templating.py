"""Report templates: Jinja2, built in or from a records tree, rendered in a sandbox.

Lookup by file name: a records tree's own ``templates/`` first, then the built-in ones
(shipped inside the package). A tree's template may ``{% extends "builtin/report.md.j2" %}``
to change one block. Templates run in Jinja's ``SandboxedEnvironment`` -- a template passed
around by USB stick cannot reach Python internals -- with ``StrictUndefined``: a misspelt
field is an error with the template's file and line, never a silent blank.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from duchu.errors import DuchuError
from duchu.report import chinese_number

DEFAULT_TEMPLATE = "report.md.j2"
CIRCULAR_TEMPLATE = "circular.md.j2"  # the office's circular: no --group, several groups


class ConfinedLoader(FileSystemLoader):
    """A file-system loader that refuses templates whose real path (after symbolic links)
    lies outside its folder: a tree's templates cannot read the rest of the machine."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not _inside(Path(filename), Path(self.searchpath[0])):
            raise TemplateNotFound(template)
        return source, filename, uptodate


def _inside(path: Path, folder: Path) -> bool:
    real, top = path.resolve(), folder.resolve()
    return real == top or top in real.parents


def builtin_templates() -> Path:
    """The built-in templates: inside the installed package (a wheel puts the top-level
    ``templates/`` there), or the source tree's ``templates/`` in a checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


def environment(records_root: Path) -> SandboxedEnvironment:
    builtin = FileSystemLoader(builtin_templates())
    loaders: list[Any] = []
    own = records_root / "templates"
    if own.is_dir():
        loaders.append(ConfinedLoader(own))
    loaders += [builtin, PrefixLoader({"builtin": builtin})]
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=markdown_text,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cn"] = chinese_number
    return env


# ASCII characters that Markdown would read as syntax somewhere in a line: emphasis, code,
# links, html, headings, table cells, strike-through, escapes
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]<>#|~])")


def markdown_text(value: object) -> object:
    """Every value a template prints, as text and never as Markdown: a unit named
    ``市发|改委`` stays one table cell, a name starting with ``#`` is no heading, and a value
    spanning lines does not end a paragraph or a table row. Numbers pass as they are."""
    if not isinstance(value, str):
        return value
    text = _MARKDOWN_SYNTAX.sub(r"\\\1", value)
    if "\n" in text or "\r" in text:
        text = " ".join(text.split())
    return text


def find_template_file(records_root: Path, name: str) -> Path | None:
    """The file a template name resolves to (the tree's own first), for non-Jinja files such
    as the DOCX layout."""
    for folder in (records_root / "templates", builtin_templates()):
        candidate = folder / name
        if candidate.is_file() and _inside(candidate, folder):
            return candidate
    return None


def _template_line(tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost traceback frame that is a template (Jinja rewrites them to point at
    template lines)."""
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or "/templates/" in filename:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render(records_root: Path, name: str, context: dict[str, Any]) -> str:
    """Render template ``name`` with ``context``; any template fault becomes a one-line
    ``DuchuError`` naming the template file and line."""
    env = environment(records_root)
    try:
        template = env.get_template(name)
        return template.render(**context)
    except TemplateNotFound as err:
        raise DuchuError("template-not-found", name=err.name or name) from None
    except TemplateSyntaxError as err:
        raise DuchuError(
            "template-syntax", file=err.filename or name, line=err.lineno, detail=err.message
        ) from None
    except UndefinedError as err:
        where = _template_line(sys.exc_info()[2])
        raise DuchuError(
            "template-undefined",
            file=where[0] if where else name,
            line=where[1] if where else "?",
            detail=err.message or str(err),
        ) from None
    except SecurityError as err:
        raise DuchuError("template-unsafe", name=name, detail=str(err)) from None
    except TemplateError as err:
        raise DuchuError("template-error", name=name, detail=str(err)) from None
