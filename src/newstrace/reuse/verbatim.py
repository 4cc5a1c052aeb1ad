"""Verbatim reuse: shared word n-grams, seeded and extended into passages.

The method of the PAN text-alignment winners and passim: index the word
n-grams of one text, find them in the other, chain seeds on the same diagonal
into exact runs, then join runs separated by small edits into passages. Runs
are joined by position in *both* texts independently of order, so reordered
paragraphs are found as separate passages rather than missed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np

from newstrace.reuse.tokens import Tokens

#: Seed length in words. Four words rarely repeat by chance in news prose;
#: shorter seeds flood the matcher with "said on Tuesday that" matches.
SEED_WORDS = 4
#: n-grams this frequent in one text are formulae, not evidence.
MAX_SEED_OCCURRENCES = 8
#: An edit of up to this many words inside a copied passage keeps it one passage.
MAX_GAP_WORDS = 6
#: Shorter passages are shared phrases (names, stock formulae), not copying.
MIN_PASSAGE_WORDS = 8


@dataclass(frozen=True, slots=True)
class Run:
    """An exact shared run: tokens ``a[a0:a0+length]`` equal ``b[b0:b0+length]``."""

    a0: int
    b0: int
    length: int


@dataclass(slots=True)
class Passage:
    """A copied passage: token ranges in both texts, built from exact runs."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    runs: list[Run] = field(default_factory=list)

    @property
    def matched_words(self) -> int:
        return sum(r.length for r in self.runs)


def exact_runs(a: Tokens, b: Tokens, n: int = SEED_WORDS) -> list[Run]:
    """Maximal runs of equal words at least ``n`` long (any order in either text)."""
    if len(a) < n or len(b) < n:
        return []
    ga, gb = a.grams(n), b.grams(n)
    by_diagonal: dict[int, list[int]] = defaultdict(list)
    # the hashes only pick which n-grams to look up; the lookup compares the words
    for j in np.flatnonzero(np.isin(gb.hashes, ga.hashes)).tolist():
        positions = ga.positions.get(gb.grams[j])
        if not positions or len(positions) > MAX_SEED_OCCURRENCES:
            continue
        for i in positions:
            by_diagonal[j - i].append(i)
    runs: list[Run] = []
    for diagonal, starts in by_diagonal.items():
        starts.sort()
        run_start = prev = starts[0]
        for i in starts[1:]:
            if i != prev + 1:
                runs.append(Run(run_start, run_start + diagonal, prev - run_start + n))
                run_start = i
            prev = i
        runs.append(Run(run_start, run_start + diagonal, prev - run_start + n))
    runs.sort(key=lambda r: (r.b0, r.a0))
    return runs


def verbatim_passages(
    a: Tokens,
    b: Tokens,
    *,
    n: int = SEED_WORDS,
    max_gap: int = MAX_GAP_WORDS,
    min_words: int = MIN_PASSAGE_WORDS,
) -> list[Passage]:
    """Copied passages between two texts, in the order they appear in ``b``."""
    passages: list[Passage] = []
    for run in exact_runs(a, b, n):
        a_end, b_end = run.a0 + run.length, run.b0 + run.length
        target = None
        for p in reversed(passages[-8:]):
            gap_a, gap_b = run.a0 - p.a_end, run.b0 - p.b_end
            if -n < gap_a <= max_gap and -n < gap_b <= max_gap:
                target = p
                break
        if target is None:
            passages.append(Passage(run.a0, a_end, run.b0, b_end, [run]))
        else:
            target.a_end = max(target.a_end, a_end)
            target.b_end = max(target.b_end, b_end)
            target.runs.append(run)
    kept = [p for p in passages if p.matched_words >= min_words]
    for p in kept:
        _extend_edges(p, a.forms, b.forms, max_gap)
    return kept


#: Edge runs shorter than a seed are joined only when at least this long.
MIN_EDGE_RUN = 2


def _edge_runs(wa: list[str], wb: list[str]) -> list[tuple[int, int, int]]:
    matcher = SequenceMatcher(None, wa, wb, autojunk=False)
    return [(m.a, m.b, m.size) for m in matcher.get_matching_blocks() if m.size >= MIN_EDGE_RUN]


def _extend_edges(p: Passage, fa: list[str], fb: list[str], max_gap: int) -> None:
    """Grow a passage over short exact runs at its edges ("Governor Lena Varro said that …").

    Seeds are four words long, so a copied run of two or three words before the
    first edit would otherwise be left out of the passage.
    """
    window = max_gap + SEED_WORDS
    # backwards
    while True:
        a0, b0 = max(0, p.a_start - window), max(0, p.b_start - window)
        runs = _edge_runs(fa[a0 : p.a_start], fb[b0 : p.b_start])
        runs = [(a0 + x, b0 + y, n) for x, y, n in runs
                if 0 <= p.a_start - (a0 + x + n) <= max_gap
                and 0 <= p.b_start - (b0 + y + n) <= max_gap]
        if not runs:
            break
        x, y, n = max(runs, key=lambda r: r[0] + r[2])
        p.runs.insert(0, Run(x, y, n))
        p.a_start, p.b_start = x, y
    # forwards
    while True:
        a1, b1 = min(len(fa), p.a_end + window), min(len(fb), p.b_end + window)
        runs = _edge_runs(fa[p.a_end : a1], fb[p.b_end : b1])
        runs = [(p.a_end + x, p.b_end + y, n) for x, y, n in runs
                if x <= max_gap and y <= max_gap]
        if not runs:
            break
        x, y, n = min(runs, key=lambda r: r[0])
        p.runs.append(Run(x, y, n))
        p.a_end, p.b_end = x + n, y + n


def char_span(tokens: Tokens, start: int, end: int) -> tuple[int, int]:
    """Character offsets of tokens ``[start, end)``."""
    return tokens.starts[start], tokens.ends[end - 1]
