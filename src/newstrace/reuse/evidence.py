"""Sentence-pair evidence: embedding similarity plus lexical overlap, as matrices.

A paraphrase keeps the facts (content words, names, numbers) and the meaning
(embedding) while changing the wording; a sentence of an independent report on
the same event shares the topic but usually not the specific facts in the same
combination. Each pair of sentences gets a small feature vector, and a logistic
model fitted on MSRP (``newstrace.evaluation.fit``) turns it into a probability.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, overload

import numpy as np

from newstrace.reuse.tokens import content_of, entities, numbers, word_forms

FEATURES = ("cos", "words_left", "words_right", "bigrams_left", "bigrams_right",
            "content_left", "content_right", "unmatched_left", "unmatched_right",
            "num_jaccard", "num_conflict", "entity_jaccard", "len_ratio")
#: Unmatched content-word counts are capped: past this, more is not more evidence.
_UNMATCHED_CAP = 12.0
#: Up to this many sentence pairs, overlaps are counted with Python sets.
_SMALL = 4
#: The item sets whose overlaps the features count, in ``SentenceSet.packed`` order.
_SETS = ("words", "bigrams", "content", "nums", "ents")
#: The position of content words in ``_SETS`` (``SentenceSet.sets``, ``vocabulary``).
CONTENT = _SETS.index("content")
_KEY_BITS = 60
_KEY_MASK = (1 << _KEY_BITS) - 1


class ItemSets(Sequence[frozenset[int]]):
    """One feature set (``words``, ``content``, …) of every unit, read from the packed
    arrays: the unit's items as hashes, made into a set only when asked for."""

    __slots__ = ("_kind", "_owner")

    def __init__(self, owner: SentenceSet, kind: int) -> None:
        self._owner, self._kind = owner, kind

    def __len__(self) -> int:
        return len(self._owner)

    @overload
    def __getitem__(self, i: int) -> frozenset[int]: ...
    @overload
    def __getitem__(self, i: slice) -> list[frozenset[int]]: ...
    def __getitem__(self, i: int | slice) -> frozenset[int] | list[frozenset[int]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self._owner)
        if not -n <= i < n:
            raise IndexError(i)
        return frozenset(self._owner.items(self._kind, i % n).tolist())

    def __iter__(self) -> Iterator[frozenset[int]]:
        return iter(self._owner.sets(self._kind))


