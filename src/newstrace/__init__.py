"""newstrace: trace how news stories travel and mutate between outlets.

The library is usable on its own (``read_paths``, ``prepare``, ``Store``,
``ingest``); the CLI, reports and web app are thin layers over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

from newstrace.api import compare
from newstrace.corpus.ingest import ingest
from newstrace.corpus.store import Store
from newstrace.io import ReadOptions, read_paths
from newstrace.model import Article, Sentence, Skipped, Source
from newstrace.prepare import prepare

__all__ = ["Article", "ReadOptions", "Sentence", "Skipped", "Source", "Store", "__version__",
           "compare", "ingest", "prepare", "read_paths"]
