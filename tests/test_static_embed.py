"""The static embedding corpus mode compares with: distilled from MiniLM, same tokenizer."""

from __future__ import annotations

import numpy as np

from newstrace.nlp.static_embed import StaticEmbedder


def test_static_vectors_are_unit_length_and_keep_meaning_apart() -> None:
    embedder = StaticEmbedder()
    vectors = embedder.encode([
        "The central bank cut its key interest rate on Thursday.",
        "On Thursday the national bank lowered its benchmark rate.",
        "The striker scored twice as the home side won the cup final.",
        "",
    ])
    assert vectors.shape == (4, embedder.dim)
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-4)
    assert not vectors[3].any()  # nothing to embed is a zero vector, not NaN
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert embedder.encode([]).shape == (0, embedder.dim)
