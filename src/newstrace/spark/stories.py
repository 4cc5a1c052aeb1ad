"""Stories as the local run builds them, without gathering the graph on the driver.

``corpus.stories.build_stories`` runs average linkage over the compared pairs
and then lets each article left alone join the nearest story centroid. Average
linkage only ever merges clusters that share a link, so it never crosses a
connected component: running the same ``_average_linkage`` per component, with
the articles in the local run's order (which breaks its ties the same way),
gives the same groups. The centroid step is a blocked cosine join of lone
articles against group centroids (each the mean of its members' vectors in id
order, as locally), then the same window test against the grouped members and
the same best match (highest cosine; on a tie, the larger group key).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from newstrace.corpus.stories import STORY_JOIN_COSINE, _average_linkage
from newstrace.spark.components import connected_components
from newstrace.spark.costs import Costs
from newstrace.spark.similarity import similarity_join, time_bucket

GROUP_SCHEMA = "id string, grp string"


def _cluster(pdf: pd.DataFrame) -> pd.DataFrame:
    """One component: its links in, ``_average_linkage``'s groups out."""
    ranks: dict[str, int] = {}
    for a, b, ra, rb in zip(pdf.a, pdf.b, pdf.rank_a, pdf.rank_b, strict=True):
        ranks[a], ranks[b] = int(ra), int(rb)
    weights = {(a, b): float(w) for a, b, w in zip(pdf.a, pdf.b, pdf.w, strict=True)}
    groups = _average_linkage(sorted(ranks, key=ranks.__getitem__), weights)
    rows = [(aid, min(group, key=ranks.__getitem__)) for group in groups for aid in group]
    # object columns: see similarity._frame
    return pd.DataFrame({"id": pd.Series([r[0] for r in rows], dtype=object),
                         "grp": pd.Series([r[1] for r in rows], dtype=object)})


def _centroid(pdf: pd.DataFrame) -> pd.DataFrame:
    """A group's normalised mean vector, as ``build_stories`` computes it."""
    pdf = pdf.sort_values("id")  # the local run's order: float sums depend on it
    c = np.mean(np.vstack(pdf.vector.to_numpy()).astype(np.float32), axis=0)
    c = c / max(float(np.linalg.norm(c)), 1e-9)
    return pd.DataFrame({"grp": pd.Series([str(pdf.grp.iloc[0])], dtype=object),
                         "vector": [c.astype(np.float32).tolist()]})


