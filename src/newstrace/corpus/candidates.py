"""Candidate pairs: which articles are worth a full compare.

Two cheap filters, never all pairs: LSH buckets over MinHash digests (copies
share buckets) and an approximate nearest-neighbour index over document
vectors (rewrites and other reports of the same story are near neighbours),
both restricted to a publication-time window when dates are known.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import hnswlib
import numpy as np

from newstrace.clean.dates import parse_date
from newstrace.corpus.buckets import bucket_pairs
from newstrace.corpus.fingerprints import VECTOR_DIM, fingerprints, lsh_buckets
from newstrace.corpus.store import Store
from newstrace.model import Article


@dataclass(frozen=True, slots=True)
class CandidateSettings:
    bands: int = 32  # 32 bands × 4 rows: a pair at Jaccard 0.5 shares a bucket with p ≈ 0.87
    neighbours: int = 15
    min_cosine: float = 0.2
    window_days: float = 30.0

    def as_dict(self) -> dict[str, float]:
        return {"lsh_bands": self.bands, "ann_neighbours": self.neighbours,
                "ann_min_cosine": self.min_cosine, "window_days": self.window_days}


#: hnswlib's search breadth per query. Duplicate texts make many equal vectors, which
#: HNSW searches badly: on bench/corpus.py's 5k corpus, ef 50 missed 233 of 73,182 exact
#: top-16 neighbours, ef 200 missed 12, ef 400 none (0.2 → 0.8 s for all 5k queries).
#: A miss is a candidate the exact Spark join finds and this run does not.
QUERY_EF = 400
#: Up to this many indexed articles the neighbour search is exact: a blocked matrix
#: product over every vector, which at this size costs about what hnswlib's search
#: at ``QUERY_EF`` does, and finds exactly what Spark's exact join finds. hnswlib at
#: ef 400 still missed a neighbour now and then (one pair in 40,300 on a 5k bench
#: corpus: cosine 0.216, exact rank 9 of 15), so a small corpus run on a laptop and
#: on a cluster could differ. Past it, the approximate index.
EXACT_UP_TO = 20_000
#: Queries per block of the exact search (a block's cosines: rows × index size floats).
_EXACT_BLOCK = 512
#: Vectors read back from hnswlib at a time (``VectorIndex._vectors``).
_GET_ITEMS = 2048
#: At most this many cosines (queries × window members) at once in the exact search: a
#: window spanning most of a corpus whose reprints share vectors made a block's arrays
#: (cosines, their time mask in float64) a passing 1.1 GB at 100,000 articles.
_EXACT_CELLS = 4_000_000
#: From this many articles on, LSH pairs come from one pass over the whole bucket
#: table (``buckets.py``) instead of one query per article.
BULK_FROM = 2000
#: A dated article's neighbours are searched exactly over the articles inside its time
#: window when that slice holds at most this many distinct vectors (a matrix product
#: per block of queries close in time); a denser window goes to the index, whose
#: answer is then mostly inside the window anyway.
EXACT_SLICE_UP_TO = 20_000
#: A search asking the index for more than this many neighbours to fill one
#: article's window switches to the exact slice search.
DEEPEN_UP_TO = 2048
#: Cosines this close count as equal when cutting at the k-th neighbour: an
#: index and an exact matrix product round the same cosine differently.
TIE_TOLERANCE = 1e-5


def nearest_with_ties(found: Sequence[tuple[str, float]], top: int,
                      floor: float) -> list[tuple[str, float]] | None:
    """The best ``top`` by cosine, plus everything tied with the ``top``-th.

    Which of several equal neighbours an index returns at the cut is arbitrary
    (hnswlib's pick depends on its graph, an exact join's on its sort), so all
    of them are kept: the candidate set is then the same on a laptop and a
    cluster. ``None`` means ``found`` ends inside the tie and more must be asked.
    """
    ranked = sorted(found, key=lambda item: -item[1])
    if len(ranked) <= top:
        return [item for item in ranked if item[1] >= floor]
    cut = ranked[top - 1][1] - TIE_TOLERANCE
    kept = [item for item in ranked if item[1] >= max(cut, floor)]
    return None if len(kept) == len(ranked) else kept


@lru_cache(maxsize=200_000)
def _when(published: str | None) -> datetime | None:
    iso = parse_date(published)
    if iso is None:
        return None
    dt = datetime.fromisoformat(iso)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def within_window(a: str | None, b: str | None, days: float) -> bool:
    ta, tb = _when(a), _when(b)
    if ta is None or tb is None:
        return True  # unknown dates never exclude a pair
    return abs((ta - tb).total_seconds()) <= days * 86400


#: First line of a ``.labels`` file whose lines are "digest<TAB>article<TAB>article…".
_LABELS_HEADER = "newstrace-index 2"


def _digest(vector: np.ndarray) -> str:
    """Equal vectors, equal digests: which articles can share an element."""
    data = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def _unit(vectors: np.ndarray) -> np.ndarray:
    raw = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    return (raw / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class VectorIndex:
    """An hnswlib index over document vectors, saved beside the store.

    Articles with the same vector (a text reprinted under several outlets, or
    recurring in a crawl) share one element of the index, and a search answers
    with all of them at that element's cosine. Equal vectors are the ties an
    HNSW graph searches worst (they crowd each other out of the candidate
    lists), and at 100k bench articles 42 % of the vectors repeat one already
    indexed; each article still gets exactly the neighbours it would get if
    every copy had its own element.
    """

    def __init__(self, path: Path, dim: int = VECTOR_DIM) -> None:
        self.path = path
        self.dim = dim
        self.index = hnswlib.Index(space="cosine", dim=dim)
        #: per element (hnswlib label k), the articles carrying its vector
        self.members: list[list[str]] = []
        #: article → element
        self.position: dict[str, int] = {}
        #: digest of a vector → its element, for vectors indexed by this version
        self._element_of: dict[str, int] = {}
        self._keys: list[str] = []
        #: every element's vector, unit length, for the exact search: rows
        #: ``[:len(self.members)]`` of a buffer that grows by doubling (read on first use)
        self._matrix: np.ndarray | None = None
        labels_path = path.with_suffix(".labels")
        if path.exists() and labels_path.exists():
            lines = labels_path.read_text(encoding="utf-8").split("\n") \
                if labels_path.stat().st_size else []
            if lines and lines[0] == _LABELS_HEADER:
                rows = [line.split("\t") for line in lines[1:]]
            else:  # one article per element, digests unknown (written before 2026-12)
                rows = [["", line] for line in lines]
            self.index.load_index(str(path), max_elements=max(len(rows), 1024))
            if self.index.get_current_count() != len(rows):
                self._fresh()
            else:
                for key, *articles in rows:
                    self._new_element(key, articles)
        else:
            self._fresh()

    def _fresh(self) -> None:
        self.index = hnswlib.Index(space="cosine", dim=self.dim)
        self.index.init_index(max_elements=1024, ef_construction=200, M=16)
        self.members, self.position, self._element_of, self._keys = [], {}, {}, []
        self._matrix = None

    def _new_element(self, key: str, articles: list[str]) -> int:
        element = len(self.members)
        self.members.append(articles)
        self._keys.append(key)
        if key:
            self._element_of[key] = element
        for article in articles:
            self.position[article] = element
        return element

    def __len__(self) -> int:
        """Articles indexed (elements may hold several)."""
        return len(self.position)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        start = len(self.members)
        fresh: list[np.ndarray] = []
        for article, vector in zip(ids, vectors, strict=True):
            if article in self.position:
                continue
            key = _digest(vector)
            element = self._element_of.get(key)
            if element is None:
                self._new_element(key, [article])
                fresh.append(vector)
            else:
                self.members[element].append(article)
                self.position[article] = element
        if not fresh:
            return
        needed = len(self.members)
        if needed > self.index.get_max_elements():
            self.index.resize_index(max(needed, self.index.get_max_elements() * 2))
        block = np.vstack(fresh)
        self.index.add_items(block, np.arange(start, needed))
        if self._matrix is not None:
            self._append_rows(start, block)

    def _append_rows(self, start: int, vectors: np.ndarray) -> None:
        assert self._matrix is not None
        end = start + len(vectors)
        if end > len(self._matrix):
            grown = np.empty((max(end, 2 * len(self._matrix)), self.dim), dtype=np.float32)
            grown[:start] = self._matrix[:start]
            self._matrix = grown
        self._matrix[start:end] = _unit(vectors)

    def _vectors(self) -> np.ndarray:
        """The elements' vectors as one matrix: from the sidecar ``save`` wrote, or the index.

        hnswlib hands its vectors back at ~30 µs each (0.6 s for 20k), too slow for
        ``add`` in a fresh process; the sidecar is one memory-mapped read.
        """
        n = len(self.members)
        if self._matrix is None:
            sidecar = self.path.with_suffix(".vectors.npy")
            stored = np.load(sidecar, mmap_mode="r") if sidecar.exists() else None
            if stored is not None and stored.shape == (n, self.dim):
                self._matrix = np.array(stored, dtype=np.float32)
            else:
                # in slices: hnswlib builds its answer as Python floats first (1.8 GB
                # passing through for 79k 512-d vectors, at 100,000 articles)
                self._matrix = np.empty((n, self.dim), dtype=np.float32)
                for at in range(0, n, _GET_ITEMS):
                    ids = np.arange(at, min(at + _GET_ITEMS, n))
                    self._matrix[ids] = self.index.get_items(ids, return_type="numpy")
        return self._matrix[:n]

    def query(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """Each row's ``k`` nearest elements, as every article they hold, best first."""
        if not self.members or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        k = min(k, len(self.members))
        if len(self.position) <= EXACT_UP_TO:
            found = self._exact(vectors, k)
        else:
            self.index.set_ef(max(QUERY_EF, k * 2))
            labels, distances = self.index.knn_query(vectors, k=k)
            found = [[(int(lab), 1.0 - float(d)) for lab, d in zip(row_l, row_d, strict=True)]
                     for row_l, row_d in zip(labels, distances, strict=True)]
        return [[(article, cosine) for element, cosine in row
                 for article in self.members[element]] for row in found]

    def _exact(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Each row's ``k`` highest cosines over every element, best first."""
        matrix = self._vectors()
        queries = _unit(vectors)
        out: list[list[tuple[int, float]]] = []
        for start in range(0, len(queries), _EXACT_BLOCK):
            cosines = queries[start : start + _EXACT_BLOCK] @ matrix.T
            top = np.argpartition(-cosines, k - 1, axis=1)[:, :k]
            for row, picked in zip(cosines, top, strict=True):
                ranked = picked[np.argsort(-row[picked], kind="stable")]
                out.append([(int(j), float(row[j])) for j in ranked])
        return out

    def nearest(self, vectors: np.ndarray, top: int,
                floor: float) -> list[list[tuple[str, float]]]:
        """Each row's ``top`` nearest at or above ``floor``, ties at the cut included."""
        answers: list[list[tuple[str, float]] | None] = [None] * len(vectors)
        pending = list(range(len(vectors)))
        ask = top + 8
        while pending:
            ask = min(ask, len(self.members))
            rows = self.query(vectors[pending], ask)
            still = []
            for at, found in zip(pending, rows, strict=True):
                kept = nearest_with_ties(found, top, floor)
                if kept is None and ask < len(self.members):
                    still.append(at)
                else:
                    answers[at] = kept if kept is not None else found
            pending, ask = still, ask * 2
        return [row or [] for row in answers]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)  # a PostgreSQL store's folder
        self.index.save_index(str(self.path))
        sidecar = self.path.with_suffix(".vectors.npy")
        if len(self.position) <= EXACT_UP_TO:
            np.save(sidecar, self._vectors())
        else:
            sidecar.unlink(missing_ok=True)
        lines = [_LABELS_HEADER] + ["\t".join([key, *articles])
                                    for key, articles in zip(self._keys, self.members,
                                                             strict=True)]
        self.path.with_suffix(".labels").write_text("\n".join(lines), encoding="utf-8")


