"""The link model: candidate readings of a derived sentence and the choice among them."""

from __future__ import annotations

import numpy as np
import pytest

from newstrace.evaluation.datasets import news_pairs
from newstrace.evaluation.pairs import to_article
from newstrace.nlp.embed import default_embedder
from newstrace.reuse.evidence import LogisticModel
from newstrace.reuse.features import gather
from newstrace.reuse.links import LINK_FEATURES, LinkModel, readings
from newstrace.reuse.params import load_params


def _readings(scores: np.ndarray, provisional: dict[int, tuple[int, ...]], i: int,
              options: list[tuple[tuple[int, ...], float]]) -> dict[tuple[int, ...], dict[str,
                                                                                         float]]:
    found = readings(i, options, scores, provisional, density=0.5, verbatim=0.0, length=8)
    return {r.origin: dict(zip(LINK_FEATURES, r.features.tolist(), strict=True)) for r in found}


def test_readings_describe_each_candidate_against_the_rest() -> None:
    scores = np.array([[0.9, 0.1, 0.1, 0.1],
                       [0.2, 0.45, 0.1, 0.5],
                       [0.1, 0.1, 0.8, 0.2]], dtype=np.float32)
    # sentence 0 is linked to origin 0 and sentence 2 to origin 2: for sentence 1,
    # origin 1 sits between them in order, origin 3 does not
    got = _readings(scores, {0: (0,), 2: (2,)}, 1, [((3,), 0.5), ((1,), 0.45), ((3,), 0.5)])
    assert set(got) == {(3,), (1,)}  # a repeated option is one reading
    assert got[(1,)]["neighbour"] == 1.0 and got[(3,)]["neighbour"] == 0.0
    assert got[(3,)]["margin"] == pytest.approx(0.05) and got[(1,)]["margin"] < 0
    assert got[(1,)]["below_best"] == pytest.approx(0.05)
    # origin 3 is explained better by no other derived sentence; origin 0 would be
    assert got[(3,)]["column_margin"] == pytest.approx(0.3)


def _model(score_weight: float, cut: float) -> LinkModel:
    coef = np.zeros(len(LINK_FEATURES), dtype=np.float32)
    coef[LINK_FEATURES.index("score")] = score_weight
    return LinkModel(LogisticModel(LINK_FEATURES, np.zeros_like(coef), np.ones_like(coef),
                                   coef, -score_weight / 2), cut)


def test_choose_takes_the_likeliest_reading_or_none() -> None:
    scores = np.array([[0.7, 0.3]], dtype=np.float32)
    found = readings(0, [((0,), 0.7), ((1,), 0.3)], scores, {}, density=1.0, verbatim=0.0,
                     length=5)
    picked = _model(10.0, 0.5).choose(found)
    assert picked is not None and picked.origin == (0,)
    assert _model(10.0, 0.95).choose(found) is None  # nothing likely enough: added
    assert _model(10.0, 0.5).choose([]) is None


def test_shipped_link_model_matches_the_code() -> None:
    link = load_params().link
    if link is None:
        pytest.skip("the shipped parameters have no link model (the rule decides)")
    assert link.model.coef.shape == (len(LINK_FEATURES),)
    assert 0 < link.cut < 1


INDEPENDENT = [p for p in news_pairs() if p.relation == "same_story"]


@pytest.mark.skipif(not INDEPENDENT, reason="eval/news_pairs absent")
def test_link_model_links_fewer_sentences_of_independent_reports() -> None:
    """Independent reports of one event share facts, not sentences: the rule links a
    third of their sentences anyway; the fitted model must link fewer."""
    params = load_params()
    if params.link is None:
        pytest.skip("the shipped parameters have no link model")
    embedder = default_embedder()
    by_rule = by_model = 0
    for pair in INDEPENDENT[:6]:
        a, b = to_article(pair.a), to_article(pair.b)
        for link_model in (None, params.link):
            ev = gather(a, b, embedder.encode, params.sentence, params.sentence_threshold,
                        params.context_bonus, link_model=link_model)
            n = len(ev.b_from_a.links) + len(ev.a_from_b.links)
            if link_model is None:
                by_rule += n
            else:
                by_model += n
            # the verdict and direction read the rule's alignment either way
            assert ev.b_from_a.measured.links == gather(
                a, b, embedder.encode, params.sentence, params.sentence_threshold,
                params.context_bonus).b_from_a.links
    assert by_model < by_rule


def test_fusions_scored_together_match_the_merged_sentences() -> None:
    """``fused_features`` batches what ``pair_features`` gives for merged sentences."""
    from newstrace.reuse.evidence import fused_features, pair_features
    from newstrace.reuse.features import units

    pair = next(p for p in news_pairs() if p.relation == "derived")
    a, b = to_article(pair.a), to_article(pair.b)
    encode = default_embedder().encode
    origin, derived = units(a, encode), units(b, encode)
    readings = [(0, (0, 1)), (1, (0, 2, 3)), (len(b.sentences) - 1, (1, 3))]
    expected = np.stack([pair_features(derived.merged([i]), origin.merged(list(js)))[0, 0]
                         for i, js in readings])
    assert np.array_equal(fused_features(derived, origin, readings), expected)
