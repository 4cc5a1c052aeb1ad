"""A stored pair as someone will look at it: aligned, and with what the rewrite changed.

A corpus run stores what its outputs need for every pair (verdict, direction,
credit, coverage, alignment) and leaves two things to whoever opens a pair:
the alignment of a pair the screen settled (``reuse.screen``), and the change
analysis of a copy or rewrite (attribution, numbers, hedges: spaCy parses).
Most pairs of a large run are never opened, and the change analysis was a
quarter of the compare stage and half of an ``add`` (bench/RESULTS.md). The
report's pair pages, the web app's pair view and ``audit`` complete what they
show here, with the engine the store was compared with.
"""

from __future__ import annotations

from newstrace.corpus.engine import DEFAULT_ENGINE, Engine, engine
from newstrace.corpus.store import Store
from newstrace.model import PairResult
from newstrace.reuse.features import ArticleMemo

SCREENED_NOTE = ("the stored verdict ({relation}, {confidence:.2f}) was settled by the "
                 "screen without an alignment; this side-by-side is the full compare, made "
                 "on opening")


def incomplete(result: PairResult) -> bool:
    """Whether a stored result lacks its alignment or its change analysis."""
    return result.screened or not result.changes_analysed


class Details:
    """Completes stored results, reusing per-article work across the pairs it is asked for."""

    def __init__(self, store: Store) -> None:
        from newstrace.corpus.pipeline import compared_with

        self._store = store
        self._engine: Engine | None = None
        self._name = compared_with(store) or DEFAULT_ENGINE
        self._memo = ArticleMemo(max_articles=200, max_pairs=50)

    def engine(self) -> Engine:
        if self._engine is None:  # loaded on first need: most stored results are complete
            self._engine = engine(self._name, self._store.path, screen=False)
        return self._engine

    def complete(self, stored: PairResult) -> PairResult:
        """``stored`` with its alignment and changes (the same object when it has them).

        A screened pair becomes the full compare, with a note naming the stored
        verdict. A pair that only lacks its changes keeps its stored verdict; the
        changes come from comparing it again, and are taken only when that compare
        reads the pair the same way (it does unless the models changed since).
        """
        if not incomplete(stored):
            return stored
        from newstrace.reuse.compare import compare_articles

        eng = self.engine()
        fresh = compare_articles(stored.a, stored.b, eng.embedder, eng.params, memo=self._memo)
        if stored.screened:
            fresh.notes.insert(0, SCREENED_NOTE.format(relation=stored.relation,
                                                       confidence=stored.confidence))
            return fresh
        if (fresh.relation, fresh.origin) == (stored.relation, stored.origin):
            stored.changes = fresh.changes
            stored.notes += [n for n in fresh.notes if n not in stored.notes]
            stored.changes_analysed = fresh.changes_analysed
        else:
            stored.notes.append(f"changes not shown: compared again, the pair now reads "
                                f"{fresh.relation} (origin {fresh.origin}); run the corpus "
                                "again to update it")
        return stored
