"""The corpus benchmark's rule-made rewrites: reworded as claimed, reproducibly."""

from __future__ import annotations

import random
import re

from newstrace.evaluation.rewrite_rules import (
    CLOSERS,
    heavy_rewrite,
    light_rewrite,
    sentences,
    swap_words,
)
from newstrace.evaluation.synthetic_corpus import distinct_texts

TITLE = "Carmaker warns of job cuts as profits fall"
PARAGRAPHS = [
    "The company said on Tuesday that profits fell by 12% in the three months to June. "
    "However, the chief executive believes sales will rise again before the end of the year.",
    "Officials said the government had held talks with the firm about the plans. "
    "The move is expected to affect several hundred workers at the plant in Northfield, "
    "and unions have warned of strikes.",
    "Shares in the company dropped 4% in early trading. Analysts said the figures showed "
    "a very difficult market for carmakers across the country.",
    "A spokesman for the firm said it would announce a decision in the coming weeks.",
]


def _grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _shared(original: list[str], version: list[str]) -> float:
    a, b = _grams(" ".join(original)), _grams(" ".join(version))
    return len(a & b) / len(b)


def test_swaps_keep_case_and_leave_other_words() -> None:
    out = swap_words("However, The Company said Profits fell in Northfield.",
                     random.Random(0), 1.0)
    assert out == "But, The Firm stated Earnings dropped in Northfield."


def test_heavy_rewrites_share_fewer_word_sequences_than_light_ones() -> None:
    light_shares, heavy_shares = [], []
    for seed in range(20):
        _, light = light_rewrite(TITLE, PARAGRAPHS, random.Random(seed))
        _, heavy = heavy_rewrite(TITLE, PARAGRAPHS, random.Random(seed))
        light_shares.append(_shared(PARAGRAPHS, light))
        heavy_shares.append(_shared(PARAGRAPHS, heavy))
        assert len(light) == len(PARAGRAPHS)  # a light rewrite keeps every paragraph
        assert heavy[-1] in CLOSERS  # a heavy one ends with a line of its own
        # the story's specifics survive the rewording
        assert "12%" in " ".join(light) or "Northfield" in " ".join(light)
    assert max(heavy_shares) < min(light_shares)
    assert sum(light_shares) / len(light_shares) < 0.9


def test_rewrites_are_reproducible_from_the_seed() -> None:
    first = heavy_rewrite(TITLE, PARAGRAPHS, random.Random(5))
    assert first == heavy_rewrite(TITLE, PARAGRAPHS, random.Random(5))
    assert first != heavy_rewrite(TITLE, PARAGRAPHS, random.Random(6))


def test_sentences_split_after_stops_before_capitals() -> None:
    assert sentences(PARAGRAPHS[2]) == [
        "Shares in the company dropped 4% in early trading.",
        "Analysts said the figures showed a very difficult market for carmakers across "
        "the country."]


def test_the_bench_corpus_uses_a_report_filed_twice_once() -> None:
    """A re-filed report (headline changed) is one story; a follow-up reusing one
    paragraph of background is another event and stays."""
    report = TITLE + "\n" + "\n".join(PARAGRAPHS)
    refiled = "Carmaker to cut jobs after profits drop\n" + "\n".join(PARAGRAPHS)
    follow_up = ("Unions call strike at Northfield plant\n"
                 "Workers at the plant in Northfield voted on Friday to strike over the plans, "
                 "after weeks of talks between their union leaders and the management failed.\n"
                 "Union officials said the vote was the clearest message yet from members who "
                 "had waited months for answers about the future of the site.\n"
                 + PARAGRAPHS[2])
    assert distinct_texts([report, refiled, follow_up, report]) == [report, follow_up]
