"""Document fingerprints for candidate search: MinHash for copies, a hashed
bag-of-words vector for rewrites.

MinHash over word 5-gram shingles (rensa, a Rust MinHash) finds near-verbatim
copies through LSH buckets. Rewrites share few 5-grams but keep the names,
numbers and content words of the story, so a hashed, sublinear term-frequency
vector over content words (signed feature hashing into a few hundred
dimensions, which keeps cosine similarity on average) finds them through an
approximate nearest-neighbour index.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rensa import RMinHash

from newstrace.reuse.tokens import STOPWORDS, word_forms

NUM_PERM = 128
MINHASH_SEED = 42
SHINGLE_WORDS = 5
VECTOR_DIM = 512


def shingles(text: str, n: int = SHINGLE_WORDS) -> list[str]:
    return _shingles(word_forms(text), n)


def _shingles(forms: list[str], n: int = SHINGLE_WORDS) -> list[str]:
    if len(forms) < n:
        return [" ".join(forms)] if forms else []
    return list(map(" ".join, zip(*(forms[k:] for k in range(n)), strict=False)))


def fingerprints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """MinHash digests and document vectors, tokenising each distinct text once.

    A crawl repeats texts (a wire story under many outlets and URLs): each is
    fingerprinted once and its rows copied to every article that carries it.
    """
    first: dict[str, int] = {}
    where = np.fromiter((first.setdefault(t, len(first)) for t in texts), dtype=np.int64,
                        count=len(texts))
    forms = [word_forms(t) for t in first]
    return _minhashes(forms)[where], _doc_vectors(forms)[where]


def minhashes(texts: Sequence[str]) -> np.ndarray:
    """uint32 digests, one row per text."""
    return _minhashes([word_forms(t) for t in texts])


def _minhashes(forms: Sequence[list[str]]) -> np.ndarray:
    sets = [_shingles(f) or ["\x00empty"] for f in forms]
    return np.asarray(RMinHash.digests_from_token_sets(sets, NUM_PERM, MINHASH_SEED),
                      dtype=np.uint32)


@lru_cache(maxsize=1 << 18)
def _slot(word: str) -> int:
    """A word's signed dimension: its index, negative (as ``~index``) for minus one.

    Memoised: a corpus repeats its vocabulary, and crc32 plus the bit tests cost
    more than the lookup.
    """
    h = zlib.crc32(word.encode("utf-8", "surrogatepass"))
    return h % VECTOR_DIM if (h >> 20) & 1 else ~(h % VECTOR_DIM)


def doc_vector(text: str) -> np.ndarray:
    return _doc_vectors([word_forms(text)])[0]


def _doc_vectors(forms: Sequence[list[str]]) -> np.ndarray:
    out = np.zeros((len(forms), VECTOR_DIM), dtype=np.float32)
    for row, words in enumerate(forms):
        counts = Counter(words)  # filtered after counting: each word is tested once
        for word in [w for w in counts if len(w) <= 2 or w in STOPWORDS]:
            del counts[word]
        if not counts:
            continue
        slots = np.fromiter(map(_slot, counts), dtype=np.int64, count=len(counts))
        weights = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64,
                                           count=len(counts)))
        signed = np.where(slots >= 0, weights, -weights)
        vector = np.bincount(np.where(slots >= 0, slots, ~slots), weights=signed,
                             minlength=VECTOR_DIM)
        norm = float(np.linalg.norm(vector))
        if norm:
            out[row] = vector / norm
    return out


def doc_vectors(texts: Sequence[str]) -> np.ndarray:
    return _doc_vectors([word_forms(t) for t in texts])


def lsh_buckets(digest: np.ndarray, bands: int) -> list[int]:
    """One bucket key per band (rows = permutations / bands)."""
    rows = len(digest) // bands
    return [zlib.crc32(digest[b * rows : (b + 1) * rows].tobytes()) for b in range(bands)]
