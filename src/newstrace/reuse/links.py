"""The link decision: which origin sentences, if any, a derived sentence restates.

A threshold on one pair score decides each sentence alone, and some decisions
cannot be made that way: "He added that …" scores 0.40 against the sentence
it continues and 0.38 against an unrelated one, and only its neighbours say
which is right; an editorial sentence in a rewrite that reuses everything else
scores like a weak paraphrase of its most topical origin sentence. So each
derived sentence gets a few candidate readings (its best origin sentences, the
one its rule link names, the one next to a neighbour's link), each described by
how it stands among the alternatives: its score, its margin over the rest of the
row, whether another derived sentence explains that origin sentence better,
whether the neighbours' links agree, and how much of the pair is reused at all.
A logistic model fitted on hand-made gold links (``evaluation/fit.py``) picks the
reading, and "added" when none is likely enough; whether the sentence also
fuses a second origin sentence stays the fused score's question (``align``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newstrace.reuse.evidence import LogisticModel

LINK_FEATURES = ("score", "row_best", "margin", "column_margin", "neighbour", "position",
                 "density", "verbatim", "length", "below_best", "novel")


@dataclass(frozen=True, slots=True)
class Reading:
    """One candidate reading of a derived sentence: the origin sentences it restates."""

    derived: int
    origin: tuple[int, ...]
    score: float  # the sentence model's probability for this reading
    features: np.ndarray


def _neighbour_support(i: int, origin: tuple[int, ...],
                       provisional: dict[int, tuple[int, ...]]) -> float:
    """1 when a neighbour's link sits next to this reading, in the same order.

    (A neighbour restating the same origin sentence, as the halves of a split
    do, was tried as a feature too: no better out of sample.)
    """
    for step in (-1, 1):
        linked = provisional.get(i + step)
        if linked and any(j + step in linked for j in origin):
            return 1.0
    return 0.0


@dataclass(frozen=True, slots=True)
class ScoreStats:
    """Row and column maxima of a score matrix, computed once for all its readings.

    A reading's margin is its score over the best *other* origin sentence of the
    row, its column margin its score over the best *other* derived sentence of
    the column; with each row's and column's two best values these are lookups.
    Rows of NaN (sentences that cannot take a paraphrase link) are left out of
    the columns, as they cannot compete.
    """

    row_top: np.ndarray
    row_second: np.ndarray
    row_arg: np.ndarray
    col_top: np.ndarray
    col_second: np.ndarray
    col_arg: np.ndarray
    finite_rows: int

    @classmethod
    def of(cls, scores: np.ndarray) -> ScoreStats:
        n_d, n_o = scores.shape
        filled = np.where(np.isnan(scores), -np.inf, scores)
        row_arg = np.argmax(filled, axis=1) if n_o else np.zeros(n_d, dtype=np.int64)
        row_top = filled[np.arange(n_d), row_arg] if n_o else np.full(n_d, -np.inf)
        row_second = (np.partition(filled, n_o - 2, axis=1)[:, n_o - 2] if n_o >= 2
                      else np.full(n_d, -np.inf))
        finite = np.isfinite(scores).all(axis=1)
        rows = np.where(finite[:, None], filled, -np.inf)
        col_arg = np.argmax(rows, axis=0) if n_d else np.zeros(n_o, dtype=np.int64)
        col_top = rows[col_arg, np.arange(n_o)] if n_d else np.full(n_o, -np.inf)
        col_second = (np.partition(rows, n_d - 2, axis=0)[n_d - 2] if n_d >= 2
                      else np.full(n_o, -np.inf))
        return cls(row_top, row_second, row_arg, col_top, col_second, col_arg,
                   int(finite.sum()))

    def margin(self, i: int, j: int, score: float) -> float:
        """``score`` over the best of row ``i`` other than column ``j`` (0 if none)."""
        rest = self.row_second[i] if self.row_arg[i] == j else self.row_top[i]
        return score - float(rest) if np.isfinite(rest) else score

    def column_margin(self, i: int, j: int, value: float) -> float | None:
        """``value`` over the best finite row other than ``i`` in column ``j`` (None: none)."""
        if self.finite_rows - (1 if np.isfinite(self.row_top[i]) else 0) <= 0:
            return None
        best = self.col_second[j] if self.col_arg[j] == i else self.col_top[j]
        return value - float(best)


def readings(
    i: int,
    options: Sequence[tuple[tuple[int, ...], float]],
    scores: np.ndarray,
    provisional: dict[int, tuple[int, ...]],
    *,
    density: float,
    verbatim: float,
    length: float,
    novel: float = 0.0,
    stats: ScoreStats | None = None,
) -> list[Reading]:
    """Describe each candidate reading of derived sentence ``i``.

    ``scores`` is the derived × origin score matrix with the rows of sentences
    that cannot take a paraphrase link (embedded posts) set to NaN.
    ``provisional`` holds the first-pass links, which the neighbour feature
    reads; ``density`` (share of derived sentences whose best score clears the
    threshold) and ``verbatim`` (share of copied words) describe the pair; ``novel``
    is the share of the sentence's content words found nowhere in the origin
    (commentary brings its own vocabulary, a paraphrase mostly reshuffles).
    ``stats`` (``ScoreStats.of(scores)``): the matrix's row and column maxima, found once.
    """
    n_d, n_o = scores.shape
    stats = stats or ScoreStats.of(scores)
    row = scores[i]
    row_best = float(stats.row_top[i])
    log_length = math.log1p(length)
    top = max((score for _, score in options), default=0.0)
    out = []
    seen: set[tuple[int, ...]] = set()
    for origin, score in options:
        if origin in seen:
            continue
        seen.add(origin)
        if len(origin) == 1:
            j = origin[0]
            margin = stats.margin(i, j, score)
            found = stats.column_margin(i, j, float(row[j]))
            column = 1.0 if found is None else found
        else:
            rest = np.delete(row, list(origin))
            margin = score - (float(np.max(rest)) if rest.size else 0.0)
            others = np.delete(scores[:, list(origin)], i, axis=0)
            others = others[np.isfinite(others).all(axis=1)] if others.size else others
            column = (float(np.min(row[list(origin)] - others.max(axis=0))) if others.size
                      else 1.0)
        position = abs((i + 0.5) / n_d - (sum(origin) / len(origin) + 0.5) / n_o)
        features = np.array([score, row_best, margin, column,
                             _neighbour_support(i, origin, provisional), position,
                             density, verbatim, log_length, top - score, novel],
                            dtype=np.float32)
        out.append(Reading(i, origin, score, features))
    return out


@dataclass(frozen=True, slots=True)
class LinkModel:
    """The fitted reading model and the probability a reading needs to be taken."""

    model: LogisticModel
    cut: float

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LinkModel:
        return cls(LogisticModel.from_dict(d), float(d["cut"]))

    def as_dict(self) -> dict[str, Any]:
        return self.model.as_dict() | {"features": list(LINK_FEATURES), "cut": self.cut}

    def choose(self, candidates: list[Reading]) -> Reading | None:
        """The likeliest reading; None (the sentence is added) when none is likely enough."""
        return self.choose_each([candidates])[0]

    def choose_each(self, groups: Sequence[list[Reading]]) -> list[Reading | None]:
        """``choose`` for every sentence's readings at once (one model call per pair)."""
        flat = [c for g in groups for c in g]
        if not flat:
            return [None] * len(groups)
        probs = self.model.predict(np.stack([c.features for c in flat]))
        out: list[Reading | None] = []
        start = 0
        for g in groups:
            if not g:
                out.append(None)
                continue
            k = int(np.argmax(probs[start : start + len(g)]))
            out.append(g[k] if float(probs[start + k]) >= self.cut else None)
            start += len(g)
        return out


def context_options(i: int, n_origin: int, provisional: dict[int, tuple[int, ...]],
                    ) -> list[int]:
    """Origin sentences the neighbours suggest: the one next to a neighbour's link."""
    return [j - step for step in (-1, 1) for j in provisional.get(i + step, ())
            if 0 <= j - step < n_origin]
