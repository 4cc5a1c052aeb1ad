"""Sentence alignment between an origin and a derived text.

Two passes. Verbatim: copied word runs (``verbatim``) are mapped onto sentences;
a derived sentence mostly made of copied words is a verbatim link to the origin
sentences its words came from. Paraphrase: every remaining derived sentence is
scored against every origin sentence (``evidence``); the best origin sentence,
or a fusion of two or three when together they explain it better, becomes a
paraphrase link when the score clears the fitted threshold. Links are free in
order, and several derived sentences may share an origin sentence (a split).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

import numpy as np

from newstrace.model import Sentence
from newstrace.reuse.evidence import (
    CONTENT,
    LogisticModel,
    SentenceSet,
    fused_features,
    pair_features,
)
from newstrace.reuse.links import LinkModel, Reading, ScoreStats, context_options, readings
from newstrace.reuse.tokens import Tokens
from newstrace.reuse.verbatim import Passage, verbatim_passages

LinkKind = Literal["verbatim", "paraphrase"]

#: A derived sentence at least this much covered by copied runs is a verbatim link.
VERBATIM_SENTENCE_COVERAGE = 0.5
#: A derived sentence this fully covered by copied runs was taken unedited.
IDENTICAL_SENTENCE_COVERAGE = 0.98
#: An origin sentence contributes to a verbatim link with this share of the copied words.
VERBATIM_SOURCE_SHARE = 0.2
#: Fusion must beat the best single origin sentence by this margin.
FUSION_MARGIN = 0.1
#: …and each fused sentence must account for this many content words of its own.
FUSION_MIN_OWN_WORDS = 2
FUSION_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class Link:
    derived: int  # index into the derived article's sentences
    origin: tuple[int, ...]  # indices into the origin article's sentences
    kind: LinkKind
    score: float


@dataclass(slots=True)
class Alignment:
    """How a derived text maps onto an origin text, sentence by sentence."""

    links: list[Link]
    added: list[int]  # derived sentences with no counterpart
    dropped: list[int]  # origin sentences nobody used
    passages: list[Passage]
    derived_coverage: float  # share of the derived text's words explained by the origin
    origin_coverage: float  # share of the origin's words reused
    verbatim_coverage: float  # share of the derived text's words copied verbatim
    scores: np.ndarray = field(repr=False)  # derived × origin pair probabilities
    #: share of the derived text's words in sentences copied whole and unedited: a copy
    #: keeps sentences intact, a light edit touches many of them
    identical_share: float = 0.0
    #: every candidate reading of the paraphrased sentences (kept only when asked)
    readings: list[Reading] = field(default_factory=list, repr=False)
    #: the threshold rule's alignment when a link model re-decided the links
    rule: Alignment | None = field(default=None, repr=False)
    #: the link model's pass, not yet run: most pairs of a corpus are read one way
    #: only (the verdict reads the rule's alignments; only the origin → derived side is
    #: shown), so the other way never needs it
    learn: Callable[[], Alignment] | None = field(default=None, repr=False)
    learned: Alignment | None = field(default=None, repr=False)

    def final(self) -> Alignment:
        """The alignment to show: the link model's when there is one (run on first use)."""
        if self.learn is not None:
            self.learned, self.learn = self.learn(), None
        return self.learned or self

    @property
    def measured(self) -> Alignment:
        """What the verdict and direction read: the threshold rule's alignment.

        The rule treats both directions of a pair alike, so the asymmetries the
        direction model reads are the texts', not the link model's (fitted on
        rewrites read as rewrites, it would also read an origin as one).
        """
        return self.rule or self

    @property
    def mean_score(self) -> float:
        return float(np.mean([lk.score for lk in self.links])) if self.links else 0.0


def _sentence_of_token(tokens: Tokens, sentences: list[Sentence]) -> np.ndarray:
    """For each token, the index of the sentence holding it (-1 if none)."""
    starts = np.array([s.start for s in sentences], dtype=np.int64)
    ends = np.array([s.end for s in sentences], dtype=np.int64)
    out = np.full(len(tokens), -1, dtype=np.int64)
    if not sentences:
        return out
    positions = np.array(tokens.starts, dtype=np.int64)
    idx = np.searchsorted(starts, positions, side="right") - 1
    valid = (idx >= 0) & (positions < ends[np.clip(idx, 0, None)])
    out[valid] = idx[valid]
    return out


