"""The Spark path in local[2] next to the local pipeline, on the same synthetic corpus.

    .venv/bin/python bench/spark.py [--sizes 5000,10000] [--skip-local] [--cores 2] [--keep DIR]

For each size it builds bench/corpus.py's BBC corpus, runs ``newstrace run``'s
pipeline (one process per core, as the CLI does) and the Spark job in
``local[N]`` on the same files, and prints articles per second for both, their
ratio, Spark's seconds per stage, whether the two agree (pairs: relation and
origin; stories), and an estimate for 10M articles on a 50-executor cluster from
the measured core-seconds per article (per pair for compare, per block pair
for the neighbour join). Run it on a quiet machine: it measures throughput.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import start  # bench/_common.py, beside this script
from corpus import build_corpus  # bench/corpus.py's generator

from newstrace.corpus.pipeline import run
from newstrace.corpus.store import Store

#: The cluster of the estimate: 50 executors of 4 cores each.
EXECUTORS, CORES_PER_EXECUTOR = 50, 4
TARGET = 10_000_000


def local_run(folder: Path, db: Path, cores: int) -> tuple[float, dict[tuple[str, str], Any],
                                                          set[tuple[str, ...]]]:
    with Store(db) as store:
        started = time.perf_counter()
        _, stories = run([folder], store, workers=cores)
        seconds = time.perf_counter() - started
        pairs = {(a, b): (r, o) for a, b, r, o in store.conn.execute(
            "SELECT a, b, relation, origin FROM pairs")}
    return seconds, pairs, {tuple(s.articles) for s in stories}


def spark_run(spark: Any, folder: Path, out: Path) -> tuple[float, dict[str, Any],
                                                           dict[tuple[str, str], Any],
                                                           set[tuple[str, ...]]]:
    import pyarrow.parquet as pq

    from newstrace.spark.job import SparkSettings, run_job

    started = time.perf_counter()
    summary = run_job(spark, [str(folder)], str(out), SparkSettings())
    seconds = time.perf_counter() - started
    pairs = {(r["a"], r["b"]): (r["relation"], r["origin"])
             for r in pq.read_table(out / "pairs", columns=["a", "b", "relation", "origin"])
             .to_pylist()}
    stories = {tuple(r["articles"]) for r in pq.read_table(out / "stories",
                                                           columns=["articles"]).to_pylist()}
    return seconds, summary, pairs, stories


def estimate(size: int, summary: dict[str, Any], cores: int, block_size: int = 2000) -> str:
    """10M articles on the cluster, from this run's measured task seconds.

    Task seconds are the Python time partitions spent in each stage (summed over
    tasks, from accumulators): read + clean + fingerprint scale by articles,
    compare by pairs (pairs per article as measured), the exact neighbour join by
    block pairs — quadratic with ``global`` scope, with ``window`` scope (30-day
    windows over a year of news) a block meets its own and the next windows only.
    Stories and shuffles (JVM side) are taken from wall time × cores, per article.
    """
    task, wall = summary["task_seconds"], summary["seconds"]
    pairs = max(sum(summary["relations"].values()), 1)
    linear = (task.get("read", 0) + task.get("clean", 0)
              + task.get("reclean_fingerprint", 0)) / size
    per_pair = task.get("compare", 0) / pairs
    per_block_pair = task.get("knn", 0) / max(summary["units"].get("knn_block_pairs", 1), 1)
    python_in_stages = sum(task.values())
    jvm = max(wall["total"] * cores - python_in_stages, 0) / size  # joins, shuffles, I/O
    cluster = EXECUTORS * CORES_PER_EXECUTOR
    windows = 12
    wblocks = math.ceil(TARGET / windows / block_size)
    window_pairs = windows * (wblocks * (wblocks + 1) / 2 + wblocks * wblocks)
    global_pairs = math.ceil(TARGET / block_size) ** 2 / 2
    per_article_pairs = pairs / size
    parts = {
        "read+clean+fingerprint": linear * TARGET,
        "compare": per_pair * per_article_pairs * TARGET,
        "neighbour join (window)": per_block_pair * window_pairs,
        "joins/shuffles/stories (JVM)": jvm * TARGET,
    }
    total = sum(parts.values()) / cluster
    return "\n".join([
        f"  task seconds: {1000 * linear:.2f} ms/article read+clean+fingerprint, "
        f"{1000 * per_pair:.1f} ms/pair compare ({per_article_pairs:.1f} pairs/article), "
        f"{per_block_pair:.3f} s per {block_size}-row block pair; JVM and other "
        f"{1000 * jvm:.1f} ms/article (wall × cores − Python task time)",
        f"  estimate, 10M articles on {EXECUTORS} executors × {CORES_PER_EXECUTOR} cores: "
        + ", ".join(f"{k} {v / cluster / 3600:.2f} h" for k, v in parts.items())
        + f"; total ≈ {total / 3600:.1f} h with --knn-scope window "
        f"({window_pairs:,.0f} block pairs); a global neighbour join alone would take "
        f"{per_block_pair * global_pairs / cluster / 3600:.0f} h ({global_pairs:,.0f} pairs)",
    ])


def measure(size: int, cores: int, skip_local: bool, spark: Any, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tmp = keep / str(size) if keep else Path(scratch)  # --keep: outputs stay for a look
        folder = Path(tmp) / "corpus"
        build_corpus(size, folder)
        print(f"\n== {size} articles ==", flush=True)
        local_s = None
        if not skip_local:
            local_s, local_pairs, local_stories = local_run(folder, Path(tmp) / "c.db", cores)
            print(f"local run ({cores} worker processes): {size / local_s:,.1f} articles/s "
                  f"({local_s:.0f} s, {len(local_pairs)} pairs)", flush=True)
        spark_s, summary, spark_pairs, spark_stories = spark_run(spark, folder,
                                                                 Path(tmp) / "out")
        print(f"spark local[{cores}]: {size / spark_s:,.1f} articles/s ({spark_s:.0f} s, "
              f"{len(spark_pairs)} pairs); stage seconds {json.dumps(summary['seconds'])}")
        if local_s is not None:
            common = local_pairs.keys() & spark_pairs.keys()
            same = sum(local_pairs[p] == spark_pairs[p] for p in common)
            print(f"  ratio spark/local throughput: {local_s / spark_s:.2f}")
            print(f"  agreement: {same}/{len(common)} common pairs same relation and origin; "
                  f"{len(local_pairs.keys() - spark_pairs.keys())} pairs only local, "
                  f"{len(spark_pairs.keys() - local_pairs.keys())} only spark; stories "
                  f"{len(local_stories & spark_stories)}/{len(local_stories)} identical "
                  f"({len(spark_stories)} in spark)")
            for story in sorted(local_stories - spark_stories)[:10]:
                print(f"  only local: {' '.join(story)}")
            for story in sorted(spark_stories - local_stories)[:10]:
                print(f"  only spark: {' '.join(story)}")
        print(estimate(size, summary, cores), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep corpus, store and Spark outputs here")
    args = parser.parse_args()
    if not start():
        return 0
    from newstrace.spark.session import spark_session

    started = time.perf_counter()
    spark = spark_session(f"local[{args.cores}]")
    print(f"spark {spark.version} session started in {time.perf_counter() - started:.1f} s "
          f"(JAVA_HOME={os.environ.get('JAVA_HOME')})", flush=True)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            measure(size, args.cores, args.skip_local, spark, args.keep)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
