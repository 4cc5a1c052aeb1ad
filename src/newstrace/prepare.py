"""Turn a freshly read article into a cleaned, segmented one (no I/O)."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace

from newstrace.clean import Cleaned, clean_text
from newstrace.model import Article
from newstrace.nlp.langid import article_language, mixed_paragraphs, paragraphs
from newstrace.nlp.sentences import split_sentences


def prepare(article: Article, repeated: Container[int] = frozenset()) -> tuple[Article, Cleaned]:
    """Clean and segment; fill metadata the input lacked from credit lines.

    Returns the new article and the cleaning record (whose line keys the store
    counts to learn each outlet's repeated boilerplate). The language is
    identified from the cleaned text unless the input gave one: sentence
    splitting, the choice of embedder and attribution analysis all depend on it.
    """
    cleaned = clean_text(article.raw, title=article.title, repeated=repeated)
    parts = paragraphs(cleaned.text)
    language = article.language or article_language(cleaned.text, parts)
    # recomputed on every (re)clean, so a stale list never survives
    extra = {k: v for k, v in article.extra.items() if k != "paragraph_languages"}
    mixed = mixed_paragraphs(parts, language)
    if mixed:
        extra["paragraph_languages"] = mixed
    out = replace(
        article,
        language=language,
        extra=extra,
        text=cleaned.text,
        removals=cleaned.removals,
        embeds=cleaned.embeds,
        credits=cleaned.credits,
        sentences=split_sentences(cleaned.text, language, cleaned.embeds),
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
