"""Exact cosine joins in blocks: nearest neighbours and story centroids.

The local run asks an hnswlib index for each article's nearest document
vectors. An approximate index built in one process has no distributed twin
that returns the same neighbours, so the Spark job computes the exact answer
the index approximates: rows are hashed into blocks of about ``block_size``,
every pair of blocks meets in one task (a float32 matrix product, as hnswlib
computes), and the best ``top`` per row survive a final window-function cut.
Cost is quadratic in rows per time scope: ``scope="window"`` restricts block
pairs to neighbouring time buckets of one window each (unknown dates meet
everything), which is what makes tens of millions of articles affordable.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd

from newstrace.corpus.candidates import TIE_TOLERANCE
from newstrace.spark.costs import Costs

#: The time bucket of rows whose date is unknown (they meet every bucket).
UNKNOWN_TB = -(1 << 62)
OUT_SCHEMA = "q string, n string, cos float"


def time_bucket(ts: Any, window_days: float, scoped: bool) -> Any:
    """A column: the row's time bucket (one window wide), or 0 for a global join."""
    from pyspark.sql import functions as F

    if not scoped:
        return F.lit(0).cast("long")
    return F.coalesce(F.floor(ts / (window_days * 86400.0)).cast("long"),
                      F.lit(UNKNOWN_TB).cast("long"))


def _meets(x: int, y: int) -> bool:
    return x == UNKNOWN_TB or y == UNKNOWN_TB or abs(x - y) <= 1


def _blocks(frame: Any, block_size: int) -> dict[int, int]:
    """Sub-blocks per time bucket (the only thing collected: one number per bucket)."""
    return {int(r.tb): max(1, math.ceil(r["count"] / block_size))
            for r in frame.groupBy("tb").count().collect()}


def _with_block(frame: Any, counts: dict[int, int]) -> Any:
    from pyspark.sql import functions as F

    spark = frame.sparkSession
    sizes = spark.createDataFrame([(tb, n) for tb, n in counts.items()], "tb long, nb long")
    return (frame.join(F.broadcast(sizes), "tb")
            .withColumn("h", F.pmod(F.xxhash64("id"), F.col("nb")))
            .drop("nb"))


def _top_rows(sims: np.ndarray, queries: list[str], others: list[str],
              top: int | None, floor: float) -> tuple[list[str], list[str], list[float]]:
    """Per query row, everything at or above ``floor`` and its ``top``-th best value.

    Ties at the cut are all kept (vectorised, no per-row sort); the final
    window function keeps ``top`` per query and whatever ties with the last.
    """
    cut = np.full(len(queries), floor, dtype=np.float32)
    if top is not None and top < sims.shape[1]:
        kth = np.partition(sims, sims.shape[1] - top, axis=1)[:, sims.shape[1] - top]
        cut = np.maximum(cut, kth - np.float32(TIE_TOLERANCE))
    rows, cols = np.nonzero(sims >= cut[:, None])
    q = np.asarray(queries, dtype=object)[rows].tolist()
    n = np.asarray(others, dtype=object)[cols].tolist()
    return q, n, sims[rows, cols].astype(float).tolist()


def _frame(q: list[str], n: list[str], cos: list[float]) -> pd.DataFrame:
    # object columns: pandas 3's pyarrow-backed strings reach pyspark 4.3's Arrow
    # writer as chunked arrays, which it cannot take
    return pd.DataFrame({"q": pd.Series(q, dtype=object), "n": pd.Series(n, dtype=object),
                         "cos": np.asarray(cos, dtype=np.float32)})


def _block_task(top: int | None, floor: float, self_join: bool, acc: Any,
                window_seconds: float | None = None, across_groups: bool = False) -> Any:
    def task(pdf: pd.DataFrame) -> pd.DataFrame:
        started = time.perf_counter()
        try:
            return _block(pdf, top, floor, self_join, window_seconds, across_groups)
        finally:
            acc.add(time.perf_counter() - started)

    return task


