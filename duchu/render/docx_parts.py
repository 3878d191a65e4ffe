"""The parts of a DOCX around its text: language, font table, document properties, and a
byte-reproducible save.

python-docx starts every document from its own template, which says the text is English
(``en-US``), lists Japanese and Office theme fonts in ``word/fontTable.xml``, names
"python-docx" as the author, "Microsoft Macintosh Word" as the application and carries a
thumbnail of an empty page. A 公文 drafted by duchu is Chinese, is set in the fonts its
layout names, is by the group or office that signs it, and records where its facts come from
(the provenance: as-of date, git commit, uncommitted changes) in its properties rather than
in its text. Nothing here reads the clock: the same Markdown gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from docx.document import Document as DocumentType
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

LANGUAGE = "zh-CN"
# The language of the Latin-script slot -- the numbers and Latin words in Times New Roman --
# as Word's own Chinese documents have it. Chinese there made LibreOffice break a line
# inside a number ("有效31" / "6张"), as Chinese may break between any two characters.
LATIN_LANGUAGE = "en-US"

# What Word needs to substitute a font that is not installed (ECMA-376 17.8.3): another name
# for it (altName), its character set (86 = GB2312), family and pitch. The altNames are the
# fonts every Chinese Windows has: 仿宋_GB2312 and 楷体_GB2312 are the old names of 仿宋 and 楷体
# (Windows Vista renamed them), 方正小标宋简体 is rarely installed outside government offices
# and 华文中宋, which ships with Office, is the nearest in weight.
_FONTS: dict[str, tuple[str | None, str, str, str]] = {
    # name: (altName, charset, family, pitch)
    "仿宋_GB2312": ("仿宋", "86", "modern", "fixed"),
    "仿宋": ("FangSong", "86", "modern", "fixed"),
    "楷体_GB2312": ("楷体", "86", "modern", "fixed"),
    "楷体": ("KaiTi", "86", "modern", "fixed"),
    "黑体": ("SimHei", "86", "modern", "fixed"),
    "宋体": ("SimSun", "86", "auto", "variable"),
    "方正小标宋简体": ("华文中宋", "86", "auto", "variable"),
    "方正小标宋_GBK": ("华文中宋", "86", "auto", "variable"),
    "华文中宋": ("STZhongsong", "86", "auto", "variable"),
    "Times New Roman": (None, "00", "roman", "variable"),
}

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_EXTENDED_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
# The format id every custom property carries (MS-OLEPS: the user-defined property set).
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# A fixed time for every member of the zip: python-docx stamps them with the clock.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def put(parent: BaseOxmlElement, tag: str, successors: Iterable[str], **attrs: str) -> None:
    """Set ``parent``'s child ``tag`` (one only) with ``attrs``, in schema order: before the
    first of ``successors`` present. Attribute names are given without the ``w:`` prefix."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    child = OxmlElement(tag)
    for name, value in attrs.items():
        child.set(qn(f"w:{name}"), value)
    parent.insert_element_before(child, *successors)


def set_language(r_pr: BaseOxmlElement) -> None:
    """Chinese for the East Asian slot of a run property set, English for its Latin slot
    (Word's spell checker and LibreOffice's line breaking read these)."""
    put(r_pr, "w:lang", ("w:eastAsianLayout", "w:specVanish", "w:oMath"), val=LATIN_LANGUAGE,
        eastAsia=LANGUAGE, bidi="ar-SA")  # fmt: skip


def set_theme_language(document: DocumentType) -> None:
    """The settings' theme language, which python-docx's template gives as Japanese."""
    settings = document.settings.element
    for theme in settings.findall(qn("w:themeFontLang")):
        theme.set(qn("w:val"), LATIN_LANGUAGE)
        theme.set(qn("w:eastAsia"), LANGUAGE)


def write_font_table(document: DocumentType, fonts: Iterable[str]) -> None:
    """``word/fontTable.xml`` listing exactly the fonts the document uses."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    entries = []
    for name in dict.fromkeys(fonts):  # in order, once each
        alt, charset, family, pitch = _FONTS.get(name, (None, _charset(name), "auto", "variable"))
        entries.append(
            f"<w:font w:name={quoteattr(name)}>"
            + (f"<w:altName w:val={quoteattr(alt)}/>" if alt is not None else "")
            + f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/>'
            f'<w:pitch w:val="{pitch}"/></w:font>'
        )
    part._blob = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<w:fonts xmlns:w="{W_NS}">{"".join(entries)}</w:fonts>'
    ).encode()


def _charset(name: str) -> str:
    """GB2312 for a font named in Chinese, ANSI for any other."""
    return "86" if any(ord(char) > 0x2E7F for char in name) else "00"


# --- properties -----------------------------------------------------------------------------

_AS_OF = re.compile(r"截至(\d{4}年\d{1,2}月\d{1,2}日)")
_COMMIT = re.compile(r"git 提交 ([0-9a-f]{4,40})")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


@dataclass(frozen=True)
class Provenance:
    """Where the document's facts come from, read back from its provenance line."""

    text: str
    as_of: dt.date | None
    commit: str | None
    dirty: bool | None  # None: not in git (the line names no commit)

    @classmethod
    def parse(cls, text: str) -> Provenance:
        as_of = _AS_OF.search(text)
        commit = _COMMIT.search(text)
        in_git = "git 提交" in text
        return cls(
            text=text,
            as_of=chinese_date(as_of[1]) if as_of else None,
            commit=commit[1] if commit else None,
            dirty=("未提交的修改" in text) if in_git else None,
        )


