"""Candidate pairs across languages: a translation shares no words with its origin.

MinHash buckets and the hashed bag-of-words index find copies and rewrites in
one language; a Spanish translation of an English report shares with it only
names and numbers. Once a store holds articles in more than one language, each
article also gets a multilingual vector (the mean of multilingual USE vectors
of its first sentences) in a second nearest-neighbour index, and each new
article's nearest neighbours *in other languages* become candidates. A corpus
in one language never loads the model nor pays for any of this.

How many lead sentences, how many neighbours and the cosine floor are fitted on
the cross-language dev set and SemEval-2022's German–English pairs by
``python -m newstrace.evaluation.fit_candidates`` (``crosslingual.json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from newstrace.corpus.candidates import (
    BULK_FROM,
    CandidateSettings,
    VectorIndex,
    fetch_published,
    neighbours_in_window,
    within_window,
)
from newstrace.corpus.store import Store
from newstrace.model import Article
from newstrace.nlp.embed import Embedder

SETTINGS_FILE = "crosslingual.json"
USE_DIM = 512


@dataclass(frozen=True, slots=True)
class CrossLingualSettings:
    lead_sentences: int = 10
    neighbours: int = 20
    min_cosine: float = 0.45

    @classmethod
    def fitted(cls) -> CrossLingualSettings:
        path = files("newstrace") / "corpus" / SETTINGS_FILE
        if not path.is_file():
            return cls()
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(int(raw["lead_sentences"]), int(raw["neighbours"]),
                   float(raw["min_cosine"]))

    def as_dict(self) -> dict[str, float]:
        return {"crosslingual_lead_sentences": self.lead_sentences,
                "crosslingual_neighbours": self.neighbours,
                "crosslingual_min_cosine": self.min_cosine}


def base_language(language: str | None) -> str | None:
    return language.split("-")[0].lower() if language else None


def lead_vectors(articles: Sequence[Article], embedder: Embedder,
                 lead_sentences: int) -> np.ndarray:
    """One unit vector per article: the mean of its first sentences' vectors."""
    if not articles:
        return np.zeros((0, USE_DIM), dtype=np.float32)
    leads = [[s.text for s in a.sentences[:lead_sentences]] or [a.text[:2000]]
             for a in articles]
    vectors = embedder.encode([text for lead in leads for text in lead])
    out = np.zeros((len(articles), vectors.shape[1]), dtype=np.float32)
    at = 0
    for k, lead in enumerate(leads):
        mean = vectors[at : at + len(lead)].mean(axis=0)
        out[k] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        at += len(lead)
    return out


def index_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".ml.hnsw")


def is_multilingual(store: Store) -> bool:
    """More than one language among the store's articles (unknown counts as none).

    Walks the distinct languages by seeks on their index (one per distinct value,
    stopping at the second base language) instead of reading every article.
    """
    found: set[str] = set()
    row = store.conn.execute(
        "SELECT MIN(language) FROM articles WHERE language IS NOT NULL").fetchone()
    while row is not None and row[0] is not None:
        base = base_language(row[0])
        if base is not None:
            found.add(base)
            if len(found) > 1:
                return True
        row = store.conn.execute("SELECT MIN(language) FROM articles WHERE language > ?",
                                 (row[0],)).fetchone()
    return False


class CrossLingualIndex:
    """The multilingual vectors: a table in the store and an index beside it."""

    def __init__(self, store: Store, settings: CrossLingualSettings,
                 embedder: Embedder | None = None) -> None:
        self.store = store
        self.settings = settings
        self._embedder = embedder
        self.index = VectorIndex(index_path(store), dim=USE_DIM)
        stored = store.conn.execute("SELECT COUNT(*) FROM ml_vectors").fetchone()[0]
        if len(self.index) < stored:
            self._rebuild()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from newstrace.nlp.use_embed import multilingual_embedder

            self._embedder = multilingual_embedder()
        return self._embedder

    def _rebuild(self) -> None:
        rows = self.store.conn.execute("SELECT article_id, vector FROM ml_vectors").fetchall()
        missing = [(aid, blob) for aid, blob in rows if aid not in self.index.position]
        for start in range(0, len(missing), 5000):
            chunk = missing[start : start + 5000]
            self.index.add([aid for aid, _ in chunk],
                           np.vstack([np.frombuffer(blob, dtype=np.float32)
                                      for _, blob in chunk]))

    def missing(self) -> list[str]:
        """Articles without a multilingual vector."""
        return [aid for (aid,) in self.store.conn.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM ml_vectors) "
            "ORDER BY id")]

    def add(self, articles: Sequence[Article]) -> None:
        if not articles:
            return
        vectors = lead_vectors(articles, self.embedder, self.settings.lead_sentences)
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO ml_vectors(article_id, language, published, vector) "
                "VALUES (?, ?, ?, ?)",
                [(a.id, base_language(a.language), a.published, v.astype(np.float32).tobytes())
                 for a, v in zip(articles, vectors, strict=True)])
        self.index.add([a.id for a in articles], vectors)

    def save(self) -> None:
        self.index.save()

    def candidates(self, article_ids: Iterable[str], window_days: float
                   ) -> set[tuple[str, str]]:
        """Unordered pairs (a < b) of an article and a near one in another language.

        An article's neighbours are counted among the articles of another known
        language inside its window (``candidates.neighbours_in_window``): in a crawl
        mostly in one language, the nearest vectors of any language would be that
        language's own rewrites, and a translation would be crowded out.
        """
        ids = list(article_ids)
        rows: dict[str, tuple[np.ndarray, str | None]] = {}
        published_of: dict[str, str | None] = {}
        language_of: dict[str, str | None] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for aid, language, published, blob in self.store.conn.execute(
                    f"SELECT article_id, language, published, vector FROM ml_vectors "
                    f"WHERE article_id IN ({marks})", chunk):
                if language is None:
                    continue  # an unknown language pairs with none
                rows[aid] = (np.frombuffer(blob, dtype=np.float32), published)
                published_of[aid], language_of[aid] = published, language
        if not rows:
            return set()
        settings = CandidateSettings(neighbours=self.settings.neighbours,
                                     min_cosine=self.settings.min_cosine,
                                     window_days=window_days)
        found = neighbours_in_window(self.store, self.index, rows, published_of, settings,
                                     bulk=len(rows) >= BULK_FROM, language_of=language_of)
        fetch_published(self.store, {b for _, b in found}, published_of, language_of)
        return {(a, b) if a < b else (b, a) for a, b in found
                if language_of.get(b) not in (None, language_of[a])
                and within_window(published_of[a], published_of.get(b), window_days)}
