"""What every reader shares: options, limits and the one way to build an Article."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from newstrace.clean.dates import parse_date
from newstrace.model import Article, Source, article_id

#: Larger documents are skipped: no real article is 5 MB of text, and one such
#: input would otherwise dominate memory and every later stage.
DEFAULT_MAX_DOC_BYTES = 5_000_000


@dataclass(frozen=True, slots=True)
class ReadOptions:
    field_map: dict[str, str] = field(default_factory=dict)
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES
    format: str | None = None  # force a reader instead of detecting one


def open_binary(path: Path) -> IO[bytes]:
    """Open a file, transparently gunzipping ``.gz``."""
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def too_large(size: int, options: ReadOptions) -> str:
    return (f"document too large ({size / 1e6:.1f} MB > {options.max_doc_bytes / 1e6:.1f} MB "
            "limit; raise it with --max-doc-mb)")


def make_article(
    raw: str,
    source: Source,
    *,
    url: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
    published: Any = None,
    first_seen: Any = None,
    language: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Article:
    """Build an article from reader output, normalising dates and blank fields."""
    url = url.strip() if url and url.strip() else None
    outlet = outlet.strip() if outlet and outlet.strip() else None
    title = " ".join(title.split()) if title and title.strip() else None
    lang = language.strip().lower()[:12] if language and language.strip() else None
    return Article(
        id=article_id(raw, url, outlet),
        raw=raw,
        source=source,
        url=url,
        outlet=outlet,
        title=title,
        published=parse_date(published),
        first_seen=parse_date(first_seen),
        language=lang,
        extra=extra or {},
    )
