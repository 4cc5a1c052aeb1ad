"""pandas DataFrames over a store, for notebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from newstrace.corpus.store import Store


def _frame(db: str | Path, sql: str) -> pd.DataFrame:
    """Rows of one query (through the store's own connection, SQLite or PostgreSQL)."""
    with Store(db) as store:
        cursor: Any = store.conn.execute(sql)
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def articles_frame(db: str | Path) -> pd.DataFrame:
    return _frame(db, "SELECT id, url, domain, outlet, title, published, first_seen, language, "
                      "length(text) AS characters, source_path FROM articles")


def pairs_frame(db: str | Path) -> pd.DataFrame:
    return _frame(db, "SELECT a, b, relation, confidence, origin, credit, coverage FROM pairs")


def stories_frame(db: str | Path) -> pd.DataFrame:
    """One row per article: its story, outlet and publication time."""
    return _frame(db, "SELECT s.story_id, s.article_id, a.outlet, a.domain, a.published, a.title "
                      "FROM stories s JOIN articles a ON a.id = s.article_id "
                      "ORDER BY s.story_id, a.published")
