"""Word tokens with character offsets, and the lexical evidence built from them.

Everything in ``reuse`` compares words, so tokenisation is done once per text
and shared: lower-cased forms for matching, offsets for reporting spans.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

_WORD = re.compile(r"\w+(?:[’'.,]\w+)*", re.UNICODE)
_NUMBER = re.compile(r"^\d[\d.,]*$")
#: Numbers written as words: a quantity, never wording (the number check reads them).
NUMBER_WORDS = frozenset("""
one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
hundred hundreds thousand thousands million millions billion billions dozen dozens half
first second third fourth fifth once twice
""".split())

#: Function words carry no evidence of reuse: every English text shares them.
STOPWORDS = frozenset((
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of",
    "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over",
    "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours", "yourself", "yourselves", "said", "says", "say", "told", "according", "would",
    "also", "new", "one", "two", "year", "years", "last", "week", "time", "people", "mr", "mrs",
    "ms",
))


@dataclass(slots=True)
class Tokens:
    """The word tokens of one text: lower-cased ``forms`` and their character offsets."""

    text: str
    forms: list[str]
    starts: list[int]
    ends: list[int]
    #: word n-grams by n: (the n-grams, their hashes, n-gram → start positions)
    _grams: dict[int, Grams] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, text: str) -> Tokens:
        matches = list(_WORD.finditer(text))
        return cls(text, [m.group().lower() for m in matches], [m.start() for m in matches],
                   [m.end() for m in matches])

    def __len__(self) -> int:
        return len(self.forms)

    def grams(self, n: int) -> Grams:
        """The text's word n-grams, indexed once: a corpus compares each text many times."""
        found = self._grams.get(n)
        if found is None:
            grams = list(zip(*(self.forms[k:] for k in range(n)), strict=False))
            index: defaultdict[tuple[str, ...], list[int]] = defaultdict(list)
            for i, gram in enumerate(grams):
                index[gram].append(i)
            hashes = np.fromiter(map(hash, grams), dtype=np.int64, count=len(grams))
            found = self._grams[n] = Grams(grams, hashes, dict(index))
        return found


@dataclass(frozen=True, slots=True)
class Grams:
    grams: list[tuple[str, ...]]
    hashes: np.ndarray  # one int64 per n-gram: a fast test for "shared at all"
    positions: dict[tuple[str, ...], list[int]]


def word_forms(text: str) -> list[str]:
    """The lower-cased words of ``Tokens.of(text).forms``, without their offsets."""
    return [w.lower() for w in _WORD.findall(text)]


def content_words(text: str) -> set[str]:
    return content_of(word_forms(text))


def content_of(forms: Iterable[str]) -> set[str]:
    """The content words among word forms (``word_forms``): no stopwords, letters, numbers."""
    return {w for w in forms if w not in STOPWORDS and len(w) > 1 and not _NUMBER.match(w)}


def numbers(text: str) -> set[str]:
    """Numbers as written, normalised (``3,7`` and ``3.7`` differ on purpose)."""
    return {m.group().rstrip(".,") for m in re.finditer(r"\d[\d.,]*\d|\d", text)}


_ENTITY = re.compile(r"\b[A-Z][\w’'-]*[\w](?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w’'-]*\w)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;\"“”]\s+|\n)$")


def entities(text: str) -> set[str]:
    """Capitalised word runs: cheap named-entity evidence without a tagger.

    A single capitalised word at a sentence start is only a capitalised word
    ("Officials", "Heavy"), so it counts only when it is not a sentence start.
    Function words are stripped from the edges ("The Hague" → "hague").
    """
    out: set[str] = set()
    for m in _ENTITY.finditer(text):
        words = [w for w in m.group().lower().split() if w not in STOPWORDS]
        if not words:
            continue
        at_start = bool(_SENTENCE_START.search(text[max(0, m.start() - 3) : m.start()])) \
            or m.start() == 0
        if at_start and len(m.group().split()) == 1:
            continue
        out.add(" ".join(words))
    return out


_QUOTE = re.compile(r"“([^”]{3,})”|\"([^\"]{3,})\"|«([^»]{3,})»|‘([^’]{8,}?)’(?!\w)|"
                    r"(?<!\w)'([^']{8,}?)'(?!\w)")


def quotes_in(text: str) -> list[tuple[int, int, str]]:
    """Direct quotes of two words or more: (start, end, the words inside)."""
    out = []
    for m in _QUOTE.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        if len(inner.split()) >= 2:
            out.append((m.start(), m.end(), inner))
    return out
