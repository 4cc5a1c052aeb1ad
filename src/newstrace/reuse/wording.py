"""Wording a rewrite made more general: a specific phrase restated in vaguer words.

Softening a claim seldom needs a hedge word. A rewrite keeps the sentence and
swaps what it names for something more general ("the annexed provinces" →
"the area", "systematic money laundering" → "some problems"), and a reader of
the rewrite no longer learns what the origin said. Two measurements find it:

* *which phrases changed*: the origin's noun phrases whose words the rewrite
  dropped, and the rewrite's noun phrases built from words the origin lacks,
  paired one to one by meaning (sentence-embedding cosine of the phrases);
* *how specific the words are*: a word's frequency in general English
  (``wordfreq``'s Zipf scale) stands in for its generality. "territorial"
  (Zipf 3.9) says more than "situation" (5.1). A pair is reported when the
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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

from newstrace.reuse.tokens import NUMBER_WORDS, STOPWORDS

KIND = "wording_softened"
#: Words this short are function words or abbreviations, not wording.
_MIN_LETTERS = 3
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
#: Inflections ("reality"/"realities") share this many leading letters.
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
def _shipped() -> dict[str, dict[str, float]]:
    text = (files("newstrace") / "reuse" / "wording.json").read_text("utf-8")
    fitted: dict[str, dict[str, float]] = json.loads(text)["embedders"]
    return fitted


@dataclass(frozen=True, slots=True)
class Phrase:
    """A noun phrase on one side of an aligned pair (article offsets)."""

    start: int
    end: int
    text: str
    #: the lower-case words the other side lacks (names left out)
    changed: tuple[str, ...]


def _stem(word: str) -> str:
    return word[:_STEM]


def _bare(word: str) -> str:
    """Lower case without a possessive ending ("city's" is "city")."""
    low = word.lower()
    return low[:-2] if low.endswith(("'s", "’s")) else low


def stems(text: str) -> set[str]:
    return {_stem(_bare(w)) for w in _WORD.findall(text)}


def changed_words(text: str, at_sentence_start: bool, other: set[str]) -> tuple[str, ...]:
    """Content words of a phrase missing from the other side (capitalised words are names)."""
    out = []
    for n, word in enumerate(_WORD.findall(text)):
        if word[0].isupper() and not (n == 0 and at_sentence_start):
            continue
        low = _bare(word)
        if len(low) >= _MIN_LETTERS and low not in STOPWORDS and low not in NUMBER_WORDS \
                and _stem(low) not in other:
            out.append(low)
    return tuple(out)


@cache
def zipf(word: str) -> float:
    """How common a word is in English (0 = unknown, 7+ = "the")."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def specificity_gap(dropped: Phrase, added: Phrase) -> float:
    """How much more common the added words are than the dropped ones (Zipf units).

    The rarest word decides on both sides: "new territorial realities" is as
    specific as "territorial".
    """
    return min(zipf(w) for w in added.changed) - min(zipf(w) for w in dropped.changed)


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
    when it is commoner than that ("situation", "current", "ground").
    """
    def said(words: tuple[str, ...]) -> float:
        return sum(max(0.0, common - zipf(w)) for w in words)
    return said(dropped.changed) - said(added.changed)


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


def softened(origin: Sequence[Phrase], derived: Sequence[Phrase], meanings: Meanings,
             ) -> list[tuple[Phrase, Phrase]]:
    """The (origin phrase, rewrite phrase) pairs where the rewrite is vaguer."""
    p = meanings.params
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
            out.append(Phrase(start, end, text[start:end], changed))
    return out
