"""Fit corpus mode's screen (``reuse.screen``) to reproduce the full compare's verdicts.

    python -m newstrace.evaluation.fit_screen [--size 3000] [--workers 2]

Data: every candidate pair of a synthetic corpus (``synthetic_corpus``, ``--size``
articles: copies, trimmed copies, BBC texts on one topic and unrelated ones),
compared in full with the static engine, plus the labelled pairs of
``evaluation.pairs.training_pairs`` (the news dev set, Clough & Stevenson,
synthetic BBC rewrites, SemEval English), weighted ``DEV_WEIGHT`` times since
they hold the hard rewrites the synthetic corpus lacks. The label is the full
compare's relation: the screen is a shortcut to it, not a second opinion.

Thresholds, from 5-fold cross-validated probabilities:
  * ``max_reuse``: the largest P(copy) + P(derived) on the grid below which at least
    ``RECALL`` of the pairs the full compare calls copy or derived would still be
    compared in full, and every dev pair labelled copy or derived;
  * ``sure_low``/``sure_high`` (P(unrelated), symmetric): the narrowest band outside
    which the settled pairs fall on the same side of 0.5 as the full compare's
    P(unrelated) at least ``AGREEMENT`` of the time (stories read that probability).
Writes ``src/newstrace/reuse/screen-static.json`` with the measured numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.corpus.engine import engine
from newstrace.corpus.store import Store
from newstrace.model import Article
from newstrace.reuse.features import ArticleMemo, _hours_apart
from newstrace.reuse.screen import FEATURES, SCREEN_FILE, screen_features

RECALL = 0.999
AGREEMENT = 0.98
DEV_WEIGHT = 10.0
REUSE_GRID = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05)
BANDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
OUT = Path(__file__).resolve().parents[1] / "reuse" / SCREEN_FILE


def _features(a: Article, b: Article, memo: ArticleMemo, encode: Any) -> np.ndarray:
    return screen_features(memo.sketch(a, encode), memo.sketch(b, encode), memo.specifics(a),
                           memo.specifics(b), _hours_apart(a, b))


def corpus_rows(size: int, workers: int, keep: Path | None = None,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, full relation, full P(unrelated)) for a synthetic corpus's candidates.

    ``keep``: a folder for the corpus and its store, reused when it holds them (the full
    compare is most of the fitting time)."""
    from newstrace.corpus.pipeline import run
    from newstrace.evaluation.synthetic_corpus import build_corpus

    eng = engine("static", screen=False)
    memo = ArticleMemo(max_articles=size + 10)
    with tempfile.TemporaryDirectory() as tmp:
        where = keep or Path(tmp)
        with Store(where / "c.db") as store:
            if not (where / "corpus").is_dir():
                build_corpus(size, where / "corpus")
                run([where / "corpus"], store, workers=workers, screen=False)
            rows = store.conn.execute("SELECT a, b, relation, result FROM pairs").fetchall()
            articles = store.get_many(sorted({x for r in rows for x in r[:2]}))
    x = np.stack([_features(articles[a], articles[b], memo, eng.embedder.encode)
                  for a, b, _, _ in rows])
    return (x, np.array([r[2] for r in rows]),
            np.array([json.loads(r[3])["probabilities"]["unrelated"] for r in rows]))


