"""Fit the cross-language candidate settings that corpus mode ships.

    python -m newstrace.evaluation.fit_candidates [--cache ~/.cache/newstrace/vectors.sqlite]

Pairs that must become candidates: the cross-language dev set's copies,
rewrites and independent reports (``eval/cross_pairs``) and SemEval-2022's
German–English pairs rated about the same story (Overall ≤ 2). Pairs that
need not: the dev set's pairs across story families and SemEval's far
German–English pairs (Overall ≥ 3.25). For each number of lead sentences the
floor is the highest cosine (on a 0.05 grid) that keeps every copy and rewrite
and at least ``RECALL`` of the same-story pairs; the lead kept is the one that
lets the fewest far pairs through, the shorter lead on a tie (it embeds less).
Writes ``src/newstrace/corpus/crosslingual.json`` with the measured numbers.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.corpus.crosslingual import SETTINGS_FILE, base_language, lead_vectors
from newstrace.evaluation.datasets import (
    DEFAULT_CACHE,
    ArticleRecord,
    news_pairs,
    semeval2022,
)
from newstrace.evaluation.pairs import to_article
from newstrace.model import Article
from newstrace.nlp.use_embed import USEEmbedder
from newstrace.nlp.vector_cache import PersistentEmbedder, VectorCache

#: Share of same-story pairs the floor must keep (every copy and rewrite is kept).
#: Not 1.0: two of SemEval's "same story" German–English pairs score about 0 (one side
#: is mostly page furniture), and a floor under them would keep everything.
RECALL = 0.95
LEADS = (3, 5, 10, 20)
#: Not fitted (the dev set has at most seven versions of a story): how many nearest
#: vectors, in any language, an article is matched against; pairs in its own
#: language are then dropped, so this is generous.
NEIGHBOURS = 30
OUT = Path(__file__).resolve().parents[1] / "corpus" / SETTINGS_FILE


def _labelled() -> tuple[dict[str, Article], list[tuple[str, str, str]]]:
    """Articles by name, and (a, b, label) with label copy | derived | same_story | far."""
    articles: dict[str, Article] = {}
    pairs: list[tuple[str, str, str]] = []
    dev = news_pairs(folder="cross_pairs")
    for p in dev:
        for record in (p.a, p.b):
            articles.setdefault(record.name, to_article(record))
        if p.relation != "unrelated":
            pairs.append((p.a.name, p.b.name, p.relation))
    family = {name: name.split("/")[0] for name in articles}
    for x, y in itertools.combinations(sorted(articles), 2):
        if family[x] != family[y] and articles[x].language != articles[y].language:
            pairs.append((x, y, "far"))
    for s in semeval2022():
        if {s.lang1, s.lang2} != {"de", "en"} or not (s.overall <= 2.0 or s.overall >= 3.25):
            continue
        names = (f"semeval:{s.pair_id}:1", f"semeval:{s.pair_id}:2")
        for name, text, lang in zip(names, (s.text1, s.text2), (s.lang1, s.lang2),
                                    strict=True):
            articles[name] = to_article(ArticleRecord(text, name, language=lang))
        if articles[names[0]].sentences and articles[names[1]].sentences:
            pairs.append((*names, "same_story" if s.overall <= 2.0 else "far"))
    return articles, pairs


def fit(cache: Path) -> dict[str, Any]:
    embedder = PersistentEmbedder(USEEmbedder(), VectorCache(cache))
    articles, pairs = _labelled()
    names = sorted(articles)
    by_lead: dict[int, dict[str, Any]] = {}
    for lead in LEADS:
        vectors = dict(zip(names, lead_vectors([articles[n] for n in names], embedder, lead),
                           strict=True))
        cos = {label: np.array([float(vectors[a] @ vectors[b]) for a, b, lab in pairs
                                if lab == label])
               for label in ("copy", "derived", "same_story", "far")}
        must = np.concatenate([cos["copy"], cos["derived"]])
        floor = 0.0
        for cut in np.arange(0.95, -0.001, -0.05):
            if must.min() >= cut and np.mean(cos["same_story"] >= cut) >= RECALL:
                floor = round(float(cut), 2)
                break
        by_lead[lead] = {
            "min_cosine": floor,
            "recall": {k: round(float(np.mean(v >= floor)), 4) for k, v in cos.items()
                       if k != "far"},
            "far_pairs_above_floor": round(float(np.mean(cos["far"] >= floor)), 4),
            "median_cosine": {k: round(float(np.median(v)), 3) for k, v in cos.items()},
            "pairs": {k: len(v) for k, v in cos.items()},
        }
        print(f"lead {lead}: {by_lead[lead]}", file=sys.stderr)
    best = min(LEADS, key=lambda k: (by_lead[k]["far_pairs_above_floor"], k))
    languages = sorted({base_language(a.language) or "?" for a in articles.values()})
    return {"lead_sentences": best, "neighbours": NEIGHBOURS,
            "min_cosine": by_lead[best]["min_cosine"],
            "report": {"fitted_on": "eval/cross_pairs (copy, derived, same_story; far = pairs "
                                    "across story families) and SemEval-2022 de-en "
                                    "(Overall <= 2 same story, >= 3.25 far)",
                       "languages": languages, "recall_target": RECALL,
                       "embedder": embedder.name,
                       "by_lead_sentences": {str(k): v for k, v in by_lead.items()}}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not news_pairs(folder="cross_pairs"):
        print("eval/cross_pairs not found: nothing to fit on", file=sys.stderr)
        return 1
    settings = fit(args.cache)
    args.out.write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: lead {settings['lead_sentences']}, floor "
          f"{settings['min_cosine']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
