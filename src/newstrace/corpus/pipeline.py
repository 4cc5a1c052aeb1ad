"""Corpus mode: ingest → fingerprints → candidates → compare → stories → outputs.

Every stage works on what is new and commits as it goes: fingerprints for
articles without one, candidates touching those articles, compares for
candidate pairs not yet in the ``pairs`` table. Killing the process loses at
most a batch; running again picks up where it stopped.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.corpus.candidates import (
    CandidateSettings,
    Fingerprints,
    VectorIndex,
    candidates_for,
    fingerprint_articles,
    index_path,
    store_fingerprints,
)
from newstrace.corpus.crosslingual import (
    CrossLingualIndex,
    CrossLingualSettings,
    is_multilingual,
)
from newstrace.corpus.engine import DEFAULT_ENGINE, ENGINES, engine
from newstrace.corpus.ingest import IngestReport, ingest
from newstrace.corpus.store import Store, now_iso
from newstrace.corpus.stories import Story, build_stories
from newstrace.io import ReadOptions
from newstrace.model import SCREENED_TAIL, Article, PairResult
from newstrace.reuse.compare import compare_articles
from newstrace.reuse.features import ArticleMemo

BATCH = 200
#: Articles fingerprinted per transaction. Their LSH rows land on random pages of
#: the bucket index, and a commit writes every page it touched: 200 articles per
#: commit wrote most of the index again each time once it outgrew the cache.
FINGERPRINT_BATCH = 2000
#: How often (at most) a long fingerprint stage writes the vector index file.
INDEX_SAVE_SECONDS = 60.0

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class RunReport:
    ingest: IngestReport | None = None
    fingerprinted: int = 0
    multilingual: int = 0  # articles given a multilingual vector (mixed-language stores)
    candidates: int = 0
    compared: int = 0
    screened: int = 0  # of ``compared``, settled by the screen without an alignment
    #: pairs whose compare raised, (a, b, error): skipped, not stored, tried again by
    #: the next run; one pair's failure must not cost a corpus run its other pairs
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    relations: dict[str, int] = field(default_factory=dict)
    stories: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    #: peak resident memory (MB) by the end of each stage: this process, and the
    #: largest worker process that had ended by then (``peak_memory``)
    memory_mb: dict[str, tuple[int, int]] = field(default_factory=dict)

    def timed(self, stage: str, started: float) -> None:
        """Record how long ``stage`` took since ``started`` and the memory peaks so far."""
        self.seconds[stage] = time.perf_counter() - started
        self.memory_mb[stage] = peak_memory()

    def as_dict(self) -> dict[str, Any]:
        return {"ingest": self.ingest.as_dict() if self.ingest else None,
                "fingerprinted": self.fingerprinted, "multilingual": self.multilingual,
                "candidates": self.candidates,
                "compared": self.compared, "screened": self.screened,
                "failed": len(self.failed),
                "failed_pairs": [f"{a} × {b}: {error}" for a, b, error in self.failed[:20]],
                "relations": self.relations,
                "stories": self.stories,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
                "peak_memory_mb": {k: {"process": main, "largest_worker": worker}
                                   for k, (main, worker) in self.memory_mb.items()}}


def peak_memory() -> tuple[int, int]:
    """Peak resident MB of this process and of its largest finished child (0 off Unix)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0, 0
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return (round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale),
            round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale))


def unfingerprinted(store: Store) -> list[str]:
    return [aid for (aid,) in store.conn.execute(
        "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM fingerprints) "
        "ORDER BY id")]


def _unfingerprinted_of(store: Store, ids: Sequence[str]) -> list[str]:
    return sorted(aid for aid in set(ids) if store.conn.execute(
        "SELECT 1 FROM fingerprints WHERE article_id = ?", (aid,)).fetchone() is None)


def _pair_row(result: PairResult) -> tuple[Any, ...]:
    data = result.as_dict()
    for side in ("a", "b"):
        data[side] = {"id": data[side]["id"]}  # texts live in the articles table
    origin = {"a": result.a.id, "b": result.b.id}.get(result.origin or "")
    return (result.a.id, result.b.id, result.relation, result.confidence, origin,
            result.credit_status, result.derived_from_origin,
            json.dumps(data, ensure_ascii=False), now_iso(), related(result))


def _screened(row: tuple[Any, ...]) -> bool:
    """Whether a stored row's result was settled by the screen."""
    return str(row[7]).endswith(SCREENED_TAIL)


def related(result: PairResult) -> float:
    """How likely the two articles are one story: anything but ``unrelated``."""
    return round(1.0 - result.probabilities.get("unrelated", 0.0), 4)