def build_groups(articles: Any, related: Any, *, window_days: float, block_size: int,
                 scoped: bool, costs: Costs | None = None) -> Any:
    """(id, grp) for every article: its story's key (the earliest-ranked first member)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    # ``corpus.stories.link_weight``, row by row
    weighted = related.select(
        "a", "b", F.when(F.col("relation").isin("copy", "derived"), F.lit(1.0))
        .when(F.col("related").isNotNull(), F.col("related"))
        .when(F.col("relation") == "same_story", F.col("confidence"))
        .otherwise(F.lit(0.0)).alias("w"))
    components = connected_components(weighted)
    ranks = articles.select("id", "rank")
    links = (weighted.join(components.toDF("a", "component"), "a")
             .join(ranks.toDF("a", "rank_a"), "a").join(ranks.toDF("b", "rank_b"), "b"))
    clustered = links.groupBy("component").applyInPandas(_cluster, GROUP_SCHEMA)
    groups = (articles.select("id").join(clustered, "id", "left")
              .withColumn("grp", F.coalesce("grp", "id")))
    sizes = groups.groupBy("grp").agg(F.count("*").alias("size"))
    groups = groups.join(sizes, "grp").localCheckpoint()

    info = articles.select("id", "vector", "ts")
    multi = groups.where("size > 1").join(info, "id")
    centroids = (multi.select("grp", "id", "vector").groupBy("grp")
                 .applyInPandas(_centroid, "grp string, vector array<float>"))
    spans = multi.groupBy("grp").agg(
        F.max(F.col("ts").isNull().cast("int")).alias("undated"),
        F.collect_list("ts").alias("times"))
    # a story is met from every time bucket one of its members falls in
    buckets = multi.select("grp", time_bucket(F.col("ts"), window_days, scoped).alias("tb")) \
        .distinct()
    right = centroids.join(buckets, "grp").withColumnRenamed("grp", "id")
    singles = groups.where("size = 1").join(info, "id")
    left = singles.select("id", "vector", time_bucket(F.col("ts"), window_days,
                                                       scoped).alias("tb"))
    near = similarity_join(left, right, top=None, floor=STORY_JOIN_COSINE,
                           block_size=block_size, costs=costs, name="centroids"
                           ).dropDuplicates(["q", "n"])
    window = window_days * 86400.0
    joined = (near.join(singles.select(F.col("id").alias("q"), "ts"), "q")
              .join(spans.withColumnRenamed("grp", "n"), "n")
              .where(F.col("ts").isNull() | (F.col("undated") == 1)
                     | F.exists("times", lambda t: F.abs(t - F.col("ts")) <= window)))
    best = Window.partitionBy("q").orderBy(F.col("cos").desc(), F.col("n").desc())
    chosen = (joined.withColumn("r", F.row_number().over(best)).where("r = 1")
              .select(F.col("q").alias("id"), F.col("n").alias("joined")))
    return (groups.join(chosen, "id", "left")
            .select("id", F.coalesce("joined", "grp").alias("grp")))


def story_table(articles: Any, groups: Any, related: Any) -> Any:
    """The stories table: id, articles (in time order), origins, edges."""
    from pyspark.sql import functions as F

    meta = articles.select("id", F.coalesce("published", "first_seen", F.lit("9999"))
                           .alias("when"))
    members = groups.join(meta, "id")
    ordered = members.groupBy("grp").agg(
        F.array_sort(F.collect_list(F.struct("when", "id"))).alias("m"))
    ordered = ordered.select("grp", F.transform("m", lambda x: x["id"]).alias("articles"))
    ordered = ordered.withColumn("story_id", F.concat(F.lit("S"), F.substring(
        F.element_at("articles", 1), 1, 10)))
    edge_rows = (related.where(F.col("relation").isin("copy", "derived")
                               & ((F.col("origin") == F.col("a"))
                                  | (F.col("origin") == F.col("b"))))
                 .select("origin", F.when(F.col("origin") == F.col("a"), F.col("b"))
                         .otherwise(F.col("a")).alias("derived"), "relation",
                         F.round("confidence", 4).alias("confidence"), "credit"))
    placed = (edge_rows.join(groups.toDF("derived", "grp"), "derived")
              .join(members.select(F.col("id").alias("derived"), "when"), "derived"))
    per_story = placed.groupBy("grp").agg(F.array_sort(F.collect_list(F.struct(
        "when", "derived", "origin", "relation", "confidence", "credit"))).alias("e"))
    per_story = per_story.select("grp", F.transform("e", lambda x: F.struct(
        x["origin"].alias("origin"), x["derived"].alias("derived"),
        x["relation"].alias("relation"), x["confidence"].alias("confidence"),
        x["credit"].alias("credit"))).alias("edges"))
    stories = ordered.join(per_story, "grp", "left").select(
        F.col("story_id").alias("id"), "articles",
        F.coalesce("edges", F.array().cast(
            "array<struct<origin:string,derived:string,relation:string,"
            "confidence:double,credit:string>>")).alias("edges"))
    stories = stories.withColumn("origins", F.array_distinct(F.filter(
        F.transform("edges", lambda e: e["origin"]),
        lambda o: ~F.array_contains(F.transform("edges", lambda e: e["derived"]), o))))
    return stories.select("id", "articles", "origins", "edges")
