"""What the web app reads from a store, and the few things it writes.

Each request thread reads through its own read-only connection (SQLite in WAL
mode lets readers run beside a writer, including a ``newstrace run`` in another
process; so does PostgreSQL). Writes (uploads) go through one short-lived
writable store at a time. The stories list is summarised once in memory and
rebuilt when the database changes (``Store.data_version``), so filtering 10k
stories costs no query.
Every query is parameterised.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.corpus.outputs import stored_pair_result, story_view
from newstrace.corpus.postgres import is_postgres_url
from newstrace.corpus.store import Store
from newstrace.corpus.stories import Edge, Story
from newstrace.model import Article, PairResult
from newstrace.reuse.claims import ClaimMatrix

#: A story's claims matrix parses and compares every member; past this many it is refused.
MAX_CLAIM_ARTICLES = 60
#: Claims matrices kept in memory (they cost seconds to build).
CLAIMS_CACHE = 64

SORTS = ("size", "recent")


def _when(published: str | None, first_seen: str | None) -> str:
    return published or first_seen or ""


@dataclass(slots=True)
class StorySummary:
    """One story as the stories list needs it."""

    id: str
    articles: list[str]  # in time order
    title: str
    first: str  # earliest publication (or first-seen) stamp, "" if unknown
    last: str
    outlets: list[str]  # in time order, each once
    edge_list: list[Edge] = field(default_factory=list)
    uncredited: int = 0
    search: str = ""  # titles, lower-cased, for the text filter
    outlet_keys: set[str] = field(default_factory=set)  # outlets and domains, lower-cased
    days: list[str] = field(default_factory=list)  # YYYY-MM-DD of each dated member

    @property
    def size(self) -> int:
        return len(self.articles)

    @property
    def edges(self) -> int:
        return len(self.edge_list)

    def as_dict(self) -> dict[str, Any]:
        """The story as in ``stories.jsonl``, with what the list shows beside it."""
        return Story(self.id, self.articles, self.edge_list).as_dict() | {
            "size": self.size, "title": self.title, "first_published": self.first or None,
            "last_published": self.last or None, "outlets": self.outlets,
            "uncredited": self.uncredited}


@dataclass(slots=True)
class StoryFilter:
    q: str = ""
    outlet: str = ""
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""
    uncredited: bool = False
    min_size: int = 2
    sort: str = "size"

    def keep(self, s: StorySummary) -> bool:
        if s.size < self.min_size:
            return False
        if self.uncredited and not s.uncredited:
            return False
        if self.q and self.q.lower() not in s.search:
            return False
        if self.outlet and self.outlet.lower() not in s.outlet_keys:
            return False
        if self.date_from or self.date_to:
            lo, hi = self.date_from or "0000", self.date_to or "9999"
            if not any(lo <= d <= hi for d in s.days):
                return False
        return True


@dataclass(slots=True)
class Page:
    total: int
    offset: int
    limit: int
    items: list[Any]


class Corpus:
    """The web app's view of one store (a SQLite file or a PostgreSQL URL)."""

    def __init__(self, path: str | Path) -> None:
        with Store(path) as store:  # create, or bring the schema up to date, once
            self.location, self.name = store.location, store.name
        self._local = threading.local()
        self._watch = Store(self.location, read_only=True)
        self._watch_lock = threading.Lock()
        self._version: int | None = None
        self._summaries: list[StorySummary] = []
        self._by_id: dict[str, StorySummary] = {}
        self._outlets: list[str] = []
        self._summary_lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.compute_lock = threading.Lock()  # the models are shared; one job at a time
        self._claims: OrderedDict[tuple[str, ...], ClaimMatrix] = OrderedDict()
        self._stores: list[Store] = []
        self._stores_lock = threading.Lock()
        self._claims_lock = threading.Lock()

    @property
    def display_name(self) -> str:
        """How pages name the store: the file's name, or the URL without its password."""
        return self.name if is_postgres_url(self.location) else Path(self.location).name

    # -- connections ------------------------------------------------------

    def store(self) -> Store:
        """This thread's read-only store."""
        store: Store | None = getattr(self._local, "store", None)
        if store is not None and store.broken:  # the PostgreSQL server went away: reconnect
            with self._stores_lock:
                self._stores.remove(store)
            store.close()
            store = None
        if store is None:
            store = Store(self.location, read_only=True)
            self._local.store = store
            with self._stores_lock:
                self._stores.append(store)
        return store

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """A writable store, one writer at a time."""
        with self.write_lock, Store(self.location) as store:
            yield store

    def close(self) -> None:
        with self._stores_lock:
            for store in self._stores:
                store.close()
            self._stores.clear()
        self._watch.close()

    # -- stories list ---------------------------------------------------------

    def _current(self) -> list[StorySummary]:
        with self._watch_lock:
            if self._watch.broken:
                self._watch.close()
                self._watch = Store(self.location, read_only=True)
            version = self._watch.data_version()
        with self._summary_lock:
            if version != self._version:
                self._summaries, self._outlets = _summarise(self.store())
                self._by_id = {s.id: s for s in self._summaries}
                self._version = version
            return self._summaries

    def outlets(self) -> list[str]:
        self._current()
        return self._outlets

    def stories(self, f: StoryFilter, offset: int, limit: int) -> Page:
        found = [s for s in self._current() if f.keep(s)]
        if f.sort == "recent":
            found.sort(key=lambda s: (s.last, s.size), reverse=True)
        # the summaries are kept by size, then first publication
        return Page(len(found), offset, limit, found[offset : offset + limit])

    def summary(self, story_id: str) -> StorySummary | None:
        self._current()
        return self._by_id.get(story_id)

    # -- one story ----------------------------------------------------------

    def story(self, story_id: str) -> tuple[Story, dict[str, Article]] | None:
        """The story with its provenance edges, and its articles (without sentences)."""
        store = self.store()
        rows = store.conn.execute(
            "SELECT a.id, a.published, a.first_seen FROM stories s "
            "JOIN articles a ON a.id = s.article_id WHERE s.story_id = ?", (story_id,)
        ).fetchall()
        if not rows:
            return None
        members = [aid for aid, *_ in sorted(rows, key=lambda r: (_when(r[1], r[2]) or "9999",
                                                                   r[0]))]
        edges = _edges_into(store, members)
        ids = members + [e.origin for e in edges]
        return Story(story_id, members, edges), store.get_many(ids, with_sentences=False)

    def story_view(self, story: Story, articles: dict[str, Article], root: str = ""
                   ) -> dict[str, Any]:
        pages = {(e.origin, e.derived): f"{root}/pair/{e.origin}/{e.derived}"
                 for e in story.edges}
        return story_view(story, articles, pages)

    def story_of(self, article_id: str) -> str | None:
        row = self.store().conn.execute("SELECT story_id FROM stories WHERE article_id = ?",
                                        (article_id,)).fetchone()
        return row[0] if row else None

    def claims(self, story: Story) -> ClaimMatrix:
        """The story's claims matrix (cached; the first call parses every member)."""
        key = (story.id, *story.articles)
        with self._claims_lock:
            if key in self._claims:
                self._claims.move_to_end(key)
                return self._claims[key]
        from newstrace.nlp.embed import default_embedder
        from newstrace.reuse.claims import claim_matrix

        articles = self.store().get_many(story.articles)
        ordered = [articles[a] for a in story.articles if a in articles]
        with self.compute_lock:
            matrix = claim_matrix(ordered, default_embedder().encode, 2)
        with self._claims_lock:
            self._claims[key] = matrix
            while len(self._claims) > CLAIMS_CACHE:
                self._claims.popitem(last=False)
        return matrix

    # -- articles and pairs -----------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """By id or unique prefix; raises StoreError when a prefix is ambiguous."""
        return self.store().get(article_id)

    def articles(self, *, outlet: str = "", q: str = "", date_from: str = "",
                 date_to: str = "", offset: int = 0, limit: int = 50) -> Page:
        where, args = [], []
        if outlet:
            where.append("(lower(outlet) = ? OR lower(domain) = ?)")
            args += [outlet.lower(), outlet.lower()]
        if q:
            where.append("lower(title) LIKE ? ESCAPE '\\'")
            args.append("%" + _like(q.lower()) + "%")
        if date_from:
            where.append("substr(COALESCE(published, first_seen), 1, 10) >= ?")
            args.append(date_from)
        if date_to:
            where.append("substr(COALESCE(published, first_seen), 1, 10) <= ?")
            args.append(date_to)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        store = self.store()
        total = store.conn.execute(f"SELECT COUNT(*) FROM articles{clause}", args).fetchone()[0]
        ids = [aid for (aid,) in store.conn.execute(
            f"SELECT id FROM articles{clause} ORDER BY COALESCE(published, first_seen), id "
            "LIMIT ? OFFSET ?", [*args, limit, offset])]
        found = store.get_many(ids, with_sentences=False)
        return Page(int(total), offset, limit, [found[i] for i in ids if i in found])

    def relations(self, article_id: str) -> list[dict[str, Any]]:
        """Every compared pair with this article, strongest first, with the other article."""
        store = self.store()
        rows = store.conn.execute(
            "SELECT a, b, relation, confidence, origin, credit FROM pairs WHERE a = ? "
            "UNION ALL SELECT a, b, relation, confidence, origin, credit FROM pairs WHERE b = ?",
            (article_id, article_id)).fetchall()
        others = store.get_many([b if a == article_id else a for a, b, *_ in rows],
                                with_sentences=False)
        order = {"copy": 0, "derived": 1, "same_story": 2, "unrelated": 3}
        out = []
        for a, b, relation, confidence, origin, credit in rows:
            other = b if a == article_id else a
            role = "" if not origin else "origin" if origin == article_id else "derived"
            out.append({"a": a, "b": b, "relation": relation, "confidence": confidence,
                        "origin": origin, "credit": credit, "other": others.get(other),
                        "other_id": other, "this_is": role})
        out.sort(key=lambda r: (order.get(r["relation"], 9), -r["confidence"]))
        return out

    def pairs(self, article_id: str | None, offset: int, limit: int) -> Page:
        store = self.store()
        cols = "SELECT a, b, relation, confidence, origin, credit FROM pairs"
        if article_id:
            sql = f"{cols} WHERE a = ? UNION ALL {cols} WHERE b = ?"
            args: list[Any] = [article_id, article_id]
        else:
            sql, args = cols, []
        total = store.conn.execute(f"SELECT COUNT(*) FROM ({sql}) AS p", args).fetchone()[0]
        rows = store.conn.execute(f"SELECT * FROM ({sql}) AS p ORDER BY a, b LIMIT ? OFFSET ?",
                                  [*args, limit, offset]).fetchall()
        items = [{"a": a, "b": b, "relation": relation, "confidence": round(confidence, 4),
                  "origin": origin, "credit": credit}
                 for a, b, relation, confidence, origin, credit in rows]
        return Page(int(total), offset, limit, items)

    def pair(self, a: str, b: str) -> PairResult | None:
        return stored_pair_result(self.store(), a, b)

    def full_view(self, stored: PairResult) -> PairResult:
        """The pair as its page shows it: a pair the screen settled is compared now, in
        full, and a copy or rewrite gets the change analysis the run left for opening
        (``corpus.details``)."""
        from newstrace.corpus.details import Details, incomplete

        if not incomplete(stored):
            return stored
        with self.compute_lock:
            return Details(self.store()).complete(stored)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _edges_into(store: Store, members: Sequence[str]) -> list[Edge]:
    """Copy and rewrite edges whose derived article is a member (as ``build_stories``)."""
    edges: list[Edge] = []
    for start in range(0, len(members), 400):
        chunk = list(members[start : start + 400])
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(
            "SELECT a, b, relation, confidence, origin, credit FROM pairs "
            f"WHERE (a IN ({marks}) OR b IN ({marks})) AND relation IN ('copy', 'derived') "
            "AND origin IS NOT NULL", chunk + chunk).fetchall()
        wanted = set(chunk)
        for a, b, relation, confidence, origin, credit in rows:
            derived = b if origin == a else a
            if derived in wanted and origin in (a, b):
                edges.append(Edge(origin, derived, relation, confidence, credit))
    position = {m: k for k, m in enumerate(members)}
    edges.sort(key=lambda e: (position[e.derived], e.origin))
    return edges