@dataclass(slots=True)
class SentenceSet:
    """The sentences of one article with everything pair scoring needs.

    A unit's words, bigrams, content words, numbers and names are kept as hashes
    in three arrays (``packed``), not as Python sets of strings: an article's
    units are held in a corpus worker's memo for as long as the article keeps
    turning up, and as sets of strings they took about 200 KiB an article, ten
    times the arrays. Overlap counts are the same: Python's string hash is
    stable within a process, which is all a pair comparison needs, and a 60-bit
    collision between two of a pair's items is not a practical concern.
    """

    texts: list[str]
    vectors: np.ndarray
    #: every item of every unit and feature set, each an item's hash with its feature
    #: set's number in the top bits; sorted by (feature set, unit)
    keys: np.ndarray
    #: the unit each key belongs to
    owner: np.ndarray
    #: units × feature sets: how many items each unit has of each
    sizes: np.ndarray
    lengths: np.ndarray  # words per sentence
    #: for each unit, the sentence it belongs to (units past the sentences are clauses)
    parent: np.ndarray
    #: per feature set, where each unit's keys start (filled on first use)
    _starts: np.ndarray | None = field(default=None, repr=False)

    @property
    def words(self) -> ItemSets:
        return ItemSets(self, 0)

    @property
    def bigrams(self) -> ItemSets:
        return ItemSets(self, 1)

    @property
    def content(self) -> ItemSets:
        return ItemSets(self, 2)

    @property
    def nums(self) -> ItemSets:
        return ItemSets(self, 3)

    @property
    def ents(self) -> ItemSets:
        return ItemSets(self, 4)

    def _bounds(self) -> np.ndarray:
        if self._starts is None:
            counts = self.sizes.T.astype(np.int64).ravel()  # (kind, unit) order, as the keys
            self._starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return self._starts

    def items(self, kind: int, unit: int) -> np.ndarray:
        """The keys of one unit's items of feature set ``kind`` (a view)."""
        starts, at = self._bounds(), kind * len(self.texts) + unit
        return self.keys[starts[at] : starts[at + 1]]

    def sets(self, kind: int) -> list[frozenset[int]]:
        """Every unit's items of feature set ``kind`` as sets, made in one pass."""
        n = len(self.texts)
        bounds = self._bounds()[kind * n : kind * n + n + 1]
        flat = self.keys[bounds[0] : bounds[-1]].tolist()
        return [frozenset(flat[x:y]) for x, y in pairwise((bounds - bounds[0]).tolist())]

    def vocabulary(self, kind: int) -> frozenset[int]:
        """The items of feature set ``kind`` over all units."""
        bounds, n = self._bounds(), len(self.texts)
        return frozenset(self.keys[bounds[kind * n] : bounds[kind * n + n]].tolist())

    def packed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All feature sets at once: (keys, unit of each key, unit × set sizes).

        One sort of a pair's keys groups them by set, and one pass counts every
        overlap (``_overlaps``): five small array passes per pair cost more in
        set-up than in work.
        """
        return self.keys, self.owner, self.sizes

    @classmethod
    def build(cls, texts: Sequence[str], vectors: np.ndarray,
              parent: Sequence[int] | None = None) -> SentenceSet:
        forms = [word_forms(t) for t in texts]
        per_kind: list[list[set[int]]] = [
            [set(map(hash, f)) for f in forms],
            [set(map(hash, pairwise(f))) for f in forms],
            [set(map(hash, content_of(f))) for f in forms],
            [set(map(hash, numbers(t))) for t in texts],
            [set(map(hash, entities(t))) for t in texts],
        ]
        return cls.from_sets(list(texts), vectors, per_kind,
                             np.array([max(len(f), 1) for f in forms], dtype=np.float32),
                             np.asarray(parent if parent is not None else range(len(texts)),
                                        dtype=np.int64))

    @classmethod
    def from_sets(cls, texts: list[str], vectors: np.ndarray, per_kind: Sequence[
            Sequence[set[int] | frozenset[int]]], lengths: np.ndarray,
            parent: np.ndarray) -> SentenceSet:
        """Units from their hashed item sets, one list of sets per feature set."""
        n = len(texts)
        sizes = np.zeros((n, len(_SETS)), dtype=np.float32)
        keys, owners = [], []
        for k, sets in enumerate(per_kind):
            counts = np.fromiter(map(len, sets), dtype=np.int64, count=n)
            sizes[:, k] = counts
            flat = np.fromiter((h for items in sets for h in items), dtype=np.int64,
                               count=int(counts.sum()))
            keys.append((flat & _KEY_MASK) | (k << _KEY_BITS))
            owners.append(np.repeat(np.arange(n, dtype=np.int32), counts))
        return cls(texts, vectors, np.concatenate([*keys, np.zeros(0, dtype=np.int64)]),
                   np.concatenate([*owners, np.zeros(0, dtype=np.int32)]), sizes,
                   lengths, parent)

    def take(self, indices: Sequence[int]) -> SentenceSet:
        """The units at these positions, in this order."""
        idx = np.asarray(list(indices), dtype=np.int64)
        if len(np.unique(idx)) != len(idx):  # a unit twice: its keys must be copied twice
            return SentenceSet.from_sets(
                [self.texts[i] for i in idx], self.vectors[idx],
                [[ItemSets(self, k)[int(i)] for i in idx] for k in range(len(_SETS))],
                self.lengths[idx], self.parent[idx])
        position = np.full(len(self.texts), -1, dtype=np.int32)
        position[idx] = np.arange(len(idx), dtype=np.int32)
        moved = position[self.owner]
        kept = moved >= 0
        keys, owner = self.keys[kept], moved[kept]
        order = np.lexsort((owner, keys >> _KEY_BITS))
        return SentenceSet([self.texts[i] for i in idx], self.vectors[idx], keys[order],
                           owner[order], self.sizes[idx], self.lengths[idx], self.parent[idx])

    def head(self, n: int) -> SentenceSet:
        """The first ``n`` units (the sentences, without their clauses)."""
        n = min(n, len(self.texts))
        if n == len(self.texts):
            return self
        return self.take(range(n))

    def __len__(self) -> int:
        return len(self.texts)

    def merged(self, indices: Sequence[int]) -> SentenceSet:
        """Several sentences read as one (a derived sentence may fuse them)."""
        vector = self.vectors[list(indices)].sum(axis=0)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return SentenceSet.from_sets(
            [" ".join(self.texts[i] for i in indices)], vector[None, :],
            [[frozenset().union(*(ItemSets(self, k)[i] for i in indices))]
             for k in range(len(_SETS))],
            np.array([sum(self.lengths[i] for i in indices)], dtype=np.float32),
            np.zeros(1, dtype=np.int64))


def _overlaps(left: SentenceSet, right: SentenceSet) -> dict[str, tuple[
        np.ndarray, np.ndarray, np.ndarray]]:
    """Per item set: intersection sizes for all pairs, and both sides' set sizes."""
    if len(left) * len(right) <= _SMALL:  # one fused reading: plain sets beat array set-up
        out = {}
        for kind in _SETS:
            lsets, rsets = getattr(left, kind), getattr(right, kind)
            inter = np.array([[len(x & y) for y in rsets] for x in lsets], dtype=np.float32)
            out[kind] = (inter, np.array([len(x) for x in lsets], dtype=np.float32),
                         np.array([len(y) for y in rsets], dtype=np.float32))
        return out
    l_keys, l_unit, l_sizes = left.packed()
    r_keys, r_unit, r_sizes = right.packed()
    keys, column = np.unique(np.concatenate([l_keys, r_keys]), return_inverse=True)
    ml = np.zeros((len(left), len(keys)), dtype=np.float32)
    mr = np.zeros((len(right), len(keys)), dtype=np.float32)
    ml[l_unit, column[: len(l_keys)]] = 1.0
    mr[r_unit, column[len(l_keys) :]] = 1.0
    bounds = np.searchsorted(keys, [k << _KEY_BITS for k in range(len(_SETS) + 1)])
    return {kind: (ml[:, bounds[k] : bounds[k + 1]] @ mr[:, bounds[k] : bounds[k + 1]].T,
                   l_sizes[:, k], r_sizes[:, k]) for k, kind in enumerate(_SETS)}


