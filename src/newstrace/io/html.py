"""HTML pages: main text and metadata through trafilatura.

trafilatura drops navigation, scripts, comments and footers and reads the title,
date, site name and canonical URL from the page's metadata; our own cleaner
then handles what survives inside the article body (teasers, credits, embeds).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import trafilatura

from newstrace.io.common import ReadOptions, make_article, open_binary, too_large
from newstrace.model import Article, Skipped, Source

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def html_to_article(
    html: bytes | str,
    source: Source,
    *,
    url: str | None = None,
    first_seen: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Article | Skipped:
    """Extract one article from one page; pages with no article text are skipped."""
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False,
            favor_recall=True,
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors
        return Skipped(str(source), f"HTML could not be parsed: {type(exc).__name__}: {exc}")
    if doc is None:
        return Skipped(str(source), "no article text found in the HTML page")
    text = getattr(doc, "text", None) or ""
    if not text.strip():
        return Skipped(str(source), "no article text found in the HTML page")
    page_url = url or getattr(doc, "url", None)
    return make_article(
        text,
        source,
        url=page_url,
        outlet=getattr(doc, "sitename", None) or getattr(doc, "hostname", None),
        title=getattr(doc, "title", None),
        published=getattr(doc, "date", None),
        first_seen=first_seen,
        language=getattr(doc, "language", None),
        extra=extra,
    )


def read_html(path: Path, options: ReadOptions) -> Iterator[Article | Skipped]:
    try:
        with open_binary(path) as handle:
            data = handle.read(options.max_doc_bytes + 1)
    except (OSError, EOFError) as exc:
        yield Skipped(str(path), f"cannot read: {exc}")
        return
    if len(data) > options.max_doc_bytes:
        yield Skipped(str(path), too_large(len(data), options))
        return
    if not data.strip():
        yield Skipped(str(path), "empty file")
        return
    yield html_to_article(data, Source("html", str(path)))
