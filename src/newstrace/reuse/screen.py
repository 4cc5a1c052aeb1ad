"""A cheap first pass over corpus pairs: settle the clear ones without aligning them.

In a corpus most candidate pairs are two reports on one topic or two unrelated
texts that happen to be near neighbours; copies and rewrites are a minority
(15 % of the candidates of ``bench/corpus.py``'s corpus). The full compare
aligns every pair both ways (~12 ms); this pass reads what one matrix product
and a few set overlaps give (~0.3 ms): how closely each sentence's nearest
neighbour in the other text matches it, how many word 4-grams the texts share,
and their names, numbers and dates. A small softmax model, fitted to reproduce
the full verdict (``evaluation/fit_screen.py``), then decides only when it is
sure of two things: that the pair is neither a copy nor a rewrite, and which of
``same_story`` and ``unrelated`` it is. Every other pair goes to the full compare.

What the fitted gate cost, measured on held-out pairs, is in ``screen-static.json``
and bench/RESULTS.md. Corpus mode (``run``, ``add``, Spark) uses it with the static
engine unless told not to (``--no-screen``); ``compare`` on two articles never
screens. It settles about half the pairs, but the cheaper half (unrelated texts
align fast), so the compare stage gains about a quarter, not a half.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np

from newstrace.model import Article, PairResult
from newstrace.reuse.features import (
    Encoder,
    Specifics,
    _days_apart,
    _hours_apart,
    _jaccard,
)
from newstrace.reuse.params import SoftmaxModel
from newstrace.reuse.tokens import Tokens, content_words
from newstrace.reuse.verbatim import SEED_WORDS

SCREEN_FILE = "screen-static.json"

FEATURES = (
    "doc_cos", "near_hi", "near_lo", "close_hi", "close_lo", "near_70_hi", "near_70_lo",
    "mutual_hi", "mutual_lo", "shared_grams_hi", "shared_grams_lo", "content_jaccard",
    "entity_jaccard", "number_jaccard", "length_ratio", "days_apart",
)
#: Sentences whose nearest neighbour in the other text is at least this close (cosine)
#: count as "close" and "near"; not fitted: the model weighs the shares, these only
#: name two levels of static-vector similarity (the same thing said; the same topic).
CLOSE_COSINE = 0.85
NEAR_COSINE = 0.7


@dataclass(frozen=True, slots=True)
class Sketch:
    """What the screen reads of one article: made once, used in all its pairs."""

    vectors: np.ndarray  # unit sentence vectors
    weights: np.ndarray  # each sentence's share of the article's words
    grams: np.ndarray  # sorted unique hashes of word 4-grams (the verbatim seed length)
    content: frozenset[str]  # content words
    words: int


def sketch(article: Article, tokens: Tokens, encode: Encoder) -> Sketch:
    texts = [s.text for s in article.sentences]
    vectors = np.asarray(encode(texts), dtype=np.float32)
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    lengths = np.array([max(len(t.split()), 1) for t in texts], dtype=np.float32)
    return Sketch(vectors, lengths / max(float(lengths.sum()), 1.0),
                  np.unique(tokens.grams(SEED_WORDS).hashes),
                  frozenset(content_words(article.text)), len(tokens))


def _two_ways(x: float, y: float) -> tuple[float, float]:
    return max(x, y), min(x, y)


def screen_features(a: Sketch, b: Sketch, specifics_a: Specifics, specifics_b: Specifics,
                    hours_apart: float | None) -> np.ndarray:
    """The screen's inputs; symmetric in a and b, as the verdict's are."""
    if not len(a.vectors) or not len(b.vectors):
        return np.zeros(len(FEATURES), dtype=np.float32)
    cos = b.vectors @ a.vectors.T  # rows: b's sentences
    best_b, best_a = cos.max(axis=1), cos.max(axis=0)
    pick_b, pick_a = cos.argmax(axis=1), cos.argmax(axis=0)
    mutual_b = (pick_a[pick_b] == np.arange(len(pick_b))) & (best_b >= NEAR_COSINE)
    mutual_a = (pick_b[pick_a] == np.arange(len(pick_a))) & (best_a >= NEAR_COSINE)
    shared = len(np.intersect1d(a.grams, b.grams, assume_unique=True))
    doc_a, doc_b = a.vectors.mean(axis=0), b.vectors.mean(axis=0)
    doc_cos = float(doc_a @ doc_b) / max(float(np.linalg.norm(doc_a) * np.linalg.norm(doc_b)),
                                         1e-9)
    return np.array([
        doc_cos,
        *_two_ways(float(best_b @ b.weights), float(best_a @ a.weights)),
        *_two_ways(float((best_b >= CLOSE_COSINE) @ b.weights),
                   float((best_a >= CLOSE_COSINE) @ a.weights)),
        *_two_ways(float((best_b >= NEAR_COSINE) @ b.weights),
                   float((best_a >= NEAR_COSINE) @ a.weights)),
        *_two_ways(float(mutual_b @ b.weights), float(mutual_a @ a.weights)),
        *_two_ways(shared / max(len(b.grams), 1), shared / max(len(a.grams), 1)),
        len(a.content & b.content) / max(len(a.content | b.content), 1),
        _jaccard(specifics_a[0], specifics_b[0]), _jaccard(specifics_a[1], specifics_b[1]),
        min(a.words, b.words) / max(a.words, b.words, 1),
        _days_apart(hours_apart),
    ], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Screen:
    """The fitted model and the two thresholds that say when it is sure enough."""

    model: SoftmaxModel
    #: below this P(copy) + P(derived), the pair is neither
    max_reuse: float
    #: P(unrelated) must be at most ``sure_low`` (same story) or at least ``sure_high``
    sure_low: float
    sure_high: float
    raw: dict[str, Any]

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Screen:
        model = SoftmaxModel.from_dict(raw["model"])
        if model.features != FEATURES:
            raise ValueError("the screen's features are not the ones this version computes; "
                             "refit with python -m newstrace.evaluation.fit_screen")
        return cls(model, float(raw["max_reuse"]), float(raw["sure_low"]),
                   float(raw["sure_high"]), raw)

    def settle(self, x: np.ndarray) -> dict[str, float] | None:
        """The relation's probabilities when the pair is settled here, else None."""
        probs = dict(zip(self.model.classes, (float(p) for p in self.model.predict(x)[0]),
                         strict=True))
        if probs.get("copy", 0.0) + probs.get("derived", 0.0) >= self.max_reuse:
            return None
        if self.sure_low < probs["unrelated"] < self.sure_high:
            return None
        return probs


