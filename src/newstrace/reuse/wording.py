"""Wording a rewrite made more general: a specific phrase restated in vaguer words.

Softening a claim seldom needs a hedge word. A rewrite keeps the sentence and
swaps what it names for something more general ("the annexed provinces" →
"the area", "systematic money laundering" → "some problems"), and a reader of
the rewrite no longer learns what the origin said. Two measurements find it:

* *which phrases changed*: the origin's noun phrases whose words the rewrite
  dropped, and the rewrite's noun phrases built from words the origin lacks,
  paired one to one by meaning (sentence-embedding cosine of the phrases);
* *how specific the words are*: a word's frequency in general English
  (``wordfreq``'s Zipf scale) stands in for its generality. "refineries"
  (Zipf 3.0) says more than "facilities" (4.6). A pair is reported when the
  rewrite's rarest new word is much more common than the rarest word it
  dropped, and the dropped words together said much more than the new ones.

Names are left to the speaker and source checks, numbers to the number check.
The two thresholds are fitted on the sentence-pair dev set, per embedder (the
cosines of two models are on different scales), by
``newstrace.evaluation.fit_wording`` and shipped in ``wording.json``; an
embedder with no fitted thresholds skips the check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

from newstrace.nlp.phrases import WORD, bare, zipf
from newstrace.reuse.tokens import NUMBER_WORDS, STOPWORDS

KIND = "wording_softened"
#: Words this short are function words or abbreviations, not wording.
_MIN_LETTERS = 3
#: Inflections ("refinery"/"refineries") share this many leading letters.
_STEM = 5

@dataclass(frozen=True, slots=True)
class WordingParams:
    """The fitted thresholds (see ``newstrace.evaluation.fit_wording``)."""

    min_cosine: float  # the two phrases mean much the same
    min_gap: float  # Zipf units the rarest new word is more common than the rarest dropped one
    min_information: float  # Zipf units summed the dropped words say more by
    common: float  # Zipf value above which a word says nothing specific

    @classmethod
    def for_embedder(cls, name: str) -> WordingParams | None:
        """The thresholds fitted with this embedder's cosines, if any were."""
        raw = _shipped().get(name)
        if raw is None:
            return None
        return cls(float(raw["min_cosine"]), float(raw["min_gap"]),
                   float(raw["min_information"]), float(raw["common"]))


@cache
def _shipped() -> dict[str, dict[str, Any]]:
    text = (files("newstrace") / "reuse" / "wording.json").read_text("utf-8")
    fitted: dict[str, dict[str, Any]] = json.loads(text)["embedders"]
    return fitted


def fit_report(embedder_name: str) -> dict[str, Any]:
    """What the fitting script measured for this embedder's thresholds (empty: none)."""
    report: dict[str, Any] = _shipped().get(embedder_name, {}).get("report", {})
    return report


@dataclass(frozen=True, slots=True)
class Phrase:
    """A noun phrase on one side of an aligned pair (article offsets)."""

    start: int
    end: int
    text: str
    #: the lower-case words the other side lacks (names left out)
    changed: tuple[str, ...]
    #: their Zipf values (``nlp.phrases.zipf``)
    zipfs: tuple[float, ...]


def _stem(word: str) -> str:
    return word[:_STEM]


def stems(text: str) -> set[str]:
    return {_stem(bare(w)) for w in WORD.findall(text)}


def changed_words(text: str, at_sentence_start: bool, other: set[str]) -> tuple[str, ...]:
    """Content words of a phrase missing from the other side (capitalised words are names)."""
    out = []
    for n, word in enumerate(WORD.findall(text)):
        if word[0].isupper() and not (n == 0 and at_sentence_start):
            continue
        low = bare(word)
        if len(low) >= _MIN_LETTERS and low not in STOPWORDS and low not in NUMBER_WORDS \
                and _stem(low) not in other:
            out.append(low)
    return tuple(out)


def specificity_gap(dropped: Phrase, added: Phrase) -> float:
    """How much more common the added words are than the dropped ones (Zipf units).

    The rarest word decides on both sides: "the annexed border districts" is as
    specific as "annexed".
    """
    return min(added.zipfs) - min(dropped.zipfs)


@dataclass(frozen=True, slots=True)
class Meanings:
    """Unit vectors of a pair's changed phrases and the thresholds for their embedder."""

    vectors: Mapping[str, np.ndarray]
    params: WordingParams


def information_drop(dropped: Phrase, added: Phrase, common: float) -> float:
    """How much more the dropped words said than the added ones (Zipf units summed).

    The rarest-word gap alone cannot tell "the blaze" → "the fire" (a synonym)
    from "toxic sludge" → "material": the second drops two telling words for one
    empty one. A word says ``common`` minus its Zipf value, and nothing at all
    when it is commoner than that ("current", "positions", "problems").
    """
    def said(zipfs: tuple[float, ...]) -> float:
        return sum(max(0.0, common - z) for z in zipfs)
    return said(dropped.zipfs) - said(added.zipfs)


def pair_phrases(origin: Sequence[Phrase], derived: Sequence[Phrase],
                 vectors: Mapping[str, np.ndarray]) -> list[tuple[Phrase, Phrase, float]]:
    """Changed phrases paired one to one, most similar first."""
    if not origin or not derived:
        return []
    a = np.stack([vectors[p.text] for p in origin])
    b = np.stack([vectors[p.text] for p in derived])
    cos = a @ b.T
    pairs, used_o, used_d = [], set(), set()
    for flat in np.argsort(-cos, axis=None, kind="stable"):
        i, j = divmod(int(flat), len(derived))
        if i in used_o or j in used_d:
            continue
        used_o.add(i)
        used_d.add(j)
        pairs.append((origin[i], derived[j], float(cos[i, j])))
    return pairs


def could_soften(origin: Sequence[Phrase], derived: Sequence[Phrase],
                 params: WordingParams) -> bool:
    """Whether any pairing could pass the word tests (then the phrases need embedding)."""
    return any(specificity_gap(o, d) >= params.min_gap
               and information_drop(o, d, params.common) >= params.min_information
               for o in origin for d in derived)


def softened(origin: Sequence[Phrase], derived: Sequence[Phrase], meanings: Meanings,
             ) -> list[tuple[Phrase, Phrase]]:
    """The (origin phrase, rewrite phrase) pairs where the rewrite is vaguer."""
    p = meanings.params
    if not could_soften(origin, derived, p):
        return []  # nothing to pair (and its phrases were not embedded)
    return [(o, d) for o, d, cos in pair_phrases(origin, derived, meanings.vectors)
            if cos >= p.min_cosine and specificity_gap(o, d) >= p.min_gap
            and information_drop(o, d, p.common) >= p.min_information]


def sides_phrases(spans: Sequence[tuple[int, int]], text: str, sentence_starts: set[int],
                  other_text: str) -> list[Phrase]:
    """The phrases of one side that use words the other side lacks."""
    other = stems(other_text)
    out = []
    for start, end in spans:
        changed = changed_words(text[start:end], start in sentence_starts, other)
        if changed:
            zipfs = tuple(map(zipf, changed))
            out.append(Phrase(start, end, text[start:end], changed, zipfs))
    return out
