"""Incremental, resumable ingest: read → clean → segment → store.

Files already ingested unchanged are passed over; articles already stored are
counted as duplicates; each batch is one transaction, so killing the process
loses at most the batch in flight and re-running finishes the job. After new
articles land, outlets whose repeated lines crossed the boilerplate threshold
get their articles re-cleaned from the stored raw text.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from newstrace.corpus.store import Prepared, Store, outlet_key, repeated_signature
from newstrace.io import ReadOptions, iter_input_files, read_file
from newstrace.io.text import SidecarCache
from newstrace.model import Article, Skipped
from newstrace.prepare import prepare

BATCH_SIZE = 500


@dataclass(slots=True)
class IngestReport:
    files: int = 0
    files_unchanged: int = 0
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    recleaned: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    run_id: int = 0
    #: the id of every article read, stored now or before (not in ``as_dict``)
    ids: list[str] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files, "files_unchanged": self.files_unchanged, "read": self.read,
            "stored": self.stored, "duplicates": self.duplicates, "recleaned": self.recleaned,
            "skipped": len(self.skipped), "seconds": round(self.seconds, 3),
            "run_id": self.run_id,
        }


#: Called after every file with (files done, files total, report so far).
Progress = Callable[[int, int, IngestReport], None]


class _Batcher:
    """Collects prepared articles and writes them with the files they complete."""

    def __init__(self, store: Store, report: IngestReport, batch_size: int) -> None:
        self.store, self.report, self.batch_size = store, report, batch_size
        self.items: list[Prepared] = []
        self.problems: list[Skipped] = []
        self.done: list[tuple[Path, int]] = []
        self.outlets: set[str] = set()

    def add(self, item: Prepared) -> None:
        self.items.append(item)
        if len(self.items) >= self.batch_size:
            self.flush()

    def problem(self, skipped: Skipped) -> None:
        self.report.skipped.append(skipped)
        self.problems.append(skipped)

    def file_done(self, path: Path, articles: int) -> None:
        self.done.append((path, articles))

    def flush(self) -> None:
        if not (self.items or self.problems or self.done):
            return
        flags = self.store.write_batch(self.items, run_id=self.report.run_id,
                                       problems=self.problems, done_files=self.done)
        for item, is_new in zip(self.items, flags, strict=True):
            self.report.ids.append(item.article.id)
            if is_new:
                self.report.stored += 1
                if (key := outlet_key(item.article)) is not None:
                    self.outlets.add(key)
            else:
                self.report.duplicates += 1
        self.items, self.problems, self.done = [], [], []


class _RepeatedCache:
    """Each outlet's learned boilerplate, looked up once per run.

    Looked up on an outlet's first article, which is before any of its articles of
    this run are written: every lookup sees the store as it was when the run
    began. Ingest workers get exactly that, all outlets read up front.
    """

    def __init__(self, store: Store | None,
                 preloaded: dict[str, frozenset[int]] | None = None) -> None:
        self.store = store
        self._sets: dict[str, tuple[frozenset[int], str]] = {
            key: (lines, repeated_signature(lines)) for key, lines in (preloaded or {}).items()}

    def get(self, article: Article) -> tuple[frozenset[int], str]:
        key = outlet_key(article)
        if key is None:
            return frozenset(), ""
        if key not in self._sets:
            repeated = self.store.repeated_lines(key) if self.store else frozenset()
            self._sets[key] = (repeated, repeated_signature(repeated))
        return self._sets[key]


#: Files per task handed to a worker process.
FILES_PER_TASK = 16
#: Fewer files to read than this are read in this process: a worker costs about a
#: second to start (imports and the language model).
PARALLEL_FROM = 200
#: Files at least this large are read here, streaming, in their turn: a worker
#: would hand back all of a big JSONL or WARC file's articles at once.
STREAM_FROM_BYTES = 8 << 20

#: What reading one file gave: per record, whether an article was read and what it
#: became; then the sidecar's problems.
FileOutcome = tuple[list[tuple[bool, "Prepared | Skipped"]], list[Skipped]]


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    options: ReadOptions | None = None,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    command: str = "ingest",
    workers: int = 1,
) -> IngestReport:
    """Store every new article under ``paths``.

    With ``workers`` > 1 and enough files, files are read and prepared (cleaning,
    language identification, sentence splitting: nearly all the cost) in worker
    processes, a few files per task, while this process alone writes, in the
    files' order, so the store ends up the same as with one process.
    """
    options = options or ReadOptions()
    started = time.perf_counter()
    report = IngestReport()
    report.run_id = store.start_run(command, {
        "paths": [str(p) for p in paths], "format": options.format,
        "field_map": options.field_map, "max_doc_bytes": options.max_doc_bytes,
    })
    batcher = _Batcher(store, report, batch_size)
    repeated = _RepeatedCache(store)
    sidecars = SidecarCache()
    inputs = list(iter_input_files(paths))
    files = [p for p in inputs if isinstance(p, Path)]
    for item in inputs:
        if isinstance(item, Skipped):
            batcher.problem(item)
    report.files = len(files)
    seen_problems: set[tuple[str, str]] = set()
    done = 0

    def record(path: Path, outcome: FileOutcome) -> None:
        nonlocal done
        count = 0
        results, sidecar_problems = outcome
        for was_read, result in results:
            report.read += was_read
            count += was_read
            if isinstance(result, Skipped):
                batcher.problem(result)
            else:
                batcher.add(result)
        for problem in sidecar_problems:  # each worker reads a folder's sidecar itself
            if (problem.source, problem.reason) not in seen_problems:
                seen_problems.add((problem.source, problem.reason))
                batcher.problem(problem)
        batcher.file_done(path, count)
        tick()

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(files), report)

    todo = []
    for path in files:
        if store.source_done(path):
            report.files_unchanged += 1
            tick()
        else:
            todo.append(path)
    if workers > 1 and len(todo) >= PARALLEL_FROM:
        # every reader, here or in a worker, starts from the same learned boilerplate
        start = store.all_repeated_lines()
        _ingest_parallel(todo, options, workers, start, sidecars, record)
    else:
        for path in todo:
            record(path, _read_prepared(path, options, repeated, sidecars))
    batcher.flush()
    report.recleaned = reclean(store, batcher.outlets)
    report.seconds = time.perf_counter() - started
    store.finish_run(report.run_id, report.as_dict())
    return report


def _read_prepared(path: Path, options: ReadOptions, repeated: _RepeatedCache,
                   sidecars: SidecarCache) -> FileOutcome:
    results: list[tuple[bool, Prepared | Skipped]] = []
    for read in read_file(path, options, sidecars):
        results.append((False, read) if isinstance(read, Skipped)
                       else (True, _prepare_one(read, repeated)))
    problems = list(sidecars.problems)
    sidecars.problems.clear()
    return results, problems


def _ingest_parallel(paths: list[Path], options: ReadOptions, workers: int,
                     start: dict[str, frozenset[int]], sidecars: SidecarCache,
                     record: Callable[[Path, FileOutcome], None]) -> None:
    """Tasks of a few files each to a pool, results recorded in the files' order.

    At most a few tasks per worker are in flight (a pool's own ``imap`` would read
    ahead without limit and hold a whole crawl's texts). Big files are read here
    once everything before them is recorded.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    in_flight: deque[tuple[list[Path], AsyncResult[list[FileOutcome]]]] = deque()
    repeated = _RepeatedCache(None, start)
    with context.Pool(workers, _worker_start, (options, start)) as pool:

        def settle(keep: int) -> None:
            while len(in_flight) > keep:
                chunk, pending = in_flight.popleft()
                for path, outcome in zip(chunk, pending.get(), strict=True):
                    record(path, outcome)

        chunk: list[Path] = []
        for path in paths:
            if _size(path) >= STREAM_FROM_BYTES:
                if chunk:
                    in_flight.append((chunk, pool.apply_async(_worker_files, (chunk,))))
                    chunk = []
                settle(0)
                record(path, _read_prepared(path, options, repeated, sidecars))
                continue
            chunk.append(path)
            if len(chunk) == FILES_PER_TASK:
                in_flight.append((chunk, pool.apply_async(_worker_files, (chunk,))))
                chunk = []
                settle(3 * workers)
        if chunk:
            in_flight.append((chunk, pool.apply_async(_worker_files, (chunk,))))
        settle(0)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader reports it


_WORKER: tuple[ReadOptions, _RepeatedCache, SidecarCache] | None = None


def _worker_start(options: ReadOptions, repeated: dict[str, frozenset[int]]) -> None:
    """A worker cleans with the learned boilerplate of every outlet as the run began."""
    global _WORKER
    _WORKER = (options, _RepeatedCache(None, repeated), SidecarCache())


def _worker_files(paths: list[Path]) -> list[FileOutcome]:
    assert _WORKER is not None
    options, repeated, sidecars = _WORKER
    return [_read_prepared(path, options, repeated, sidecars) for path in paths]


def _prepare_one(article: Article, repeated: _RepeatedCache) -> Prepared | Skipped:
    known, signature = repeated.get(article)
    try:
        cleaned_article, cleaned = prepare(article, known)
    except Exception as exc:  # a cleaning bug must cost one article, not the run
        return Skipped(str(article.source), f"could not clean: {type(exc).__name__}: {exc}")
    if not cleaned_article.text.strip():
        return Skipped(str(article.source), "no article text left after removing boilerplate")
    return Prepared(cleaned_article, cleaned.line_keys, signature)


def reclean(store: Store, outlets: Sequence[str] | set[str]) -> int:
    """Re-clean articles of these outlets whose learned boilerplate has changed."""
    total = 0
    for outlet in sorted(outlets):
        repeated = store.repeated_lines(outlet)
        signature = repeated_signature(repeated)
        stale = store.articles_needing_reclean(outlet, signature)
        if not stale:
            continue
        fresh = [prepare(a, repeated)[0] for a in stale]
        # an article that would be left empty keeps its old text: never lose a body
        total += store.replace_cleaning([a for a in fresh if a.text.strip()], signature)
    return total
