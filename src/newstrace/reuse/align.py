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

from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

import numpy as np

from newstrace.model import Sentence
from newstrace.reuse.evidence import LogisticModel, SentenceSet, pair_features
from newstrace.reuse.tokens import Tokens
from newstrace.reuse.verbatim import Passage, verbatim_passages

LinkKind = Literal["verbatim", "paraphrase"]

#: A derived sentence at least this much covered by copied runs is a verbatim link.
VERBATIM_SENTENCE_COVERAGE = 0.5
#: An origin sentence contributes to a verbatim link with this share of the copied words.
VERBATIM_SOURCE_SHARE = 0.2
#: Fusion must beat the best single origin sentence by this margin.
FUSION_MARGIN = 0.05
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
    positions = np.array([t.start for t in tokens.tokens], dtype=np.int64)
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
) -> Alignment:
    n_d, n_o = len(derived_sentences), len(origin_sentences)
    if passages is None:
        passages = verbatim_passages(origin_tokens, derived_tokens)
    o_sent = _sentence_of_token(origin_tokens, origin_sentences)
    d_sent = _sentence_of_token(derived_tokens, derived_sentences)

    # verbatim: which derived tokens are copied, and from which origin sentences
    copied = np.zeros(len(derived_tokens), dtype=bool)
    sources = np.zeros((max(n_d, 1), max(n_o, 1)), dtype=np.float32)
    for passage in passages:
        for run in passage.runs:
            copied[run.b0 : run.b0 + run.length] = True
            ds = d_sent[run.b0 : run.b0 + run.length]
            os_ = o_sent[run.a0 : run.a0 + run.length]
            ok = (ds >= 0) & (os_ >= 0)
            np.add.at(sources, (ds[ok], os_[ok]), 1.0)
    words_per_d = np.bincount(d_sent[d_sent >= 0], minlength=n_d).astype(np.float32)
    copied_per_d = np.bincount(d_sent[(d_sent >= 0) & copied], minlength=n_d).astype(np.float32)
    words_per_o = np.bincount(o_sent[o_sent >= 0], minlength=n_o).astype(np.float32)

    feats = pair_features(derived_set, origin_set)
    scores = model.predict(feats.reshape(-1, feats.shape[-1])).reshape(n_d, n_o) \
        if n_d and n_o else np.zeros((n_d, n_o), dtype=np.float32)

    links: list[Link] = []
    for i in range(n_d):
        share = copied_per_d[i] / words_per_d[i] if words_per_d[i] else 0.0
        if share >= VERBATIM_SENTENCE_COVERAGE and sources[i].sum() > 0:
            row = sources[i]
            picked = tuple(int(j) for j in np.flatnonzero(row >= VERBATIM_SOURCE_SHARE * row.sum()))
            links.append(Link(i, picked, "verbatim", float(min(share, 1.0))))
            continue
        if n_o == 0:
            continue
        link = _paraphrase_link(i, scores[i], derived_set, origin_set, model, threshold)
        if link is not None:
            links.append(link)

    linked_d = {lk.derived for lk in links}
    used_o = {j for lk in links for j in lk.origin}
    added = [i for i in range(n_d) if i not in linked_d]
    dropped = [j for j in range(n_o) if j not in used_o]
    total_d = float(words_per_d.sum()) or 1.0
    total_o = float(words_per_o.sum()) or 1.0
    return Alignment(
        links=links,
        added=added,
        dropped=dropped,
        passages=passages,
        derived_coverage=float(sum(words_per_d[i] for i in linked_d)) / total_d,
        origin_coverage=float(sum(words_per_o[j] for j in used_o)) / total_o,
        verbatim_coverage=float(copied.sum()) / max(len(derived_tokens), 1),
        scores=scores,
    )


def _paraphrase_link(
    i: int,
    row: np.ndarray,
    derived_set: SentenceSet,
    origin_set: SentenceSet,
    model: LogisticModel,
    threshold: float,
) -> Link | None:
    best = int(np.argmax(row))
    best_score = float(row[best])
    candidates = [int(j) for j in np.argsort(-row)[:FUSION_CANDIDATES]
                  if row[j] >= threshold / 2]
    chosen: tuple[int, ...] = (best,)
    chosen_score = best_score
    if len(candidates) >= 2:
        single = derived_set.merged([i])
        for size in (2, 3):
            for combo in combinations(sorted(candidates), size):
                fused = origin_set.merged(list(combo))
                score = float(model.predict(pair_features(single, fused)[0, 0])[()])
                if score > chosen_score + FUSION_MARGIN:
                    chosen, chosen_score = combo, score
    if chosen_score < threshold:
        return None
    return Link(i, chosen, "paraphrase", chosen_score)
