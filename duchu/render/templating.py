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
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, TracebackType
from typing import Any

import markupsafe
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    pass_environment,
)
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment

from duchu import platform
from duchu.errors import DuchuError
from duchu.paths import really_inside
from duchu.problems import Ref
from duchu.render.words import chinese_number

DEFAULT_TEMPLATE = "report.md.j2"
CIRCULAR_TEMPLATE = "circular.md.j2"  # the office's circular: no --group, several groups


class ConfinedLoader(FileSystemLoader):
    """A file-system loader of a tree's ``templates/`` that refuses a template whose real
    path (after symbolic links) lies outside the records tree ``confine_to``: a tree's
    templates cannot read the rest of the machine."""

    def __init__(self, folder: Path, confine_to: Path) -> None:
        super().__init__(folder)
        self.confine_to = confine_to

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        _refuse_outside(Path(filename), self.confine_to)
        return source, filename, uptodate


def _refuse_outside(path: Path, records_root: Path) -> None:
    """A tree's template that is a link leading out of the records tree is an error
    (../shared/spec/RECORDS.md, "Malformed files"), never quietly passed over for the built-in one
    of its name; a link to a file elsewhere in the tree is followed, as a record's would be."""
    if not really_inside(path, records_root):
        raise DuchuError("template-outside", path=path, target=path.resolve())


def builtin_templates() -> Path:
    """The built-in templates: inside the installed package (a wheel puts the top-level
    ``templates/`` there), or the source tree's ``templates/`` in a checkout."""
    package = Path(__file__).parent.parent  # duchu/
    packaged = package / "templates"
    if packaged.is_dir():
        return packaged
    return package.parent / "templates"


def own_templates(records_root: Path) -> Path | None:
    """A tree's own ``templates/`` folder, if it has one; a folder (or link) leading out of
    the tree is refused: duchu reads nothing outside the tree it was given."""
    own = records_root / "templates"
    if not own.is_dir():
        return None
    if not really_inside(own, records_root):
        raise DuchuError("templates-outside", path=own, target=own.resolve())
    return own


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, with repetition bounded: ``"x" * 10**9`` or ``[0] * 10**9`` is refused
    before it is made, like a ``range`` past the sandbox's limit."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(count, int)
                    and len(sequence) * count > MAX_OUTPUT_CHARACTERS
                ):
                    raise SecurityError("repetition too large")
        if operator == "**" and isinstance(right, int) and right > 64:
            raise SecurityError("power too large")
        return super().call_binop(context, operator, left, right)


