"""The Spark job: inputs → articles → candidates → compare → stories → Parquet tables.

Run it with ``newstrace spark run INPUT... -o OUT/`` or, on a cluster,
``spark-submit --py-files newstrace.whl -m``-style through this module's
``__main__`` (see README, "Spark"). Tables written under OUT/: ``articles``,
``pairs``, ``stories``, ``edges``, ``rejects`` (Parquet folders) and
``run.json`` (settings and counts) when OUT is a local path.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newstrace import __version__
from newstrace.corpus.candidates import CandidateSettings
from newstrace.corpus.crosslingual import CrossLingualSettings
from newstrace.corpus.engine import DEFAULT_ENGINE, ENGINES
from newstrace.corpus.stories import LINK_FLOOR
from newstrace.io.common import DEFAULT_MAX_DOC_BYTES, ReadOptions
from newstrace.io.fields import parse_field_map
from newstrace.model import SCREENED_TAIL
from newstrace.spark import articles as art
from newstrace.spark import crosslingual
from newstrace.spark.candidates import candidate_pairs, within_window
from newstrace.spark.compare import compare_pairs
from newstrace.spark.costs import Costs
from newstrace.spark.read import READ_SCHEMA, list_inputs, read_inputs
from newstrace.spark.stories import build_groups, story_table

TABLES = ("articles", "pairs", "stories", "edges", "rejects")
REJECT_SCHEMA = "source string, reason string, stage string"


@dataclass(slots=True)
class SparkSettings:
    """What a Spark run may set beyond the local run's candidate settings."""

    candidates: CandidateSettings = field(default_factory=CandidateSettings)
    engine: str = DEFAULT_ENGINE
    partitions: int = 0  # 0: four per core Spark has
    block_size: int = 2000  # rows per block of the exact neighbour join
    knn_scope: str = "global"  # or "window": neighbours within nearby time buckets only
    screen: bool = True  # settle clear pairs before the full compare (``reuse.screen``)
    #: analyse what copies and rewrites changed during the job (else when a pair is shown)
    changes: bool = False

    def as_dict(self) -> dict[str, Any]:
        return self.candidates.as_dict() | {
            "engine": self.engine, "partitions": self.partitions,
            "block_size": self.block_size, "knn_scope": self.knn_scope,
            "screen": self.screen, "changes": self.changes}