def index_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".hnsw")


@dataclass(slots=True)
class Fingerprints:
    """What ``fingerprint_articles`` computes for a batch, ready to store (and to pickle:
    worker processes compute it, the one writer stores it)."""

    ids: list[str]
    published: list[str | None]
    digests: np.ndarray
    vectors: np.ndarray


def fingerprint_articles(articles: Sequence[Article]) -> Fingerprints:
    digests, vectors = fingerprints([a.text for a in articles])
    return Fingerprints([a.id for a in articles], [a.published for a in articles],
                        digests, vectors)


def store_fingerprints(store: Store, found: Fingerprints, settings: CandidateSettings,
                       index: VectorIndex) -> None:
    """Store MinHash digests, LSH buckets and vectors (one transaction), index the vectors."""
    if not found.ids:
        return
    with store.transaction() as conn:
        conn.executemany("INSERT OR REPLACE INTO fingerprints(article_id, minhash, vector, "
                         "published) VALUES (?, ?, ?, ?)",
                         [(aid, digest.tobytes(), vector.astype(np.float32).tobytes(), published)
                          for aid, digest, vector, published in zip(
                              found.ids, found.digests, found.vectors, found.published,
                              strict=True)])
        conn.executemany("INSERT OR IGNORE INTO lsh(band, bucket, article_id) VALUES (?, ?, ?)",
                         [(b, h, aid) for aid, digest in zip(found.ids, found.digests,
                                                             strict=True)
                          for b, h in enumerate(lsh_buckets(digest, settings.bands))])
    index.add(found.ids, found.vectors)