def align(
    origin_tokens: Tokens,
    origin_sentences: list[Sentence],
    origin_set: SentenceSet,
    derived_tokens: Tokens,
    derived_sentences: list[Sentence],
    derived_set: SentenceSet,
    model: LogisticModel,
    threshold: float,
    *,
    passages: list[Passage] | None = None,
    context_bonus: float = 0.0,
    link_model: LinkModel | None = None,
    keep_readings: bool = False,
) -> Alignment:
    """``link_model`` re-decides the paraphrase links (``links.py``); ``keep_readings``
    keeps every candidate reading on the result, for fitting that model."""
    n_d, n_o = len(derived_sentences), len(origin_sentences)
    if passages is None:
        passages = verbatim_passages(origin_tokens, derived_tokens)
    o_sent = _sentence_of_token(origin_tokens, origin_sentences)
    d_sent = _sentence_of_token(derived_tokens, derived_sentences)

    # verbatim: which derived tokens are copied, and from which origin sentences
    # each copied word comes from one place: the longest run over it (a phrase the
    # origin repeats also matches its other occurrence, in a shorter run, and would
    # read as a fusion of two origin sentences)
    copied = np.zeros(len(derived_tokens), dtype=bool)
    b_parts, a_parts = [], []
    for run in sorted((r for p in passages for r in p.runs),
                      key=lambda r: (-r.length, r.b0, r.a0)):
        free = np.flatnonzero(~copied[run.b0 : run.b0 + run.length])
        if free.size:
            copied[run.b0 + free] = True
            b_parts.append(run.b0 + free)
            a_parts.append(run.a0 + free)
    if b_parts:
        b_at, a_at = np.concatenate(b_parts), np.concatenate(a_parts)
        ds, os_ = d_sent[b_at], o_sent[a_at]
        ok = (ds >= 0) & (os_ >= 0)
        width = max(n_o, 1)
        sources = np.bincount(ds[ok] * width + os_[ok], minlength=max(n_d, 1) * width
                              ).reshape(max(n_d, 1), width).astype(np.float32)
    else:
        sources = np.zeros((max(n_d, 1), max(n_o, 1)), dtype=np.float32)
    words_per_d = np.bincount(d_sent[d_sent >= 0], minlength=n_d).astype(np.float32)
    copied_per_d = np.bincount(d_sent[(d_sent >= 0) & copied], minlength=n_d).astype(np.float32)
    words_per_o = np.bincount(o_sent[o_sent >= 0], minlength=n_o).astype(np.float32)

    scores = sentence_scores(derived_set, origin_set, n_o, model)

    links: list[Link] = []
    verbatim: dict[int, Link] = {}
    for i in range(n_d):
        share = copied_per_d[i] / words_per_d[i] if words_per_d[i] else 0.0
        if share >= VERBATIM_SENTENCE_COVERAGE and sources[i].sum() > 0:
            row = sources[i]
            # a sentence stitched from many short origin sentences may take less than the
            # share from each: then its largest source stands for them (a link without an
            # origin sentence would reach the verdict as NaN)
            picked = tuple(int(j) for j in np.flatnonzero(row >= VERBATIM_SOURCE_SHARE * row.sum())
                           ) or (int(np.argmax(row)),)
            verbatim[i] = Link(i, picked, "verbatim", float(min(share, 1.0)))
    # an embedded post is a third party's words: copied, perhaps, never reworded
    reworded = [i for i in range(n_d) if i not in verbatim and n_o
                and derived_sentences[i].kind != "embed"]
    best_readings = _best_readings(reworded, scores, derived_set, origin_set, model, threshold)
    for i in range(n_d):
        if i in verbatim:
            links.append(verbatim[i])
        elif i in best_readings and best_readings[i][1] >= threshold:
            links.append(Link(i, best_readings[i][0], "paraphrase", best_readings[i][1]))

    embeds = [i for i, s in enumerate(derived_sentences) if s.kind == "embed"]
    masked = scores.copy()
    masked[embeds] = np.nan

    def fused_score(i: int, origins: tuple[int, ...]) -> float:
        merged = pair_features(derived_set.merged([i]), origin_set.merged(list(origins)))
        return float(model.predict(merged[0, 0])[()])

    if context_bonus > 0 and n_o:
        links = _context_links(links, masked, threshold, context_bonus, fused_score)
    total_d = float(words_per_d.sum()) or 1.0
    identical = float(words_per_d[(copied_per_d >= IDENTICAL_SENTENCE_COVERAGE
                                   * np.maximum(words_per_d, 1))
                                  & (words_per_d > 0)].sum()) / total_d

    def summary(chosen: list[Link]) -> Alignment:
        linked_d = {lk.derived for lk in chosen}
        used_o = {j for lk in chosen for j in lk.origin}
        return Alignment(
            links=chosen,
            added=[i for i in range(n_d) if i not in linked_d],
            dropped=[j for j in range(n_o) if j not in used_o],
            passages=passages,
            derived_coverage=float(sum(words_per_d[i] for i in linked_d)) / total_d,
            origin_coverage=float(sum(words_per_o[j] for j in used_o))
            / (float(words_per_o.sum()) or 1.0),
            verbatim_coverage=float(copied.sum()) / max(len(derived_tokens), 1),
            scores=scores,
            identical_share=identical,
        )

    rule = summary(links)
    if (link_model is None and not keep_readings) or not n_o:
        return rule

    def learn() -> Alignment:
        verbatim_share = float(copied.sum()) / max(len(derived_tokens), 1)
        chosen, found = _learned_links(links, masked, derived_set, origin_set, model,
                                       threshold, link_model, verbatim_share, best_readings)
        result = summary(chosen)
        result.readings, result.rule = found, rule
        return result

    rule.learn = learn
    return rule


