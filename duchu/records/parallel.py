"""Reading many record files on every usable core: chunks of files (or of a commit's blobs)
in worker processes that end with duchu (``die_with_parent``), records shipped back as JSON;
in this process when there are few files or no processes to be had. ``in_worker`` runs one
piece of work beside the load."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from duchu import platform
from duchu.records import parse
from duchu.records.parse import FileResult, parse_file, record_adapter, record_kind

if TYPE_CHECKING:
    import multiprocessing.context

# --- loading many files on every core ------------------------------------------------------

# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 2000
_CHUNK = 250
Progress = Callable[[int, int], None]


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _load_chunk(root: Path, rel_paths: list[str]) -> list[FileResult]:
    # looked up in its module at each call, so that a test may count or replace it there
    return [parse.load_file(root, rel_path) for rel_path in rel_paths]


# A file read from a commit, to parse: path, bytes, size, cache stamp.
Blob = tuple[str, bytes, int, int]


def parse_chunk(blobs: list[Blob]) -> list[FileResult]:
    return [parse_file(*blob) for blob in blobs]


def _shipped(results: list[FileResult]) -> list[FileResult]:
    """A worker's results, each record as its JSON (bytes): rebuilding a record from that in
    one ``validate_json`` call costs the parent process less than half of unpickling it."""
    for result in results:
        if result.record is not None:
            kind = record_kind(result.path)
            result.record = record_adapter(kind).dump_json(result.record)  # type: ignore[assignment]
    return results


def _load_chunk_to_ship(root: Path, rel_paths: list[str]) -> list[FileResult]:
    return _shipped(_load_chunk(root, rel_paths))


def parse_chunk_to_ship(blobs: list[Blob]) -> list[FileResult]:
    return _shipped(parse_chunk(blobs))


def _unship(result: FileResult) -> FileResult:
    shipped: Any = result.record
    if shipped is not None:
        result.record = record_adapter(record_kind(result.path)).validate_json(shipped)
    return result


def load_files(
    root: Path, rel_paths: list[str], jobs: int, progress: Progress | None, done: int, total: int
) -> Iterator[FileResult]:
    """Every file's result, in worker processes when there are enough files to share."""
    return in_workers(
        functools.partial(_load_chunk, root),
        functools.partial(_load_chunk_to_ship, root),
        rel_paths,
        jobs,
        progress,
        done,
        total,
    )


def in_workers(
    work: Callable[[list[Any]], list[FileResult]],
    work_to_ship: Callable[[list[Any]], list[FileResult]],
    items: list[Any],
    jobs: int,
    progress: Progress | None,
    done: int,
    total: int,
) -> Iterator[FileResult]:
    """``work`` over ``items`` in chunks, in worker processes (``work_to_ship``) when there
    are enough to share, else (or when no process can be had) in this one."""
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    finished = 0
    if jobs > 1 and len(items) >= PARALLEL_MIN_FILES:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=_process_context(),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            ) as pool:
                for results in pool.map(work_to_ship, chunks):
                    finished += 1
                    done += len(results)
                    yield from map(_unship, results)
                    if progress is not None:
                        progress(done, total)
        except (OSError, BrokenProcessPool):
            pass  # no processes to be had (a sandbox, a limit): the rest in this process
    for chunk in chunks[finished:]:
        results = work(chunk)
        done += len(results)
        yield from results
        if progress is not None:
            progress(done, total)


def die_with_parent(parent: int) -> None:
    """Make a worker end when the process that started it does (``kill -9`` of duchu left
    its workers reading files under PID 1 for minutes): on Linux the kernel sends SIGKILL
    when the parent dies; a parent already gone by now ends the worker at once."""
    platform.set_parent_death_signal()
    if os.getppid() != parent:
        os._exit(0)


def in_worker(work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)`` in a worker process that ends with this one, as a future; in a thread
    where no process can be had. For work that is Python's own beside other Python work (a
    thread would hold the lock the other needs)."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    try:
        pool: Any = ProcessPoolExecutor(
            max_workers=1,
            mp_context=_process_context(),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
        future = pool.submit(work, *args)
    except OSError:
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(work, *args)
    pool.shutdown(wait=False)  # the future stays; the worker ends when its one job does
    return future


def _process_context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds with duchu already imported; elsewhere, spawn
    context: multiprocessing.context.BaseContext = platform.process_context()
    return context