def store_pairs(store: Store, rows: Sequence[tuple[Any, ...]]) -> None:
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO pairs(a, b, relation, confidence, origin, credit, coverage, "
            "result, compared_at, related) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)


def compared(store: Store, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    done = set()
    for a, b in pairs:
        if store.conn.execute("SELECT 1 FROM pairs WHERE a = ? AND b = ?", (a, b)).fetchone():
            done.add((a, b))
    return done


#: Pairs per unit of work: committed together, and handed to a worker together.
CHUNK = 100
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: Fewer pending pairs than this are compared in-process: starting workers costs more.
PARALLEL_FROM = 400
#: Chunks a compare worker handles before a fresh process replaces it. A worker's
#: memos are capped, but a long-lived process still grows (spaCy's vocabulary
#: learns every new word it parses; freed objects leave Python's arenas
#: fragmented): at 100,000 articles a worker that lived through the whole run
#: reached 3.6 GB against 2.0 GB at 10,000. A restart costs about a second.
WORKER_CHUNKS = 150


class _Comparer:
    """Compares chunks of pairs with one engine, reusing per-article work across them."""

    def __init__(self, store: Store, engine_name: str, screen: bool = True,
                 changes: bool = False) -> None:
        self.store = store
        self.engine = engine(engine_name, store.path, screen=screen)
        self.changes = changes
        self.memo = ArticleMemo()
        self.cache: dict[str, Article] = {}

    def rows(self, pairs: Sequence[tuple[str, str]]
             ) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, str]]]:
        """The stored rows of these pairs, and a line for each pair whose compare failed."""
        wanted = [x for pair in pairs for x in pair if x not in self.cache]
        if len(self.cache) + len(wanted) > 2000:
            self.cache = {}
            wanted = [x for pair in pairs for x in pair]
        self.cache.update(self.store.get_many(wanted))
        out, failed = [], []
        for a_id, b_id in pairs:
            a, b = self.cache.get(a_id), self.cache.get(b_id)
            if a is None or b is None or not a.sentences or not b.sentences:
                continue
            try:
                result = compare_articles(a, b, self.engine.embedder, self.engine.params,
                                          memo=self.memo, screen=self.engine.screen,
                                          attribution=self.changes)
            except Exception as exc:  # reported in RunReport.failed; the run goes on
                failed.append((a_id, b_id, f"{type(exc).__name__}: {exc}"))
                continue
            out.append(_pair_row(result))
        return out, failed


def local_order(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs in breadth-first order of the candidate graph.

    Each article's tokens and scored sentences are memoised while it keeps
    turning up; in id order an article's pairs are scattered over the whole run
    and the memo misses. Breadth-first order keeps neighbours together.
    """
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    rank: dict[str, int] = {}
    for root in sorted(neighbours):
        if root in rank:
            continue
        rank[root] = len(rank)
        queue = deque([root])
        while queue:
            for other in sorted(neighbours[queue.popleft()]):
                if other not in rank:
                    rank[other] = len(rank)
                    queue.append(other)
    return sorted(pairs, key=lambda p: (min(rank[p[0]], rank[p[1]]),
                                        max(rank[p[0]], rank[p[1]])))


_WORKER: _Comparer | None = None


def _worker_start(location: str, engine_name: str, screen: bool, changes: bool) -> None:
    """A worker's own read-only connection: a SQLite file or a PostgreSQL URL."""
    global _WORKER
    _WORKER = _Comparer(Store(location, read_only=True), engine_name, screen, changes)


def _worker_rows(pairs: list[tuple[str, str]]
                 ) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, str]]]:
    assert _WORKER is not None
    return _WORKER.rows(pairs)


#: From this many fingerprint batches on, ``workers`` > 1 compute them in worker
#: processes (reading articles through their own read-only connections) while this
#: process, the one writer, stores and indexes what they return.
PARALLEL_FINGERPRINTS_FROM = 4


def _fingerprint_pool(store: Store, workers: int) -> Any:
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    return context.Pool(workers, _fingerprint_worker_start, (store.location,))


_READER: Store | None = None


def _fingerprint_worker_start(location: str) -> None:
    global _READER
    _READER = Store(location, read_only=True)


def _worker_fingerprints(ids: list[str]) -> Fingerprints:
    assert _READER is not None
    return fingerprint_articles(list(_READER.get_many(ids, with_sentences=False).values()))


