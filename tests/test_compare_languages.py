"""compare across languages: the multilingual engine, the JSON, and attribution skipped.

The pairs are the cross-language dev family ``eval/cross_pairs/xA1``: an English
wire story, its French translation, a trimmed German rewrite, and an independent
Spanish report of the same event.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newstrace.api import compare, load_article
from newstrace.model import PairResult
from newstrace.nlp.use_embed import USEEmbedder
from newstrace.reuse.languages import cross_language

FAMILY = Path(__file__).resolve().parents[1] / "eval" / "cross_pairs" / "xA1"


@pytest.fixture(scope="module")
def french_copy() -> PairResult:
    return compare(FAMILY / "origin.txt", FAMILY / "copy-fr.txt")


def test_languages_are_detected_and_the_pair_is_cross_language() -> None:
    origin, french = load_article(FAMILY / "origin.txt"), load_article(FAMILY / "copy-fr.txt")
    assert (origin.language, french.language) == ("en", "fr")
    assert cross_language(origin, french)
    assert not cross_language(origin, load_article(FAMILY / "origin.txt"))


def test_a_translation_is_a_translated_rewrite_of_the_origin(french_copy: PairResult) -> None:
    out = french_copy.as_dict()
    assert out["relation"] in ("copy", "derived")
    assert out["translated"] is True
    assert (out["a"]["language"], out["b"]["language"]) == ("en", "fr")
    assert out["origin"] == "a"
    # every French sentence restates an English one, in order
    assert out["coverage"]["derived_from_origin"] >= 0.9
    assert out["verbatim_passages"] == []
    lead = [al for al in out["alignments"] if al["derived"]["text"].startswith("La Banque")]
    assert lead and lead[0]["origin"][0]["text"].startswith("The National Bank of Corvessa cut")


@pytest.mark.parametrize("line", ["MARANTH, 12 mars (CNA) — La Banque nationale a abaissé",
                                  "MARANTH, 12. März (CNA) — Die Nationalbank hat"])
def test_day_first_datelines_are_credits(line: str) -> None:
    """Most languages write the day first; the agency in the dateline is still a credit."""
    from newstrace.clean.credits import parse_dateline

    found = parse_dateline(line)
    assert found is not None and found[0].outlet == "CNA"


def test_attribution_analysis_says_it_was_skipped(french_copy: PairResult) -> None:
    assert french_copy.changes == []
    assert any(n.startswith("attribution analysis skipped") and "fr" in n
               for n in french_copy.notes)
    assert any(n.startswith("across languages (en, fr)") for n in french_copy.notes)


def test_a_trimmed_german_rewrite_drops_what_it_left_out() -> None:
    result = compare(FAMILY / "origin.txt", FAMILY / "light-de.txt")
    assert result.relation == "derived" and result.translated and result.origin == "a"
    dropped = " ".join(s.text for s in result.dropped)
    assert "Corvessan mark weakened" in dropped  # the currency paragraph is gone


def test_an_independent_spanish_report_is_not_a_translation() -> None:
    result = compare(FAMILY / "origin.txt", FAMILY / "independent-es.txt")
    assert result.relation in ("same_story", "unrelated")
    assert result.translated is False
    assert result.derived_from_origin < 0.3


def test_same_language_pairs_keep_the_english_engine(sample_dir: Path) -> None:
    """The multilingual model is never consulted for a one-language pair."""
    files = sorted(sample_dir.glob("*.txt"))[:2]

    class Refuses(USEEmbedder):
        def encode(self, texts):  # type: ignore[no-untyped-def]
            raise AssertionError("multilingual embedder used for a same-language pair")

    from newstrace.nlp.embed import default_embedder
    from newstrace.reuse.compare import compare_articles

    a, b = load_article(files[0]), load_article(files[1])
    result = compare_articles(a, b, default_embedder(), multilingual=Refuses())
    assert result.translated is False


def test_cli_json_for_a_cross_language_pair() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "newstrace", "compare", str(FAMILY / "origin.txt"),
         str(FAMILY / "copy-fr.txt"), "--format", "json"],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["translated"] is True and out["b"]["language"] == "fr"


def test_the_engine_follows_the_languages() -> None:
    """English (or unknown) pairs keep MiniLM; any other language uses USE; two languages
    mark the pair as translated."""
    from dataclasses import replace

    from newstrace.nlp.embed import default_embedder
    from newstrace.reuse.languages import engine_for

    english = load_article(FAMILY / "origin.txt")
    french = load_article(FAMILY / "copy-fr.txt")
    minilm = default_embedder()
    unknown = replace(english, language=None)
    for a, b, multilingual, translated in [
            (english, english, False, False), (english, unknown, False, False),
            (french, french, True, False), (french, unknown, True, False),
            (english, french, True, True)]:
        engine = engine_for(a, b, minilm, None)
        assert (engine.multilingual, engine.translated) == (multilingual, translated)
        assert (engine.embedder is minilm) != multilingual
        # one non-English language: English verdicts, the multilingual similarity head
        assert (engine.similarity_params is not None) == (multilingual and not translated)


def test_one_non_english_language_reads_the_multilingual_similarity() -> None:
    from newstrace.reuse.compare import graded_similarity
    from newstrace.reuse.languages import cross_params

    spanish = load_article(FAMILY / "independent-es.txt")
    trimmed = load_article(FAMILY / "independent-es.txt")
    trimmed.sentences = trimmed.sentences[: max(3, len(trimmed.sentences) // 2)]
    result = compare(spanish, trimmed)
    assert result.relation in ("copy", "derived")
    assert any("multilingual head" in note for note in result.notes)
    assert result.similarity == pytest.approx(graded_similarity(
        spanish, trimmed, USEEmbedder(), cross_params()[0]), abs=1e-4)


def test_eval_reports_accuracy_per_language_pair() -> None:
    from newstrace.evaluation.languages_eval import cross_dev_suite
    from newstrace.evaluation.run import EvalReport
    from newstrace.nlp.embed import default_embedder

    report = EvalReport()
    cross_dev_suite(report, default_embedder())
    names = {m.name: m for m in report.metrics}
    assert names["relation accuracy, all pairs"].n >= 6
    # language pairs in either order, one line each
    assert "relation accuracy, en-fr" in names and "relation accuracy, de-en" in names
    assert "relation accuracy, en-de" not in names
    assert names["translations marked translated"].value == 1.0
    # the shipped cross-language parameters were fitted on this set: it says so
    assert names["relation accuracy, all pairs"].note.startswith("in-sample")
    assert "grouped CV" in names["relation accuracy, all pairs"].note


def test_cross_language_pairs_read_their_own_parameters(french_copy: PairResult) -> None:
    """params-use.json ships; its sentence model reads no word overlap."""
    from newstrace.reuse.evidence import FEATURES
    from newstrace.reuse.languages import cross_params

    params, fitted = cross_params()
    assert fitted
    weights = dict(zip(FEATURES, params.sentence.coef.tolist(), strict=True))
    assert weights["cos"] > 0
    assert all(weights[f] == 0 for f in ("words_left", "words_right", "bigrams_left",
                                         "bigrams_right", "content_left", "content_right"))
    assert not any("fitted on English pairs" in n for n in french_copy.notes)
    # a full translation (in the data the parameters were fitted on) reads as a copy
    assert french_copy.relation == "copy"


def test_the_html_report_shows_both_languages_and_the_translation(
        french_copy: PairResult) -> None:
    from newstrace.report.html import render_pair_report

    page = render_pair_report(french_copy)
    assert "translated en → fr" in page
    assert 'lang="en" dir="auto"' in page and 'lang="fr" dir="auto"' in page
    assert "La Banque nationale de Corvessa" in page  # the French text, aligned beside
