"""WARC and WARC.gz web archives: HTML responses become articles.

A crawl holds many pages per file, so a bad record is reported with its record
id and skipped, and a truncated file yields every record before the damage.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newstrace.io.common import ReadOptions, too_large
from newstrace.io.html import html_to_article
from newstrace.model import Article, Skipped, Source

_HTML_TYPES = ("text/html", "application/xhtml")


def read_warc(path: Path, options: ReadOptions) -> Iterator[Article | Skipped]:
    records = 0
    try:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle, arc2warc=True):
                records += 1
                item = _record_to_article(record, path, options)
                if isinstance(item, Article) and getattr(record.raw_stream, "limit", 0) > 0:
                    # the record ends before its declared length: the file was cut here
                    raise EOFError(f"record {records} is incomplete")
                if item is not None:
                    yield item
    except Exception as exc:  # warcio surfaces gzip, parse and EOF errors alike
        yield Skipped(str(path), f"WARC file truncated or corrupt at record {records} "
                                 f"({type(exc).__name__}: {exc}); earlier records were read")


def _record_to_article(
    record: object, path: Path, options: ReadOptions
) -> Article | Skipped | None:
    rec_type = getattr(record, "rec_type", None)
    if rec_type not in ("response", "resource"):
        return None
    headers = record.rec_headers  # type: ignore[attr-defined]
    record_id = headers.get_header("WARC-Record-ID") or f"record-{headers.get_header('Offset')}"
    source = Source("warc", str(path), record=record_id.strip("<>"))
    http = getattr(record, "http_headers", None)
    if rec_type == "response":
        if http is None:
            return None
        content_type = (http.get_header("Content-Type") or "").lower()
        status = http.get_statuscode()
        if not any(t in content_type for t in _HTML_TYPES) or status not in ("200", None):
            return None
    else:
        content_type = (headers.get_header("Content-Type") or "").lower()
        if not any(t in content_type for t in _HTML_TYPES):
            return None
    payload = record.content_stream().read(options.max_doc_bytes + 1)  # type: ignore[attr-defined]
    if len(payload) > options.max_doc_bytes:
        return Skipped(str(source), too_large(len(payload), options))
    if not payload.strip():
        return Skipped(str(source), "empty HTML response")
    return html_to_article(
        payload,
        source,
        url=headers.get_header("WARC-Target-URI"),
        first_seen=headers.get_header("WARC-Date"),
        extra={"warc_record_id": source.record},
    )