def _block(pdf: pd.DataFrame, top: int | None, floor: float, self_join: bool,
           window_seconds: float | None = None, across_groups: bool = False,
           ) -> pd.DataFrame:
    """One block pair: its cosine matrix and each row's best (both ways in a self-join).

    With ``window_seconds``, rows published further apart never meet (unknown dates
    meet everything): each row's best are counted inside its time window, as the
    local search does (``corpus.candidates.neighbours_in_window``). With
    ``across_groups``, rows of one group or of none never meet either."""
    left = pdf[pdf.side == "L"]
    right = pdf[pdf.side == "R"]
    diagonal = self_join and right.empty
    if diagonal:
        right = left
    if left.empty or right.empty:
        return _frame([], [], [])
    lv = np.vstack(left.vector.to_numpy()).astype(np.float32)
    rv = np.vstack(right.vector.to_numpy()).astype(np.float32)
    sims = lv @ rv.T
    if window_seconds is not None:
        lt = left.ts.to_numpy(dtype=np.float64, na_value=np.nan)
        rt = right.ts.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            far = np.abs(lt[:, None] - rt[None, :]) > window_seconds  # NaN: not far
        sims[far] = -np.inf
    if across_groups:
        lg, rg = left.grp.to_numpy(dtype=object), right.grp.to_numpy(dtype=object)
        known_l, known_r = left.grp.notna().to_numpy(), right.grp.notna().to_numpy()
        same = lg[:, None] == rg[None, :]
        sims[same | ~known_l[:, None] | ~known_r[None, :]] = -np.inf
    lids, rids = left.id.tolist(), right.id.tolist()
    q, n, cos = _top_rows(sims, lids, rids, top, floor)
    if self_join and not diagonal:
        q2, n2, cos2 = _top_rows(sims.T, rids, lids, top, floor)
        q, n, cos = q + q2, n + n2, cos + cos2
    return _frame(q, n, cos)


def similarity_join(left: Any, right: Any | None, *, top: int | None, floor: float,
                    block_size: int, costs: Costs | None = None, name: str = "knn",
                    window_seconds: float | None = None, across_groups: bool = False) -> Any:
    """Rows (q, n, cos): for each left row, its best right rows by cosine.

    ``left``/``right`` have columns id, vector (normalised float array) and tb
    (time bucket), and ts (seconds, null when unknown) when ``window_seconds`` is
    given: then only rows that close in time meet. With ``across_groups`` they have
    a column grp (a language, say) and only rows of two different known groups meet.
    With ``right`` None it is a self-join and a row meets itself, as it does in an
    index query. Only block pairs whose buckets meet are computed.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    spark = left.sparkSession
    costs = costs or Costs(spark.sparkContext)
    self_join = right is None
    lcounts = _blocks(left, block_size)
    rcounts = lcounts if self_join else _blocks(right, block_size)
    lblocks = [(tb, h) for tb, n in sorted(lcounts.items()) for h in range(n)]
    rblocks = [(tb, h) for tb, n in sorted(rcounts.items()) for h in range(n)]
    assign: list[tuple[int, int, str, int]] = []
    pair = 0
    for x in lblocks:
        for y in rblocks:
            if (self_join and y < x) or not _meets(x[0], y[0]):
                continue
            assign.append((x[0], x[1], "L", pair))
            if not (self_join and x == y):
                assign.append((y[0], y[1], "R", pair))
            pair += 1
    costs.units[f"{name}_block_pairs"] = pair
    if not assign:
        return spark.createDataFrame([], OUT_SCHEMA)
    plan = spark.createDataFrame(assign, "tb long, h long, side string, pair long")
    columns = ["id", "vector", "tb"] + (["ts"] if window_seconds is not None else []) + \
        (["grp"] if across_groups else [])
    lrows = _with_block(left.select(*columns), lcounts)
    if right is None:
        tagged = lrows.join(F.broadcast(plan), ["tb", "h"])
    else:
        rrows = _with_block(right.select(*columns), rcounts)
        tagged = (lrows.join(F.broadcast(plan.where("side = 'L'")), ["tb", "h"])
                  .unionByName(rrows.join(F.broadcast(plan.where("side = 'R'")),
                                          ["tb", "h"])))
    found = (tagged.select("pair", "side", *columns).drop("tb").groupBy("pair")
             .applyInPandas(_block_task(top, floor, self_join, costs.accumulator(name),
                                        window_seconds, across_groups), OUT_SCHEMA))
    if top is None:
        return found
    best = Window.partitionBy("q").orderBy(F.col("cos").desc(), F.col("n"))
    per_query = Window.partitionBy("q")
    # each row sits in one block and each block pair is planned once: no duplicates.
    # The cut keeps everything tied with the top-th, as the local index query does.
    return (found.withColumn("r", F.row_number().over(best))
            .withColumn("cut", F.min(F.when(F.col("r") <= top, F.col("cos")))
                        .over(per_query))
            .where(F.col("cos") >= F.col("cut") - TIE_TOLERANCE).drop("r", "cut"))
