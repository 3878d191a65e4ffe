"""The message catalogue: every word duchu itself says, in Chinese (default) and English.

Problem codes are keys here too, so a problem's text is looked up by its stable code. The
records' own words (unit names, action names) are never translated: they are shown as the
user wrote them. Keep both languages of a key on adjacent lines so a missing translation
is easy to see; ``tests/test_messages.py`` checks every key has both and the same fields.

The tables are ``duchu.messages.records`` (the records' problems),
``duchu.messages.commands`` (everything the commands say), ``duchu.messages.hooks``
(the hooks') and ``duchu.messages.site`` (the dashboard's 1.2 words); here, the lookup.
"""

from __future__ import annotations

import string

from duchu.messages.commands import COMMANDS
from duchu.messages.entry import ENTRY
from duchu.messages.hooks import HOOKS
from duchu.messages.records import RECORDS
from duchu.messages.site import SITE

LANGS = ("zh", "en")

CATALOGUE: dict[str, dict[str, str]] = {**RECORDS, **COMMANDS, **HOOKS, **ENTRY, **SITE}


class _Args(dict[str, object]):
    """Leaves an unknown field visible instead of failing: a message must never crash."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message(key: str, lang: str, /, **args: object) -> str:
    """The text of ``key`` in ``lang`` (Chinese when the language is unknown)."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["zh"]
    if args.get("count") == 1:  # singular forms, where a language has them ("en-one")
        template = entry.get(f"{lang}-one", template)
    return template.format_map(_Args(args))  # in C: a province's table formats thousands


def fields(key: str, variant: str) -> set[str]:
    """The format fields a message uses (for the catalogue's own consistency test)."""
    return {name for _, name, _, _ in string.Formatter().parse(CATALOGUE[key][variant]) if name}


def named_list(candidates: list[tuple[str, str]], more: int, lang: str) -> str:
    """Things as the user may name them, ``名称（id）`` each (../shared/spec/CLI.md 1.1,
    RECORDS.md 1.2), in the order given, and how many more there are: the one wording of
    candidates, for the command line's options and the records' references alike."""
    separator = "、" if lang == "zh" else ", "
    listed = separator.join(message("name-with-id", lang, name=n, id=i) for n, i in candidates)
    if more:
        listed += message("names-more", lang, count=more)
    return listed or message("names-none", lang)