def compare_pairs(store: Store, pairs: Sequence[tuple[str, str]], report: RunReport,
                  progress: Progress | None = None, engine_name: str = DEFAULT_ENGINE,
                  workers: int = 1, screen: bool = True, changes: bool = False) -> None:
    """Compare pairs and store each chunk's results as it completes (resumable).

    ``changes``: analyse what each copy or rewrite changed now, rather than when
    the pair is opened (``corpus.details``).

    With ``workers`` > 1, the static engine and enough pairs, chunks go to worker
    processes, each reading articles through its own read-only connection; this
    process alone writes. Workers are spawned, so a script that asks for them
    needs the usual ``if __name__ == "__main__":`` guard (the CLI has it). MiniLM
    runs in-process: its vectors are cached in the store, which one writer touches.
    """
    pairs = local_order(pairs)
    chunks = [list(pairs[k : k + CHUNK]) for k in range(0, len(pairs), CHUNK)]
    done = 0

    def record(found: tuple[list[tuple[Any, ...]], list[tuple[str, str, str]]],
               size: int) -> None:
        nonlocal done
        rows, failed = found
        report.failed += failed
        store_pairs(store, rows)
        for row in rows:
            report.relations[row[2]] = report.relations.get(row[2], 0) + 1
        report.compared += len(rows)
        report.screened += sum(map(_screened, rows))
        done += size
        if progress:
            progress("compare", done, len(pairs))

    if workers > 1 and engine_name == "static" and len(pairs) >= PARALLEL_FROM:
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # no fork after model threads start
        # one BLAS thread per worker: two workers each starting a thread per core ran
        # slower than one process (bench/corpus.py). Set for the pool's whole life: the
        # workers that replace retired ones (``WORKER_CHUNKS``) start from it too.
        saved = {k: os.environ.get(k) for k in _THREAD_VARIABLES}
        os.environ.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
        try:
            with context.Pool(workers, _worker_start,
                              (store.location, engine_name, screen, changes),
                              maxtasksperchild=WORKER_CHUNKS) as pool:
                for chunk, found in zip(chunks, pool.imap(_worker_rows, chunks), strict=True):
                    record(found, len(chunk))
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return
    from threadpoolctl import threadpool_limits

    comparer = _Comparer(store, engine_name, screen, changes)
    # one BLAS thread here too: a pair's matrices are tens of sentences by a few
    # thousand word hashes, too small to gain from a second thread, and OpenBLAS's
    # spinning threads lose badly next to other busy processes (``add`` while a
    # run or the web app works: pair features 4.4 ms → 0.5 ms a pair)
    with threadpool_limits(limits=1, user_api="blas"):
        for chunk in chunks:
            record(comparer.rows(chunk), len(chunk))


def open_index(store: Store) -> VectorIndex:
    """The store's vector index, completed from the fingerprints table if it lags."""
    index = VectorIndex(index_path(store))
    if len(index) < store.conn.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0]:
        _rebuild_index(store, index)
    return index


