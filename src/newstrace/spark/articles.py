"""Cleaning, boilerplate learned per outlet, and fingerprints, as Spark stages.

The local ingest cleans each article, counts its short lines per outlet, and
re-cleans an outlet's articles once some lines cross the repeated-boilerplate
floor (``Store.repeated_lines``: at least 3 articles and 2% of the outlet).
Its end state is every article cleaned with its outlet's final repeated set,
which is what this does in two passes: ``prepare`` with no repeated lines (to
get line keys and the outlet), an aggregate for the sets (small: a few keys
per outlet, broadcast), then ``prepare`` again, as ``reclean`` does, for
outlets that have any. Fingerprints are ``corpus.fingerprints`` per partition.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from newstrace.corpus.candidates import _when
from newstrace.corpus.fingerprints import fingerprints, lsh_buckets
from newstrace.corpus.store import REPEATED_MIN_ARTICLES, REPEATED_MIN_SHARE, outlet_key
from newstrace.io.export import _flat
from newstrace.prepare import prepare
from newstrace.spark.rows import article_from_json, article_json

FIRST_PASS_SCHEMA = ("rank long, id string, outlet_key string, line_keys array<long>, "
                     "article string, source string, reason string")

ARTICLE_SCHEMA = (
    "rank long, id string, published string, first_seen string, ts double, "
    "article string, vector array<float>, buckets array<long>"
)

FLAT_SCHEMA = ("id string, url string, domain string, outlet string, title string, "
               "published string, first_seen string, language string, text string, "
               "source string, sentences long, removals string, embeds string, credits string")


def first_pass(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """``prepare`` with no learned boilerplate; a failure or an empty text is a reject.

    The messages are ``corpus.ingest._prepare_one``'s.
    """
    for row in rows:
        article = article_from_json(row.article)
        try:
            cleaned, record = prepare(article)
        except Exception as exc:
            yield (row.rank, row.id, None, None, None, str(article.source),
                   f"could not clean: {type(exc).__name__}: {exc}")
            continue
        if not cleaned.text.strip():
            yield (row.rank, row.id, None, None, None, str(article.source),
                   "no article text left after removing boilerplate")
            continue
        yield (row.rank, row.id, outlet_key(cleaned), sorted(record.line_keys),
               article_json(cleaned), str(article.source), None)


def repeated_floor(total: int) -> int:
    """``Store.repeated_lines``' floor for an outlet of ``total`` articles."""
    return max(REPEATED_MIN_ARTICLES, int(total * REPEATED_MIN_SHARE + 0.999))


def repeated_sets(first: Any) -> dict[str, frozenset[int]]:
    """Each outlet's repeated lines, aggregated in Spark; only the sets reach the driver."""
    from pyspark.sql import functions as F

    ok = first.where(F.col("reason").isNull() & F.col("outlet_key").isNotNull())
    totals = ok.groupBy("outlet_key").agg(F.count("*").alias("total"))
    floor = F.greatest(F.lit(REPEATED_MIN_ARTICLES),
                       F.floor(F.col("total") * REPEATED_MIN_SHARE + 0.999).cast("long"))
    counts = (ok.select("outlet_key", F.explode("line_keys").alias("key"))
              .groupBy("outlet_key", "key").agg(F.count("*").alias("n")))
    found = (counts.join(totals, "outlet_key").where(F.col("n") >= floor)
             .groupBy("outlet_key").agg(F.collect_list("key").alias("keys")))
    return {r.outlet_key: frozenset(r.keys) for r in found.collect()}


def second_pass(rows: Iterable[Any], repeated: dict[str, frozenset[int]], bands: int
                ) -> Iterator[tuple[Any, ...]]:
    """Re-clean with the outlet's repeated lines (as ``reclean``), then fingerprint.

    Fingerprints go a batch at a time through the same functions as
    ``corpus.candidates.fingerprint``; ``ts`` is the publication time the window
    test compares (``candidates._when``), or null when unknown.
    """
    batch: list[tuple[int, Any]] = []
    for row in rows:
        article = article_from_json(row.article)
        known = repeated.get(row.outlet_key or "")
        if known:
            fresh = prepare(article, known)[0]
            if fresh.text.strip():  # reclean keeps the old text rather than none
                article = fresh
        batch.append((row.rank, article))
        if len(batch) >= 200:
            yield from _fingerprinted(batch, bands)
            batch = []
    yield from _fingerprinted(batch, bands)


def _fingerprinted(batch: list[tuple[int, Any]], bands: int) -> Iterator[tuple[Any, ...]]:
    if not batch:
        return
    texts = [a.text for _, a in batch]
    digests, vectors = fingerprints(texts)
    for (rank, article), digest, vector in zip(batch, digests, vectors, strict=True):
        when = _when(article.published)
        # LSH keys are crc32 values (unsigned 32-bit): they fit a long as they are
        buckets = [int(h) for h in lsh_buckets(digest, bands)]
        yield (rank, article.id, article.published, article.first_seen,
               when.timestamp() if when else None, article_json(article),
               vector.astype("float32").tolist(), buckets)


def flat_rows(rows: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """The articles table: the columns of ``newstrace export --format parquet``."""
    for row in rows:
        yield _flat(article_from_json(row.article))
