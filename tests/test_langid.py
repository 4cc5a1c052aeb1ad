"""Language identification at ingest: detected when the input says nothing, kept when it does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstrace.api import article_from_text, load_article
from newstrace.corpus.ingest import ingest
from newstrace.corpus.store import Store
from newstrace.nlp.langid import detect

#: One wire-style sentence per language the issue names.
LEADS = {
    "en": "The central bank cut its benchmark rate by half a point on Thursday, saying "
          "inflation had cooled faster than expected over the winter.",
    "fr": "La banque centrale a abaissé jeudi son taux directeur d'un demi-point, estimant "
          "que l'inflation avait ralenti plus vite que prévu pendant l'hiver.",
    "de": "Die Zentralbank hat am Donnerstag ihren Leitzins um einen halben Prozentpunkt "
          "gesenkt, weil sich die Inflation im Winter schneller abgeschwächt habe als erwartet.",
    "es": "El banco central recortó el jueves su tipo de interés de referencia en medio punto "
          "al considerar que la inflación se moderó más rápido de lo previsto en invierno.",
    "it": "La banca centrale ha tagliato giovedì il tasso di riferimento di mezzo punto, "
          "spiegando che l'inflazione è scesa più rapidamente del previsto durante l'inverno.",
    "pt": "O banco central cortou na quinta-feira a sua taxa de juro de referência em meio "
          "ponto, afirmando que a inflação abrandou mais depressa do que o esperado no inverno.",
    "nl": "De centrale bank heeft donderdag de beleidsrente met een half procentpunt verlaagd, "
          "omdat de inflatie deze winter sneller is afgekoeld dan verwacht.",
    "pl": "Bank centralny obniżył w czwartek stopę referencyjną o pół punktu procentowego, "
          "argumentując, że inflacja spadła zimą szybciej, niż oczekiwano.",
    "ru": "Центральный банк в четверг снизил ключевую ставку на половину процентного пункта, "
          "заявив, что инфляция зимой замедлилась быстрее, чем ожидалось.",
    "tr": "Merkez bankası perşembe günü politika faizini yarım puan indirerek enflasyonun kış "
          "aylarında beklenenden hızlı gerilediğini açıkladı.",
    "ar": "خفض البنك المركزي يوم الخميس سعر الفائدة الرئيسي بمقدار نصف نقطة مئوية، مشيرا إلى "
          "أن التضخم تراجع خلال الشتاء بوتيرة أسرع من المتوقع.",
}


@pytest.mark.parametrize("language", sorted(LEADS))
def test_each_language_is_identified(language: str) -> None:
    guess = detect(LEADS[language])
    assert guess is not None and guess.language == language
    assert article_from_text(LEADS[language]).language == language


def test_too_little_text_stays_unknown() -> None:
    assert detect("Ça va.") is None
    assert article_from_text("Breaking: more soon.").language is None


def test_the_input_language_wins() -> None:
    """A reader's or sidecar's language is the publisher's word: never overridden."""
    assert article_from_text(LEADS["fr"], language="de").language == "de"


def test_mixed_text_flags_the_foreign_paragraphs() -> None:
    text = "\n".join([LEADS["en"], LEADS["de"],
                      "Officials said the decision would be reviewed at the next meeting in "
                      "April, when new figures on wages and prices are due."])
    article = article_from_text(text)
    assert article.language == "en"
    (flagged,) = article.extra["paragraph_languages"]
    assert flagged["language"] == "de"
    assert article.text[flagged["start"]:flagged["end"]] == LEADS["de"]


def test_a_half_translated_page_takes_the_larger_language() -> None:
    text = "\n".join([LEADS["es"], LEADS["es"].replace("jueves", "viernes"), LEADS["en"]])
    assert article_from_text(text).language == "es"


def test_ingest_stores_the_detected_language(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fr.txt").write_text(LEADS["fr"] + "\n", encoding="utf-8")
    (folder / "given.txt").write_text(LEADS["ru"] + "\n", encoding="utf-8")
    (folder / "meta.jsonl").write_text(
        json.dumps({"file": "given.txt", "outlet": "Vestnik", "language": "uk"}) + "\n",
        encoding="utf-8")
    assert load_article(folder / "given.txt").language == "uk"
    with Store(tmp_path / "corpus.db") as store:
        ingest([folder], store)
        languages = {Path(a.source.path).name: a.language for a in store.iter_articles()}
    assert languages == {"fr.txt": "fr", "given.txt": "uk"}


def test_the_unpacked_model_classifies_as_the_packaged_one(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """The first load unpacks the model into the cache; later loads read that copy."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from newstrace.nlp import langid

    monkeypatch.setenv("NEWSTRACE_CACHE", str(tmp_path))
    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    first = langid._load()
    (unpacked,) = tmp_path.glob("langid-*")
    assert {p.name for p in unpacked.iterdir()} == {f"{n}.npy" for n in langid._ARRAYS}
    again = langid._load()
    samples = ["Die Regierung hat am Dienstag neue Regeln beschlossen.",
               "El gobierno aprobó el martes nuevas normas para el sector.",
               "Правительство во вторник утвердило новые правила.",
               "The government approved new rules for the sector on Tuesday."]
    for text in samples:
        assert first.classify(text) == again.classify(text) == packaged.classify(text)


def test_a_long_paragraph_is_judged_from_its_head_or_else_whole() -> None:
    from newstrace.nlp.langid import JUDGE_CHARS, _head, paragraph_language

    long_german = " ".join([LEADS["de"]] * 3)
    assert len(long_german) > JUDGE_CHARS and len(_head(long_german)) <= JUDGE_CHARS
    guess = paragraph_language(long_german)
    assert guess is not None and guess.language == "de"
    # a head of scores and codes says nothing; the paragraph is then read whole
    table = "FC 2-1 · 3-0 · 1-1 · 0-2 · " * 12
    line = table + LEADS["pl"] + " " + LEADS["pl"]
    assert detect(_head(line)) is None
    guess = paragraph_language(line)
    assert guess is not None and guess.language == "pl"
