"""Corpus mode: ingest → fingerprints → candidates → compare → stories → outputs.

Every stage works on what is new and commits as it goes: fingerprints for
articles without one, candidates touching those articles, compares for
candidate pairs not yet in the ``pairs`` table. Killing the process loses at
most a batch; running again picks up where it stopped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.corpus.candidates import (
    CandidateSettings,
    VectorIndex,
    candidates_for,
    fingerprint,
    index_path,
)
from newstrace.corpus.engine import DEFAULT_ENGINE, engine
from newstrace.corpus.ingest import IngestReport, ingest
from newstrace.corpus.store import Store, now_iso
from newstrace.corpus.stories import Story, build_stories
from newstrace.io import ReadOptions
from newstrace.model import Article, PairResult
from newstrace.reuse.compare import compare_articles
from newstrace.reuse.features import ArticleMemo

BATCH = 200

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class RunReport:
    ingest: IngestReport | None = None
    fingerprinted: int = 0
    candidates: int = 0
    compared: int = 0
    relations: dict[str, int] = field(default_factory=dict)
    stories: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ingest": self.ingest.as_dict() if self.ingest else None,
                "fingerprinted": self.fingerprinted, "candidates": self.candidates,
                "compared": self.compared, "relations": self.relations,
                "stories": self.stories,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def unfingerprinted(store: Store) -> list[str]:
    return [aid for (aid,) in store.conn.execute(
        "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM fingerprints) "
        "ORDER BY id")]


def _pair_row(result: PairResult) -> tuple[Any, ...]:
    data = result.as_dict()
    for side in ("a", "b"):
        data[side] = {"id": data[side]["id"]}  # texts live in the articles table
    origin = {"a": result.a.id, "b": result.b.id}.get(result.origin or "")
    return (result.a.id, result.b.id, result.relation, result.confidence, origin,
            result.credit_status, result.derived_from_origin,
            json.dumps(data, ensure_ascii=False), now_iso())


def store_pairs(store: Store, results: Sequence[PairResult]) -> None:
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO pairs(a, b, relation, confidence, origin, credit, coverage, "
            "result, compared_at) VALUES (?,?,?,?,?,?,?,?,?)", [_pair_row(r) for r in results])


def compared(store: Store, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    done = set()
    for a, b in pairs:
        if store.conn.execute("SELECT 1 FROM pairs WHERE a = ? AND b = ?", (a, b)).fetchone():
            done.add((a, b))
    return done


def compare_pairs(store: Store, pairs: Sequence[tuple[str, str]], report: RunReport,
                  progress: Progress | None = None, engine_name: str = DEFAULT_ENGINE
                  ) -> list[PairResult]:
    chosen = engine(engine_name, store.path)
    memo = ArticleMemo()
    results: list[PairResult] = []
    batch: list[PairResult] = []
    cache: dict[str, Article] = {}
    for k, (a_id, b_id) in enumerate(pairs, 1):
        missing = [x for x in (a_id, b_id) if x not in cache]
        if missing:
            cache.update(store.get_many(missing))
            if len(cache) > 5000:
                cache = {x: cache[x] for x in (a_id, b_id) if x in cache}
        a, b = cache.get(a_id), cache.get(b_id)
        if a is None or b is None or not a.sentences or not b.sentences:
            continue
        result = compare_articles(a, b, chosen.embedder, chosen.params, memo=memo)
        batch.append(result)
        report.relations[result.relation] = report.relations.get(result.relation, 0) + 1
        if len(batch) >= 50:
            store_pairs(store, batch)
            results.extend(batch)
            batch = []
        if progress:
            progress("compare", k, len(pairs))
    if batch:
        store_pairs(store, batch)
        results.extend(batch)
    report.compared += len(results)
    return results


def open_index(store: Store) -> VectorIndex:
    """The store's vector index, completed from the fingerprints table if it lags."""
    index = VectorIndex(index_path(store))
    if len(index) < store.conn.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0]:
        _rebuild_index(store, index)
    return index


def update(store: Store, settings: CandidateSettings, report: RunReport,
           progress: Progress | None = None, engine_name: str = DEFAULT_ENGINE, *,
           index: VectorIndex | None = None, rebuild_stories: bool = True) -> list[Story]:
    """Fingerprint, find candidates for and compare everything new; rebuild stories.

    ``add`` passes ``rebuild_stories=False`` and an open ``index``: one article
    should cost its own candidates and compares, not a pass over the corpus. The
    index file is then not rewritten either; the next run completes it from the
    fingerprints table, where the new vectors already are.
    """
    started = time.perf_counter()
    interactive = index is not None
    index = index or open_index(store)
    new_ids = unfingerprinted(store)
    for start in range(0, len(new_ids), BATCH):
        chunk = new_ids[start : start + BATCH]
        articles = list(store.get_many(chunk, with_sentences=False).values())
        fingerprint(store, articles, settings, index)
        if not interactive:
            index.save()
        report.fingerprinted += len(articles)
        if progress:
            progress("fingerprint", min(start + BATCH, len(new_ids)), len(new_ids))
    report.seconds["fingerprints"] = time.perf_counter() - started

    started = time.perf_counter()
    pending = _pending_articles(store, new_ids)
    pairs = sorted(candidates_for(store, pending, settings, index))
    report.candidates += len(pairs)
    todo = sorted(set(pairs) - compared(store, pairs))
    report.seconds["candidates"] = time.perf_counter() - started

    started = time.perf_counter()
    compare_pairs(store, todo, report, progress, engine_name)
    report.seconds["compare"] = time.perf_counter() - started

    started = time.perf_counter()
    stories = build_stories(store, window_days=settings.window_days) if rebuild_stories else []
    report.stories = len(stories)
    with store.transaction() as conn:
        conn.execute("DELETE FROM pending_candidates")
    report.seconds["stories"] = time.perf_counter() - started
    return stories


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
        engine_name: str = DEFAULT_ENGINE) -> tuple[RunReport, list[Story]]:
    settings = settings or CandidateSettings()
    report = RunReport()
    started = time.perf_counter()
    report.ingest = ingest(paths, store, options, command="run")
    report.seconds["ingest"] = time.perf_counter() - started
    stories = update(store, settings, report, progress, engine_name)
    return report, stories
