"""Shared fixtures: real files in temporary folders, real SQLite and PostgreSQL stores.

``store_url`` (and ``store``, built on it) runs a test once on a SQLite file and
once on a fresh database of a real PostgreSQL server: a throwaway cluster started
once per session (``tests/pgcluster.py``), or the server ``NEWSTRACE_TEST_PG``
names. Without server binaries the PostgreSQL runs are skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newstrace.cli import sample_corpus_path
from newstrace.corpus.store import Store
from tests.pgcluster import Cluster, Databases, find_bin

SHARED = Path(os.environ.get("NEWSTRACE_SHARED",
                             Path(__file__).resolve().parents[2] / "shared"))
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[Databases]:
    """A PostgreSQL server for the session: started here, stopped and removed at the end.

    The stores' local files (vector indexes) go to a temporary folder too, inherited by
    the CLI processes some tests start.
    """
    local = tempfile.mkdtemp(prefix="newstrace-pg-local-")
    saved = os.environ.get("NEWSTRACE_PG_LOCAL")
    os.environ["NEWSTRACE_PG_LOCAL"] = local
    cluster = None
    try:
        if os.environ.get("NEWSTRACE_TEST_PG"):
            yield Databases(os.environ["NEWSTRACE_TEST_PG"])
            return
        bindir = find_bin()
        if bindir is None:
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: install the "
                        "postgresql package, or set NEWSTRACE_PG_BIN or NEWSTRACE_TEST_PG")
        cluster = Cluster(bindir).start()
        yield Databases(cluster.url())
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(local, ignore_errors=True)
        if saved is None:
            os.environ.pop("NEWSTRACE_PG_LOCAL", None)
        else:
            os.environ["NEWSTRACE_PG_LOCAL"] = saved


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a test's store lives: a SQLite file, or a new database on the test server."""
    if request.param == "sqlite":
        yield str(tmp_path / "test.db")
        return
    databases: Databases = request.getfixturevalue("pg_databases")
    url = databases.create()
    try:
        yield url
    finally:
        databases.drop(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as s:
        yield s


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return sample_corpus_path()


def seed(prefix: str) -> Path:
    """A seed article by its number prefix; skips the test when seeds are absent."""
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not matches:
        pytest.skip(f"seed {prefix}_… not found in {SEEDS}")
    return matches[0]
