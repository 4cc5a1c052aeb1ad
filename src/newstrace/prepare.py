"""Turn a freshly read article into a cleaned, segmented one (no I/O)."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace

from newstrace.clean import Cleaned, clean_text
from newstrace.model import Article
from newstrace.nlp.sentences import split_sentences


def prepare(article: Article, repeated: Container[int] = frozenset()) -> tuple[Article, Cleaned]:
    """Clean and segment; fill metadata the input lacked from credit lines.

    Returns the new article and the cleaning record (whose line keys the store
    counts to learn each outlet's repeated boilerplate).
    """
    cleaned = clean_text(article.raw, title=article.title, repeated=repeated)
    out = replace(
        article,
        text=cleaned.text,
        removals=cleaned.removals,
        embeds=cleaned.embeds,
        credits=cleaned.credits,
        sentences=split_sentences(cleaned.text, article.language, cleaned.embeds),
    )
    # A scraper's source note is metadata about this very page: use it where the
    # input said nothing. Wire datelines and sign-offs name the origin, not the
    # publisher, so they stay credits only.
    for credit in cleaned.credits:
        if credit.kind != "source-note":
            continue
        if out.outlet is None and credit.outlet:
            out.outlet = credit.outlet
        if out.published is None and credit.date:
            out.published = credit.date
        if out.url is None and credit.url:
            out.url = credit.url
    return out, cleaned
