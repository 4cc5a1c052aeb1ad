"""Connected components in plain DataFrame joins (large-star / small-star).

Kiveris et al. 2014, "Connected Components in MapReduce and Beyond": alternate
a large-star step (every node's larger neighbours attach to the node's smallest
neighbour) and a small-star step (a node and its smaller neighbours attach to
the smallest of them) until the edge set stops changing; then every node is
linked to its component's smallest id. No GraphFrames jar, nothing fetched.

Each round is a dozen small Spark jobs, and a run needs several rounds: on a
graph that fits the driver easily that fixed cost dominates (17 s of a 134 s
run at 1,000 articles in ``local[2]``), so up to ``DRIVER_MAX_EDGES`` edges the
components are found on the driver with a union-find instead; same output.
"""

from __future__ import annotations

from typing import Any

MAX_ROUNDS = 64
#: Up to this many distinct edges (two ids each, ~200 bytes in Python) the graph is
#: collected and solved on the driver.
DRIVER_MAX_EDGES = 500_000


def _both_ways(edges: Any) -> Any:
    return edges.unionByName(edges.selectExpr("v AS u", "u AS v"))


def _large_star(edges: Any) -> Any:
    from pyspark.sql import functions as F

    both = _both_ways(edges)
    smallest = both.groupBy("u").agg(F.min("v").alias("m")).withColumn(
        "m", F.least("u", "m"))
    return (both.where(F.col("v") > F.col("u")).join(smallest, "u")
            .select(F.col("v").alias("u"), F.col("m").alias("v")).distinct())


def _small_star(edges: Any) -> Any:
    from pyspark.sql import functions as F

    both = _both_ways(edges)
    down = both.where(F.col("v") <= F.col("u"))  # each node's smaller neighbours
    smallest = down.groupBy("u").agg(F.min("v").alias("m"))
    members = down.unionByName(down.select("u", F.col("u").alias("v")))
    return (members.join(smallest, "u").where(F.col("v") != F.col("m"))
            .select(F.col("v").alias("u"), F.col("m").alias("v")).distinct())


def _on_driver(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(id, smallest id of its component) by union-find, every root its smallest member."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in pairs:
        ru, rv = root(u), root(v)
        if ru != rv:
            parent[max(ru, rv)] = min(ru, rv)
    return [(x, root(x)) for x in parent]


def connected_components(edges: Any, driver_max_edges: int = DRIVER_MAX_EDGES) -> Any:
    """(id, component) for every node of ``edges`` (columns a, b); component = smallest id.

    Nodes linked only to themselves are left out, on both paths."""
    from pyspark.sql import functions as F

    current = (edges.where(F.col("a") != F.col("b"))
               .select(F.least("a", "b").alias("u"), F.greatest("a", "b").alias("v"))
               .distinct().localCheckpoint())
    if current.count() <= driver_max_edges:
        rows = _on_driver([(r.u, r.v) for r in current.collect()])
        return edges.sparkSession.createDataFrame(rows, "id string, component string")
    for _ in range(MAX_ROUNDS):
        after = _small_star(_large_star(current)).localCheckpoint()
        unchanged = after.exceptAll(current).isEmpty() and current.exceptAll(after).isEmpty()
        current = after
        if unchanged:
            break
    else:
        raise RuntimeError("connected components did not converge")
    both = _both_ways(current)
    return both.groupBy("u").agg(F.least(F.col("u"), F.min("v")).alias("component")) \
        .withColumnRenamed("u", "id")