def dev_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The same for the labelled pairs, with their true relation."""
    from newstrace.evaluation.pairs import to_article, training_pairs
    from newstrace.reuse.compare import compare_articles

    eng = engine("static", screen=False)
    memo = ArticleMemo()
    x, full, unrelated, truth = [], [], [], []
    for pairs in training_pairs().values():
        for p in pairs:
            a, b = to_article(p.a), to_article(p.b)
            if not a.sentences or not b.sentences:
                continue
            result = compare_articles(a, b, eng.embedder, eng.params, attribution=False)
            x.append(_features(a, b, memo, eng.embedder.encode))
            full.append(result.relation)
            unrelated.append(result.probabilities["unrelated"])
            truth.append(p.relation)
    return np.stack(x), np.array(full), np.array(unrelated), np.array(truth)


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)).fit(
        x, y, logisticregression__sample_weight=w)


def choose(probs: np.ndarray, classes: list[str], full: np.ndarray, full_unrelated: np.ndarray,
           must_keep: np.ndarray) -> dict[str, Any]:
    """The thresholds, and what they cost on these (cross-validated) probabilities."""
    reuse = probs[:, classes.index("copy")] + probs[:, classes.index("derived")]
    unrelated = probs[:, classes.index("unrelated")]
    positive = np.isin(full, ["copy", "derived"])
    max_reuse = 0.0  # when no threshold on the grid keeps them all: settle nothing
    for tau in REUSE_GRID:
        kept = reuse >= tau
        if kept[positive].mean() >= RECALL and kept[must_keep].all():
            max_reuse = tau
    band = BANDS[-1]
    for high in BANDS:
        settled = (reuse < max_reuse) & ((unrelated <= 1 - high) | (unrelated >= high))
        agree = ((unrelated[settled] >= 0.5) == (full_unrelated[settled] >= 0.5)).mean() \
            if settled.any() else 1.0
        if agree >= AGREEMENT:
            band = high
            break
    settled = (reuse < max_reuse) & ((unrelated <= 1 - band) | (unrelated >= band))
    return {"max_reuse": max_reuse, "sure_low": round(1 - band, 4), "sure_high": band,
            "settled": settled}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the corpus and its store here, and reuse them next time")
    args = parser.parse_args(argv)
    from sklearn.model_selection import KFold

    started = time.perf_counter()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    cx, cfull, cunrel = corpus_rows(args.size, args.workers, args.keep)
    print(f"corpus: {len(cfull)} candidate pairs compared in full "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    dx, dfull, dunrel, truth = dev_rows()
    print(f"labelled pairs: {len(dfull)}", flush=True)
    x = np.vstack([cx, dx])
    full = np.concatenate([cfull, dfull])
    full_unrelated = np.concatenate([cunrel, dunrel])
    is_dev = np.r_[np.zeros(len(cfull), bool), np.ones(len(dfull), bool)]
    must_keep = np.r_[np.zeros(len(cfull), bool), np.isin(truth, ["copy", "derived"])]
    weights = np.where(is_dev, DEV_WEIGHT, 1.0)

    classes = sorted(set(full))
    cv = np.zeros((len(full), len(classes)))
    for train, test in KFold(5, shuffle=True, random_state=0).split(x):
        model = _fit(x[train], full[train], weights[train])
        fold = model.predict_proba(x[test])
        cv[test] = fold[:, [list(model.classes_).index(c) for c in classes]]
    chosen = choose(cv, classes, full, full_unrelated, must_keep)
    settled = chosen.pop("settled")
    positive = np.isin(full, ["copy", "derived"])
    unrelated = cv[:, classes.index("unrelated")]
    report = {
        "pairs": {"corpus": len(cfull), "labelled": len(dfull),
                  "corpus_size": args.size},
        "cross_validated": {
            "settled_share_corpus": round(float(settled[~is_dev].mean()), 4),
            "settled_share_labelled": round(float(settled[is_dev].mean()), 4),
            "copy_derived_sent_to_full": round(float((~settled[positive]).mean()), 5),
            "copy_derived_settled": int(settled[positive].sum()),
            "labelled_copy_derived_settled": int(settled[must_keep].sum()),
            "same_side_of_half": round(float(
                ((unrelated[settled] >= 0.5) == (full_unrelated[settled] >= 0.5)).mean()), 4),
            "mean_abs_error_p_unrelated": round(float(
                np.abs(unrelated[settled] - full_unrelated[settled]).mean()), 4),
        },
        "policy": {"recall": RECALL, "agreement": AGREEMENT, "dev_weight": DEV_WEIGHT},
    }
    final = _fit(x, full, weights)
    scaler, logistic = final.named_steps["standardscaler"], final.named_steps[
        "logisticregression"]
    raw = {
        "model": {"classes": [str(c) for c in logistic.classes_], "features": list(FEATURES),
                  "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
                  "coef": logistic.coef_.tolist(), "intercept": logistic.intercept_.tolist()},
        **chosen, "report": report,
    }
    OUT.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in raw.items() if k != "model"}, indent=1))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
