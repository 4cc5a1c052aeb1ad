"""Sentence units keep their word sets as packed hashes: the counts must be the sets'."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from newstrace.reuse.evidence import FEATURES, SentenceSet, fused_features, pair_features
from newstrace.reuse.tokens import content_words, entities, numbers, word_forms

LEFT = ["The minister said on Monday that 40 schools in Northvale would close.",
        "Officials in Northvale declined to comment.",
        "Parents protested outside the council on Tuesday, said the Northvale Herald."]
RIGHT = ["Forty schools in Northvale will close, the minister said on Monday.",
         "The council declined to comment on the 40 closures.",
         "Protests by parents followed on Tuesday.",
         "It is the third round of closures since 2019."]


def _units(texts: list[str]) -> SentenceSet:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(texts), 8)).astype(np.float32)
    return SentenceSet.build(texts, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def _string_sets(text: str) -> dict[str, set[str]]:
    forms = word_forms(text)
    return {"words": set(forms), "bigrams": {f"{x} {y}" for x, y in pairwise(forms)},
            "content": content_words(text), "nums": numbers(text), "ents": entities(text)}


def test_overlap_features_count_what_sets_of_strings_count() -> None:
    left, right = _units(LEFT), _units(RIGHT)
    features = pair_features(left, right)
    column = {name: k for k, name in enumerate(FEATURES)}
    for i, x in enumerate(LEFT):
        for j, y in enumerate(RIGHT):
            sx, sy = _string_sets(x), _string_sets(y)
            for kind in ("words", "bigrams", "content"):
                shared = len(sx[kind] & sy[kind])
                assert features[i, j, column[f"{kind}_left"]] == pytest.approx(
                    shared / max(len(sx[kind]), 1))
                assert features[i, j, column[f"{kind}_right"]] == pytest.approx(
                    shared / max(len(sy[kind]), 1))
            union = len(sx["nums"] | sy["nums"])
            assert features[i, j, column["num_jaccard"]] == pytest.approx(
                len(sx["nums"] & sy["nums"]) / union if union else 0.0)
    assert features[0, 0, column["num_jaccard"]] == 0.0  # "40" against "Forty"
    assert features[0, 0, column["content_left"]] > 0.5


def test_the_small_path_and_fusions_agree_with_the_matrix() -> None:
    """One-by-one readings (plain sets) and fused readings give the matrix's numbers."""
    left, right = _units(LEFT), _units(RIGHT)
    matrix = pair_features(left, right)
    for i in range(len(LEFT)):
        for j in range(len(RIGHT)):
            single = pair_features(left.merged([i]), right.merged([j]))[0, 0]
            np.testing.assert_allclose(single, matrix[i, j], rtol=1e-5, atol=1e-6)
    fused = fused_features(right, left, [(0, (0, 1)), (2, (2,))])
    np.testing.assert_allclose(fused[0], pair_features(right.merged([0]),
                                                       left.merged([0, 1]))[0, 0], rtol=1e-5)
    np.testing.assert_allclose(fused[1], pair_features(right.merged([2]),
                                                       left.merged([2]))[0, 0], rtol=1e-5)


def test_take_keeps_each_units_items_in_any_order_and_with_repeats() -> None:
    units = _units(RIGHT)
    for order in ([2, 0], [3, 1, 0, 2], [1, 1, 0]):
        taken = units.take(order)
        assert taken.texts == [RIGHT[k] for k in order]
        for kind in ("words", "bigrams", "content", "nums", "ents"):
            assert list(getattr(taken, kind)) == [getattr(units, kind)[k] for k in order]
        np.testing.assert_array_equal(pair_features(taken, units)[:, :, 1:],
                                      pair_features(units, units)[order][:, :, 1:])
    assert units.head(2).texts == RIGHT[:2]
    with pytest.raises(IndexError):
        units.words[len(RIGHT)]
