"""Compare candidate pairs in executors with the local run's engine and function.

Each Python worker loads its engine once (a module-level cache; Spark reuses
workers across tasks) and keeps an ``ArticleMemo`` for the worker's lifetime:
pairs arrive grouped by their first article, so its sentences are embedded and
scored once per partition, as the local run's breadth-first order arranges.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any

from newstrace.corpus.engine import Engine, engine
from newstrace.reuse.compare import compare_articles
from newstrace.reuse.features import ArticleMemo
from newstrace.spark.costs import Costs
from newstrace.spark.rows import article_from_json

PAIR_SCHEMA = ("a string, b string, relation string, confidence double, origin string, "
               "credit string, coverage double, result string, related double")

_ENGINES: dict[tuple[str, bool], tuple[Engine, ArticleMemo]] = {}


def worker_engine(name: str, screen: bool = True) -> tuple[Engine, ArticleMemo]:
    """This worker's engine and memo, loaded on first use."""
    if (name, screen) not in _ENGINES:
        _ENGINES[name, screen] = (engine(name, screen=screen), ArticleMemo())
    return _ENGINES[name, screen]


def compare_partition(rows: Iterable[Any], engine_name: str, screen: bool = True,
                      failed: Any = None, changes: bool = False) -> Iterator[tuple[Any, ...]]:
    """One output row per pair, shaped like ``pipeline._pair_row`` (JSON result included).

    As in ``pipeline._Comparer.rows``, a pair with an article without sentences
    is passed over, and so is a pair whose compare raises: it is named on the
    executor's stderr and counted in ``failed`` (an accumulator), and the job goes on.
    """
    from newstrace.corpus.pipeline import _pair_row

    eng, memo = worker_engine(engine_name, screen)
    cache: dict[str, Any] = {}
    for row in rows:
        if len(cache) > 2000:
            cache = {}
        a = cache.get(row.a) or cache.setdefault(row.a, article_from_json(row.article_a))
        b = cache.get(row.b) or cache.setdefault(row.b, article_from_json(row.article_b))
        if not a.sentences or not b.sentences:
            continue
        try:
            # unless asked, changes are analysed when a pair is opened, as in the local run
            result = compare_articles(a, b, eng.embedder, eng.params, memo=memo,
                                      screen=eng.screen, attribution=changes)
        except Exception as exc:  # counted in the job's summary; the job goes on
            print(f"newstrace: compare failed for {row.a} × {row.b}: "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr)
            if failed is not None:
                failed.add(1)
            continue
        a_id, b_id, relation, confidence, origin, credit, coverage, data, _, related = \
            _pair_row(result)
        yield a_id, b_id, relation, confidence, origin, credit, coverage, data, related


def compare_pairs(pairs: Any, articles: Any, engine_name: str, partitions: int,
                  costs: Costs | None = None, *, screen: bool = True,
                  changes: bool = False) -> tuple[Any, Any]:
    """A DataFrame of compare results for candidate pairs (a < b), and an accumulator
    counting the pairs whose compare failed (read it after an action)."""
    from pyspark.sql import functions as F

    texts = articles.select("id", "article")
    joined = (pairs.join(texts.toDF("a", "article_a"), "a")
              .join(texts.toDF("b", "article_b"), "b")
              .repartition(partitions, "a").sortWithinPartitions("a", "b"))
    spark = pairs.sparkSession
    costs = costs or Costs(spark.sparkContext)
    failed = spark.sparkContext.accumulator(0)
    rdd = joined.select("a", "b", "article_a", "article_b").rdd.mapPartitions(
        costs.timed("compare", lambda it: compare_partition(it, engine_name, screen, failed,
                                                            changes)))
    return spark.createDataFrame(rdd, PAIR_SCHEMA).withColumn(
        "confidence", F.col("confidence").cast("double")), failed
