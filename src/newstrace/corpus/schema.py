"""The store's schema, as an ordered list of migrations.

Each migration runs once, in order, inside a transaction; the number applied is
kept in ``PRAGMA user_version``. Add new migrations at the end; never edit one
that has shipped, because stores in the wild have already run it.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: articles, their sentences, and the bookkeeping that makes ingest resumable
    """
    CREATE TABLE articles (
        id            TEXT PRIMARY KEY,
        url           TEXT,
        domain        TEXT,
        outlet        TEXT,
        outlet_key    TEXT,            -- outlet, else domain: whose boilerplate this shares
        title         TEXT,
        published     TEXT,
        first_seen    TEXT,
        language      TEXT,
        text          TEXT NOT NULL,
        raw           TEXT NOT NULL,
        source_kind   TEXT NOT NULL,
        source_path   TEXT NOT NULL,
        source_line   INTEGER,
        source_record TEXT,
        cleaning      TEXT NOT NULL,   -- JSON: removals, embeds, credits
        extra         TEXT NOT NULL,   -- JSON: fields the input had beyond ours
        clean_sig     TEXT NOT NULL,   -- which repeated-line set the text was cleaned with
        ingested_at   TEXT NOT NULL
    );
    CREATE INDEX articles_outlet ON articles(outlet);
    CREATE INDEX articles_outlet_key ON articles(outlet_key);
    CREATE INDEX articles_published ON articles(published);
    CREATE TABLE sentences (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        idx        INTEGER NOT NULL,
        start      INTEGER NOT NULL,
        "end"      INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        PRIMARY KEY (article_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE outlet_lines (
        outlet TEXT NOT NULL,
        key    INTEGER NOT NULL,
        n      INTEGER NOT NULL,
        PRIMARY KEY (outlet, key)
    ) WITHOUT ROWID;
    CREATE TABLE sources_done (
        path     TEXT PRIMARY KEY,
        size     INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        done_at  TEXT NOT NULL
    );
    CREATE TABLE runs (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        command    TEXT NOT NULL,
        settings   TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at   TEXT,
        stats      TEXT
    );
    CREATE TABLE problems (
        run_id INTEGER REFERENCES runs(id),
        source TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # 2: corpus mode: fingerprints, LSH buckets, compared pairs, stories
    """
    CREATE TABLE fingerprints (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        minhash    BLOB NOT NULL,   -- uint32 × permutations
        vector     BLOB NOT NULL,   -- float32 document vector (unit length)
        published  TEXT
    );
    CREATE TABLE lsh (
        band       INTEGER NOT NULL,
        bucket     INTEGER NOT NULL,
        article_id TEXT NOT NULL,
        PRIMARY KEY (band, bucket, article_id)
    ) WITHOUT ROWID;
    CREATE TABLE pairs (
        a          TEXT NOT NULL,
        b          TEXT NOT NULL,
        relation   TEXT NOT NULL,
        confidence REAL NOT NULL,
        origin     TEXT,            -- article id of the origin, for copy/derived
        credit     TEXT NOT NULL,
        coverage   REAL NOT NULL,
        result     TEXT NOT NULL,   -- the full compare JSON (without article texts)
        compared_at TEXT NOT NULL,
        PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    CREATE INDEX pairs_b ON pairs(b);
    CREATE INDEX pairs_origin ON pairs(origin);
    CREATE TABLE stories (
        article_id TEXT PRIMARY KEY,
        story_id   TEXT NOT NULL
    );
    CREATE INDEX stories_story ON stories(story_id);
    -- articles whose candidate search has not finished (survives a killed run)
    CREATE TABLE pending_candidates (article_id TEXT PRIMARY KEY);
    """,
    # 3: an article's own buckets without a scan of the whole LSH table
    """
    CREATE INDEX lsh_article ON lsh(article_id);
    """,
    # 4: multilingual lead vectors, for candidates across languages (only filled
    # once a store holds articles in more than one language)
    """
    CREATE TABLE ml_vectors (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        language   TEXT,
        published  TEXT,
        vector     BLOB NOT NULL    -- float32, unit length (multilingual USE)
    );
    """,
    # 5: the store's languages by index seeks: every ``add`` asks whether the store
    # mixes languages, and a scan of the articles table cost 135 ms at 100k articles
    """
    CREATE INDEX articles_language ON articles(language);
    """,
    # 6: how likely a compared pair is one story (copy, rewrite or same story: one
    # minus the verdict's "unrelated" probability), which stories are clustered by;
    # pairs stored before it read their same-story confidence (``stories.link_weight``)
    """
    ALTER TABLE pairs ADD COLUMN related REAL;
    """,
)
