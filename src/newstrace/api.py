"""The Python API for notebooks: ``newstrace.compare(a, b)`` and friends.

Inputs may be texts, paths (read by the same readers as ``ingest``, so a
``meta.jsonl`` sidecar supplies outlet, date and URL) or ``Article`` objects.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from newstrace.errors import InputError
from newstrace.io import ReadOptions, read_file
from newstrace.io.common import make_article
from newstrace.io.text import SidecarCache, split_title
from newstrace.model import Article, PairResult, Skipped, Source
from newstrace.nlp.embed import Embedder, default_embedder
from newstrace.prepare import prepare
from newstrace.reuse.compare import compare_articles

_META_FIELDS = ("outlet", "published", "url", "title", "language")


def parse_meta(spec: str | None) -> dict[str, str]:
    """``"outlet=example.org,published=2026-03-14"`` → a dict (for --meta-a/--meta-b)."""
    out: dict[str, str] = {}
    for item in filter(None, (spec or "").split(",")):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in _META_FIELDS:
            raise InputError(f"metadata must be FIELD=VALUE with FIELD in "
                             f"{', '.join(_META_FIELDS)}; got {item!r}")
        out[key] = value.strip()
    return out


def _apply_meta(article: Article, meta: dict[str, Any] | None) -> Article:
    if not meta:
        return article
    from newstrace.clean.dates import parse_date

    changes: dict[str, Any] = {k: v for k, v in meta.items() if k in _META_FIELDS and v}
    if "published" in changes:
        changes["published"] = parse_date(changes["published"])
    return replace(article, **changes)


def article_from_text(text: str, name: str = "<text>", **meta: Any) -> Article:
    title, _ = split_title(text)
    article = make_article(text, Source("inline", name), title=meta.pop("title", None) or title,
                           **{k: v for k, v in meta.items() if k in _META_FIELDS})
    return prepare(article)[0]


def _is_existing_path(item: str) -> bool:
    if "\n" in item or len(item) > 1024:
        return False
    try:
        return Path(item).exists()
    except (OSError, ValueError):
        return False


def load_article(item: str | Path | Article, meta: dict[str, Any] | None = None,
                 options: ReadOptions | None = None) -> Article:
    """An Article from a path, a text or an Article; raises InputError with the reason."""
    if isinstance(item, Article):
        article = item if item.text else prepare(item)[0]
    else:
        path = Path(item) if isinstance(item, Path) or _is_existing_path(item) else None
        if path is None and isinstance(item, str) and "\n" not in item and len(item) < 512 \
                and Path(item).suffix.lower() in {".txt", ".html", ".htm", ".json", ".jsonl",
                                                  ".csv", ".warc", ".gz"}:
            raise InputError(f"{item}: no such file")
        if path is None:
            article = article_from_text(str(item))
        else:
            if path.is_dir():
                raise InputError(f"{path}: is a folder; give one article file")
            if not path.exists():
                raise InputError(f"{path}: no such file")
            found: list[Article] = []
            for read in read_file(path, options or ReadOptions(), SidecarCache()):
                if isinstance(read, Skipped):
                    raise InputError(f"{read.source}: {read.reason}")
                found.append(read)
                if len(found) > 1:
                    raise InputError(f"{path} holds several articles; compare them by id after "
                                     f"`newstrace ingest {path} --db corpus.db`")
            if not found:
                raise InputError(f"{path}: no article found")
            article = prepare(found[0])[0]
    article = _apply_meta(article, meta)
    if not article.text.strip() or not article.sentences:
        raise InputError(f"{article.source}: no article text left after cleaning")
    return article


def compare(a: str | Path | Article, b: str | Path | Article, *,
            meta_a: dict[str, Any] | None = None, meta_b: dict[str, Any] | None = None,
            embedder: Embedder | None = None) -> PairResult:
    """How ``b`` relates to ``a``: relation, direction, credit, alignment, evidence."""
    left, right = load_article(a, meta_a), load_article(b, meta_b)
    return compare_articles(left, right, embedder or default_embedder())
