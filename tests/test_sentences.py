"""Sentence splitting: offsets, quotes, abbreviations and headings."""

from __future__ import annotations

from newstrace.nlp.sentences import split_sentences


def test_offsets_point_into_the_text() -> None:
    text = ("The U.S. envoy met officials on Feb. 3 in Vienna. “We will not yield,” he said. "
            "Prices rose 3.5% in Jan. 2025, officials said.\nA Heading Without A Stop\n"
            "Dr. Ann Lee agreed! Did she?")
    sentences = split_sentences(text)
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
    assert [s.text for s in sentences] == [
        "The U.S. envoy met officials on Feb. 3 in Vienna.",
        "“We will not yield,” he said.",
        "Prices rose 3.5% in Jan. 2025, officials said.",
        "A Heading Without A Stop",
        "Dr. Ann Lee agreed!",
        "Did she?",
    ]
    assert [s.kind for s in sentences].count("heading") == 1


def test_quoted_sentences_stay_whole() -> None:
    text = "He said: “We’re done. We leave now.” Then he left."
    assert [s.text for s in split_sentences(text)] == [
        "He said: “We’re done. We leave now.”", "Then he left."]


def test_unknown_language_falls_back_and_empty_text_gives_nothing() -> None:
    assert split_sentences("") == []
    assert len(split_sentences("One thing. Another thing.", language="xx-YY")) == 2
