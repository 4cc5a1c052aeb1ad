"""Writers for stored articles: JSONL, CSV and Parquet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newstrace.errors import UsageError
from newstrace.model import Article

EXPORT_FORMATS = ("jsonl", "csv", "parquet")

#: Flat columns for tabular formats; nested records stay JSON strings there.
FLAT_COLUMNS = ("id", "url", "domain", "outlet", "title", "published", "first_seen",
                "language", "text", "source", "sentences", "removals", "embeds", "credits")


def _flat(article: Article) -> dict[str, Any]:
    d = article.as_dict()
    row = {k: d[k] for k in FLAT_COLUMNS if k not in ("source", "sentences", "removals",
                                                      "embeds", "credits")}
    row["source"] = str(article.source)
    row["sentences"] = len(article.sentences)
    for key in ("removals", "embeds", "credits"):
        row[key] = json.dumps(d[key], ensure_ascii=False)
    return row


def export_articles(articles: Iterable[Article], path: Path, fmt: str) -> int:
    """Write articles to ``path``; returns how many were written."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as out:
            for article in articles:
                out.write(json.dumps(article.as_dict(), ensure_ascii=False) + "\n")
                count += 1
        return count
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(FLAT_COLUMNS))
            writer.writeheader()
            for article in articles:
                writer.writerow(_flat(article))
                count += 1
        return count
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [_flat(a) for a in articles]
    table = pa.Table.from_pylist(rows) if rows else pa.table(
        {c: pa.array([], type=pa.int64() if c == "sentences" else pa.string())
         for c in FLAT_COLUMNS})
    pq.write_table(table, path)
    return len(rows)
