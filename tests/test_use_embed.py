"""The cross-lingual embedder: shipped weights, offline, unit vectors, translations close."""

from __future__ import annotations

import numpy as np

from newstrace.nlp.use_embed import USEEmbedder, multilingual_embedder

EN = "The central bank cut its benchmark rate by half a point on Thursday."
TRANSLATIONS = (
    "Die Zentralbank hat am Donnerstag ihren Leitzins um einen halben Prozentpunkt gesenkt.",
    "La banque centrale a abaissé jeudi son taux directeur d'un demi-point.",
    "El banco central recortó el jueves su tipo de referencia en medio punto.",
    "Центральный банк в четверг снизил ключевую ставку на половину процентного пункта.",
)
UNRELATED = "Fünf Surfer sind vor der niederländischen Küste ums Leben gekommen."


def test_vectors_are_unit_length_and_512_wide() -> None:
    vectors = USEEmbedder().encode([EN, *TRANSLATIONS])
    assert vectors.shape == (5, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert USEEmbedder().encode([]).shape == (0, 512)


def test_a_translation_scores_far_above_an_unrelated_sentence() -> None:
    vectors = multilingual_embedder().encode([EN, *TRANSLATIONS, UNRELATED])
    scores = vectors[1:] @ vectors[0]
    assert scores[:-1].min() > 0.65
    assert scores[-1] < 0.3


def test_the_english_model_does_not_see_translations() -> None:
    """Why the cross-lingual model exists: MiniLM scores a translation like noise."""
    from newstrace.nlp.embed import default_embedder

    vectors = default_embedder().encode([EN, TRANSLATIONS[0]])
    assert float(vectors[0] @ vectors[1]) < 0.4
