"""Claims across articles: which outlets carry a claim, and whom each attributes it to.

Every statement (the reported content, or an own-voice sentence) is a claim
mention. Mentions in different articles are the same claim when they are each
other's best match between their two articles and the sentence model says they
say the same thing (the alignment threshold); claims are the connected groups.
The result is a matrix: claims × articles, each cell the speaker that article
names (or its own voice).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newstrace.model import Article
from newstrace.nlp.attribution import Parsed, Statement
from newstrace.reuse.changes import resolve_pronouns
from newstrace.reuse.evidence import LogisticModel, SentenceSet, pair_features

OWN_VOICE = "(own voice)"


@dataclass(frozen=True, slots=True)
class Mention:
    article: int
    sentence: int
    start: int
    end: int
    text: str
    speaker: str  # the chain, outermost first ("the press service → Lira"), or OWN_VOICE
    mode: str


@dataclass(slots=True)
class Claim:
    id: str
    text: str  # the earliest mention's wording
    mentions: list[Mention] = field(default_factory=list)

    @property
    def articles(self) -> set[int]:
        return {m.article for m in self.mentions}


@dataclass(slots=True)
class ClaimMatrix:
    articles: list[Article]
    claims: list[Claim]

    def cell(self, claim: Claim, article: int) -> str:
        speakers = [m.speaker for m in claim.mentions if m.article == article]
        return "; ".join(dict.fromkeys(speakers))

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": [{"id": a.id, "outlet": a.outlet, "published": a.published,
                          "title": a.title, "path": a.source.path} for a in self.articles],
            "claims": [{
                "id": c.id, "text": c.text,
                "articles": {self.articles[k].id: self.cell(c, k) for k in sorted(c.articles)},
                "mentions": [{"article": self.articles[m.article].id, "start": m.start,
                              "end": m.end, "text": m.text, "speaker": m.speaker,
                              "mode": m.mode} for m in c.mentions],
            } for c in self.claims],
        }

    def rows(self) -> list[dict[str, str]]:
        """One flat row per claim for CSV: claim text, then one column per article."""
        out = []
        for c in self.claims:
            row = {"claim_id": c.id, "claim": c.text, "articles": str(len(c.articles))}
            for k, a in enumerate(self.articles):
                row[_column(a)] = self.cell(c, k) if k in c.articles else ""
            out.append(row)
        return out


def _column(article: Article) -> str:
    return f"{article.outlet or article.domain or 'unknown'} [{article.id[:8]}]"


def _chain(statement: Statement, siblings: Sequence[Statement]) -> str:
    names = []
    current: Statement | None = statement
    seen = 0
    while current is not None and seen < 5:
        if current.speaker:
            names.append(current.speaker)
        current = siblings[current.parent] if current.parent is not None else None
        seen += 1
    return " → ".join(reversed(names)) if names else OWN_VOICE


def mentions_of(index: int, article: Article, parsed: Parsed) -> list[Mention]:
    statements = resolve_pronouns(parsed)
    out: list[Mention] = []
    embeds = {(e.start, e.end): e for e in article.embeds}
    for i, sentence in enumerate(article.sentences):
        if sentence.kind == "heading":
            continue
        if sentence.kind == "embed":
            embed = next((e for (s, t), e in embeds.items()
                          if s <= sentence.start < t), None)
            who = f"@{embed.handle}" if embed and embed.handle else "embedded post"
            out.append(Mention(index, i, sentence.start, sentence.end, sentence.text,
                               f"{who} (embedded post)", "embed"))
            continue
        found = statements.get(i, [])
        parents = {s.parent for s in found if s.parent is not None}
        leaves = [s for k, s in enumerate(found) if k not in parents] or found
        for s in leaves:
            text = article.text[s.content_start:s.content_end]
            if len(text.split()) < 4:
                continue
            out.append(Mention(index, i, s.content_start, s.content_end, text,
                               _chain(s, found), s.mode))
    return out


def group_claims(
    articles: Sequence[Article],
    parsed: Sequence[Parsed],
    encode: Callable[[Sequence[str]], np.ndarray],
    model: LogisticModel,
    threshold: float,
    *,
    min_articles: int = 2,
) -> ClaimMatrix:
    mentions = [m for k, (a, p) in enumerate(zip(articles, parsed, strict=True))
                for m in mentions_of(k, a, p)]
    if not mentions:
        return ClaimMatrix(list(articles), [])
    texts = [m.text for m in mentions]
    units = SentenceSet.build(texts, encode(texts))
    by_article: dict[int, list[int]] = {}
    for k, m in enumerate(mentions):
        by_article.setdefault(m.article, []).append(k)
    parent = list(range(len(mentions)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = sorted(by_article)
    for x_pos, ax in enumerate(keys):
        left = units.take(by_article[ax])
        for ay in keys[x_pos + 1 :]:
            right = units.take(by_article[ay])
            feats = pair_features(left, right)
            scores = model.predict(feats.reshape(-1, feats.shape[-1])).reshape(
                len(left), len(right))
            best_r = scores.argmax(axis=1)
            best_l = scores.argmax(axis=0)
            for i, j in enumerate(best_r):
                if best_l[j] == i and scores[i, j] >= threshold:
                    a_i, b_j = by_article[ax][i], by_article[ay][int(j)]
                    parent[find(a_i)] = find(b_j)
    groups: dict[int, list[int]] = {}
    for k in range(len(mentions)):
        groups.setdefault(find(k), []).append(k)

    def when(m: Mention) -> tuple[str, int]:
        return (articles[m.article].published or "9999", m.article)

    claims: list[Claim] = []
    for members in groups.values():
        found = sorted((mentions[k] for k in members), key=when)
        if len({m.article for m in found}) < min_articles:
            continue
        claims.append(Claim("", found[0].text, found))
    claims.sort(key=lambda c: (-len(c.articles), when(c.mentions[0])))
    for n, claim in enumerate(claims, 1):
        claim.id = f"C{n}"
    return ClaimMatrix(list(articles), claims)



def claim_matrix(articles: Sequence[Article], encode: Callable[[Sequence[str]], np.ndarray],
                 min_articles: int = 2) -> ClaimMatrix:
    """Parse the articles' statements and group them into claims (the shipped parameters)."""
    from newstrace.nlp.attribution import article_statements
    from newstrace.reuse.params import load_params

    params = load_params()
    parsed = [article_statements(a) for a in articles]
    return group_claims(articles, parsed, encode, params.sentence, params.sentence_threshold,
                        min_articles=min_articles)
