"""A persistent sentence-vector cache in SQLite, keyed by model and exact text.

Evaluation and corpus runs embed the same sentences again and again; at a few
hundred sentences a second on two cores, keeping vectors is the difference
between seconds and minutes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from newstrace.nlp.embed import CachedEmbedder, Embedder


class VectorCache:
    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, "
                          "key BLOB NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, key))"
                          " WITHOUT ROWID")

    def close(self) -> None:
        self.conn.close()

    def encode(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``; only texts not seen before are embedded and stored."""
        keys = [CachedEmbedder.key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in self.conn.execute(
                    f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})",
                    [embedder.name, *chunk]):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if todo:
            vectors = embedder.encode(list(todo.values()))
            self.conn.execute("BEGIN")
            self.conn.executemany(
                "INSERT OR REPLACE INTO vectors(model, key, vec) VALUES (?, ?, ?)",
                [(embedder.name, k, v.astype(np.float32).tobytes())
                 for k, v in zip(todo, vectors, strict=True)])
            self.conn.execute("COMMIT")
            found.update(zip(todo, vectors, strict=True))
        out = np.empty((len(texts), embedder.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out


class PersistentEmbedder:
    """An embedder whose vectors outlive the process (in a store or a cache file).

    Used with ``--db`` so that every article in a corpus is embedded once, however
    many pairs it takes part in, and by evaluation and fitting runs.
    """

    def __init__(self, inner: Embedder, cache: VectorCache) -> None:
        self.inner, self.cache = inner, cache
        self.name, self.dim = inner.name, inner.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.encode(self.inner, list(texts))