def fingerprint(store: Store, articles: Sequence[Article], settings: CandidateSettings,
                index: VectorIndex) -> None:
    """Fingerprint these articles, store and index them."""
    if articles:
        store_fingerprints(store, fingerprint_articles(articles), settings, index)


def fetch_published(store: Store, ids: Iterable[str], into: dict[str, str | None],
                     languages: dict[str, str | None] | None = None) -> None:
    """Publication dates of these articles, read into ``into`` unless already there;
    with ``languages``, their base languages too (from the multilingual vectors)."""
    missing = sorted(set(ids) - into.keys())
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        marks = ",".join("?" * len(chunk))
        if languages is None:
            into.update(store.conn.execute(
                f"SELECT article_id, published FROM fingerprints WHERE article_id IN ({marks})",
                chunk))
            continue
        for aid, published, language in store.conn.execute(
                f"SELECT article_id, published, language FROM ml_vectors "
                f"WHERE article_id IN ({marks})", chunk):
            into[aid], languages[aid] = published, language


def _seconds(published: str | None) -> float:
    when = _when(published)
    return when.timestamp() if when is not None else float("nan")


@dataclass(slots=True)
class _Timeline:
    """Every indexed article's element, sorted by publication time (undated apart),
    and for the multilingual index each one's language as a small integer (-1 unknown)."""

    times: np.ndarray  # seconds, ascending
    elements: np.ndarray  # the element of each dated article, in that order
    articles: list[str]
    undated_elements: np.ndarray
    undated_articles: list[str]
    groups: np.ndarray
    undated_groups: np.ndarray
    codes: dict[str, int]  # language → its integer

    @classmethod
    def of(cls, store: Store, index: VectorIndex, languages: bool = False) -> _Timeline:
        dated: list[tuple[float, int, str, int]] = []
        undated: list[tuple[int, str, int]] = []
        codes: dict[str, int] = {}
        rows = store.conn.execute(
            "SELECT article_id, published, language FROM ml_vectors" if languages
            else "SELECT article_id, published, NULL FROM fingerprints")
        for aid, published, language in rows:
            element = index.position.get(aid)
            if element is None:
                continue
            group = -1 if language is None else codes.setdefault(language, len(codes))
            t = _seconds(published)
            if np.isnan(t):
                undated.append((element, aid, group))
            else:
                dated.append((t, element, aid, group))
        dated.sort()
        return cls(np.array([t for t, _, _, _ in dated], dtype=np.float64),
                   np.array([e for _, e, _, _ in dated], dtype=np.int64),
                   [a for _, _, a, _ in dated],
                   np.array([e for e, _, _ in undated], dtype=np.int64),
                   [a for _, a, _ in undated],
                   np.array([g for _, _, _, g in dated], dtype=np.int64),
                   np.array([g for _, _, g in undated], dtype=np.int64), codes)


