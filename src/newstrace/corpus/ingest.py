"""Incremental, resumable ingest: read → clean → segment → store.

Files already ingested unchanged are passed over; articles already stored are
counted as duplicates; each batch is one transaction, so killing the process
loses at most the batch in flight and re-running finishes the job. After new
articles land, outlets whose repeated lines crossed the boilerplate threshold
get their articles re-cleaned from the stored raw text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
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
            if is_new:
                self.report.stored += 1
                if (key := outlet_key(item.article)) is not None:
                    self.outlets.add(key)
            else:
                self.report.duplicates += 1
        self.items, self.problems, self.done = [], [], []


class _RepeatedCache:
    """Each outlet's learned boilerplate, looked up once per run."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sets: dict[str, tuple[frozenset[int], str]] = {}

    def get(self, article: Article) -> tuple[frozenset[int], str]:
        key = outlet_key(article)
        if key is None:
            return frozenset(), ""
        if key not in self._sets:
            repeated = self.store.repeated_lines(key)
            self._sets[key] = (repeated, repeated_signature(repeated))
        return self._sets[key]


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    options: ReadOptions | None = None,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    command: str = "ingest",
) -> IngestReport:
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
    for number, path in enumerate(files, 1):
        if store.source_done(path):
            report.files_unchanged += 1
        else:
            count = 0
            for read in read_file(path, options, sidecars):
                if isinstance(read, Skipped):
                    batcher.problem(read)
                    continue
                report.read += 1
                count += 1
                result = _prepare_one(read, repeated)
                if isinstance(result, Skipped):
                    batcher.problem(result)
                else:
                    batcher.add(result)
            for problem in sidecars.problems:
                batcher.problem(problem)
            sidecars.problems.clear()
            batcher.file_done(path, count)
        if progress is not None:
            progress(number, len(files), report)
    batcher.flush()
    report.recleaned = reclean(store, batcher.outlets)
    report.seconds = time.perf_counter() - started
    store.finish_run(report.run_id, report.as_dict())
    return report


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