def _context_links(links: list[Link], scores: np.ndarray, threshold: float,
                   bonus: float, fused_score: Callable[[int, tuple[int, ...]], float],
                   ) -> list[Link]:
    """Second pass: an order prior from the neighbours' links.

    Rewrites keep local order more often than not ("He added that …" follows
    the sentence it continues), so for a sentence next to a linked one, the
    origin sentence next to that link gets ``bonus`` added to its score. It
    replaces the sentence's paraphrase link, or joins it as a fusion when the
    fused reading scores better by the fusion margin, if it then clears the
    threshold and beats the current link (copied words are never re-decided).
    The bonus is fitted on gold links (``evaluation/fit.py``).
    """
    by_derived = {lk.derived: lk for lk in links}
    out: dict[int, Link] = dict(by_derived)
    for i in range(scores.shape[0]):
        current = by_derived.get(i)
        if (current is not None and current.kind == "verbatim") or \
                not np.isfinite(scores[i]).all():
            continue
        candidates: set[int] = set()
        for step in (-1, 1):
            neighbour = by_derived.get(i + step)
            if neighbour is not None:
                candidates.update(j - step for j in neighbour.origin)
        candidates = {j for j in candidates if 0 <= j < scores.shape[1]}
        if current is not None:
            candidates -= set(current.origin)
        if not candidates:
            continue
        j = max(candidates, key=lambda c: scores[i, c])
        choice: tuple[int, ...] = (j,)
        value = float(scores[i, j])
        if current is not None and len(current.origin) < FUSION_CANDIDATES:
            fused = tuple(sorted((*current.origin, j)))
            fused_value = fused_score(i, fused)
            if fused_value > max(value, current.score) + FUSION_MARGIN:
                choice, value = fused, fused_value
        if value + bonus >= threshold and (current is None or value + bonus > current.score):
            out[i] = Link(i, choice, "paraphrase", value)
    return [out[i] for i in sorted(out)]


