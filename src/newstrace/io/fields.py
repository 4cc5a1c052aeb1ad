"""Field mapping for record-shaped exports (JSONL, CSV).

Common exports name the same thing differently: news-please says ``maintext``
and ``date_publish``, Media Cloud ``publish_date`` and ``media_name``, trafilatura
``text``, ``sitename`` and ``source``. The first known name present wins;
``--map field=column`` overrides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from newstrace.errors import UsageError

FIELD_CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text", "maintext", "body", "content", "article", "full_text", "fulltext",
             "raw_text", "article_text", "story_text", "body_text"),
    "title": ("title", "headline", "heading"),
    "url": ("url", "canonical_url", "link", "source_url", "uri", "article_url", "source"),
    "outlet": ("outlet", "media_name", "sitename", "site_name", "publisher", "source_name",
               "source_domain", "source-hostname", "hostname", "domain", "media"),
    "published": ("published", "date_publish", "publish_date", "published_at",
                  "publication_date", "pubdate", "pub_date", "datepublished", "date",
                  "timestamp"),
    "first_seen": ("first_seen", "date_download", "collect_date", "crawled_at",
                   "date_crawled", "crawl_date", "retrieved_at", "fetched_at", "filedate"),
    "language": ("language", "lang", "lang_code", "language_code"),
    "id": ("id", "stories_id", "article_id", "guid", "doc_id"),
}
FIELDS = tuple(FIELD_CANDIDATES)


def parse_field_map(items: Sequence[str]) -> dict[str, str]:
    """``["text=body_html", "outlet=site"]`` → ``{"text": "body_html", ...}``."""
    mapping: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not column:
            raise UsageError(f"--map expects FIELD=COLUMN, got {item!r}")
        if field not in FIELD_CANDIDATES:
            raise UsageError(f"--map: unknown field {field!r}; fields are {', '.join(FIELDS)}")
        mapping[field] = column
    return mapping


def resolve_columns(columns: Sequence[str], overrides: Mapping[str, str]) -> dict[str, str]:
    """Which input column feeds each Article field."""
    by_folded = {c.strip().casefold(): c for c in columns}
    resolved: dict[str, str] = {}
    for field, candidates in FIELD_CANDIDATES.items():
        if field in overrides:
            wanted = overrides[field]
            if wanted in columns:
                resolved[field] = wanted
            elif wanted.casefold() in by_folded:
                resolved[field] = by_folded[wanted.casefold()]
            continue
        for name in candidates:
            if name in by_folded:
                resolved[field] = by_folded[name]
                break
    return resolved


def scalar(value: Any) -> str | None:
    """A record value as text, or None when it is empty or not text-like."""
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
        if value is None:
            return None
    if isinstance(value, dict):
        return None
    text = str(value).strip()
    return text or None
