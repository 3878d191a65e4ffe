"""Parsing alone, in memory, on one core: PyYAML's ``CSafeLoader`` against duchu's
``parse_yaml`` (the same libyaml parser; tags resolved by table, data built in one pass,
duplicate keys noted) over the text of every YAML file of a tree.

    python bench/parse.py /tmp/duchu-bench-2000
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import yaml

from duchu.records.read import parse_yaml


def texts_of(root: str) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".yaml"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    found.append(handle.read())
    return found


def best_of(runs: int, work: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    texts = texts_of(sys.argv[1])

    def stock() -> None:
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)

    def duchu() -> None:
        for text in texts:
            parse_yaml(text, "x.yaml")

    bare, ours = best_of(3, stock), best_of(3, duchu)
    print(f"{len(texts)} files, best of 3: yaml.load(CSafeLoader) {bare:.2f} s, "
          f"duchu parse_yaml {ours:.2f} s ({ours / bare:.2f}×)")  # fmt: skip


if __name__ == "__main__":
    main()
