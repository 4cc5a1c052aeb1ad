"""Where newstrace keeps files it derives from shipped models (never downloads)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$NEWSTRACE_CACHE``, by default ``~/.cache/newstrace``."""
    return Path(os.environ.get("NEWSTRACE_CACHE", Path.home() / ".cache" / "newstrace"))
