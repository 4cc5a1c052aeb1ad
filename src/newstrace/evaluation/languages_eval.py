"""Relation accuracy across languages on the project's own dev set (``eval/cross_pairs``).

Pairs go through ``compare_articles`` as the CLI runs them, so the engine each
pair gets (MiniLM for English, USE otherwise) is the one measured. Accuracy is
reported per language pair (as "en-fr", in the pair's order) and overall.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from newstrace.evaluation import datasets
from newstrace.evaluation.pairs import to_article
from newstrace.nlp.embed import Embedder
from newstrace.reuse.compare import compare_articles

CROSS_FOLDER = "cross_pairs"


class Report(Protocol):
    def add(self, suite: str, name: str, value: float | None, **kwargs: object) -> None: ...


def cross_dev_suite(report: Report, embedder: Embedder) -> None:
    pairs = datasets.news_pairs(folder=CROSS_FOLDER)
    hits: dict[str, list[bool]] = defaultdict(list)
    translated: list[bool] = []
    for pair in pairs:
        a, b = to_article(pair.a), to_article(pair.b)
        result = compare_articles(a, b, embedder, attribution=False)
        key = f"{a.language or '?'}-{b.language or '?'}"
        hits[key].append(result.relation == pair.relation)
        if a.language != b.language and pair.relation in ("copy", "derived"):
            translated.append(result.translated)
    everything = [h for group in hits.values() for h in group]
    if not everything:
        return
    report.add("cross_dev", "relation accuracy, all pairs", sum(everything) / len(everything),
               target="≥ 0.85", n=len(everything), note="issue 8 dev set; nothing fitted on it")
    for key in sorted(hits):
        report.add("cross_dev", f"relation accuracy, {key}", sum(hits[key]) / len(hits[key]),
                   n=len(hits[key]))
    if translated:
        report.add("cross_dev", "translations marked translated",
                   sum(translated) / len(translated), n=len(translated))
