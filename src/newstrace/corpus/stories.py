"""Stories and provenance graphs from compared pairs.

A story is a group of articles about one event: average-linkage clusters of
the compared pairs (a copy or rewrite counts as certainly the same story, any
other pair by the verdict's probability that it is not unrelated), then each
article left alone joins the story whose centroid its document vector is
closest to when that is close enough and within the time window (the
assignment step of DP-means: join the nearest cluster or open a new one).
The provenance graph of a story has an edge origin → derived for every copy or
rewrite, with its credit status and confidence; an article may have several
origins (a rewrite stitched from two sources).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newstrace.corpus.candidates import within_window
from newstrace.corpus.store import Store

#: A lone article joins a story when its vector is at least this close to the
#: story's centroid (the DP-means penalty, as a cosine).
STORY_JOIN_COSINE = 0.6
#: Two groups of articles merge when, on average over all their cross pairs, the
#: articles are more likely the same story than not (pairs never compared count as
#: not). Average linkage, unlike connected components, does not chain: one loose
#: link between two topics no longer merges them (bench/corpus.py measured B-cubed
#: 0.54 at 1k articles with components over every same-story link).
AVERAGE_LINK = 0.5
#: Pairs read as unrelated this surely (``link_weight`` below this) are left out of the
#: clustering: they barely move an average, and every link kept joins two articles'
#: connected components, which the Spark job clusters one at a time.
LINK_FLOOR = 0.05
#: Lone articles are matched against the story centroids this many at a time.
_BLOCK = 1024
#: Link weights count in steps of 1/10,000 (confidences are reported to four places).
WEIGHT_UNITS = 10_000


@dataclass(slots=True)
class Edge:
    origin: str
    derived: str
    relation: str
    confidence: float
    credit: str

    def as_dict(self) -> dict[str, Any]:
        return {"origin": self.origin, "derived": self.derived, "relation": self.relation,
                "confidence": round(self.confidence, 4), "credit": self.credit}


@dataclass(slots=True)
class Story:
    id: str
    articles: list[str]  # in time order
    edges: list[Edge] = field(default_factory=list)

    @property
    def origins(self) -> list[str]:
        """Articles others took from that took from nobody in the story."""
        derived = {e.derived for e in self.edges}
        sources = [e.origin for e in self.edges if e.origin not in derived]
        return list(dict.fromkeys(sources))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "articles": self.articles, "origins": self.origins,
                "edges": [e.as_dict() for e in self.edges]}


def link_weight(relation: str, confidence: float, related: float | None) -> float:
    """How likely a compared pair is one story, for average linkage.

    A copy or rewrite certainly is. Otherwise, the verdict's probability of
    anything but ``unrelated``: an independent report the verdict reads as
    ``unrelated`` at 0.55 is still one story at 0.45, and counting it as 0 (or a
    ``same_story`` verdict at 0.4 confidence as 0.4, when its rewrite and copy
    probabilities say more) made the clusters depend on which side of a coin toss
    a borderline pair fell. Pairs stored before ``related`` was kept read their
    same-story confidence, and 0 when unrelated.
    """
    if relation in ("copy", "derived"):
        return 1.0
    if related is not None:
        return float(related)
    return confidence if relation == "same_story" else 0.0


def _average_linkage(nodes: Iterable[str], weights: dict[tuple[str, str], float],
                     threshold: float = AVERAGE_LINK) -> list[list[str]]:
    """Greedy average-linkage clustering over a sparse similarity graph.

    Only linked cluster pairs are tracked (a missing pair has similarity 0), so
    the work grows with the links, not with the square of the corpus.
    """
    import heapq

    members: dict[int, list[str]] = {}
    cluster_of: dict[str, int] = {}
    for k, n in enumerate(dict.fromkeys(nodes)):
        members[k], cluster_of[n] = [n], k
    # weights in whole units of 1/WEIGHT_UNITS: sums are exact whatever order the links
    # come in, so a cluster machine (links arriving in any order, floats differing in
    # the last bit between executors) merges exactly as this loop does
    sums: dict[int, dict[int, int]] = defaultdict(dict)
    for (a, b), w in weights.items():
        if a in cluster_of and b in cluster_of and a != b:
            x, y = cluster_of[a], cluster_of[b]
            units = round(w * WEIGHT_UNITS)
            sums[x][y] = sums[x].get(y, 0) + units
            sums[y][x] = sums[y].get(x, 0) + units
    cut = threshold * WEIGHT_UNITS
    # live clusters never change size, so an entry's average stays true until one dies
    heap: list[tuple[float, int, int]] = [(-float(w), x, y) for x, row in sums.items()
                                          for y, w in row.items() if x < y]
    heapq.heapify(heap)
    next_id = len(members)
    while heap:
        negative, x, y = heapq.heappop(heap)
        if x not in members or y not in members:
            continue  # one side was merged away since this entry was pushed
        if -negative < cut:
            break  # the best remaining average is too low: done
        merged = next_id
        next_id += 1
        members[merged] = members.pop(x) + members.pop(y)
        row: dict[int, int] = {}
        for old in (x, y):
            for other, w in sums.pop(old, {}).items():
                if other in (x, y):
                    continue
                row[other] = row.get(other, 0) + w
                sums[other].pop(old, None)
        for other, w in row.items():
            sums[other][merged] = w
            average = w / (len(members[other]) * len(members[merged]))
            heapq.heappush(heap, (-average, min(other, merged), max(other, merged)))
        sums[merged] = row
    return list(members.values())


def build_stories(store: Store, join_cosine: float = STORY_JOIN_COSINE,
                  window_days: float = 30.0) -> list[Story]:
    """Recompute every story from the stored pairs and vectors, and store them."""
    info = {aid: (published, first_seen) for aid, published, first_seen in store.conn.execute(
        "SELECT id, published, first_seen FROM articles")}
    pairs = store.conn.execute(
        "SELECT a, b, relation, confidence, origin, credit, related FROM pairs "
        "WHERE relation != 'unrelated' OR related >= ?", (LINK_FLOOR,)).fetchall()
    weights = {(a, b): link_weight(relation, confidence, related)
               for a, b, relation, confidence, _, _, related in pairs}
    groups = _average_linkage(info, weights)
    vectors = {aid: np.frombuffer(blob, dtype=np.float32) for aid, blob in
               store.conn.execute("SELECT article_id, vector FROM fingerprints")}
    multi = [g for g in groups if len(g) > 1]
    singles = [g[0] for g in groups if len(g) == 1]
    centroids = []
    for g in multi:
        vs = [vectors[a] for a in sorted(g) if a in vectors]  # one order: Spark's too
        c = np.mean(vs, axis=0) if vs else None
        centroids.append(c / max(float(np.linalg.norm(c)), 1e-9) if c is not None else None)
    # every lone article is matched against the groups as average linkage left them
    # (an article that joins a story does not widen its time window for the next),
    # and equal cosines go to the group whose first-ingested member has the larger id:
    # the result does not depend on the order lone articles are taken in, so the
    # Spark job, which matches them all at once, finds the same stories
    rank = {aid: k for k, aid in enumerate(info)}
    keys = [min(g, key=rank.__getitem__) for g in multi]
    grouped = [list(g) for g in multi]
    alone: list[list[str]] = [[aid] for aid in singles if aid not in vectors]
    live = [k for k, c in enumerate(centroids) if c is not None]
    matrix = np.vstack([c for c in centroids if c is not None]) if live else None
    lone = [aid for aid in singles if aid in vectors]
    for start in range(0, len(lone), _BLOCK):
        block = lone[start : start + _BLOCK]
        # one matrix product per block: a loop over every centroid for every lone
        # article grew with the square of the corpus (minutes at 100k)
        cosines = (np.vstack([vectors[a] for a in block]) @ matrix.T
                   if matrix is not None else None)
        for row, aid in enumerate(block):
            found = None
            if cosines is not None:
                hits = np.flatnonzero(cosines[row] >= join_cosine)
                # the best (cosine, key) whose story is within the window
                for h in sorted(hits.tolist(), key=lambda h: (float(cosines[row, h]),
                                                              keys[live[h]]), reverse=True):
                    if any(within_window(info[aid][0], info[m][0], window_days)
                           for m in grouped[live[h]]):
                        found = live[h]
                        break
            if found is None:
                alone.append([aid])
            else:
                multi[found].append(aid)

    def when(aid: str) -> tuple[str, str]:
        published, first_seen = info[aid]
        return (published or first_seen or "9999", aid)

    edges_by_article: dict[str, list[Edge]] = defaultdict(list)
    for a, b, relation, confidence, origin, credit, _ in pairs:
        if relation in ("copy", "derived") and origin in (a, b):
            derived = b if origin == a else a
            edges_by_article[derived].append(Edge(origin, derived, relation, confidence, credit))
    stories = []
    for group in multi + alone:
        members = sorted(group, key=when)
        edges = [e for m in members for e in edges_by_article.get(m, [])]
        stories.append(Story(f"S{members[0][:10]}", members, edges))
    stories.sort(key=lambda s: (-len(s.articles), when(s.articles[0])))
    with store.transaction() as conn:
        conn.execute("DELETE FROM stories")
        conn.executemany("INSERT INTO stories(article_id, story_id) VALUES (?, ?)",
                         [(aid, s.id) for s in stories for aid in s.articles])
    return stories
