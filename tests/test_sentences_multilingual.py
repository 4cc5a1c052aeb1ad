"""Sentence splitting in the issue's eleven languages, with each language's abbreviations.

Each text is wire-style prose; the expected sentences are how a reader of that
language would split it. Offsets must point into the text as for English.
"""

from __future__ import annotations

import pytest

from newstrace.nlp.sentences import split_sentences

CASES: dict[str, tuple[str, list[str]]] = {
    "en": ("Mr. Haldane met Dr. Okafor at 5 p.m. on Monday. The U.S. Senate voted 52 to 48. "
           "Officials said the vote, e.g. on tariffs, would be repeated.", [
        "Mr. Haldane met Dr. Okafor at 5 p.m. on Monday.",
        "The U.S. Senate voted 52 to 48.",
        "Officials said the vote, e.g. on tariffs, would be repeated."]),
    "fr": ("M. Dupont a rencontré Mme Martin lundi à Lyon. Selon le ministère, le texte sera "
           "voté vers 17 h. « Nous ne céderons pas », a-t-il déclaré.", [
        "M. Dupont a rencontré Mme Martin lundi à Lyon.",
        "Selon le ministère, le texte sera voté vers 17 h.",
        "« Nous ne céderons pas », a-t-il déclaré."]),
    "de": ("Dr. Müller sagte am 3. Mai, die Regierung plane z. B. neue Steuern. Der Bundestag "
           "stimmte am 12. Oktober zu. Das ist u. a. ein Erfolg für die Koalition.", [
        "Dr. Müller sagte am 3. Mai, die Regierung plane z. B. neue Steuern.",
        "Der Bundestag stimmte am 12. Oktober zu.",
        "Das ist u. a. ein Erfolg für die Koalition."]),
    "es": ("El Sr. García dijo que la Dra. López llegó a las 5 de la tarde. El Gobierno aprobó "
           "la ley. ¿Qué pasará ahora? Nadie lo sabe.", [
        "El Sr. García dijo que la Dra. López llegó a las 5 de la tarde.",
        "El Gobierno aprobó la ley.", "¿Qué pasará ahora?", "Nadie lo sabe."]),
    "it": ("Il sig. Rossi ha incontrato il dott. Bianchi a Roma. Il governo ha approvato la "
           "legge con 312 voti. Domani si vota al Senato.", [
        "Il sig. Rossi ha incontrato il dott. Bianchi a Roma.",
        "Il governo ha approvato la legge con 312 voti.", "Domani si vota al Senato."]),
    "pt": ("O Sr. Silva disse que a Dra. Costa chegou ontem a Lisboa. O Governo aprovou a lei. "
           "A votação final será na quinta-feira.", [
        "O Sr. Silva disse que a Dra. Costa chegou ontem a Lisboa.",
        "O Governo aprovou a lei.", "A votação final será na quinta-feira."]),
    "nl": ("Dhr. Jansen zei dat de regering o.a. nieuwe belastingen plant. Het parlement "
           "stemde in. Dat is bijv. een succes voor de coalitie.", [
        "Dhr. Jansen zei dat de regering o.a. nieuwe belastingen plant.",
        "Het parlement stemde in.", "Dat is bijv. een succes voor de coalitie."]),
    "pl": ("Prof. Kowalski powiedział, że rząd planuje m.in. nowe podatki. Sejm się zgodził. "
           "To np. sukces koalicji, ocenił dr Nowak.", [
        "Prof. Kowalski powiedział, że rząd planuje m.in. nowe podatki.",
        "Sejm się zgodził.", "To np. sukces koalicji, ocenił dr Nowak."]),
    "ru": ("Иванов сказал, что правительство планирует т.е. новые налоги. Дума согласилась. "
           "Это был успех, т. к. все фракции голосовали «за».", [
        "Иванов сказал, что правительство планирует т.е. новые налоги.",
        "Дума согласилась.", "Это был успех, т. к. все фракции голосовали «за»."]),
    "tr": ("Dr. Yılmaz, hükümetin yeni vergiler planladığını söyledi. Meclis 3. Mayıs "
           "oturumunda onayladı. Bu bir başarı oldu.", [
        "Dr. Yılmaz, hükümetin yeni vergiler planladığını söyledi.",
        "Meclis 3. Mayıs oturumunda onayladı.", "Bu bir başarı oldu."]),
    "ar": ("قال وزير الخارجية إن المحادثات ستستمر يوم الاثنين. وأضاف أن الحكومة مستعدة للحوار. "
           "هل ستنجح المفاوضات؟ لا أحد يعرف.", [
        "قال وزير الخارجية إن المحادثات ستستمر يوم الاثنين.",
        "وأضاف أن الحكومة مستعدة للحوار.", "هل ستنجح المفاوضات؟", "لا أحد يعرف."]),
}


@pytest.mark.parametrize("language", sorted(CASES))
def test_sentences_per_language(language: str) -> None:
    text, expected = CASES[language]
    sentences = split_sentences(text, language)
    assert [s.text for s in sentences] == expected
    for s in sentences:
        assert text[s.start:s.end] == s.text


def test_the_article_language_reaches_the_splitter() -> None:
    """A German ordinal date only stays whole when the splitter knows the text is German."""
    from newstrace.api import article_from_text

    text = ("Die Regierung hat am 3. Mai neue Steuern angekündigt, teilte das Ministerium in "
            "Berlin mit. Der Bundestag soll im Herbst abstimmen.")
    article = article_from_text(text)
    assert article.language == "de"
    assert len(article.sentences) == 2


def test_a_link_after_a_full_stop_is_not_joined() -> None:
    """An embedded post's line ends in a lower-case link; it is its own piece."""
    text = ("Third call of the year. Vantora keeps offering the table; the only question is "
            "whether the generals ever sit at it. pic.twitter.com/Rk4Tz9Wb2Q")
    assert split_sentences(text, "en")[-1].text == "pic.twitter.com/Rk4Tz9Wb2Q"
