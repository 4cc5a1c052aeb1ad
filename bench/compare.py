"""Compare throughput and cold-start time.

    .venv/bin/python bench/compare.py [--pairs 200]

1. Pairs per second for ~600-word articles with cached sentence embeddings
   (the corpus setting: each article is embedded once and compared many times;
   the attribution parser loaded before timing, as the embedder is),
   next to a baseline a Python user would write: difflib sentence matching.
2. Cold CLI time for ``newstrace compare A B --format json``, model load included.
Articles are BBC News texts from ../shared/data (two joined when one is short),
compared as copies, trimmed copies and unrelated pairs.
3. Across languages (issue 8): the 64 pairs of ``eval/cross_pairs`` (350-word wire
   stories and their translations, rewrites, other reports; multilingual USE and
   ``params-use.json``) next to the English dev set's pairs (``eval/news_pairs``, the
   same stories in English; MiniLM), both with cached embeddings, plus the time to
   embed each set's sentences once.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import start  # bench/_common.py, beside this script

from newstrace.api import article_from_text
from newstrace.evaluation.datasets import bbc_news, news_pairs
from newstrace.evaluation.pairs import to_article
from newstrace.model import Article
from newstrace.nlp.attribution import parser as load_parser
from newstrace.nlp.embed import Embedder, default_embedder
from newstrace.reuse.compare import compare_articles
from newstrace.reuse.features import units
from newstrace.reuse.params import load_params


def six_hundred_word_texts(n: int, seed: int = 3) -> list[str]:
    texts = [t for _, t in bbc_news()]
    rng = random.Random(seed)
    rng.shuffle(texts)
    out: list[str] = []
    buffer = ""
    for text in texts:
        buffer = (buffer + "\n" + text).strip() if buffer else text
        if len(buffer.split()) >= 550:
            words = buffer.split(" ")
            out.append(" ".join(words[:650]))
            buffer = ""
        if len(out) >= n:
            break
    return out


def make_pairs(n: int) -> list[tuple[Article, Article]]:
    texts = six_hundred_word_texts(n + 1)
    pairs = []
    for i in range(n):
        origin = article_from_text(texts[i], f"bench-{i}", outlet="Origin Wire")
        kind = i % 3
        if kind == 0:
            other = texts[i]
        elif kind == 1:
            paragraphs = texts[i].split("\n")
            other = "\n".join(p for k, p in enumerate(paragraphs) if k % 4 != 1)
        else:
            other = texts[i + 1]
        pairs.append((origin, article_from_text(other, f"bench-{i}-b", outlet="Copier")))
    return pairs


def difflib_baseline(a: Article, b: Article) -> float:
    """Best difflib ratio per sentence of b against a: what a quick script would do."""
    matched = 0
    for s in b.sentences:
        best = max((difflib.SequenceMatcher(None, s.text, t.text).ratio() for t in a.sentences),
                   default=0.0)
        matched += best >= 0.6
    return matched / max(len(b.sentences), 1)


def dev_set_speed(folder: str, embedder: Embedder,
                  attribution: bool = True) -> tuple[int, float, float]:
    """(pairs, seconds to embed every sentence once, pairs/s with cached embeddings)."""
    pairs = [(to_article(p.a), to_article(p.b)) for p in news_pairs(folder=folder)]
    started = time.perf_counter()
    relations = [compare_articles(a, b, embedder, attribution=attribution).relation
                 for a, b in pairs]
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(3):
        again = [compare_articles(a, b, embedder, attribution=attribution).relation
                 for a, b in pairs]
    cached = 3 * len(pairs) / (time.perf_counter() - started)
    assert again == relations
    return len(pairs), first - len(pairs) / cached, cached


def cross_language_speed() -> None:
    from newstrace.nlp.use_embed import multilingual_embedder

    english = default_embedder()
    n_en, embed_en, en = dev_set_speed("news_pairs", english)
    _, _, en_plain = dev_set_speed("news_pairs", english, attribution=False)
    use = multilingual_embedder()
    n_x, embed_x, across = dev_set_speed("cross_pairs", english)
    print(f"English dev set (MiniLM), cached embeddings: {en:.1f} pairs/s ({n_en} pairs; "
          f"embedding once {embed_en:.1f} s); without attribution analysis "
          f"(which cross-language pairs skip): {en_plain:.1f} pairs/s")
    print(f"cross-language dev set (USE), cached embeddings: {across:.1f} pairs/s ({n_x} pairs; "
          f"embedding once {embed_x:.1f} s, {use.misses} texts)")


def cold_cli(a: Path, b: Path, runs: int = 3) -> float:
    exe = Path(sys.executable).with_name("newstrace")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(exe), "compare", str(a), str(b), "--format", "json"], check=True,
                       capture_output=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=120)
    args = parser.parse_args()
    if not start():
        return 0
    pairs = make_pairs(args.pairs)
    words = statistics.mean(len(a.text.split()) for a, _ in pairs)
    embedder = default_embedder()
    params = load_params()
    started = time.perf_counter()
    for a, b in pairs:  # warm the cache: every sentence and clause embedded once
        units(a, embedder.encode)
        units(b, embedder.encode)
    embed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    load_parser()  # loaded once per process, like the embedder; the cold CLI below pays for both
    parser_seconds = time.perf_counter() - started
    started = time.perf_counter()
    relations = [compare_articles(a, b, embedder, params).relation for a, b in pairs]
    ours = len(pairs) / (time.perf_counter() - started)
    started = time.perf_counter()
    for a, b in pairs:
        difflib_baseline(a, b)
    base = len(pairs) / (time.perf_counter() - started)
    print(f"pairs: {len(pairs)} (mean {words:.0f} words per origin article); "
          f"relations: { {r: relations.count(r) for r in sorted(set(relations))} }")
    print(f"embedding all sentences and clauses once: {embed_seconds:.1f} s "
          f"({embedder.misses} texts, {embedder.misses / embed_seconds:.0f} texts/s)")
    print(f"attribution parser load (once per process): {parser_seconds:.1f} s")
    print(f"newstrace compare, cached embeddings: {ours:.1f} pairs/s")
    print(f"baseline difflib sentence matching:   {base:.1f} pairs/s")
    print(f"ratio newstrace / baseline: {ours / base:.2f}x")
    with tempfile.TemporaryDirectory() as tmp:
        a_path, b_path = Path(tmp) / "a.txt", Path(tmp) / "b.txt"
        a_path.write_text(pairs[1][0].raw, encoding="utf-8")
        b_path.write_text(pairs[1][1].raw, encoding="utf-8")
        print(f"cold CLI compare (model load included), median of 3: "
              f"{cold_cli(a_path, b_path):.2f} s")
    cross_language_speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
