"""Relation accuracy across languages on the project's own dev set (``eval/cross_pairs``).

Pairs go through ``compare_articles`` as the CLI runs them, so the engine each
pair gets (MiniLM for English, USE otherwise) is the one measured. Accuracy is
reported per language pair (as "de-en", either order) and overall. Once
``params-use.json`` ships, its verdict was fitted on these pairs: the figures are
in-sample, and the note gives the grouped (by story family) CV stored with it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from newstrace.evaluation import datasets
from newstrace.evaluation.pairs import to_article
from newstrace.nlp.embed import Embedder
from newstrace.reuse.compare import compare_articles
from newstrace.reuse.languages import cross_params

CROSS_FOLDER = "cross_pairs"


class Report(Protocol):
    def add(self, suite: str, name: str, value: float | None, **kwargs: object) -> None: ...


def cross_dev_suite(report: Report, embedder: Embedder) -> None:
    pairs = datasets.news_pairs(folder=CROSS_FOLDER)
    hits: dict[str, list[bool]] = defaultdict(list)
    translated: list[bool] = []
    credit_ok: list[bool] = []
    for pair in pairs:
        a, b = to_article(pair.a), to_article(pair.b)
        result = compare_articles(a, b, embedder, attribution=False)
        key = "-".join(sorted((a.language or "?", b.language or "?")))
        hits[key].append(result.relation == pair.relation)
        if a.language != b.language and pair.relation in ("copy", "derived"):
            translated.append(result.translated)
        if pair.credited is not None and result.relation == pair.relation:
            credit_ok.append((result.credit_status == "credited") == pair.credited)
    everything = [h for group in hits.values() for h in group]
    if not everything:
        return
    params, fitted = cross_params()
    if fitted:
        cv = params.raw.get("report", {}).get("verdict", {}).get("cv_accuracy_by_source", {})
        note = (f"in-sample (params-use.json fitted on it); grouped CV by family "
                f"{cv.get('cross_dev', '—')} (dates withheld: {cv.get('cross_dev_undated', '—')})")
    else:
        note = "nothing fitted on it (English parameters)"
    report.add("cross_dev", "relation accuracy, all pairs", sum(everything) / len(everything),
               target="≥ 0.85", n=len(everything), note=note)
    by_pair = params.raw.get("report", {}).get("verdict", {}).get("cross_dev", {}).get(
        "cv_accuracy_by_language_pair", {}) if fitted else {}
    for key in sorted(hits):
        report.add("cross_dev", f"relation accuracy, {key}", sum(hits[key]) / len(hits[key]),
                   n=len(hits[key]),
                   note=f"in-sample; grouped CV {by_pair.get(key, '—')}" if fitted else "")
    if translated:
        report.add("cross_dev", "translations marked translated",
                   sum(translated) / len(translated), n=len(translated))
    if credit_ok:
        report.add("cross_dev", "credit accuracy", sum(credit_ok) / len(credit_ok),
                   n=len(credit_ok), note="pairs whose relation was read right")
