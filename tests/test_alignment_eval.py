"""The gold sentence links of the news dev set, and how alignments are scored against them."""

from __future__ import annotations

import numpy as np
import pytest

from newstrace.evaluation.alignment_eval import GoldAlignment, gold_alignments, score_alignments
from newstrace.evaluation.datasets import ArticleRecord
from newstrace.evaluation.pairs import to_article
from newstrace.model import Article
from newstrace.reuse.align import Alignment, Link

GOLD = gold_alignments()
pytestmark = pytest.mark.skipif(not GOLD, reason="eval/news_pairs/*/alignment.jsonl absent")

_ARTICLES: dict[str, Article] = {}


def _article(record: ArticleRecord) -> Article:
    if record.name not in _ARTICLES:
        _ARTICLES[record.name] = to_article(record)
    return _ARTICLES[record.name]


def _alignment(links: list[Link], n_derived: int) -> Alignment:
    linked = {lk.derived for lk in links}
    return Alignment(links=links, added=[i for i in range(n_derived) if i not in linked],
                     dropped=[], passages=[], derived_coverage=0.0, origin_coverage=0.0,
                     verbatim_coverage=0.0, scores=np.zeros((n_derived, 0)))


def _from_gold(gold: GoldAlignment, origin: Article, derived: Article) -> Alignment:
    index = {s.text: j for j, s in enumerate(origin.sentences)}
    links = [Link(i, tuple(sorted(index[t] for t in gold.links[s.text])), "paraphrase", 1.0)
             for i, s in enumerate(derived.sentences) if gold.links.get(s.text)]
    return _alignment(links, len(derived.sentences))


def test_gold_covers_every_rewrite_sentence_as_segmented_today() -> None:
    """A change in segmentation must show up here, not as silently worse scores."""
    assert {g.pair.kind for g in GOLD} == {"light", "heavy"}
    for gold in GOLD:
        origin, derived = _article(gold.pair.a), _article(gold.pair.b)
        assert set(gold.links) == {s.text for s in derived.sentences}, gold.pair.b.name
        origin_texts = {s.text for s in origin.sentences}
        assert all(t in origin_texts for targets in gold.links.values() for t in targets)


def test_gold_links_score_perfectly_and_no_links_score_nothing() -> None:
    gold_by_name = {g.pair.b.name: g for g in GOLD}

    def perfect(origin: Article, derived: Article) -> Alignment:
        return _from_gold(gold_by_name[derived.source.path], origin, derived)

    def nothing(origin: Article, derived: Article) -> Alignment:
        return _alignment([], len(derived.sentences))

    best = score_alignments(GOLD, _article, perfect)
    assert (best.precision, best.recall, best.added_f1, best.sentence_accuracy) == (1, 1, 1, 1)
    assert best.unmatched == []
    empty = score_alignments(GOLD, _article, nothing)
    assert empty.recall == 0 and empty.tp == 0
    assert empty.added_tp == sum(not t for g in GOLD for t in g.links.values())


def test_a_wrong_extra_origin_costs_precision_not_recall() -> None:
    gold = next(g for g in GOLD if any(g.links.values()))
    origin, derived = _article(gold.pair.a), _article(gold.pair.b)
    right = _from_gold(gold, origin, derived)
    first = right.links[0]
    spare = next(j for j in range(len(origin.sentences)) if j not in first.origin)
    widened = [Link(first.derived, (*first.origin, spare), "paraphrase", 1.0), *right.links[1:]]
    scores = score_alignments([gold], _article,
                              lambda o, d: _alignment(widened, len(d.sentences)))
    assert scores.fp == 1 and scores.fn == 0
    assert scores.recall == 1 and scores.precision < 1
