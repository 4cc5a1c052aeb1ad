"""Stories and provenance graphs from compared pairs.

A story is a group of articles about one event: the connected components of
the pairs ``compare`` found related (copy, derived, same story), then each
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
#: "Same story" links join stories only when this sure: connected components chain,
#: and one loose link between two topics merges two stories (bench/corpus.py measured
#: B-cubed 0.54 at 1k articles with every same-story link).
SAME_STORY_MIN_CONFIDENCE = 0.8


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


def _components(nodes: Iterable[str], links: Iterable[tuple[str, str]]) -> list[list[str]]:
    parent: dict[str, str] = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in parent:
        groups[find(n)].append(n)
    return list(groups.values())


def build_stories(store: Store, join_cosine: float = STORY_JOIN_COSINE,
                  window_days: float = 30.0) -> list[Story]:
    """Recompute every story from the stored pairs and vectors, and store them."""
    info = {aid: (published, first_seen) for aid, published, first_seen in store.conn.execute(
        "SELECT id, published, first_seen FROM articles")}
    pairs = store.conn.execute(
        "SELECT a, b, relation, confidence, origin, credit FROM pairs "
        "WHERE relation != 'unrelated'").fetchall()
    links = ((a, b) for a, b, relation, confidence, *_ in pairs
             if relation != "same_story" or confidence >= SAME_STORY_MIN_CONFIDENCE)
    groups = _components(info, links)
    vectors = {aid: np.frombuffer(blob, dtype=np.float32) for aid, blob in
               store.conn.execute("SELECT article_id, vector FROM fingerprints")}
    multi = [g for g in groups if len(g) > 1]
    singles = [g[0] for g in groups if len(g) == 1]
    centroids = []
    for g in multi:
        vs = [vectors[a] for a in g if a in vectors]
        c = np.mean(vs, axis=0) if vs else None
        centroids.append(c / max(float(np.linalg.norm(c)), 1e-9) if c is not None else None)
    alone: list[list[str]] = []
    for aid in singles:
        v = vectors.get(aid)
        best, best_cos = None, join_cosine
        if v is not None:
            for k, c in enumerate(centroids):
                if c is None:
                    continue
                cos = float(v @ c)
                if cos >= best_cos and any(within_window(info[aid][0], info[m][0], window_days)
                                           for m in multi[k]):
                    best, best_cos = k, cos
        if best is None:
            alone.append([aid])
        else:
            multi[best].append(aid)

    def when(aid: str) -> tuple[str, str]:
        published, first_seen = info[aid]
        return (published or first_seen or "9999", aid)

    edges_by_article: dict[str, list[Edge]] = defaultdict(list)
    for a, b, relation, confidence, origin, credit in pairs:
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
