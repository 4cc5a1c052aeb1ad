"""Sentence-alignment quality against hand-made gold links.

``eval/news_pairs/<family>/alignment.jsonl`` says, for every sentence of the
light and heavy rewrites, which origin sentences it restates (none: added).
Gold is keyed by sentence text, not index, so a change in segmentation shows
up as unmatched sentences rather than silently shifted links.

The alignment settings (paraphrase threshold, context bonus) are chosen on
these links in ``fit.py``: the verdict is nearly blind to them, the links are not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newstrace.evaluation.datasets import (
    ArticleRecord,
    LabelledPair,
    news_pairs,
    project_eval_dir,
)
from newstrace.model import Article
from newstrace.reuse.align import Alignment


@dataclass(frozen=True, slots=True)
class GoldAlignment:
    family: str
    pair: LabelledPair  # a = origin, b = derived
    #: derived sentence text → the origin sentence texts it restates (empty: added)
    links: dict[str, frozenset[str]]


def gold_alignments(root: Path | None = None) -> list[GoldAlignment]:
    """Every rewrite of the news dev set that has gold links, with its origin."""
    base = (root or project_eval_dir()) / "news_pairs"
    by_files: dict[tuple[str, str, str], LabelledPair] = {}
    for pair in news_pairs(root):
        if pair.origin == "a" and pair.relation == "derived":
            family, origin = pair.a.name.split("/", 1)
            by_files[(family, origin, pair.b.name.split("/", 1)[1])] = pair
    out = []
    for path in sorted(base.glob("*/alignment.jsonl")):
        family = path.parent.name
        grouped: dict[tuple[str, str], dict[str, frozenset[str]]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            key = (row["origin_file"], row["derived_file"])
            grouped.setdefault(key, {})[row["derived"]] = frozenset(row.get("origin") or ())
        for (origin, derived), links in grouped.items():
            found = by_files.get((family, origin, derived))
            if found is not None:
                out.append(GoldAlignment(family, found, links))
    return out


@dataclass(slots=True)
class AlignmentScores:
    """Link-level precision and recall, plus how well "added" is recognised."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    added_tp: int = 0
    added_fp: int = 0
    added_fn: int = 0
    sentences: int = 0
    sentences_right: int = 0
    unmatched: list[str] = field(default_factory=list)  # gold sentences not found

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def added_f1(self) -> float:
        denom = 2 * self.added_tp + self.added_fp + self.added_fn
        return 2 * self.added_tp / denom if denom else 0.0

    @property
    def objective(self) -> float:
        """What alignment settings are chosen on: right links and right "added" lists.

        A report must both link each restatement and list what has no basis in
        the origin; link F1 alone barely notices a spurious link to an
        editorial sentence, added-sentence F1 does.
        """
        return (self.f1 + self.added_f1) / 2

    @property
    def sentence_accuracy(self) -> float:
        return self.sentences_right / self.sentences if self.sentences else 0.0

    def __iadd__(self, other: AlignmentScores) -> AlignmentScores:
        for name in ("tp", "fp", "fn", "added_tp", "added_fp", "added_fn", "sentences",
                     "sentences_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unmatched += other.unmatched
        return self

    def add(self, gold: GoldAlignment, origin: Article, derived: Article,
            alignment: Alignment) -> None:
        predicted: dict[str, set[str]] = {s.text: set() for s in derived.sentences}
        for link in alignment.links:
            predicted[derived.sentences[link.derived].text].update(
                origin.sentences[j].text for j in link.origin)
        for text, truth in gold.links.items():
            if text not in predicted:
                self.unmatched.append(f"{gold.family}/{gold.pair.b.name}: {text[:60]}")
                continue
            found = predicted[text]
            self.tp += len(found & truth)
            self.fp += len(found - truth)
            self.fn += len(truth - found)
            self.added_tp += int(not truth and not found)
            self.added_fp += int(bool(truth) and not found)
            self.added_fn += int(not truth and bool(found))
            self.sentences += 1
            self.sentences_right += int(found == truth if not truth else bool(found & truth))


Aligner = Callable[[Article, Article], Alignment]


def score_alignments(golds: list[GoldAlignment], articles: Callable[[ArticleRecord], Article],
                     aligner: Aligner) -> AlignmentScores:
    """Align every gold rewrite onto its origin with ``aligner`` and score the links."""
    scores = AlignmentScores()
    for gold in golds:
        origin, derived = articles(gold.pair.a), articles(gold.pair.b)
        scores.add(gold, origin, derived, aligner(origin, derived))
    return scores