def _exact_in_window(index: VectorIndex, timeline: _Timeline, vectors: np.ndarray,
                     times: np.ndarray, top: int, floor: float, window: float,
                     languages: Sequence[str | None] | None = None,
                     ) -> list[list[tuple[str, float]] | None]:
    """Each dated query's ``top`` best among the articles inside its window (and the
    undated ones), ties at the cut included; None where the slice is too dense.
    With ``languages`` (the queries'), only articles of another known language count.

    Queries go in blocks close in time (``times`` ascending), each against the
    distinct vectors of the articles its block's window spans: one matrix product
    per block, then articles too far from each query are masked before the cut.
    """
    groups = None if languages is None else np.array(
        [timeline.codes.get(lang, -2) if lang is not None else -1 for lang in languages],
        dtype=np.int64)
    matrix = index._vectors()
    out: list[list[tuple[str, float]] | None] = [None] * len(vectors)
    start = 0
    while start < len(vectors):
        block, lo, hi = _exact_block(timeline, times, start, window)
        start = block.stop
        t = times[block]
        members = np.concatenate([timeline.elements[lo:hi], timeline.undated_elements])
        distinct, column = np.unique(members, return_inverse=True)
        if len(distinct) > EXACT_SLICE_UP_TO:
            continue
        names = timeline.articles[lo:hi] + timeline.undated_articles
        member_times = np.concatenate([timeline.times[lo:hi],
                                       np.full(len(timeline.undated_articles), np.nan)])
        cosines = (_unit(vectors[block]) @ matrix[distinct].T)[:, column]
        with np.errstate(invalid="ignore"):
            far = np.abs(t[:, None] - member_times[None, :]) > window  # NaN: never far
        cosines[far] = -np.inf
        if groups is not None:
            member_groups = np.concatenate([timeline.groups[lo:hi], timeline.undated_groups])
            cosines[(member_groups[None, :] == groups[block, None])
                    | (member_groups[None, :] < 0)] = -np.inf
        cut = np.full(len(t), floor, dtype=np.float32)
        if top < cosines.shape[1]:
            kth = np.partition(cosines, cosines.shape[1] - top, axis=1)[:, cosines.shape[1] - top]
            cut = np.maximum(cut, kth - np.float32(TIE_TOLERANCE))
        for row, (values, limit) in enumerate(zip(cosines, cut, strict=True)):
            kept = np.flatnonzero(values >= limit)
            kept = kept[np.argsort(-values[kept], kind="stable")]
            out[block.start + row] = [(names[k], float(values[k])) for k in kept]
    return out