def update(store: Store, settings: CandidateSettings, report: RunReport,
           progress: Progress | None = None, engine_name: str = DEFAULT_ENGINE, *,
           index: VectorIndex | None = None, rebuild_stories: bool = True,
           workers: int = 1, new_ids: Sequence[str] | None = None,
           screen: bool = True, changes: bool = False) -> list[Story]:
    """Fingerprint, find candidates for and compare everything new; rebuild stories.

    ``add`` passes ``rebuild_stories=False``, an open ``index`` and the ``new_ids``
    it ingested: one article should cost its own candidates and compares, not a
    pass over the corpus (finding unfingerprinted articles scans the articles
    table: ~20 ms at 100,000). The index file is then not rewritten either; the
    next run completes it from the fingerprints table, where the new vectors
    already are, and fingerprints whatever an ``add`` did not. ``screen=False``
    compares every candidate pair in full (see ``reuse.screen``);
    ``changes=True`` analyses every copy's and rewrite's changes during the run.
    """
    started = time.perf_counter()
    interactive = index is not None
    index = index or open_index(store)
    new_ids = unfingerprinted(store) if new_ids is None else _unfingerprinted_of(store, new_ids)
    saved = time.monotonic()
    chunks = [new_ids[k : k + FINGERPRINT_BATCH] for k in range(0, len(new_ids), FINGERPRINT_BATCH)]
    pool = _fingerprint_pool(store, workers) \
        if workers > 1 and len(chunks) >= PARALLEL_FINGERPRINTS_FROM else None
    try:
        found = pool.imap(_worker_fingerprints, chunks) if pool is not None else (
            fingerprint_articles(list(store.get_many(chunk, with_sentences=False).values()))
            for chunk in chunks)
        done = 0
        for chunk, rows in zip(chunks, found, strict=True):
            store_fingerprints(store, rows, settings, index)
            # the index file is a cache of the fingerprints table (``open_index`` completes
            # it after a kill), so it is written now and then, not after every batch: at
            # 100k articles rewriting it 500 times cost most of this stage
            if not interactive and time.monotonic() - saved > INDEX_SAVE_SECONDS:
                index.save()
                saved = time.monotonic()
            report.fingerprinted += len(rows.ids)
            done += len(chunk)
            if progress:
                progress("fingerprint", done, len(new_ids))
    finally:
        if pool is not None:
            pool.terminate()
    if not interactive and new_ids:
        index.save()
    report.timed("fingerprints", started)

    started = time.perf_counter()
    across = _across_languages(store, report, progress, save=not interactive)
    report.timed("multilingual vectors", started)

    started = time.perf_counter()
    pending = _pending_articles(store, new_ids)
    found = candidates_for(store, pending, settings, index)
    if across is not None:
        found |= across.candidates(pending, settings.window_days)
    pairs = sorted(found)
    report.candidates += len(pairs)
    todo = sorted(set(pairs) - compared(store, pairs))
    report.timed("candidates", started)

    started = time.perf_counter()
    if todo:
        run_id = store.start_run("compare", {"engine": engine_name, "pairs": len(todo),
                                             "screen": screen})
    compare_pairs(store, todo, report, progress, engine_name, workers, screen, changes)
    if todo:
        store.finish_run(run_id, {"compared": report.compared})
    report.timed("compare", started)

    started = time.perf_counter()
    stories = build_stories(store, window_days=settings.window_days) if rebuild_stories else []
    report.stories = len(stories)
    with store.transaction() as conn:
        conn.execute("DELETE FROM pending_candidates")
        # the articles of a pair whose compare failed are searched again by the next run
        conn.executemany("INSERT OR IGNORE INTO pending_candidates VALUES (?)",
                         [(x,) for a, b, _ in report.failed for x in (a, b)])
    report.timed("stories", started)
    return stories


def _across_languages(store: Store, report: RunReport, progress: Progress | None, *,
                      save: bool) -> CrossLingualIndex | None:
    """The multilingual index, brought up to date, once the store mixes languages."""
    if not is_multilingual(store):
        return None
    across = CrossLingualIndex(store, CrossLingualSettings.fitted())
    missing = across.missing()
    for start in range(0, len(missing), BATCH):
        across.add(list(store.get_many(missing[start : start + BATCH]).values()))
        report.multilingual += min(BATCH, len(missing) - start)
        if progress:
            progress("multilingual vectors", min(start + BATCH, len(missing)), len(missing))
    if save:
        across.save()
    return across


def compared_with(store: Store) -> str | None:
    """The engine the store's latest pairs were compared with (None: never compared).

    Whoever adds articles later (``serve``'s uploads) compares them the same way,
    so that one store's verdicts come from one set of fitted parameters.
    """
    row = store.conn.execute("SELECT settings FROM runs WHERE command = 'compare' "
                             "ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    name = json.loads(row[0]).get("engine")
    return name if name in ENGINES else None


def _pending_articles(store: Store, new_ids: list[str]) -> list[str]:
    """New articles, plus any whose candidate search a killed run left unfinished."""
    with store.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO pending_candidates VALUES (?)",
                         [(i,) for i in new_ids])
    return [aid for (aid,) in store.conn.execute("SELECT article_id FROM pending_candidates")]


def _rebuild_index(store: Store, index: VectorIndex) -> None:
    import numpy as np

    rows = store.conn.execute("SELECT article_id, vector FROM fingerprints").fetchall()
    missing = [(aid, blob) for aid, blob in rows if aid not in index.position]
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        index.add([aid for aid, _ in chunk],
                  np.vstack([np.frombuffer(blob, dtype=np.float32) for _, blob in chunk]))
    index.save()


def run(paths: Sequence[str | Path], store: Store, *, options: ReadOptions | None = None,
        settings: CandidateSettings | None = None, progress: Progress | None = None,
        engine_name: str = DEFAULT_ENGINE, workers: int = 1,
        screen: bool = True, changes: bool = False) -> tuple[RunReport, list[Story]]:
    settings = settings or CandidateSettings()
    report = RunReport()
    started = time.perf_counter()
    report.ingest = ingest(paths, store, options, command="run", workers=workers)
    report.timed("ingest", started)
    stories = update(store, settings, report, progress, engine_name, workers=workers,
                     screen=screen, changes=changes)
    return report, stories
