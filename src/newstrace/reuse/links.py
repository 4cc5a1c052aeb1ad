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
) -> list[Reading]:
    """Describe each candidate reading of derived sentence ``i``.

    ``scores`` is the derived × origin score matrix with the rows of sentences
    that cannot take a paraphrase link (embedded posts) set to NaN.
    ``provisional`` holds the first-pass links, which the neighbour feature
    reads; ``density`` (share of derived sentences whose best score clears the
    threshold) and ``verbatim`` (share of copied words) describe the pair; ``novel``
    is the share of the sentence's content words found nowhere in the origin
    (commentary brings its own vocabulary, a paraphrase mostly reshuffles).
    """
    n_d, n_o = scores.shape
    row = scores[i]
    row_best = float(np.max(row))
    top = max((score for _, score in options), default=0.0)
    out = []
    seen: set[tuple[int, ...]] = set()
    for origin, score in options:
        if origin in seen:
            continue
        seen.add(origin)
        rest = np.delete(row, list(origin))
        margin = score - (float(np.max(rest)) if rest.size else 0.0)
        others = np.delete(scores[:, list(origin)], i, axis=0)
        others = others[np.isfinite(others).all(axis=1)] if others.size else others
        column = float(np.min(row[list(origin)] - others.max(axis=0))) if others.size else 1.0
        position = abs((i + 0.5) / n_d - (float(np.mean(origin)) + 0.5) / n_o)
        features = np.array([score, row_best, margin, column,
                             _neighbour_support(i, origin, provisional), position,
                             density, verbatim, np.log1p(length), top - score, novel],
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
        if not candidates:
            return None
        probs = self.model.predict(np.stack([c.features for c in candidates]))
        k = int(np.argmax(probs))
        return candidates[k] if float(probs[k]) >= self.cut else None


def context_options(i: int, n_origin: int, provisional: dict[int, tuple[int, ...]],
                    ) -> list[int]:
    """Origin sentences the neighbours suggest: the one next to a neighbour's link."""
    return [j - step for step in (-1, 1) for j in provisional.get(i + step, ())
            if 0 <= j - step < n_origin]