def _exact_block(timeline: _Timeline, times: np.ndarray, start: int, window: float
                 ) -> tuple[slice, int, int]:
    """The next block of queries from ``start`` and the slice of the timeline its window
    spans: up to ``_EXACT_BLOCK`` queries, fewer where the window is crowded."""
    rows = _EXACT_BLOCK
    while True:
        block = slice(start, min(start + rows, len(times)))
        lo = int(np.searchsorted(timeline.times, times[block.start] - window, side="left"))
        hi = int(np.searchsorted(timeline.times, times[block.stop - 1] + window, side="right"))
        span = hi - lo + len(timeline.undated_elements)
        if rows == 1 or (block.stop - block.start) * span <= _EXACT_CELLS:
            return block, lo, hi
        rows = max(1, min(rows // 2, _EXACT_CELLS // max(span, 1)))


def _deepened_in_window(store: Store, index: VectorIndex, vectors: np.ndarray,
                        published: list[str | None], top: int, floor: float,
                        window_days: float, published_of: dict[str, str | None],
                        limit: float = math.inf,
                        languages: list[str | None] | None = None,
                        language_of: dict[str, str | None] | None = None,
                        ) -> list[list[tuple[str, float]] | None]:
    """The index asked for more until each query's in-window list is complete: enough
    in-window neighbours cut no lower than anything not yet returned, or nothing left
    at or above the floor. None where that takes asking for more than ``limit``.
    With ``languages`` (the queries') and ``language_of``, only articles of another
    known language count."""
    out: list[list[tuple[str, float]] | None] = [None] * len(vectors)
    pending, ask = list(range(len(vectors))), top
    while pending and ask <= limit:
        answers = index.nearest(vectors[pending], ask, floor)
        fetch_published(store, {a for found in answers for a, _ in found}, published_of,
                         language_of)
        still = []
        for at, found in zip(pending, answers, strict=True):
            inside = [(a, c) for a, c in found
                      if within_window(published[at], published_of.get(a), window_days)
                      and (languages is None or language_of is None
                           or language_of.get(a) not in (None, languages[at]))]
            kept = nearest_with_ties(inside, top, floor)
            complete = len(found) < ask or ask >= len(index)  # articles, not elements
            if not complete and (kept is None or len(inside) < top
                                 or min(c for _, c in found) >= sorted(
                                     c for _, c in inside)[-top] - TIE_TOLERANCE):
                still.append(at)
                continue
            out[at] = kept if kept is not None else inside
        pending, ask = still, ask * 2
    return out


def neighbours_in_window(store: Store, index: VectorIndex,
                         rows: dict[str, tuple[np.ndarray, str | None]],
                         published_of: dict[str, str | None], settings: CandidateSettings,
                         bulk: bool, language_of: dict[str, str | None] | None = None,
                         ) -> set[tuple[str, str]]:
    """(article, neighbour): each article's nearest neighbours among the articles
    inside its time window, ``settings.neighbours`` + 1 of them (ties at the cut
    included; the article itself is one). With ``language_of`` (``index`` is then the
    multilingual one, and the map holds each query's base language), among the
    articles of another known language: a translation is counted among the articles
    it can pair with, not crowded out by its own language's rewrites.

    Counting neighbours before the window let a text that recurs outside it (a
    monthly report, a template, a story reprinted a year on) fill an article's list
    with recurrences the window then removed, leaving it no neighbour at all. An
    undated article's window is everything: the index answers it as it is. A dated
    one is searched exactly over its window's slice in bulk runs (cheap: a window
    holds a small share of a long crawl), and by asking the index for more until the
    window is filled for a few articles (``add``), which need no timeline loaded.
    Articles with one vector and one date get one answer.
    """
    top, floor, window_days = settings.neighbours + 1, settings.min_cosine, settings.window_days
    groups: dict[tuple[bytes, str | None, str | None], list[str]] = {}
    for aid, (vector, published) in rows.items():
        language = language_of.get(aid) if language_of is not None else None
        groups.setdefault((vector.tobytes(), published, language), []).append(aid)
    keys = sorted(groups, key=lambda k: (np.nan_to_num(_seconds(k[1]), nan=-np.inf), k[0],
                                         k[1] or "", k[2] or ""))
    vectors = np.vstack([np.frombuffer(key, dtype=np.float32) for key, _, _ in keys])
    times = np.array([_seconds(published) for _, published, _ in keys])
    languages = [language for _, _, language in keys] if language_of is not None else None
    answers: list[list[tuple[str, float]] | None] = [None] * len(keys)

    def fill(at: np.ndarray, found: Sequence[list[tuple[str, float]] | None]) -> np.ndarray:
        """Record answers; the positions still unanswered."""
        for k, answer in zip(at.tolist(), found, strict=True):
            answers[k] = answer
        return np.array([k for k in at.tolist() if answers[k] is None], dtype=np.int64)

    def deepen(at: np.ndarray, limit: float) -> np.ndarray:
        return fill(at, _deepened_in_window(
            store, index, vectors[at], [keys[k][1] for k in at.tolist()], top, floor,
            window_days, published_of, limit,
            None if languages is None else [languages[k] for k in at.tolist()], language_of))

    undated = np.flatnonzero(np.isnan(times))
    if len(undated) and languages is None:
        fill(undated, index.nearest(vectors[undated], top, floor))
    elif len(undated):  # their window is everything, but only other languages count
        deepen(undated, math.inf)
    dated = np.flatnonzero(~np.isnan(times))
    if len(dated) and not bulk:
        dated = deepen(dated, DEEPEN_UP_TO)
    if len(dated):
        timeline = _Timeline.of(store, index, languages=languages is not None)
        dense = fill(dated, _exact_in_window(
            index, timeline, vectors[dated], times[dated], top, floor, window_days * 86400.0,
            None if languages is None else [languages[k] for k in dated.tolist()]))
        if len(dense):  # a window holding most of the corpus: the index, asked for more
            deepen(dense, math.inf)
    out: set[tuple[str, str]] = set()
    for key, answer in zip(keys, answers, strict=True):
        for aid in groups[key]:
            out.update((aid, other) for other, cosine in answer or []
                       if other != aid and cosine >= floor)
    return out


def candidates_for(store: Store, article_ids: Iterable[str], settings: CandidateSettings,
                   index: VectorIndex) -> set[tuple[str, str]]:
    """Unordered candidate pairs (a < b) touching these articles, within the time window."""
    ids = list(article_ids)
    if not ids:
        return set()
    rows = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for aid, blob, published in store.conn.execute(
                f"SELECT article_id, vector, published FROM fingerprints "
                f"WHERE article_id IN ({marks})", chunk):
            rows[aid] = (np.frombuffer(blob, dtype=np.float32), published)
    found: set[tuple[str, str]] = set()
    windowed: set[tuple[str, str]] = set()  # pairs already inside the time window
    if len(ids) >= BULK_FROM:
        windowed = bucket_pairs(store, set(ids), settings.window_days, _when)
    else:
        for aid in ids:  # LSH: any shared bucket
            for (other,) in store.conn.execute(
                    "SELECT DISTINCT l2.article_id FROM lsh l1 JOIN lsh l2 "
                    "ON l1.band = l2.band AND l1.bucket = l2.bucket "
                    "WHERE l1.article_id = ? AND l2.article_id != ?", (aid, aid)):
                found.add((aid, other))
    published_of = {aid: published for aid, (_, published) in rows.items()}
    present = [aid for aid in ids if aid in rows]
    if present:
        found |= neighbours_in_window(store, index, {aid: rows[aid] for aid in present},
                                      published_of, settings, bulk=len(ids) >= BULK_FROM)
    fetch_published(store, {y for _, y in found}, published_of)
    pairs = {(x, y) if x < y else (y, x) for x, y in found
             if within_window(published_of.get(x), published_of.get(y), settings.window_days)}
    return pairs | windowed