def environment(records_root: Path, *, html: bool = False) -> SandboxedEnvironment:
    """The sandbox that renders a tree's templates. ``html`` (the site's pages): every value
    is escaped as HTML, so a record's text never becomes markup; else (reports) every value
    is escaped as Markdown (``markdown_text``, ``MarkdownEnvironment``)."""
    builtin = FileSystemLoader(builtin_templates())
    loaders: list[Any] = []
    own = own_templates(records_root)
    if own is not None:
        loaders.append(ConfinedLoader(own, records_root))
    loaders += [builtin, PrefixLoader({"builtin": builtin})]
    kind = BoundedEnvironment if html else MarkdownEnvironment
    env = kind(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=True,  # as HTML for the site's pages, as Markdown for reports
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cn"] = chinese_number
    if not html:
        env.filters["join"] = pass_environment(_markdown_join_filter)
        for name in ("e", "escape", "forceescape"):
            env.filters[name] = _escape_markdown
        env.filters["safe"] = MarkdownText
    return env


def _escape_output(value: Any) -> str:
    """What a compiled page does with each ``{{ value }}`` it prints: the same characters
    as markupsafe's ``escape`` (``&<>'"``; a value with ``__html__`` -- a macro's output,
    an SVG chart -- as it is), returned as a plain string rather than a ``Markup`` built by
    a Python-level constructor for every value of every page: the rendering of a unit page
    took 0.26 ms with ``escape`` and 0.14 ms with this (measured, 800 pages of
    bench/make_tree.py's tree). A printed value is only ever joined into the page, so
    nothing downstream needs to know it is safe."""
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape_text(str(value))


def _markupsafe_escape_text(text: str) -> str:
    return str(markupsafe.escape(text))


# markupsafe's own C function behind ``escape`` (its pure-Python twin where the C one is
# not built); escape() itself where a later markupsafe has neither under this name
_escape_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", _markupsafe_escape_text)


class _PagesTemplate(Template):
    """A compiled page of duchu's own whose printed values go through ``_escape_output``."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        # the compiled module's own name for the function its output goes through
        template.root_render_func.__globals__["escape"] = _escape_output
        return template


class _JoinedBlocks(CodeGenerator):
    """Compiles a page's ``{% block %}`` so that the layout it fills yields the block's
    text joined, once, where Jinja passes each of its pieces up through every template of
    the chain (``yield from``): a unit page's 750 pieces went through three generators
    each, its ``base.html.j2``, its own root and the block -- a fifth of its rendering.
    The text is the same; only how it travels changes."""

    def writeline(self, x: str, node: Any = None, extra: int = 0) -> None:
        call = x.removeprefix("yield from context.blocks[")
        if call != x:  # the one line visit_Block writes for an unbuffered block
            x = f"yield concat(context.blocks[{call})"
        super().writeline(x, node, extra)


class _PagesEnvironment(Environment):
    """Jinja for duchu's own pages, whose data are plain dicts: ``row.state`` is looked up
    as the item first. Jinja asks for the attribute first, and a dict has none, so every
    field of every row of a province's pages raised and caught an AttributeError -- a
    fifth of the rendering. (A key never shadows a dict method the templates use: they
    call none.) Printed values are escaped by ``_escape_output``."""

    template_class = _PagesTemplate
    code_generator_class = _JoinedBlocks

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def builtin_html_environment() -> Environment:
    """duchu's own HTML templates, for a tree that overrides none of them: trusted code, so
    rendered outside the sandbox (whose checks on every attribute were a tenth of the time
    of a province's site), with autoescaping on all the same."""
    builtin = FileSystemLoader(builtin_templates())
    return _PagesEnvironment(
        loader=ChoiceLoader([builtin, PrefixLoader({"builtin": builtin})]),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


# --- Markdown: record text printed as text, exactly once ------------------------------------
#
# A report's template is Markdown, and what it prints from the records -- names, notes,
# findings -- must read as that text and nothing else, wherever it lands: in running text, in
# a table cell, or at the start of a line (the signature's 署名 stands alone on its line, a
# table's first cell follows "| "). The environment escapes as Jinja escapes HTML: every
# printed value once (``markdown_text``), and what is already Markdown -- a macro's output,
# a ``{% set %}`` block, a value joined or concatenated from escaped parts -- is a
# ``MarkdownText`` and passes as it is, so a name is never escaped twice (``赵某\_副``).

# ASCII characters that Markdown (CommonMark and its tables and strike-through) reads as
# syntax anywhere in a line: escapes, code, emphasis, links, HTML and autolinks, headings,
# block quotes, table cells, strike-through and fences, entities
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>#|~&]")
_LINE_BREAKS = re.compile(r"[ \t]*(?:\r\n?|\n)[ \t\r\n]*")
# What opens a block at the start of a line, once the characters above are escaped: a list
# item (-, + or 1. / 1) followed by a space or nothing more), a thematic break or setext
# underline (a line of - or of =), the rest of a list number (1 printed before ". x")
_BLOCK_START = re.compile(r"(?:[0-9]{0,9}[.)]|[-+])(?=[ \t]|$)|-[- \t]*$|=[= \t]*$")
# what ``_BLOCK_START`` may match at a text's first character (digits only when a "." or
# ")" follows them: "2月17日" and "2014" open nothing); the syntax and line breaks
_MAY_OPEN_BLOCK = frozenset(".)-+=")
_DIGITS = "0123456789"
_SYNTAX_OR_BREAK = re.compile(r"[\\`*_\[\]<>#|~&\r\n]")


def markdown_text(value: object) -> object:
    """A value a report's template prints, as text and never as Markdown: a unit named
    ``市发|改委`` stays one table cell, a name such as ``# x``, ``- 组``, ``1. x``, ``> x``
    or ``---`` opens no heading, list, quote or rule even at the start of a line, and a value
    spanning lines (a note) is one line of text. Leading and trailing spaces are kept as
    character references (Markdown would drop them, or read four as code). Numbers pass as
    they are; what is ``MarkdownText`` already passes as it is."""
    if not isinstance(value, str) or hasattr(value, "__html__"):
        return value
    text = value
    # most names and notes need nothing: no syntax character, no break, no space at an
    # end, nothing a block could open with (the same text as the full path returns)
    if not text or (
        text[0] not in _MAY_OPEN_BLOCK
        and (text[0] not in _DIGITS or text.lstrip(_DIGITS)[:1] not in (".", ")"))
        and not text[0].isspace()
        and not text[-1].isspace()
        and _SYNTAX_OR_BREAK.search(text) is None
    ):
        return text
    if "\n" in text or "\r" in text:
        text = _LINE_BREAKS.sub(" ", text)
    text = _MARKDOWN_SYNTAX.sub(r"\\\g<0>", text)
    core = text.lstrip()
    lead = text[: len(text) - len(core)]
    start = _BLOCK_START.match(core)
    if start is not None:
        at = start.start() if core[:1] in "-+=" else start.end() - 1
        core = core[:at] + "\\" + core[at:]
    body = core.rstrip()
    return _references(lead) + body + _references(core[len(body) :])


def _references(spaces: str) -> str:
    """Spaces as character references: a parser strips them from a paragraph's or a
    cell's ends (markdown-it-py any Unicode space), and four at a line's start are code."""
    return "".join(f"&#{ord(char)};" for char in spaces)


class MarkdownText(markupsafe.Markup):
    """Markdown that is safe as it is: an escaped value, a macro's output, template text.
    What it is joined, concatenated or formatted with is escaped as a value is
    (``markdown_text``), as ``Markup`` does with HTML."""

    __slots__ = ()

    @classmethod
    def escape(cls, s: Any) -> MarkdownText:
        if hasattr(s, "__html__"):
            return cls(s.__html__())
        shown = markdown_text(s if isinstance(s, str) else str(s))
        return cls(shown)


def _escape_markdown(value: Any) -> MarkdownText:
    """What a report's compiled template does with each ``{{ value }}`` it prints."""
    return MarkdownText.escape(value)


def _markdown_join(seq: Any) -> MarkdownText:
    """Jinja's ``~`` (``markup_join``), for Markdown."""
    return MarkdownText("").join(seq)


def _markdown_join_filter(
    environment: Environment, value: Any, d: str = "", attribute: str | int | None = None
) -> MarkdownText:
    """The ``join`` filter: each item escaped once, what is Markdown already kept."""
    from jinja2.filters import make_attrgetter

    items = list(value)
    if attribute is not None:
        getter = make_attrgetter(environment, attribute)
        items = [getter(item) for item in items]
    return MarkdownText.escape(d).join(items)


class _MarkdownMacro(Macro):
    """A macro whose output is Markdown already (Jinja wraps it in ``Markup``, which would
    escape what it is joined with as HTML)."""

    def _invoke(self, arguments: list[Any], autoescape: bool) -> Any:
        output = super()._invoke(arguments, autoescape)
        return MarkdownText(output) if autoescape else output


class _MarkdownTemplate(Template):
    """A report's compiled template: Jinja's autoescaping, with Markdown's escape in place
    of HTML's (the names its generated code calls)."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        names = template.root_render_func.__globals__
        names["escape"] = _escape_markdown
        names["Markup"] = MarkdownText
        names["markup_join"] = _markdown_join
        names["Macro"] = _MarkdownMacro
        return template


class MarkdownEnvironment(BoundedEnvironment):
    """The sandbox that renders reports: every printed value escaped as Markdown, once."""

    template_class = _MarkdownTemplate


def find_template_file(records_root: Path, name: str) -> Path | None:
    """The file a template name resolves to (the tree's own first), for non-Jinja files such
    as the DOCX layout."""
    own = own_templates(records_root)
    if own is not None and (own / name).is_file():
        _refuse_outside(own / name, records_root)
        return own / name
    candidate = builtin_templates() / name
    return candidate if candidate.is_file() else None


@contextmanager
def _bounded() -> Iterator[None]:
    """A wall-clock alarm and an address-space ceiling around a render (where the platform
    has them, and in the main thread: an alarm is a signal; ``duchu.platform``)."""

    def expired() -> None:
        raise _TemplateTimeout

    with (
        platform.alarm(TEMPLATE_SECONDS, expired),
        platform.memory_ceiling(TEMPLATE_MEMORY_BYTES),
    ):
        yield


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


# A tree's template may not run away: a report renders in well under a second, a province's
# in a few; a template looping past these bounds is refused, saying which bound it hit.
TEMPLATE_SECONDS = 60
MAX_OUTPUT_CHARACTERS = 64 * 1024 * 1024
TEMPLATE_MEMORY_BYTES = 2 * 1024 * 1024 * 1024  # more than the process had when it started


class _TemplateTimeout(Exception):
    pass


def render(records_root: Path, name: str, context: dict[str, Any]) -> str:
    """Render template ``name`` with ``context``; any template fault becomes a one-line
    ``DuchuError`` naming the template file and line; a render past ``TEMPLATE_SECONDS``,
    ``MAX_OUTPUT_CHARACTERS`` or ``TEMPLATE_MEMORY_BYTES`` more memory is refused."""
    return render_in(environment(records_root), name, context)


def render_in(env: Environment, name: str, context: dict[str, Any], *, bounded: bool = True) -> str:
    """``render`` with an environment made once: the site renders thousands of pages from
    a handful of templates, each compiled once. ``bounded=False`` skips the time, output and
    memory bounds -- only for duchu's own templates, whose cost is known: setting the alarm
    and the memory ceiling for each of a province's 20,000 pages cost more than the pages."""
    try:
        template = env.get_template(name)
        if not bounded:
            return template.render(context)
        with _bounded():
            pieces: list[str] = []
            size = 0
            for piece in template.generate(**context):
                size += len(piece)
                if size > MAX_OUTPUT_CHARACTERS:
                    raise DuchuError(
                        "template-too-much",
                        name=name,
                        bound=Ref("bound-output"),
                        limit=MAX_OUTPUT_CHARACTERS,
                    )
                pieces.append(piece)
            return "".join(pieces)
    except _TemplateTimeout:
        raise DuchuError(
            "template-too-much", name=name, bound=Ref("bound-time"), limit=TEMPLATE_SECONDS
        ) from None
    except RecursionError:  # a macro calling itself without end
        raise DuchuError(
            "template-too-much", name=name, bound=Ref("bound-depth"), limit=sys.getrecursionlimit()
        ) from None
    except MemoryError:
        raise DuchuError(
            "template-too-much",
            name=name,
            bound=Ref("bound-memory"),
            limit=TEMPLATE_MEMORY_BYTES,
        ) from None
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
    except DuchuError:
        raise
    except Exception as err:
        if not bounded:  # duchu's own template: a fault of duchu's, not of the records
            raise
        # a tree's own template that divides by zero, indexes past a list, calls a number:
        # the template's fault, said in one line with its place
        where = _template_line(sys.exc_info()[2])
        detail = f"{type(err).__name__}: {err}"
        if where:
            detail = f"{where[0]}:{where[1]}: {detail}"
        raise DuchuError("template-error", name=name, detail=detail) from None
