"""Turn one mapped record (a JSONL object or a CSV row) into an Article."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newstrace.io.common import ReadOptions, make_article, too_large
from newstrace.io.fields import scalar
from newstrace.model import Article, Skipped, Source


def record_to_article(
    record: Mapping[str, Any], columns: Mapping[str, str], source: Source, options: ReadOptions
) -> Article | Skipped:
    text_column = columns.get("text")
    if text_column is None:
        known = ", ".join(list(record)[:12])
        return Skipped(str(source), f"no text field (fields: {known}); "
                                    "name it with --map text=FIELD")
    text = record.get(text_column)
    if not isinstance(text, str) or not text.strip():
        return Skipped(str(source), f"empty or missing text in field {text_column!r}")
    if len(text) > options.max_doc_bytes:
        return Skipped(str(source), too_large(len(text.encode("utf-8", "replace")), options))

    def get(field: str) -> str | None:
        column = columns.get(field)
        return scalar(record.get(column)) if column else None

    url = get("url")
    if url and "://" not in url and not url.startswith("www."):
        url = None  # e.g. a "source" column holding a name, not a link
    extra: dict[str, Any] = {}
    if (external := get("id")) is not None:
        extra["external_id"] = external
    return make_article(
        text,
        source,
        url=url,
        outlet=get("outlet"),
        title=get("title"),
        published=get("published"),
        first_seen=get("first_seen"),
        language=get("language"),
        extra=extra,
    )