def _summarise(store: Store) -> tuple[list[StorySummary], list[str]]:
    rows = store.conn.execute(
        "SELECT s.story_id, a.id, a.outlet, a.domain, a.title, a.published, a.first_seen "
        "FROM stories s JOIN articles a ON a.id = s.article_id").fetchall()
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    story_of = {row[1]: row[0] for row in rows}
    summaries: dict[str, StorySummary] = {}
    outlets: set[str] = set()
    for sid, members in grouped.items():
        members.sort(key=lambda r: (_when(r[5], r[6]) or "9999", r[1]))
        names = [r[2] or r[3] or "?" for r in members]
        stamps = [w for r in members if (w := _when(r[5], r[6]))]
        summaries[sid] = StorySummary(
            id=sid, articles=[r[1] for r in members], title=members[0][4] or "(untitled)",
            first=min(stamps) if stamps else "", last=max(stamps) if stamps else "",
            outlets=list(dict.fromkeys(names)),
            search=" \n ".join((r[4] or "").lower() for r in members),
            outlet_keys={x.lower() for r in members for x in (r[2], r[3]) if x},
            days=[s[:10] for s in stamps])
        outlets.update(r[2] or r[3] for r in members if r[2] or r[3])
    for a, b, relation, confidence, origin, credit in store.conn.execute(
            "SELECT a, b, relation, confidence, origin, credit FROM pairs "
            "WHERE relation IN ('copy', 'derived') AND origin IS NOT NULL"):
        if origin not in (a, b):
            continue
        derived = b if origin == a else a
        summary = summaries.get(story_of.get(derived, ""))
        if summary is None:
            continue
        summary.edge_list.append(Edge(origin, derived, relation, confidence, credit))
        if credit == "uncredited":
            summary.uncredited += 1
    for summary in summaries.values():
        if len(summary.edge_list) > 1:
            position = {m: k for k, m in enumerate(summary.articles)}
            summary.edge_list.sort(key=lambda e: (position[e.derived], e.origin))
    ordered = sorted(summaries.values(), key=lambda s: (-s.size, s.first or "9999", s.id))
    return ordered, sorted(outlets, key=str.lower)

