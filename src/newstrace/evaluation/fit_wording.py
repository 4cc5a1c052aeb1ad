"""Fit the wording check's thresholds on the sentence-pair dev set.

    python -m newstrace.evaluation.fit_wording                    # MiniLM (compare, web)
    python -m newstrace.evaluation.fit_wording --embedder static  # corpus mode's engine

Each embedder's thresholds go under its name in ``reuse/wording.json``.

Every dev pair's changed phrases are paired once (``reuse.wording.pair_phrases``);
a grid over (minimum cosine, minimum rarest-word gap, minimum information drop,
the Zipf value above which a word says nothing specific)
then scores each setting by the F0.5 of ``wording_softened`` over all pairs
(every pair without that change, the unchanged controls and the other kinds'
pairs, is a negative). Ties go to the stricter setting. Leave-one-out over the pairs
(refit without the pair, predict it) gives the figures to quote, since the
thresholds were chosen on this set.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.evaluation.changes_eval import change_pairs, pair_sides
from newstrace.nlp.embed import Embedder, default_embedder
from newstrace.nlp.static_embed import StaticEmbedder
from newstrace.reuse import wording
from newstrace.reuse.changes import changed_phrases

COSINES = np.round(np.arange(0.0, 0.61, 0.05), 2)
GAPS = np.round(np.arange(0.0, 2.51, 0.1), 2)
INFORMATION = np.round(np.arange(0.0, 4.01, 0.25), 2)
COMMON = (8.0, 6.0, 5.5, 5.0, 4.5)  # later is stricter


@dataclass(slots=True)
class Candidates:
    """Every phrase pairing of every dev pair, as flat arrays."""

    pair: np.ndarray  # which dev pair
    cos: np.ndarray
    gap: np.ndarray
    info: dict[float, np.ndarray]  # information drop per ``common`` setting
    n_pairs: int

    def predict(self, cos: float, gap: float, info: float, common: float,
                keep: np.ndarray | None = None) -> np.ndarray:
        hit = (self.cos >= cos) & (self.gap >= gap) & (self.info[common] >= info)
        if keep is not None:
            hit &= keep[self.pair]
        return np.bincount(self.pair[hit], minlength=self.n_pairs) > 0


def candidates(rows: list[dict[str, Any]], embedder: Embedder) -> Candidates:
    pair, cos, gap = [], [], []
    info: dict[float, list[float]] = {c: [] for c in COMMON}
    for k, row in enumerate(rows):
        o_side, d_side = pair_sides(row["origin"], row["derived"])
        o_phr, d_phr = changed_phrases(o_side, d_side)
        texts = [p.text for p in (*o_phr, *d_phr)]
        if not o_phr or not d_phr:
            continue
        vectors = embedder.encode(texts)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        lookup = dict(zip(texts, vectors, strict=True))
        for o, d, c in wording.pair_phrases(o_phr, d_phr, lookup):
            pair.append(k)
            cos.append(c)
            gap.append(wording.specificity_gap(o, d))
            for common in COMMON:
                info[common].append(wording.information_drop(o, d, common))
    return Candidates(np.array(pair, dtype=np.int64), np.array(cos), np.array(gap),
                      {c: np.array(v) for c, v in info.items()}, len(rows))


#: Precision counts double: a false "softened" accuses a writer of something
#: they did not do, a missed one leaves the reader where they were.
BETA = 0.5


def _f_beta(pred: np.ndarray, truth: np.ndarray, beta: float = BETA) -> float:
    tp = float((pred & truth).sum())
    b2 = beta * beta
    return (1 + b2) * tp / max(float(b2 * truth.sum() + pred.sum()), 1.0)


Setting = tuple[float, float, float, float]


def best_setting(cands: Candidates, truth: np.ndarray, keep: np.ndarray | None = None
                 ) -> tuple[Setting, float]:
    """The best grid point and its F1 over the kept pairs; ties to the stricter one."""
    mask = np.ones(cands.n_pairs, dtype=bool) if keep is None else keep
    best: tuple[Setting, float] = ((0.0, 0.0, 0.0, 0.0), -1.0)
    for setting in itertools.product(COMMON, COSINES, GAPS, INFORMATION):
        point = (float(setting[1]), float(setting[2]), float(setting[3]), float(setting[0]))
        f1 = _f_beta(cands.predict(*point, keep=mask)[mask], truth[mask])
        if f1 >= best[1]:  # later points are stricter
            best = (point, f1)
    return best


def fit(embedder: Embedder) -> dict[str, Any]:
    rows = change_pairs()
    if not rows:
        raise SystemExit("eval/change_pairs.jsonl not found")
    truth = np.array([any(c["kind"] == wording.KIND for c in r["changes"]) for r in rows])
    cands = candidates(rows, embedder)
    (cos, gap, info, common), f1 = best_setting(cands, truth)
    held_out = np.zeros(len(rows), dtype=bool)
    # only a pair with a phrase pairing can be predicted positive or move the fit
    for i in np.unique(cands.pair):
        keep = np.ones(len(rows), dtype=bool)
        keep[i] = False
        point, _ = best_setting(cands, truth, keep)
        held_out[i] = cands.predict(*point)[i]
    controls = np.array([not r["changes"] for r in rows])
    tp = int((held_out & truth).sum())
    return {"min_cosine": cos, "min_gap": gap, "min_information": info, "common": common,
            "report": {
        "pairs": len(rows), "positives": int(truth.sum()), "f_half_in_sample": round(f1, 4),
        "f1_leave_one_out": round(_f_beta(held_out, truth, 1.0), 4),
        "precision_leave_one_out": round(tp / max(int(held_out.sum()), 1), 4),
        "recall_leave_one_out": round(tp / max(int(truth.sum()), 1), 4),
        "controls_flagged_leave_one_out": int((held_out & controls).sum()),
        "controls": int(controls.sum()),
    }}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--embedder", choices=("minilm", "static"), default="minilm")
    ap.add_argument("--out", type=Path,
                    default=Path(str(files("newstrace") / "reuse" / "wording.json")))
    args = ap.parse_args(argv)
    embedder: Embedder = StaticEmbedder() if args.embedder == "static" else default_embedder()
    fitted = fit(embedder)
    path: Path = args.out
    current = json.loads(path.read_text("utf-8")) if path.is_file() else {"embedders": {}}
    current["embedders"][embedder.name] = fitted
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(fitted, indent=2), file=sys.stderr)


if __name__ == "__main__":
    main()