def _learned_links(links: list[Link], scores: np.ndarray, derived_set: SentenceSet,
                   origin_set: SentenceSet, model: LogisticModel, threshold: float,
                   link_model: LinkModel | None, verbatim_share: float,
                   best_readings: dict[int, tuple[tuple[int, ...], float]],
                   ) -> tuple[list[Link], list[Reading]]:
    """Re-decide every paraphrase link with the link model, the rule's links as context.

    The model picks the origin sentence (or none); a fusion the rule found
    around that sentence is kept, since whether two origin sentences merged is
    the fused score's question, not the link model's. Copied sentences keep
    their verbatim links. Without a model the rule's links stand and only the
    candidate readings are returned (what fitting needs). ``best_readings`` are the
    rule pass's single-or-fused readings per row, reused rather than searched again.
    """
    provisional = {lk.derived: lk.origin for lk in links}
    by_derived = {lk.derived: lk for lk in links}
    finite = np.isfinite(scores).all(axis=1)
    rows = scores[finite]
    density = float(np.mean(rows.max(axis=1) >= threshold)) if len(rows) else 0.0
    out = dict(by_derived)
    found: list[Reading] = []
    vocabulary = origin_set.vocabulary(CONTENT)
    stats = ScoreStats.of(scores)
    rows_read: list[tuple[int, Link | None, tuple[tuple[int, ...], float]]] = []
    groups: list[list[Reading]] = []
    for i in (int(k) for k in np.flatnonzero(finite)):
        current = by_derived.get(i)
        if current is not None and current.kind == "verbatim":
            continue
        fused = best_readings.get(i) or _best_readings(
            [i], scores, derived_set, origin_set, model, threshold)[i]
        singles = [int(j) for j in np.argsort(-scores[i])[:FUSION_CANDIDATES]]
        if current is not None:
            singles += current.origin
        singles += context_options(i, scores.shape[1], provisional)
        candidates = readings(i, [((j,), float(scores[i, j])) for j in singles], scores,
                              provisional, density=density, verbatim=verbatim_share,
                              length=float(len(derived_set.content[i])),
                              novel=len(derived_set.content[i] - vocabulary)
                              / max(len(derived_set.content[i]), 1), stats=stats)
        found += candidates
        rows_read.append((i, current, fused))
        groups.append(candidates)
    if link_model is None:
        return [out[i] for i in sorted(out)], found
    for (i, current, (fused_origin, fused_value)), picked in zip(
            rows_read, link_model.choose_each(groups), strict=True):
        if picked is None:
            out.pop(i, None)
            continue
        link = Link(i, picked.origin, "paraphrase", picked.score)
        for origin, value in ((fused_origin, fused_value),
                              (current.origin, current.score) if current else ((), 0.0)):
            if len(origin) > 1 and picked.origin[0] in origin and value > link.score:
                link = Link(i, origin, "paraphrase", value)
        out[i] = link
    return [out[i] for i in sorted(out)], found

def sentence_scores(derived_set: SentenceSet, origin_units: SentenceSet, n_origin: int,
                    model: LogisticModel) -> np.ndarray:
    """Derived × origin-sentence probabilities; a sentence scores as its best clause."""
    n_d = len(derived_set)
    if n_d == 0 or n_origin == 0:
        return np.zeros((n_d, n_origin), dtype=np.float32)
    feats = pair_features(derived_set, origin_units)
    unit_scores = model.predict(feats.reshape(-1, feats.shape[-1])).reshape(n_d, -1)
    scores = unit_scores[:, :n_origin].copy()
    for u in range(n_origin, len(origin_units)):
        j = int(origin_units.parent[u])
        np.maximum(scores[:, j], unit_scores[:, u], out=scores[:, j])
    return scores


def _contributes(derived: frozenset[int], members: list[frozenset[int]]) -> bool:
    """Each fused origin sentence must explain words of the derived one the others do not."""
    for k, own in enumerate(members):
        others = frozenset().union(*(m for i, m in enumerate(members) if i != k))
        if len((derived & own) - others) < FUSION_MIN_OWN_WORDS:
            return False
    return True


def _best_readings(
    rows: list[int],
    scores: np.ndarray,
    derived_set: SentenceSet,
    origin_set: SentenceSet,
    model: LogisticModel,
    threshold: float,
) -> dict[int, tuple[tuple[int, ...], float]]:
    """Per derived sentence, the best single origin sentence, or a fusion of two or
    three that explains it better; every candidate fusion of the pair scored at once."""
    chosen: dict[int, tuple[tuple[int, ...], float]] = {}
    fusions: list[tuple[int, tuple[int, ...]]] = []
    origin_content: list[frozenset[int]] = []  # made once, when a fusion is first tried
    for i in rows:
        row = scores[i]
        best = int(np.argmax(row))
        chosen[i] = ((best,), float(row[best]))
        if chosen[i][1] + FUSION_MARGIN >= 1.0:
            continue  # no fusion can beat it by the margin: a probability is at most 1
        candidates = [int(j) for j in np.argsort(-row)[:FUSION_CANDIDATES]
                      if row[j] >= threshold / 2]
        if len(candidates) < 2:
            continue
        origin_content = origin_content or origin_set.sets(CONTENT)
        derived_content = derived_set.content[i]
        for size in (2, 3):
            for combo in combinations(sorted(candidates), size):
                if _contributes(derived_content, [origin_content[j] for j in combo]):
                    fusions.append((i, combo))
    if fusions:
        probs = model.predict(fused_features(derived_set, origin_set, fusions))
        for (i, combo), p in zip(fusions, probs.tolist(), strict=True):
            if p > chosen[i][1] + FUSION_MARGIN:  # in order: a fusion must beat the last
                chosen[i] = (combo, p)
    return chosen
