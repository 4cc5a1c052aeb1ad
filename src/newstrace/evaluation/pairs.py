"""Labelled article pairs for fitting and evaluation, as cleaned Articles.

Besides the corpora, a synthetic set is built from BBC News the way copies and
light rewrites are made in the wild: boilerplate inserted, paragraphs dropped
and reordered, a closing line of the copier's own. Ground truth is known by
construction.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from newstrace.evaluation.datasets import (
    ArticleRecord,
    LabelledPair,
    bbc_news,
    clough_stevenson,
    news_pairs,
    semeval2022,
)
from newstrace.io.common import make_article
from newstrace.io.text import split_title
from newstrace.model import Article, Source
from newstrace.prepare import prepare

_BOILERPLATE = (
    "READ MORE: Markets close higher as investors weigh outlook",
    "Advertisement",
    "Subscribe to our newsletter",
    "Share this article",
    "FILE PHOTO. © Newswire / Staff photographer",
    "Loading please wait...",
    "Sign up for our daily briefing",
)
_ADDED = (
    "Readers have been following the story closely.",
    "Further updates are expected in the coming days.",
    "The full implications remain unclear for now.",
)


def to_article(record: ArticleRecord, *, with_dates: bool = True) -> Article:
    title, _ = split_title(record.text)
    article = make_article(
        record.text, Source("text", record.name), url=record.url, outlet=record.outlet,
        title=record.title or title, published=record.published if with_dates else None,
        language=record.language,
    )
    return prepare(article)[0]


def _paragraphs(text: str) -> tuple[str, list[str]]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[0], lines[1:]


def synthetic_bbc(n_per_class: int = 60, seed: int = 13) -> list[LabelledPair]:
    """Copies (whole, or trimmed and reordered) and same-topic unrelated pairs from BBC News.

    Rewording cannot be synthesised honestly by rules, so derived examples come
    from the hand-written dev set and Clough & Stevenson only.
    """
    articles = [(name, text) for name, text in bbc_news() if len(text.split()) > 250]
    if not articles:
        return []
    rng = random.Random(seed)
    rng.shuffle(articles)
    out: list[LabelledPair] = []
    pool = iter(articles)
    for kind in ("copy", "trimmed", "unrelated"):
        for k in range(n_per_class):
            name, text = next(pool)
            title, paragraphs = _paragraphs(text)
            origin = ArticleRecord(text, f"bbc:{name}", outlet="BBC Desk",
                                   url=f"https://bbcdesk.example/{name}")
            if kind == "copy":
                body = list(paragraphs)
                if len(body) > 4 and rng.random() < 0.5:
                    body = body[:-1]
                for _ in range(rng.randint(1, 3)):
                    body.insert(rng.randint(1, len(body)), rng.choice(_BOILERPLATE))
                derived_text = title + "\n\n" + "\n".join(body)
                relation = "copy"
            elif kind == "trimmed":
                body = [p for p in paragraphs if rng.random() > 0.35] or paragraphs[:2]
                if len(body) > 3:
                    i = rng.randrange(1, len(body) - 1)
                    body[i], body[i + 1] = body[i + 1], body[i]
                body.append(rng.choice(_ADDED))
                derived_text = "A fresh look: " + title + "\n\n" + "\n".join(body)
                relation = "copy"  # trimmed and reordered, but not reworded: still a copy
            else:
                topic = name.split("/")[0]
                other = next(t for nm, t in articles[::-1] if nm.split("/")[0] == topic
                             and nm != name)
                derived_text = other
                relation = "unrelated"
            derived = ArticleRecord(derived_text, f"bbc-{kind}-{k}", outlet=f"Outlet {k % 7}",
                                    url=f"https://outlet{k % 7}.example/{kind}/{k}")
            out.append(LabelledPair(origin, derived, relation,
                                    origin="a" if relation in ("copy", "derived") else None,
                                    credited=False if relation != "unrelated" else None,
                                    kind=f"synthetic-{kind}", group=f"bbc-{kind}-{k}"))
    return out


def semeval_pairs(low: float = 1.75, high: float = 3.25,
                  languages: Iterable[str] = ("en",)) -> list[LabelledPair]:
    """SemEval-2022 pairs at the ends of the scale: very similar → same story, far → unrelated.

    Pairs in the middle of the scale are ambiguous and left out of fitting.
    """
    langs = set(languages)
    out = []
    for p in semeval2022():
        if p.lang1 not in langs or p.lang2 not in langs:
            continue
        if len(p.text1.split()) < 40 or len(p.text2.split()) < 40:
            continue
        if p.overall <= low:
            relation = "same_story"
        elif p.overall >= high:
            relation = "unrelated"
        else:
            continue
        out.append(LabelledPair(ArticleRecord(p.text1, f"semeval:{p.pair_id}:1"),
                                ArticleRecord(p.text2, f"semeval:{p.pair_id}:2"), relation,
                                kind=f"semeval-{p.overall:g}", group=f"semeval-{p.pair_id}"))
    return out


def training_pairs() -> dict[str, list[LabelledPair]]:
    return {
        "news_dev": news_pairs(),
        "clough": clough_stevenson(),
        "bbc_synthetic": synthetic_bbc(),
        "semeval_en": semeval_pairs(),
    }
