"""LSH candidate pairs for many new articles at once: one pass over the bucket table.

Asking the store, article by article, for everything sharing a bucket returns
every recurrence of a syndicated text however far apart in time, and only then
drops the pairs outside the time window: at 100,000 articles of
``bench/corpus.py`` that was most of the candidate stage. Here the whole table
is read once in bucket order, each bucket's members are sorted by publication
time, and only members within the window of each other are paired (a sweep
whose length is the longest run of members inside one window). Articles with
no date pair with every member of their bucket, as in the per-article query.
The pairs are exactly those of ``candidates_for``'s per-article query after its
window filter (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

import numpy as np

from newstrace.corpus.store import Store

#: Rows fetched from the store at a time (bounded memory on a big table).
_FETCH = 100_000


def bucket_pairs(store: Store, pending: Collection[str], window_days: float,
                 when: Callable[[str | None], datetime | None]) -> set[tuple[str, str]]:
    """Pairs (a < b) sharing an LSH bucket, at least one of them pending, within the window.

    ``when`` parses a stored publication date (None when unknown), the same
    function the per-article path filters with.
    """
    times: dict[str, float] = {}
    for aid, published in store.conn.execute("SELECT article_id, published FROM fingerprints"):
        moment = when(published)
        times[aid] = np.nan if moment is None else moment.timestamp()
    ids = sorted(times)
    position = {aid: k for k, aid in enumerate(ids)}
    t_of = np.array([times[aid] for aid in ids], dtype=np.float64)

    bands, buckets, members = [], [], []
    cursor = store.conn.execute("SELECT band, bucket, article_id FROM lsh")
    while rows := cursor.fetchmany(_FETCH):
        bands.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
        buckets.append(np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)))
        members.append(np.fromiter((position.get(r[2], -1) for r in rows), dtype=np.int64,
                                   count=len(rows)))
    if not members:
        return set()
    band, bucket, member = (np.concatenate(x) for x in (bands, buckets, members))
    keep = member >= 0
    band, bucket, member = band[keep], bucket[keep], member[keep]
    t = t_of[member]
    order = np.lexsort((t, bucket, band))  # by bucket, then time (undated last)
    band, bucket, member, t = band[order], bucket[order], member[order], t[order]
    n = len(member)
    starts = np.flatnonzero(np.r_[True, (band[1:] != band[:-1]) | (bucket[1:] != bucket[:-1])])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))

    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    window = window_days * 86400.0
    active = np.arange(n - 1)
    offset = 1
    while len(active):  # dated members, sorted in time: pair while inside the window
        other = active + offset
        inside = other < n
        active, other = active[inside], other[inside]
        inside = (group[other] == group[active]) & (t[other] - t[active] <= window)
        active, other = active[inside], other[inside]
        left.append(member[active])
        right.append(member[other])
        offset += 1
    undated = np.flatnonzero(np.isnan(t))
    if len(undated):  # an unknown date never excludes a pair: all of its bucket
        ends = np.r_[starts[1:], n]
        first, last = starts[group[undated]], ends[group[undated]]
        sizes = last - first
        who = np.repeat(undated, sizes)
        other = np.repeat(first - np.cumsum(np.r_[0, sizes[:-1]]), sizes) + np.arange(sizes.sum())
        mine = other != who
        left.append(member[who[mine]])
        right.append(member[other[mine]])
    a = np.concatenate(left)
    b = np.concatenate(right)
    a, b = np.minimum(a, b), np.maximum(a, b)
    keys = np.unique(a[a != b] * len(ids) + b[a != b])
    wanted = np.zeros(len(ids), dtype=bool)
    wanted[[position[p] for p in pending if p in position]] = True
    a, b = keys // len(ids), keys % len(ids)
    chosen = wanted[a] | wanted[b]
    return {(ids[x], ids[y]) for x, y in zip(a[chosen].tolist(), b[chosen].tolist(),
                                              strict=True)}