Overlaps = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


def _assemble(cos: np.ndarray, overlaps: Overlaps, len_l: np.ndarray,
              len_r: np.ndarray) -> np.ndarray:
    """The feature array from similarities, overlaps and lengths.

    Set sizes and lengths come shaped to broadcast against ``cos``: (n, 1) and
    (1, m) for a matrix of pairs, (k,) and (k,) for a list of pairs.
    """
    out = np.zeros((*cos.shape, len(FEATURES)), dtype=np.float32)
    out[..., 0] = cos
    for k, kind in enumerate(("words", "bigrams", "content")):
        inter, size_l, size_r = overlaps[kind]
        out[..., 1 + 2 * k] = inter / np.maximum(size_l, 1)
        out[..., 2 + 2 * k] = inter / np.maximum(size_r, 1)
        if k == 2:
            out[..., 7] = np.minimum(size_l - inter, _UNMATCHED_CAP)
            out[..., 8] = np.minimum(size_r - inter, _UNMATCHED_CAP)
    inter, size_l, size_r = overlaps["nums"]
    union = size_l + size_r - inter
    both = (size_l > 0) & (size_r > 0)
    out[..., 9] = np.where(union > 0, inter / np.maximum(union, 1), 0)
    out[..., 10] = (both & (inter == 0)).astype(np.float32)
    inter, size_l, size_r = overlaps["ents"]
    union = size_l + size_r - inter
    out[..., 11] = np.where(union > 0, inter / np.maximum(union, 1), 0)
    out[..., 12] = np.minimum(len_l, len_r) / np.maximum(len_l, len_r)
    return out


def pair_features(left: SentenceSet, right: SentenceSet) -> np.ndarray:
    """Features for every (left sentence, right sentence): shape (n_left, n_right, F)."""
    n, m = len(left), len(right)
    if n == 0 or m == 0:
        return np.zeros((n, m, len(FEATURES)), dtype=np.float32)
    overlaps = {kind: (inter, size_l[:, None], size_r[None, :])
                for kind, (inter, size_l, size_r) in _overlaps(left, right).items()}
    return _assemble(left.vectors @ right.vectors.T, overlaps, left.lengths[:, None],
                     right.lengths[None, :])


def fused_features(derived: SentenceSet, origin: SentenceSet,
                   readings: Sequence[tuple[int, tuple[int, ...]]]) -> np.ndarray:
    """Features of each (derived sentence, origin sentences read as one): shape (k, F).

    What ``pair_features(derived.merged([i]), origin.merged(js))`` gives for each
    reading, computed for all of a pair's candidate fusions at once.
    """
    k = len(readings)
    if k == 0:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    left = np.stack([derived.vectors[i] / max(float(np.linalg.norm(derived.vectors[i])), 1e-12)
                     for i, _ in readings])
    right = np.stack([_unit(origin.vectors[list(js)].sum(axis=0)) for _, js in readings])
    overlaps: Overlaps = {}
    for kind in _SETS:
        lsets, rsets = getattr(derived, kind), getattr(origin, kind)
        inter, size_l, size_r = (np.zeros(k, dtype=np.float32) for _ in range(3))
        for n, (i, js) in enumerate(readings):
            fused = frozenset().union(*(rsets[j] for j in js))
            inter[n], size_l[n], size_r[n] = len(lsets[i] & fused), len(lsets[i]), len(fused)
        overlaps[kind] = (inter, size_l, size_r)
    len_l = derived.lengths[[i for i, _ in readings]]
    len_r = np.array([sum(origin.lengths[j] for j in js) for _, js in readings],
                     dtype=np.float32)
    # a stack of 1×d @ d×1 products: bit for bit what ``pair_features`` computes
    cos = (left[:, None, :] @ right[:, :, None])[:, 0, 0]
    return _assemble(cos, overlaps, len_l, len_r)


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


@dataclass(frozen=True, slots=True)
class LogisticModel:
    """A fitted logistic model over named features (weights on standardised inputs)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LogisticModel:
        return cls(tuple(d["features"]), np.asarray(d["mean"], dtype=np.float32),
                   np.asarray(d["scale"], dtype=np.float32),
                   np.asarray(d["coef"], dtype=np.float32), float(d["intercept"]))

    def as_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(),
                "intercept": self.intercept}

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))
