"""Self-contained HTML reports (inline CSS, no scripts from elsewhere).

Jinja2 runs with autoescaping on: article text is hostile input, and every
field of it is escaped before it reaches the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from newstrace.model import Article, PairResult
from newstrace.report.pair_view import pair_view
from newstrace.reuse.claims import ClaimMatrix

_ENV = Environment(
    loader=PackageLoader("newstrace", "report/templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def paragraphs_with_removals(article: Article) -> list[dict[str, Any]]:
    """The cleaned text as paragraphs, with each removal placed where it stood."""
    items: list[dict[str, Any]] = []
    removals = sorted(article.removals, key=lambda r: r.at)
    r_index = 0
    pos = 0
    embed_spans = [(e.start, e.end, e) for e in article.embeds]
    for line in article.text.split("\n"):
        end = pos + len(line)
        while r_index < len(removals) and removals[r_index].at <= pos:
            items.append({"kind": "removed", "rule": removals[r_index].rule,
                          "text": removals[r_index].text})
            r_index += 1
        embed = next((e for s, t, e in embed_spans if s <= pos and end <= t), None)
        items.append({"kind": "embed" if embed else "body", "text": line, "embed": embed})
        pos = end + 1
    for removal in removals[r_index:]:
        items.append({"kind": "removed", "rule": removal.rule, "text": removal.text})
    return items


def render_pair_report(result: PairResult, *, title: str | None = None) -> str:
    """A self-contained page: verdict header and the two texts side by side."""
    a = result.a.outlet or Path(result.a.source.path).name or "a"
    b = result.b.outlet or Path(result.b.source.path).name or "b"
    return _ENV.get_template("pair.html.j2").render(
        title=title or f"newstrace: {a} vs {b}", r=result, view=pair_view(result))


def render_corpus_report(views: Sequence[dict[str, Any]], *, singles: int,
                         summary: dict[str, Any], links: dict[str, str] | None = None) -> str:
    """Stories by size: outlets in time order with lag, derivations, links to pairs."""
    from newstrace import __version__

    return _ENV.get_template("corpus.html.j2").render(
        title="newstrace: stories and who took from whom", views=views, singles=singles,
        summary=summary, version=__version__, links=links or {})


def render_claims_report(matrix: ClaimMatrix, *, title: str, min_articles: int) -> str:
    """Claims × articles, each cell the speaker the article names (escaped)."""
    return _ENV.get_template("claims.html.j2").render(title=title, m=matrix,
                                                      min_articles=min_articles)


def render_articles_report(
    articles: Sequence[Article], *, title: str, summary: dict[str, Any]
) -> str:
    template = _ENV.get_template("articles.html.j2")
    return template.render(
        title=title,
        summary=summary,
        articles=[{"a": a, "paragraphs": paragraphs_with_removals(a)} for a in articles],
    )