@lru_cache(maxsize=1)
def load_screen() -> Screen | None:
    """The shipped screen for the static engine (None when not fitted: compare everything)."""
    path = files("newstrace") / "reuse" / SCREEN_FILE
    if not path.is_file():
        return None
    return Screen.from_dict(json.loads(path.read_text(encoding="utf-8")))


SCREENED_NOTE = ("settled by the screen (nearest-sentence cosines and shared word 4-grams), "
                 "not aligned: `newstrace compare` on the two articles shows the full view")


def screened_result(a: Article, b: Article, probs: dict[str, float],
                    features: np.ndarray) -> PairResult:
    """A verdict without an alignment: ``same_story`` or ``unrelated`` and its probabilities."""
    relation = max(("same_story", "unrelated"), key=lambda k: probs[k])
    return PairResult(
        a=a, b=b, relation=relation, confidence=probs[relation], probabilities=probs,
        origin=None, direction_evidence="", credit_status="unknown", credit_evidence=[],
        origin_reused=0.0, derived_from_origin=0.0, verbatim=0.0, alignments=[], added=[],
        dropped=[], similarity=1.0 - probs["unrelated"],
        features={f"screen_{k}": float(v) for k, v in zip(FEATURES, features, strict=True)},
        notes=[SCREENED_NOTE], screened=True,
    )


def screen_pair(a: Article, b: Article, screen: Screen, sketches: tuple[Sketch, Sketch],
                specifics: tuple[Specifics, Specifics]) -> PairResult | None:
    """The screened verdict of a pair, or None when it needs the full compare."""
    x = screen_features(*sketches, *specifics, _hours_apart(a, b))
    probs = screen.settle(x)
    return None if probs is None else screened_result(a, b, probs, x)
