"""Attribution: statements and who made them; what a rewrite changed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newstrace.api import article_from_text, compare
from newstrace.evaluation.changes_eval import change_pairs, predict_changes, score_changes
from newstrace.nlp.attribution import article_statements
from newstrace.nlp.embed import default_embedder
from newstrace.reuse.changes import resolve_pronouns
from tests.conftest import seed


def _statements(text: str) -> list:
    parsed = article_statements(article_from_text(text))
    return [s for ss in parsed.statements.values() for s in ss]


def test_parenthetical_frame_with_direct_quote() -> None:
    (s,) = _statements("“The dam is safe,” the ministry spokesperson said on Friday.")
    assert (s.speaker, s.frame, s.mode) == ("the ministry spokesperson", "say", "direct")


def test_according_to_names_a_source() -> None:
    (s,) = _statements("Exports fell 9 percent in March, according to the Halvard Institute's "
                       "trade tracker.")
    assert s.frame == "according to" and s.speaker_kind == "source"
    assert s.speaker is not None and "Halvard Institute" in s.speaker


def test_nested_chain_and_own_voice() -> None:
    found = _statements("The press office said President Lira told the envoy that the talks "
                        "would resume in May.")
    speakers = {s.speaker: s for s in found}
    assert set(speakers) == {"The press office", "President Lira"}
    inner = speakers["President Lira"]
    assert inner.parent is not None and found[inner.parent].speaker == "The press office"
    (own,) = _statements("The river rose by two metres overnight.")
    assert own.speaker is None and own.mode == "own_voice"


@pytest.mark.parametrize(("origin", "derived", "kind"), [
    ("Forty-two homes were flooded, the fire service said.",
     "Forty-two homes were flooded.", "attribution_dropped"),
    ("The fire service said 42 homes were flooded.",
     "The fire service said nearly 50 homes were flooded.", "number_changed"),
    ("The river could rise by another metre, the institute said.",
     "The river will rise by another metre, the institute said.", "hedge_changed"),
    ("The two leaders agreed that the talks should continue.",
     "President Lira said that the talks should continue.", "speaker_changed"),
    ("“We will not close the port,” the mayor said.",
     "The mayor said the port would stay open.", "quote_to_paraphrase"),
])
def test_each_kind_on_a_clear_case(origin: str, derived: str, kind: str) -> None:
    assert kind in predict_changes(origin, derived)


def test_a_month_is_not_the_antecedent_of_he() -> None:
    parsed = article_statements(article_from_text(
        "Marel Dovan met the union on Monday. In May, he said the plant would stay open."))
    speakers = [s.speaker for ss in resolve_pronouns(parsed).values() for s in ss
                if s.speaker_kind == "pronoun"]
    assert speakers == ["Marel Dovan"]


def test_an_inference_about_what_came_before_is_the_outlets_own_voice() -> None:
    (own,) = _statements("These comments show the council might be ready to change course.")
    assert own.speaker is None
    (data,) = _statements("The figures show the council spent 40 percent more in May.")
    assert data.speaker == "The figures" and data.speaker_kind == "source"


def test_a_faithful_paraphrase_changes_nothing() -> None:
    assert predict_changes(
        "The fire service said 42 homes were flooded in the lower town on Tuesday.",
        "On Tuesday, 42 homes in the lower town were flooded, the fire service said.") == set()


def test_dev_set_precision_recall_and_controls() -> None:
    rows = change_pairs()
    if not rows:
        pytest.skip("eval/change_pairs.jsonl not found")
    scores = score_changes(rows, default_embedder())
    assert scores.tp["wording_softened"] > 0, "the wording check ran"
    assert scores.precision() >= 0.85
    assert scores.recall() >= 0.75
    assert scores.control_rate >= 0.95


def test_seed_rewrite_changes() -> None:
    result = compare(seed("000"), seed("003"))
    by_kind: dict[str, list] = {}
    for change in result.changes:
        by_kind.setdefault(change.kind, []).append(change)
    speaker = [c for c in by_kind.get("speaker_changed", [])
               if c.derived.text == "Putin" and c.origin and "press service" in c.origin.text]
    assert speaker, "the Iran statement moved from the press service to Putin"
    assert any(c.origin and "Kiel Institute" in c.origin.text
               for c in by_kind.get("source_dropped", []))
    assert any(c.origin and c.origin.text == "legitimate"
               for c in by_kind.get("hedge_changed", []))
    # background the origin's journalists wrote, put in the president's mouth
    assert any(c.derived.text == "Putin" and c.origin and c.origin.text.startswith(
        "France has long asserted itself") for c in by_kind.get("attribution_added", []))
    # "new territorial realities" softened into a vaguer phrase
    assert any(c.origin and "territorial realities" in c.origin.text
               and "territorial" not in c.derived.text
               for c in by_kind.get("wording_softened", []))
    for change in result.changes:
        assert result.b.text[change.derived.start : change.derived.end] == change.derived.text
        if change.origin is not None:
            assert result.a.text[change.origin.start : change.origin.end] == change.origin.text
    assert result.as_dict()["changes"], "changes are in the JSON"


def test_other_languages_are_skipped_with_a_note() -> None:
    text = ("Die Regierung hat am Montag neue Hilfen angekündigt. Das Paket umfasst zwei "
            "Milliarden Euro, sagte der Minister. Es soll im Mai beginnen.")
    a = replace(article_from_text(text), language="de")
    b = replace(article_from_text(text + " Kritik kam von der Opposition."), language="de")
    result = compare(a, b)
    assert result.relation in ("copy", "derived")
    assert result.changes == []
    assert any("skipped" in note for note in result.notes)


def test_a_parser_process_parses_as_this_process_does() -> None:
    """The one-pair CLI parses in a forked child; the statements must be the same,
    and a child that died leaves the parse to this process rather than failing."""
    import multiprocessing

    from newstrace.nlp.attribution import parse_sentences
    from newstrace.nlp.parse_worker import ParserProcess

    article = article_from_text(
        "The press service said Lira told Osk that talks would resume. "
        "“We will stay in touch,” the minister said. Prices rose 4% in May.")
    items = [(i, s.text, s.start) for i, s in enumerate(article.sentences)]
    worker = ParserProcess(multiprocessing.get_context("fork"))
    try:
        parsed = worker(items)
        assert parsed == parse_sentences(items)
        assert any(st.speaker for sts in parsed.statements.values() for st in sts)
    finally:
        worker.close()
    worker._process.join()
    assert worker(items) == parse_sentences(items)  # the pipe is closed: parsed here


def test_a_parse_cache_parses_each_sentence_once() -> None:
    """A corpus asks for an article's sentences in each of its pairs: one parse each."""
    from newstrace.nlp.attribution import ParseCache, parse_sentences

    asked: list[int] = []

    def counting(items):  # the real parser, counted
        asked.extend(i for i, _, _ in items)
        return parse_sentences(items)

    article = article_from_text(
        "The press service said Lira told Osk that talks would resume. "
        "“We will stay in touch,” the minister said. Prices rose 4% in May.")
    items = [(i, s.text, s.start) for i, s in enumerate(article.sentences)]
    cache = ParseCache(counting, max_items=2)
    assert cache(items[:2]) == parse_sentences(items[:2])
    assert cache(items) == parse_sentences(items)  # 0 and 1 remembered, 2 parsed
    assert asked == [0, 1, 2]
    assert cache(items[2:]) == parse_sentences(items[2:]) and asked == [0, 1, 2]


