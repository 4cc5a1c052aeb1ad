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

import math
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np
from rensa import RMinHash

from newstrace.reuse.tokens import STOPWORDS, Tokens

NUM_PERM = 128
MINHASH_SEED = 42
SHINGLE_WORDS = 5
VECTOR_DIM = 512


def shingles(text: str, n: int = SHINGLE_WORDS) -> list[str]:
    forms = Tokens.of(text).forms
    if len(forms) < n:
        return [" ".join(forms)] if forms else []
    return [" ".join(forms[i : i + n]) for i in range(len(forms) - n + 1)]


def minhashes(texts: Sequence[str]) -> np.ndarray:
    """uint32 digests, one row per text."""
    sets = [shingles(t) or ["\x00empty"] for t in texts]
    return np.asarray(RMinHash.digests_from_token_sets(sets, NUM_PERM, MINHASH_SEED),
                      dtype=np.uint32)


def doc_vector(text: str) -> np.ndarray:
    counts = Counter(w for w in Tokens.of(text).forms if w not in STOPWORDS and len(w) > 2)
    vector = np.zeros(VECTOR_DIM, dtype=np.float32)
    for word, tf in counts.items():
        h = zlib.crc32(word.encode("utf-8", "surrogatepass"))
        vector[h % VECTOR_DIM] += (1.0 + math.log(tf)) * (1.0 if (h >> 20) & 1 else -1.0)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def doc_vectors(texts: Sequence[str]) -> np.ndarray:
    return np.vstack([doc_vector(t) for t in texts]) if texts else np.zeros(
        (0, VECTOR_DIM), dtype=np.float32)


def lsh_buckets(digest: np.ndarray, bands: int) -> list[int]:
    """One bucket key per band (rows = permutations / bands)."""
    rows = len(digest) // bands
    return [zlib.crc32(digest[b * rows : (b + 1) * rows].tobytes()) for b in range(bands)]
