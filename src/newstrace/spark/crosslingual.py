"""Candidates across languages on Spark: ``corpus.crosslingual`` as DataFrame stages.

Locally a store that mixes languages gives every article a multilingual lead
vector and matches each new article against its nearest neighbours in other
languages. Here the same vectors are made per partition with the same function
(``lead_vectors``, models loaded once per executor), the neighbours come from
the exact blocked join the same-language candidates use (ties at the cut kept,
as the local index query keeps them), in which rows of one language, of an unknown
language or too far apart in time never meet: neighbours are counted among the
articles that can pair, as locally. A corpus in one language skips all of it; the
only thing collected is its handful of distinct languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from newstrace.corpus.crosslingual import CrossLingualSettings, base_language, lead_vectors
from newstrace.spark.costs import Costs
from newstrace.spark.rows import article_from_json
from newstrace.spark.similarity import similarity_join, time_bucket

VECTOR_SCHEMA = "id string, language string, ts double, vector array<float>"


def languages(articles: Any) -> set[str]:
    """The corpus's base languages (unknown left out)."""
    found = {base_language(r.language) for r in articles.select("language").distinct().collect()}
    return {lang for lang in found if lang}


def _vectors(rows: Iterable[Any], lead: int) -> Iterator[tuple[Any, ...]]:
    from newstrace.nlp.use_embed import multilingual_embedder

    batch = [(row.ts, article_from_json(row.article)) for row in rows]
    for start in range(0, len(batch), 200):
        chunk = batch[start : start + 200]
        vectors = lead_vectors([a for _, a in chunk], multilingual_embedder(), lead)
        for (ts, article), vector in zip(chunk, vectors, strict=True):
            yield (article.id, base_language(article.language), ts,
                   vector.astype("float32").tolist())


def crosslingual_pairs(articles: Any, window_days: float, *, block_size: int, scoped: bool,
                       settings: CrossLingualSettings | None = None,
                       costs: Costs | None = None) -> Any:
    """(a, b) with a < b in different languages, one among the other's nearest by
    multilingual lead vector among the articles in other languages inside its window."""
    from pyspark.sql import functions as F

    settings = settings or CrossLingualSettings.fitted()
    lead = settings.lead_sentences
    spark = articles.sparkSession
    task = (costs.timed("multilingual_vectors", lambda rows: _vectors(rows, lead)) if costs
            else (lambda rows: _vectors(rows, lead)))
    vectors = spark.createDataFrame(articles.select("ts", "article").rdd.mapPartitions(task),
                                    VECTOR_SCHEMA)
    rows = vectors.select("id", "vector", "ts", F.col("language").alias("grp"),
                          time_bucket(F.col("ts"), window_days, scoped).alias("tb"))
    # neighbours counted among the rows that can pair: another known language, inside
    # the window (as ``CrossLingualIndex.candidates`` counts them)
    found = similarity_join(rows, None, top=settings.neighbours + 1, floor=settings.min_cosine,
                            block_size=block_size, costs=costs, name="crosslingual_knn",
                            window_seconds=window_days * 86400.0, across_groups=True)
    return (found.where(F.col("q") != F.col("n"))
            .select(F.least("q", "n").alias("a"), F.greatest("q", "n").alias("b")).distinct())