def chinese_date(text: str) -> dt.date | None:
    """The day a 成文日期 such as 2014年4月30日 names (GB/T 9704 7.3.5.4: Arabic numerals)."""
    found = _DATE.search(text)
    if found is None:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def set_properties(
    document: DocumentType,
    *,
    title: str,
    author: str,
    day: dt.date | None,
    provenance: Provenance | None,
) -> None:
    """Core, extended and custom properties that are the document's own: its title, the
    group or office that signs it, the day it is dated, the provenance -- and no trace of
    python-docx or of the moment it was generated (the output is byte-reproducible)."""
    core = document.core_properties
    core.title = title
    core.author = author
    core.last_modified_by = author
    core.comments = provenance.text if provenance else ""
    core.subject = ""
    core.keywords = ""
    core.category = ""
    core.revision = 1
    core_element = document.part.package.core_properties._element
    when = day or (provenance.as_of if provenance else None)
    if when is not None:
        stamp = dt.datetime(when.year, when.month, when.day, tzinfo=dt.UTC)
        core.created = stamp
        core.modified = stamp
    else:  # no date to give: none rather than python-docx's template's 2013-12-23
        for tag in ("dcterms:created", "dcterms:modified"):
            for element in core_element.findall(qn(tag)):
                core_element.remove(element)
    package = document.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == RT.THUMBNAIL:  # a picture of python-docx's empty page
            del package.rels[rel.rId]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _extended_properties()
    for rel in list(document.part.rels.values()):
        if rel.reltype == _STYLES_WITH_EFFECTS:  # Word 2010's copy of the template's styles
            del document.part.rels[rel.rId]
    if provenance is not None:
        _add_custom_properties(document, provenance)


def _extended_properties() -> bytes:
    """``docProps/app.xml`` naming duchu as the application, nothing more (Word recounts
    pages and words when it saves)."""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<Properties xmlns="{_EXTENDED_NS}" xmlns:vt="{_VT_NS}">'
        "<Application>duchu</Application></Properties>"
    ).encode()


def _add_custom_properties(document: DocumentType, provenance: Provenance) -> None:
    """The provenance as custom properties (Word: 文件 > 信息 > 属性 > 高级属性 > 自定义)."""
    values: list[tuple[str, str, str]] = [("duchu.provenance", "lpwstr", provenance.text)]
    if provenance.as_of is not None:
        values.append(("duchu.as_of", "lpwstr", provenance.as_of.isoformat()))
    if provenance.commit is not None:
        values.append(("duchu.commit", "lpwstr", provenance.commit))
    if provenance.dirty is not None:
        values.append(("duchu.dirty", "bool", "true" if provenance.dirty else "false"))
    properties = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{name}">'
        f"<vt:{kind}>{escape(value)}</vt:{kind}></property>"
        for pid, (name, kind, value) in enumerate(values, start=2)  # pid 0 and 1 are reserved
    )
    blob = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{properties}</Properties>'
    ).encode()
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _abandon_open_zips(err: BaseException) -> None:
    """A fault of the disk half way through ``Document.save`` leaves python-docx's zip
    archive open, and closing it later -- when it is collected -- fails again and prints
    "Exception ignored" under the one line that says why: its file is closed here, the
    archive let go unwritten (the half-written file is removed by the caller)."""
    import contextlib

    trace = err.__traceback__
    while trace is not None:
        for value in list(trace.tb_frame.f_locals.values()):
            owned = list(vars(value).values()) if hasattr(value, "__dict__") else []
            for candidate in (value, *owned):
                if isinstance(candidate, zipfile.ZipFile) and candidate.fp is not None:
                    handle, candidate.fp = candidate.fp, None
                    with contextlib.suppress(OSError, ValueError):
                        handle.close()
        trace = trace.tb_next


def save_docx(document: DocumentType, path: Path) -> None:
    """Save ``document`` so that the same document gives the same bytes: python-docx stamps
    each zip member with the time of saving, so the archive is written again with a fixed
    time and the members in the order python-docx gave them."""
    try:
        document.save(str(path))
    except OSError as err:
        _abandon_open_zips(err)
        raise
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            archive.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())
