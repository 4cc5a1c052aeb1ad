"""pandas DataFrames over a store, for notebooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from newstrace.corpus.store import Store


def articles_frame(db: str | Path) -> pd.DataFrame:
    with Store(db) as store:
        return pd.read_sql_query(
            "SELECT id, url, domain, outlet, title, published, first_seen, language, "
            "length(text) AS characters, source_path FROM articles", store.conn)


def pairs_frame(db: str | Path) -> pd.DataFrame:
    with Store(db) as store:
        return pd.read_sql_query("SELECT a, b, relation, confidence, origin, credit, coverage "
                                 "FROM pairs", store.conn)


def stories_frame(db: str | Path) -> pd.DataFrame:
    """One row per article: its story, outlet and publication time."""
    with Store(db) as store:
        return pd.read_sql_query(
            "SELECT s.story_id, s.article_id, a.outlet, a.domain, a.published, a.title "
            "FROM stories s JOIN articles a ON a.id = s.article_id "
            "ORDER BY s.story_id, a.published", store.conn)
