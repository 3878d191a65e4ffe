"""The message catalogue: every message in both languages, with the same fields."""

from __future__ import annotations

import pytest

from duchu.messages import CATALOGUE, LANGS, fields, message


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_message_has_both_languages_with_the_same_fields(key: str) -> None:
    entry = CATALOGUE[key]
    assert set(LANGS) <= set(entry)
    for variant in entry:  # "en-one" and the like must fill the same fields too
        assert fields(key, variant) == fields(key, "zh"), variant


def test_singular_forms() -> None:
    assert message("n-errors", "en", count=1) == "1 error"
    assert message("n-errors", "en", count=2) == "2 errors"
    assert message("n-errors", "zh", count=1) == "1 个错误"


def test_unknown_key_and_missing_field_never_crash() -> None:
    assert message("no-such-key", "zh") == "no-such-key"
    assert message("unknown-group", "en") == "unknown group '{group}' (candidates: {candidates})"


def test_no_message_is_defined_twice() -> None:
    """The catalogue is the union of the message tables: a key in two of them would silently
    let one table's words replace the other's."""
    from duchu.messages.commands import COMMANDS
    from duchu.messages.entry import ENTRY
    from duchu.messages.hooks import HOOKS
    from duchu.messages.records import RECORDS
    from duchu.messages.site import SITE

    tables = [set(RECORDS), set(COMMANDS), set(HOOKS), set(ENTRY), set(SITE)]
    for i, first in enumerate(tables):
        for second in tables[i + 1 :]:
            assert first & second == set()
