"""Candidate pairs as DataFrames: what ``corpus.candidates.candidates_for`` finds.

Locally an article's candidates are its LSH bucket mates plus its nearest
neighbours among the articles inside its publication window (``neighbours + 1``
counted, itself dropped, cosine at least ``min_cosine``), then bucket pairs outside
the window are dropped. Here the buckets become a self-join on (band, bucket) and the
neighbours an exact blocked join (``similarity``) in which rows too far apart in time
never meet; the window test compares the same parsed times.
"""

from __future__ import annotations

from typing import Any

from newstrace.corpus.candidates import CandidateSettings
from newstrace.spark.costs import Costs
from newstrace.spark.similarity import similarity_join, time_bucket


def lsh_pairs(articles: Any) -> Any:
    """(a, b) with a < b sharing a bucket in any band."""
    from pyspark.sql import functions as F

    keys = articles.select("id", F.posexplode("buckets").alias("band", "bucket"))
    left, right = keys.alias("l"), keys.alias("r")
    return (left.join(right, (F.col("l.band") == F.col("r.band"))
                      & (F.col("l.bucket") == F.col("r.bucket"))
                      & (F.col("l.id") < F.col("r.id")))
            .select(F.col("l.id").alias("a"), F.col("r.id").alias("b")).distinct())


def neighbour_pairs(articles: Any, settings: CandidateSettings, *, block_size: int,
                    scoped: bool, costs: Costs | None = None) -> Any:
    """(a, b) with a < b where one is among the other's nearest neighbours."""
    from pyspark.sql import functions as F

    rows = articles.select("id", "vector", "ts",
                           time_bucket(F.col("ts"), settings.window_days, scoped).alias("tb"))
    found = similarity_join(rows, None, top=settings.neighbours + 1,
                            floor=settings.min_cosine, block_size=block_size, costs=costs,
                            window_seconds=settings.window_days * 86400.0)
    return (found.where(F.col("q") != F.col("n"))
            .select(F.least("q", "n").alias("a"), F.greatest("q", "n").alias("b")).distinct())


def within_window(articles: Any, pairs: Any, window_days: float) -> Any:
    """Pairs whose publication times are both known and too far apart are dropped."""
    from pyspark.sql import functions as F

    times = articles.select("id", "ts")
    ta, tb = times.toDF("a", "ta"), times.toDF("b", "tb")
    joined = pairs.join(ta, "a").join(tb, "b")
    keep = (F.col("ta").isNull() | F.col("tb").isNull()
            | (F.abs(F.col("ta") - F.col("tb")) <= window_days * 86400.0))
    return joined.where(keep).select("a", "b")


def candidate_pairs(articles: Any, settings: CandidateSettings, *, block_size: int,
                    scoped: bool, costs: Costs | None = None) -> Any:
    pairs = lsh_pairs(articles).unionByName(neighbour_pairs(
        articles, settings, block_size=block_size, scoped=scoped, costs=costs)).distinct()
    return within_window(articles, pairs, settings.window_days)