def run_job(spark: Any, paths: Sequence[str], out: str, settings: SparkSettings | None = None,
            options: ReadOptions | None = None) -> dict[str, Any]:
    """The whole corpus pipeline on ``spark``; returns counts and seconds per stage."""
    from pyspark.sql import functions as F
    from pyspark.storagelevel import StorageLevel

    settings = settings or SparkSettings()
    options = options or ReadOptions()
    if settings.engine not in ENGINES:
        raise ValueError(f"unknown engine {settings.engine!r}: choose one of {ENGINES}")
    if settings.knn_scope not in ("global", "window"):
        raise ValueError("knn_scope must be 'global' or 'window'")
    sc = spark.sparkContext
    partitions = settings.partitions or max(2, 4 * sc.defaultParallelism)
    # Spark's default of 200 shuffle partitions makes every small stage slow
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    cand = settings.candidates
    scoped = settings.knn_scope == "window"
    seconds: dict[str, float] = {}
    costs = Costs(sc)
    out = out.rstrip("/")
    started = clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now

    files, missing = list_inputs(spark, paths)
    read = spark.createDataFrame(read_inputs(spark, files, options, partitions, costs),
                                 READ_SCHEMA)
    read = read.persist(StorageLevel.MEMORY_AND_DISK)
    read_rejects = read.where(F.col("id").isNull()).select(
        "source", "reason", F.lit("read").alias("stage"))
    firsts = (read.where(F.col("id").isNotNull())
              .withColumn("first", F.min("rank").over(_by_id()))
              .where(F.col("rank") == F.col("first")).drop("first"))
    duplicates = read.where(F.col("id").isNotNull()).count() - firsts.count()
    first = spark.createDataFrame(
        firsts.repartition(partitions).rdd.mapPartitions(costs.timed("clean", art.first_pass)),
        art.FIRST_PASS_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    clean_rejects = first.where(F.col("reason").isNotNull()).select(
        "source", "reason", F.lit("clean").alias("stage"))
    repeated = sc.broadcast(art.repeated_sets(first))
    bands = cand.bands
    articles = spark.createDataFrame(
        first.where(F.col("reason").isNull()).rdd.mapPartitions(costs.timed(
            "reclean_fingerprint", lambda rows: art.second_pass(rows, repeated.value, bands))),
        art.ARTICLE_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    missing_rows = spark.createDataFrame(
        [(m.source, m.reason, "read") for m in missing], REJECT_SCHEMA)
    rejects = read_rejects.unionByName(clean_rejects).unionByName(missing_rows)
    rejects.write.mode("overwrite").parquet(f"{out}/rejects")
    spark.createDataFrame(articles.select("article").rdd.mapPartitions(art.flat_rows),
                          art.FLAT_SCHEMA).write.mode("overwrite").parquet(f"{out}/articles")
    lap("read_clean_fingerprint")

    pairs = candidate_pairs(articles, cand, block_size=settings.block_size, scoped=scoped,
                            costs=costs)
    mixed = len(crosslingual.languages(spark.read.parquet(f"{out}/articles"))) > 1
    if mixed:  # as the local run: only a corpus that mixes languages pays for this
        pairs = pairs.unionByName(within_window(articles, crosslingual.crosslingual_pairs(
            articles, cand.window_days, block_size=settings.block_size, scoped=scoped,
            costs=costs), cand.window_days)).distinct()
    pairs = pairs.persist(StorageLevel.MEMORY_AND_DISK)
    n_candidates = pairs.count()
    lap("candidates")

    compared, failed = compare_pairs(pairs, articles, settings.engine, partitions, costs,
                                     screen=settings.screen, changes=settings.changes)
    # confidence as computed (the local store keeps it so too): the stories read it;
    # "screened" as in pairs.jsonl (a settled pair's result JSON ends with that key)
    compared.select(
        "a", "b", "relation", "confidence", "origin", "credit", "result", "related",
        F.col("result").endswith(SCREENED_TAIL).alias("screened"),
    ).write.mode("overwrite").parquet(f"{out}/pairs")
    lap("compare")

    # read back what was written: compares never run twice, and the plan starts fresh
    results = spark.read.parquet(f"{out}/pairs")
    related = results.where((F.col("relation") != "unrelated")
                            | (F.col("related") >= LINK_FLOOR)).select(
        "a", "b", "relation", "confidence", "origin", "credit", "related").persist()
    groups = build_groups(articles, related, window_days=cand.window_days,
                          block_size=settings.block_size, scoped=scoped, costs=costs)
    story_table(articles, groups, related).write.mode("overwrite").parquet(f"{out}/stories")
    spark.read.parquet(f"{out}/stories").select(
        F.col("id").alias("story_id"), F.explode("edges").alias("e")).select(
        "story_id", "e.*").write.mode("overwrite").parquet(f"{out}/edges")
    lap("stories")

    stored = spark.read.parquet(f"{out}/stories")
    by_relation = results.groupBy("relation").agg(
        F.count("*").alias("count"),
        F.sum(F.col("screened").cast("int")).alias("screened"),
    ).collect()
    summary: dict[str, Any] = {
        "files": len(files),
        "articles": spark.read.parquet(f"{out}/articles").count(),
        "duplicates": duplicates,
        "rejects": spark.read.parquet(f"{out}/rejects").count(),
        "candidates": n_candidates,
        "multilingual": mixed,
        "relations": {r.relation: r["count"] for r in by_relation},
        "screened": sum(int(r["screened"] or 0) for r in by_relation),
        # pairs whose compare raised: skipped, each named on its executor's stderr
        "failed": failed.value,
        "stories": stored.count(),
        "multi_stories": stored.where(F.size("articles") > 1).count(),
        "seconds": seconds | {"total": round(time.perf_counter() - started, 3)},
        "task_seconds": costs.as_dict(),
        "units": costs.units,
        "partitions": partitions,
    }
    for frame in (read, first, articles, pairs, related):
        frame.unpersist()
    if "://" not in out and not out.startswith("file:"):
        Path(out, "run.json").write_text(json.dumps(
            {"newstrace": __version__, "spark": spark.version, "paths": list(paths),
             "settings": settings.as_dict() | CrossLingualSettings.fitted().as_dict(),
             "report": summary}, indent=1), encoding="utf-8")
    return summary


def _by_id() -> Any:
    from pyspark.sql import Window

    return Window.partitionBy("id")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newstrace.spark.job",
        description="newstrace corpus mode on Spark (same options as `newstrace spark run`).")
    p.add_argument("inputs", nargs="+", help="JSONL, Parquet, WARC (and text/HTML) files or "
                   "folders; local paths or any URI Spark reads (hdfs://, s3a://)")
    p.add_argument("-o", "--output", required=True, help="folder for the Parquet tables")
    p.add_argument("--master", default=None, help="only when not under spark-submit")
    p.add_argument("--engine", default=DEFAULT_ENGINE, choices=ENGINES)
    p.add_argument("--partitions", type=int, default=0)
    p.add_argument("--bands", type=int, default=32)
    p.add_argument("--neighbours", type=int, default=15)
    p.add_argument("--min-cosine", type=float, default=0.2)
    p.add_argument("--window-days", type=float, default=30.0)
    p.add_argument("--block-size", type=int, default=2000)
    p.add_argument("--knn-scope", default="global", choices=("global", "window"))
    p.add_argument("--no-screen", dest="screen", action="store_false",
                   help="compare every candidate pair in full (no cheap first pass, "
                        "reuse.screen)")
    p.add_argument("--changes", action="store_true",
                   help="analyse what every copy and rewrite changed (attribution, "
                        "numbers, hedges) during the job, not when a pair is shown")
    p.add_argument("--map", action="append", default=[], dest="mapping",
                   help="FIELD=COLUMN")
    p.add_argument("--max-doc-mb", type=float, default=DEFAULT_MAX_DOC_BYTES / 1e6)
    return p


def settings_from(args: argparse.Namespace) -> tuple[SparkSettings, ReadOptions]:
    cand = CandidateSettings(bands=args.bands, neighbours=args.neighbours,
                             min_cosine=args.min_cosine, window_days=args.window_days)
    return (SparkSettings(cand, args.engine, args.partitions, args.block_size, args.knn_scope,
                          args.screen, args.changes),
            ReadOptions(field_map=parse_field_map(args.mapping),
                        max_doc_bytes=int(args.max_doc_mb * 1_000_000)))


def main(argv: Sequence[str] | None = None) -> int:
    from newstrace.spark.session import spark_session

    args = parser().parse_args(argv)
    settings, options = settings_from(args)
    spark = spark_session(args.master, shuffle_partitions=args.partitions or None)
    summary = run_job(spark, args.inputs, args.output, settings, options)
    print(json.dumps(summary | {"settings": asdict(settings)}, default=str, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