def test_specific_wording_made_general_is_reported_with_both_phrases() -> None:
    origin = "The army said its drones had struck an ammunition depot near the border town."
    derived = "The army said its drones had struck a target near the border town."
    assert "wording_softened" in predict_changes(origin, derived, default_embedder())
    assert "wording_softened" not in predict_changes(origin, origin, default_embedder())
    result = compare(origin, derived)
    (change,) = [c for c in result.changes if c.kind == "wording_softened"]
    assert change.origin is not None and change.origin.text.startswith("an ammunition depot")
    assert change.derived.text.startswith("a target")


def test_wording_check_needs_thresholds_fitted_for_its_embedder() -> None:
    from newstrace.reuse.wording import WordingParams

    assert WordingParams.for_embedder(default_embedder().name) is not None
    assert WordingParams.for_embedder("an-embedder-nobody-fitted") is None


def test_noun_phrases_do_not_straddle_a_quotation_mark() -> None:
    from newstrace.nlp.attribution import parser
    from newstrace.nlp.phrases import noun_phrases

    text = "They vowed to protect the “regional fishing regime,” the minister said."
    spans = [text[a:b] for a, b in noun_phrases(parser()(text), 0)]
    assert "regional fishing regime" in spans
    assert not any("“" in s or "”" in s for s in spans)
