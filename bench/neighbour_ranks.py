"""How many nearest neighbours corpus mode must keep: partner ranks on labelled pairs.

    .venv/bin/python bench/neighbour_ranks.py

``run`` compares each article with its ``--neighbours`` nearest document vectors
(default 15) inside its time window, plus its LSH bucket mates. Fewer
neighbours means fewer compares, the cost that dominates a large run; too few
loses rewrites. This places every article of the labelled pair sets (the news
dev set and Clough & Stevenson's answers with their sources) in one window
together with all of BBC News as a haystack, and prints, per set and relation,
the rank a pair's partner reaches: a pair is a candidate when either article
has the other among its ``k`` nearest, so its rank is the smaller of the two.
Clough's five tasks are dense topics (19 answers on one subject each), which is
where same-story partners rank lowest.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from _common import start  # bench/_common.py, beside this script

from newstrace.corpus.candidates import CandidateSettings
from newstrace.corpus.fingerprints import fingerprints
from newstrace.evaluation import datasets
from newstrace.evaluation.pairs import to_article


def main() -> int:
    if not start():
        return 0
    texts: dict[str, str] = {}
    pairs: list[tuple[str, str, str, str]] = []  # (set, a, b, relation)
    for name, labelled in (("news_dev", datasets.news_pairs()),
                           ("clough", datasets.clough_stevenson())):
        for p in labelled:
            for record in (p.a, p.b):
                texts.setdefault(f"{name}/{record.name}", to_article(record).text)
            pairs.append((name, f"{name}/{p.a.name}", f"{name}/{p.b.name}", p.relation))
    names = list(texts) + [f"bbc/{k}" for k, _ in enumerate(datasets.bbc_news())]
    _, vectors = fingerprints(list(texts.values()) + [t for _, t in datasets.bbc_news()])
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    cosine = vectors @ vectors.T
    np.fill_diagonal(cosine, -2.0)  # an article is not its own neighbour
    order = np.argsort(-cosine, axis=1, kind="stable")
    rank = np.empty_like(order)
    rank[np.arange(len(names))[:, None], order] = np.arange(1, len(names) + 1)[None, :]
    at = {n: k for k, n in enumerate(names)}
    floor = CandidateSettings().min_cosine
    found: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for suite, a, b, relation in pairs:
        i, j = at[a], at[b]
        found[(suite, relation)].append((int(min(rank[i, j], rank[j, i])), float(cosine[i, j])))
    print(f"{len(texts)} labelled articles among {len(names)} in one window; "
          f"default neighbours {CandidateSettings().neighbours}, cosine floor {floor}")
    print(f"{'set':9} {'relation':11} {'pairs':>5} {'p50':>4} {'p95':>4} {'max':>4}  "
          "pairs under the floor (no rank makes them candidates)")
    for (suite, relation), ranked in sorted(found.items()):
        reachable = sorted(r for r, c in ranked if c >= floor)
        below = len(ranked) - len(reachable)
        if not reachable:
            print(f"{suite:9} {relation:11} {len(ranked):5}    —    —    —  {below}")
            continue
        p50 = reachable[len(reachable) // 2]
        p95 = reachable[int(0.95 * (len(reachable) - 1))]
        print(f"{suite:9} {relation:11} {len(ranked):5} {p50:4} {p95:4} {reachable[-1]:4}  "
              f"{below}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
