"""The article store: one SQLite file by default, or a PostgreSQL database for a team.

SQLite in WAL mode gives a single file a user can copy, crash-safe transactions
(a killed ingest loses at most the batch in flight, and re-running it finishes
the job), and readers that do not block the writer. Every write goes through
``transaction()`` so a batch is all-or-nothing. A ``postgresql://`` URL gives the
same store, with the same guarantees, on a server several people share.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from newstrace.cache import cache_dir
from newstrace.clean.normalize import hash_text
from newstrace.corpus import postgres
from newstrace.corpus.postgres import is_postgres_url, masked
from newstrace.corpus.schema import MIGRATIONS
from newstrace.errors import StoreError
from newstrace.model import Article, Credit, Embed, Removal, Sentence, Skipped, Source

#: A line counts as an outlet's boilerplate once it appears in this many of the
#: outlet's articles and in at least this share of them.
REPEATED_MIN_ARTICLES = 3
REPEATED_MIN_SHARE = 0.02
#: SQLite page cache of the writing connection, in KiB. The default (2 MB) is far
#: smaller than the LSH table's index at 100,000 articles, whose inserts land on
#: random pages: each then cost a read from the OS.
CACHE_KIB = 262_144

_ARTICLE_COLUMNS = (
    "id, url, domain, outlet, outlet_key, title, published, first_seen, language, text, raw, "
    "source_kind, source_path, source_line, source_record, cleaning, extra, clean_sig, "
    "ingested_at"
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def outlet_key(article: Article) -> str | None:
    """The name under which an article's lines are counted as its outlet's."""
    return article.outlet or article.domain


def pg_local_root() -> Path:
    """Where PostgreSQL stores keep their local files (``$NEWSTRACE_PG_LOCAL``)."""
    return Path(os.environ.get("NEWSTRACE_PG_LOCAL") or cache_dir() / "postgresql")


class Prepared(NamedTuple):
    """A cleaned article ready to store, with what the store needs to learn from it."""

    article: Article
    line_keys: set[int]
    clean_sig: str


def repeated_signature(repeated: frozenset[int]) -> str:
    """Names the repeated-line set an article was cleaned with, to spot stale ones."""
    if not repeated:
        return ""
    return format(hash_text(",".join(map(str, sorted(repeated)))), "x")


class Store:
    """Articles and their cleaning records in one SQLite file, or in a PostgreSQL database.

    ``path`` is a file (SQLite, the default) or a ``postgresql://user@host:port/db``
    URL (a team's shared store). Either way ``conn`` takes the same SQL; see
    ``corpus.postgres`` for what is translated. Files kept beside a store (the
    vector index, cached sentence vectors) live beside ``path``: for PostgreSQL
    that is a file in a local folder named after the store (``pg_local_root()``),
    made when first written and completed from the database whenever it lags.
    """

    #: ``sqlite3.Connection`` or ``postgres.PgConnection``: the same calls on both
    conn: Any
    #: the file, or the URL (what another process opens the same store with)
    location: str
    #: what to call the store in messages (a URL without its password)
    name: str

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        """``read_only``: a reader beside a writer (worker processes); no migration."""
        self.read_only = read_only
        self.postgres = is_postgres_url(path)
        if self.postgres:
            self._open_postgres(str(path))
            return
        if str(path).startswith(("postgresql:/", "postgres:/")):
            raise StoreError(f"{path}: give a PostgreSQL URL as text, not as a Path "
                             "(the path lost a slash)")
        self.path = Path(path)
        self.location = self.name = str(self.path)
        try:
            if read_only:
                self.conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro",
                                            uri=True, isolation_level=None, timeout=30,
                                            check_same_thread=False)
                return
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30,
                                        check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a newstrace store or damaged ({exc}); "
                             "name another file with --db") from exc
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open store ({exc})") from exc

    def _open_postgres(self, url: str) -> None:
        self.location, self.name = url, masked(url)
        self.conn = postgres.connect(url, read_only=self.read_only)
        import psycopg  # present: connect() succeeded
        try:
            if self.conn.execute("SELECT to_regclass('newstrace_store')").fetchone()[0] is None:
                if self.read_only:
                    raise StoreError(f"{self.name}: no newstrace store in this database yet; "
                                     "create one with: newstrace ingest PATH --db URL")
                with self.conn.transaction() as conn:
                    conn.execute(postgres.META_TABLE)
                    conn.execute("INSERT INTO newstrace_store(id, store_id, schema_version, "
                                 "writes) VALUES (1, ?, 0, 0) ON CONFLICT DO NOTHING",
                                 (uuid.uuid4().hex,))
            store_id = self.conn.execute("SELECT store_id FROM newstrace_store").fetchone()[0]
            if not self.read_only:
                self._migrate()
        except psycopg.Error as exc:
            self.conn.close()
            raise StoreError(f"{self.name}: cannot use this database as a newstrace store "
                             f"({' '.join(str(exc).split())}); name an empty database") from exc
        except StoreError:
            self.conn.close()
            raise
        # named by the store and where it is: a copy of the database (CREATE DATABASE …
        # TEMPLATE, a restored dump) is another store and must not share the index
        info = self.conn.raw.info
        where = f"{store_id}|{info.host}|{info.port}|{info.dbname}"
        self.path = pg_local_root() / hashlib.sha1(where.encode()).hexdigest()[:20] / "local.db"

    # -- plumbing ---------------------------------------------------------

    def close(self) -> None:
        """Fold the write-ahead log back into the file, so the .db alone is the store."""
        if self.read_only or self.postgres:
            self.conn.close()
            return
        with suppress(sqlite3.Error):  # another process may hold the log; it will checkpoint
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()

    @property
    def broken(self) -> bool:
        """True once a PostgreSQL connection was lost (server restarted): open a new Store."""
        return bool(self.postgres and (self.conn.raw.broken or self.conn.raw.closed))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One all-or-nothing write; writers queue behind each other, readers do not wait."""
        if self.postgres:
            with self.conn.transaction() as conn:
                yield conn
                conn.execute("UPDATE newstrace_store SET writes = writes + 1")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        if self.schema_version == len(MIGRATIONS):
            return  # the usual case: no write lock taken just to open a store
        while True:
            with self.transaction() as conn:
                # read inside the write lock: another process may have just migrated
                version = self.schema_version
                if version > len(MIGRATIONS):
                    raise StoreError(f"{self.name} was written by a newer newstrace "
                                     f"(schema {version}); upgrade newstrace to read it")
                if version == len(MIGRATIONS):
                    return
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        conn.execute(postgres.ddl(statement) if self.postgres else statement)
                if self.postgres:
                    conn.execute("UPDATE newstrace_store SET schema_version = ?", (version + 1,))
                else:
                    conn.execute(f"PRAGMA user_version = {version + 1}")

    @property
    def schema_version(self) -> int:
        sql = ("SELECT schema_version FROM newstrace_store" if self.postgres
               else "PRAGMA user_version")
        return int(self.conn.execute(sql).fetchone()[0])

    def data_version(self) -> int:
        """A number that changes when another connection commits (cheap to ask often)."""
        sql = "SELECT writes FROM newstrace_store" if self.postgres else "PRAGMA data_version"
        return int(self.conn.execute(sql).fetchone()[0])

    # -- runs and problems -----------------------------------------------

    def start_run(self, command: str, settings: dict[str, Any]) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs(command, settings, started_at) VALUES (?, ?, ?) RETURNING id",
                (command, json.dumps(settings, default=str), now_iso()),
            )
            return int(cur.fetchone()[0])

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE runs SET ended_at = ?, stats = ? WHERE id = ?",
                         (now_iso(), json.dumps(stats, default=str), run_id))

    def problems(self, run_id: int | None = None) -> list[Skipped]:
        sql = "SELECT source, reason FROM problems"
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args = (run_id,)
        # problems is append-only: its physical order is the order of insertion
        order = " ORDER BY ctid" if self.postgres else " ORDER BY rowid"
        return [Skipped(s, r) for s, r in self.conn.execute(sql + order, args)]

    # -- resumable ingest ------------------------------------------------

    def source_done(self, path: Path) -> bool:
        """True when this exact file (same size and mtime) was fully ingested."""
        try:
            st = path.stat()
        except OSError:
            return False
        row = self.conn.execute("SELECT size, mtime_ns FROM sources_done WHERE path = ?",
                                (os.path.abspath(path),)).fetchone()
        return row is not None and row[0] == st.st_size and row[1] == st.st_mtime_ns

    def write_batch(
        self,
        prepared: Sequence[Prepared],
        *,
        run_id: int | None = None,
        problems: Sequence[Skipped] = (),
        done_files: Sequence[tuple[Path, int]] = (),
    ) -> list[bool]:
        """Store a batch in one transaction; returns, per article, whether it was new.

        Problems and finished files are written in the same transaction, so a
        crash never leaves a file marked done whose articles were not stored.
        """
        stamp = now_iso()
        new_flags: list[bool] = []
        with self.transaction() as conn:
            line_counts: dict[tuple[str, int], int] = {}
            for article, line_keys, clean_sig in prepared:
                cur = conn.execute(
                    f"INSERT OR IGNORE INTO articles({_ARTICLE_COLUMNS}) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    _article_row(article, stamp, clean_sig=clean_sig),
                )
                is_new = cur.rowcount == 1
                new_flags.append(is_new)
                if not is_new:
                    continue
                conn.executemany(
                    'INSERT INTO sentences(article_id, idx, start, "end", kind) '
                    "VALUES (?,?,?,?,?)",
                    [(article.id, i, s.start, s.end, s.kind)
                     for i, s in enumerate(article.sentences)],
                )
                outlet = outlet_key(article)
                if outlet:
                    for key in line_keys:
                        line_counts[(outlet, key)] = line_counts.get((outlet, key), 0) + 1
            conn.executemany(
                "INSERT INTO outlet_lines(outlet, key, n) VALUES (?, ?, ?) "
                "ON CONFLICT(outlet, key) DO UPDATE SET n = outlet_lines.n + excluded.n",
                [(o, k, n) for (o, k), n in line_counts.items()],
            )
            conn.executemany("INSERT INTO problems(run_id, source, reason) VALUES (?, ?, ?)",
                             [(run_id, p.source, p.reason) for p in problems])
            for path, count in done_files:
                st = path.stat()
                conn.execute(
                    "INSERT OR REPLACE INTO sources_done(path, size, mtime_ns, articles, done_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (os.path.abspath(path), st.st_size, st.st_mtime_ns, count, stamp),
                )
        return new_flags

    # -- corpus evidence for boilerplate -----------------------------------

    def repeated_lines(self, outlet: str) -> frozenset[int]:
        """Keys of lines this outlet repeats often enough to be boilerplate."""
        total = self.conn.execute(
            "SELECT COUNT(*) FROM articles WHERE outlet_key = ?", (outlet,)
        ).fetchone()[0]
        floor = max(REPEATED_MIN_ARTICLES, int(total * REPEATED_MIN_SHARE + 0.999))
        rows = self.conn.execute("SELECT key FROM outlet_lines WHERE outlet = ? AND n >= ?",
                                 (outlet, floor))
        return frozenset(k for (k,) in rows)

    def all_repeated_lines(self) -> dict[str, frozenset[int]]:
        """``repeated_lines`` for every outlet at once (what ingest workers start from)."""
        totals = dict(self.conn.execute(
            "SELECT outlet_key, COUNT(*) FROM articles WHERE outlet_key IS NOT NULL "
            "GROUP BY outlet_key").fetchall())
        found: dict[str, set[int]] = {}
        for outlet, key, n in self.conn.execute(
                "SELECT outlet, key, n FROM outlet_lines WHERE n >= ?", (REPEATED_MIN_ARTICLES,)):
            total = totals.get(outlet, 0)
            if n >= max(REPEATED_MIN_ARTICLES, int(total * REPEATED_MIN_SHARE + 0.999)):
                found.setdefault(outlet, set()).add(key)
        return {outlet: frozenset(keys) for outlet, keys in found.items()}

    def articles_needing_reclean(self, outlet: str, signature: str) -> list[Article]:
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles "
            "WHERE outlet_key = ? AND clean_sig != ?",
            (outlet, signature),
        ).fetchall()
        return [self._article_from_row(r, with_sentences=False) for r in rows]

    def replace_cleaning(self, articles: Iterable[Article], signature: str) -> int:
        """Store re-cleaned text, sentences and removals; ids and raw text stay."""
        count = 0
        with self.transaction() as conn:
            for a in articles:
                conn.execute(
                    "UPDATE articles SET text = ?, cleaning = ?, clean_sig = ?, outlet = ?, "
                    "outlet_key = ?, published = ?, url = ?, domain = ? WHERE id = ?",
                    (a.text, _cleaning_json(a), signature, a.outlet, outlet_key(a), a.published,
                     a.url, a.domain, a.id),
                )
                conn.execute("DELETE FROM sentences WHERE article_id = ?", (a.id,))
                conn.executemany(
                    'INSERT INTO sentences(article_id, idx, start, "end", kind) '
                    "VALUES (?,?,?,?,?)",
                    [(a.id, i, s.start, s.end, s.kind) for i, s in enumerate(a.sentences)],
                )
                count += 1
        return count

    # -- reading ---------------------------------------------------------

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def get(self, article_id: str) -> Article | None:
        """An article by id or unique id prefix (at least 4 characters)."""
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ? "
            f"UNION ALL SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id LIKE ? AND id != ? "
            "AND length(?) >= 4 LIMIT 2",
            (article_id, article_id.replace("%", "").replace("_", "") + "%", article_id,
             article_id),
        ).fetchall()
        if not rows:
            return None
        if len(rows) > 1 and rows[0][0] != article_id:
            raise StoreError(f"article id prefix {article_id!r} is ambiguous; give more of it")
        return self._article_from_row(rows[0])

    def get_many(self, ids: Sequence[str], *, with_sentences: bool = True
                 ) -> dict[str, Article]:
        out: dict[str, Article] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", chunk):
                article = self._article_from_row(row, with_sentences=with_sentences)
                out[article.id] = article
        return out

    def iter_articles(
        self,
        *,
        outlet: str | None = None,
        limit: int | None = None,
        with_sentences: bool = True,
    ) -> Iterator[Article]:
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles"
        args: list[Any] = []
        if outlet:
            sql += " WHERE outlet = ? OR domain = ?"
            args += [outlet, outlet]
        sql += " ORDER BY COALESCE(published, first_seen), id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        for row in self.conn.execute(sql, args).fetchall():
            yield self._article_from_row(row, with_sentences=with_sentences)

    def _sentences(self, article_id: str, text: str) -> list[Sentence]:
        rows = self.conn.execute(
            'SELECT start, "end", kind FROM sentences WHERE article_id = ? ORDER BY idx',
            (article_id,),
        )
        return [Sentence(s, e, text[s:e], k) for s, e, k in rows]

    def _article_from_row(self, row: Sequence[Any], *, with_sentences: bool = True) -> Article:
        (aid, url, _domain, outlet, _okey, title, published, first_seen, language, text, raw,
         source_kind, source_path, source_line, source_record, cleaning, extra, _sig,
         _ingested) = row
        clean = json.loads(cleaning)
        return Article(
            id=aid, raw=raw, url=url, outlet=outlet, title=title, published=published,
            first_seen=first_seen, language=language, text=text,
            source=Source(source_kind, source_path, source_line, source_record),
            sentences=self._sentences(aid, text) if with_sentences else [],
            removals=[Removal(**r) for r in clean.get("removals", [])],
            embeds=[Embed(**e) for e in clean.get("embeds", [])],
            credits=[Credit(**c) for c in clean.get("credits", [])],
            extra=json.loads(extra),
        )


def _cleaning_json(article: Article) -> str:
    return json.dumps(
        {
            "removals": [asdict(r) for r in article.removals],
            "embeds": [asdict(e) for e in article.embeds],
            "credits": [asdict(c) for c in article.credits],
        },
        ensure_ascii=False,
    )


def _article_row(article: Article, stamp: str, *, clean_sig: str) -> tuple[Any, ...]:
    return (
        article.id, article.url, article.domain, article.outlet, outlet_key(article),
        article.title,
        article.published, article.first_seen or stamp, article.language, article.text,
        article.raw, article.source.kind, article.source.path, article.source.line,
        article.source.record, _cleaning_json(article),
        json.dumps(article.extra, ensure_ascii=False, default=str), clean_sig, stamp,
    )
