"""Files a corpus run writes: JSONL tables, a GEXF graph, run settings and a report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx

from newstrace import __version__
from newstrace.clean.dates import parse_date
from newstrace.corpus.details import Details
from newstrace.corpus.store import Store
from newstrace.corpus.stories import Story
from newstrace.io.export import export_articles
from newstrace.model import SCREENED_TAIL, Article, PairResult, pair_result_from_dict
from newstrace.report.html import render_corpus_report, render_pair_report

#: Pair pages are written for copy and derived edges, up to this many.
MAX_PAIR_PAGES = 2000


@dataclass(frozen=True, slots=True)
class Relation:
    """One stored relation of an article: who it copied, rewrote or shares a story with."""

    article: str  # the article asked about
    other: Article
    pair: tuple[str, str]  # (a, b) as stored: the pair page's address
    relation: str
    confidence: float
    origin: str | None
    credit: str


def relations_of(store: Store, ids: list[str]) -> list[Relation]:
    """Every copy, derived and same-story relation of these articles, strongest first."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), 400):  # within any database's parameter limit
        chunk = ids[start : start + 400]
        marks = ",".join("?" * len(chunk))
        rows += store.conn.execute(
            f"SELECT a, b, relation, confidence, origin, credit FROM pairs WHERE "
            f"(a IN ({marks}) OR b IN ({marks})) AND relation != 'unrelated'",
            chunk + chunk).fetchall()
    rows.sort(key=lambda r: -r[3])
    others = store.get_many([x for a, b, *_ in rows for x in (a, b)], with_sentences=False)
    wanted = set(ids)
    return [Relation(mine, others[other], (a, b), relation, confidence, origin, credit)
            for a, b, relation, confidence, origin, credit in rows
            for mine, other in ((a, b), (b, a)) if mine in wanted and other in others]


def lag_hours(a: Article, first: Article) -> float | None:
    """Hours from ``first``'s publication to ``a``'s, when both dates are known."""
    ta, tf = parse_date(a.published), parse_date(first.published)
    if not ta or not tf:
        return None
    da, df = datetime.fromisoformat(ta), datetime.fromisoformat(tf)
    if (da.tzinfo is None) != (df.tzinfo is None):
        da, df = da.replace(tzinfo=None), df.replace(tzinfo=None)
    return (da - df).total_seconds() / 3600


def write_outputs(store: Store, stories: list[Story], out: Path, settings: dict[str, Any],
                  report: dict[str, Any], links: dict[str, str] | None = None
                  ) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = {name: out / name for name in ("articles.jsonl", "pairs.jsonl", "stories.jsonl",
                                           "graph.gexf", "run.json", "report.html")}
    export_articles(store.iter_articles(), files["articles.jsonl"], "jsonl")
    tail = len(SCREENED_TAIL)
    with files["pairs.jsonl"].open("w", encoding="utf-8") as sink:
        # "screened": the verdict came from the screen, without an alignment (never a copy
        # or rewrite); only the result's last characters are read, not its JSON
        for a, b, relation, confidence, origin, credit, end in store.conn.execute(
                "SELECT a, b, relation, confidence, origin, credit, "
                f"substr(result, length(result) - {tail - 1}) FROM pairs ORDER BY a, b"):
            sink.write(json.dumps({"a": a, "b": b, "relation": relation,
                                   "confidence": round(confidence, 4), "origin": origin,
                                   "credit": credit, "screened": end == SCREENED_TAIL}) + "\n")
    with files["stories.jsonl"].open("w", encoding="utf-8") as sink:
        for story in stories:
            sink.write(json.dumps(story.as_dict(), ensure_ascii=False) + "\n")
    in_stories = [s for s in stories if len(s.articles) > 1]
    ids = [a for s in in_stories for a in s.articles]
    articles = store.get_many(ids, with_sentences=False)
    graph = nx.DiGraph()
    for story in in_stories:
        for aid in story.articles:
            a = articles[aid]
            graph.add_node(aid, label=f"{a.outlet or a.domain or '?'}: {(a.title or '')[:60]}",
                           outlet=a.outlet or a.domain or "", published=a.published or "",
                           story=story.id)
        for e in story.edges:
            graph.add_edge(e.origin, e.derived, relation=e.relation, credit=e.credit,
                           confidence=round(e.confidence, 4), weight=round(e.confidence, 4))
    nx.write_gexf(graph, files["graph.gexf"])
    files["run.json"].write_text(json.dumps({"newstrace": __version__, "settings": settings,
                                             "report": report}, indent=1, default=str),
                                 encoding="utf-8")
    pages = _pair_pages(store, in_stories, out)
    views = [story_view(story, articles, pages) for story in in_stories]
    singles = sum(1 for s in stories if len(s.articles) == 1)
    files["report.html"].write_text(render_corpus_report(views, singles=singles,
                                                         summary=report, links=links or {}),
                                    encoding="utf-8")
    return files


def story_view(story: Story, articles: dict[str, Article],
               pages: dict[tuple[str, str], str]) -> dict[str, Any]:
    """One story as the report shows it: members with their lag, edges with their page."""
    members = [articles[a] for a in story.articles]
    return {
        "story": story,
        "members": [{"a": a, "lag": lag_hours(a, members[0])} for a in members],
        "edges": [{"e": e, "origin": articles[e.origin], "derived": articles[e.derived],
                   "page": pages.get((e.origin, e.derived))} for e in story.edges
                  if e.origin in articles and e.derived in articles],
    }


def stored_pair_result(store: Store, a: str, b: str) -> PairResult | None:
    """A stored compare result rebuilt around its two articles (ids in either order)."""
    a, b = sorted((a, b))
    row = store.conn.execute("SELECT result FROM pairs WHERE a = ? AND b = ?",
                             (a, b)).fetchone()
    if row is None:
        return None
    found = store.get_many([a, b])
    if a not in found or b not in found:
        return None
    return pair_result_from_dict(json.loads(row[0]), found[a], found[b])


def _pair_pages(store: Store, stories: list[Story], out: Path) -> dict[tuple[str, str], str]:
    pages: dict[tuple[str, str], str] = {}
    wanted = [(e.origin, e.derived) for s in stories for e in s.edges][:MAX_PAIR_PAGES]
    if not wanted:
        return pages
    (out / "pairs").mkdir(exist_ok=True)
    details = Details(store)
    for origin, derived in wanted:
        a, b = sorted((origin, derived))
        result = stored_pair_result(store, a, b)
        if result is None:
            continue
        result = details.complete(result)  # the changes a corpus run leaves for opening
        name = f"pairs/{a[:8]}-{b[:8]}.html"
        (out / name).write_text(render_pair_report(result), encoding="utf-8")
        pages[(origin, derived)] = name
    return pages
