"""Precision and recall of change detection on the sentence-pair dev set."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.api import article_from_text
from newstrace.evaluation.datasets import project_eval_dir
from newstrace.nlp.attribution import article_statements
from newstrace.nlp.embed import Embedder
from newstrace.reuse.changes import (
    CHANGE_KINDS,
    Side,
    pair_changes,
    phrase_meanings,
    resolve_pronouns,
)


def change_pairs(root: Path | None = None) -> list[dict[str, Any]]:
    path = (root or project_eval_dir()) / "change_pairs.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@dataclass(slots=True)
class ChangeScores:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    controls: int = 0
    clean_controls: int = 0
    pairs: int = 0

    def precision(self, kind: str | None = None) -> float:
        tp = self.tp[kind] if kind else sum(self.tp.values())
        fp = self.fp[kind] if kind else sum(self.fp.values())
        return tp / (tp + fp) if tp + fp else 0.0

    def recall(self, kind: str | None = None) -> float:
        tp = self.tp[kind] if kind else sum(self.tp.values())
        fn = self.fn[kind] if kind else sum(self.fn.values())
        return tp / (tp + fn) if tp + fn else 0.0

    @property
    def control_rate(self) -> float:
        return self.clean_controls / self.controls if self.controls else 0.0


def pair_sides(origin: str, derived: str) -> tuple[Side, Side]:
    """Two single sentences (or short passages) as the sides of one aligned pair."""
    sides = []
    for text in (origin, derived):
        article = article_from_text(text)
        parsed = article_statements(article)
        statements = resolve_pronouns(parsed)
        indices = tuple(range(len(article.sentences)))
        sides.append(Side(article, indices, tuple(s for i in indices for s in statements[i]),
                          tuple(span for i in indices for span in parsed.phrases.get(i, []))))
    return sides[0], sides[1]


def predict_changes(origin: str, derived: str, embedder: Embedder | None = None) -> set[str]:
    """Change kinds between two single sentences (or short passages)."""
    o_side, d_side = pair_sides(origin, derived)
    meanings = None if embedder is None else phrase_meanings([(o_side, d_side)], embedder)
    return {c.kind for c in pair_changes(o_side, d_side, meanings=meanings)}


def score_changes(rows: list[dict[str, Any]], embedder: Embedder | None = None) -> ChangeScores:
    scores = ChangeScores()
    for row in rows:
        predicted = predict_changes(row["origin"], row["derived"], embedder)
        truth = {c["kind"] for c in row["changes"]}
        scores.pairs += 1
        for kind in predicted & truth:
            scores.tp[kind] += 1
        for kind in predicted - truth:
            scores.fp[kind] += 1
        for kind in truth - predicted:
            scores.fn[kind] += 1
        if not truth:
            scores.controls += 1
            scores.clean_controls += not predicted
    return scores


__all__ = ["CHANGE_KINDS", "ChangeScores", "change_pairs", "predict_changes", "score_changes"]
