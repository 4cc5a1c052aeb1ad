"""Shared fixtures: real files in temporary folders, real SQLite stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from newstrace.cli import sample_corpus_path
from newstrace.corpus.store import Store

SHARED = Path(os.environ.get("NEWSTRACE_SHARED",
                             Path(__file__).resolve().parents[2] / "shared"))
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "test.db") as s:
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
