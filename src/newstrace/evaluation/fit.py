"""Fit every model newstrace ships, and write ``reuse/params.json``.

    python -m newstrace.evaluation.fit [--cache .cache/vectors.sqlite]

1. Sentence-pair model (paraphrase probability) on MSRP, both sentence orders.
2. Verdict (copy / derived / same_story / unrelated) on the project's news dev set,
   Clough & Stevenson, synthetic BBC rewrites and the ends of SemEval-2022 (en).
3. Direction on the copy/derived pairs with dates withheld.
4. Graded similarity on SemEval-2022 (en) Overall scores (soft-label logistic).

Cross-validated scores (folds never split a story family) are stored beside the
parameters so the shipped file says how good it is. Needs scikit-learn
(``pip install -e .[dev]``); the fitted models run on numpy alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.evaluation.datasets import LabelledPair, SentencePair, msrp, semeval2022, stsb
from newstrace.evaluation.pairs import semeval_pairs, to_article, training_pairs
from newstrace.model import RELATIONS
from newstrace.nlp.embed import Embedder, MiniLMEmbedder
from newstrace.nlp.vector_cache import PersistentEmbedder, VectorCache
from newstrace.reuse.evidence import FEATURES, LogisticModel, SentenceSet, pair_features
from newstrace.reuse.features import DIRECTION_FEATURES, VERDICT_FEATURES, PairEvidence, gather
from newstrace.reuse.params import PARAMS_FILE

#: Alignment thresholds tried; the one with the best cross-validated verdict wins.
THRESHOLD_GRID = (0.4, 0.45, 0.5, 0.55, 0.6)
CONTEXT_BONUS_GRID = (0.0, 0.05, 0.1)
#: The sets with real rewrites and real independent reports: alignment settings are
#: chosen on the mean of overall macro-F1 and accuracy on these (the hard case).
HARD_CASE_SOURCES = ("news_dev", "news_dev_undated", "clough")
PARAMS_PATH = Path(__file__).resolve().parents[1] / "reuse" / PARAMS_FILE


def _logistic(x: np.ndarray, y: np.ndarray, *, c: float = 1.0, weights: np.ndarray | None = None,
              intercept: bool = True) -> LogisticModel:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0) if intercept else np.zeros(x.shape[1])
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, fit_intercept=intercept)
    model.fit((x - mean) / scale, y, sample_weight=weights)
    return LogisticModel(tuple(), mean.astype(np.float32), scale.astype(np.float32),
                         model.coef_[0].astype(np.float32),
                         float(model.intercept_[0]) if intercept else 0.0)


def sentence_pair_features(pairs: list[Any], embedder: Embedder) -> np.ndarray:
    va = embedder.encode([p.a for p in pairs])
    vb = embedder.encode([p.b for p in pairs])
    left = SentenceSet.build([p.a for p in pairs], va)
    right = SentenceSet.build([p.b for p in pairs], vb)
    return np.array([pair_features(left.merged([i]), right.merged([i]))[0, 0]
                     for i in range(len(pairs))])


def _soft_logistic(x: np.ndarray, x_swapped: np.ndarray, target: np.ndarray) -> LogisticModel:
    """Logistic regression on graded targets in [0, 1], symmetric in sentence order."""
    xx = np.vstack([x, x_swapped, x, x_swapped])
    yy = np.concatenate([np.ones(2 * len(x)), np.zeros(2 * len(x))])
    ww = np.concatenate([target, target, 1 - target, 1 - target])
    return _logistic(xx, yy, weights=ww)


def _swapped(pairs: list[SentencePair]) -> list[SentencePair]:
    return [SentencePair(p.b, p.a, p.label, p.group) for p in pairs]


def fit_sentence_model(embedder: Embedder) -> tuple[dict[str, Any], dict[str, Any]]:
    """Graded "says the same thing" probability, fitted on STS-B (train + dev).

    STS grades partial equivalence (heavy rewording that keeps the facts scores
    3–4); MSRP's binary labels reward near-identical wording, which is exactly
    what a heavy rewrite removes. MSRP is kept as a held-out check.
    """
    sts = stsb(split="train") + stsb(split="dev")
    if not sts:
        raise SystemExit("STS-B not found: the sentence model needs ../shared/data/stsb")
    x = sentence_pair_features(sts, embedder)
    xs = sentence_pair_features(_swapped(sts), embedder)
    target = np.array([p.label / 5.0 for p in sts])
    model = _soft_logistic(x, xs, target)
    report: dict[str, Any] = {
        "fitted_on": f"STS-B train+dev ({len(sts)} pairs)",
        "stsb_pearson_in_sample": round(float(np.corrcoef(model.predict(x), target)[0, 1]), 4),
    }
    pairs = msrp()
    if pairs:
        xm = sentence_pair_features(pairs, embedder)
        xms = sentence_pair_features(_swapped(pairs), embedder)
        y = np.array([p.label for p in pairs])
        prob = (model.predict(xm) + model.predict(xms)) / 2
        grid = np.linspace(0.2, 0.9, 71)
        best = float(max(grid, key=lambda t: ((prob >= t) == y).mean()))
        report["msrp_threshold"] = round(best, 3)
        report["msrp_accuracy"] = round(float(((prob >= best) == y).mean()), 4)
    out = model.as_dict() | {"features": list(FEATURES), "threshold": 0.5,
                             "msrp_threshold": report.get("msrp_threshold", 0.5)}
    return out, report


@dataclass
class Example:
    pair: LabelledPair
    source: str
    evidence: PairEvidence


def gather_examples(groups: dict[str, list[LabelledPair]], embedder: Embedder,
                    sentence: LogisticModel, threshold: float,
                    context_bonus: float = 0.0) -> list[Example]:
    out = []
    for source, pairs in groups.items():
        started = time.perf_counter()
        for pair in pairs:
            a, b = to_article(pair.a), to_article(pair.b)
            if not a.sentences or not b.sentences:
                continue
            out.append(Example(pair, source, gather(a, b, embedder.encode, sentence, threshold,
                                                    context_bonus)))
            if a.published and b.published:  # the same pair as seen without dates
                a_nd, b_nd = replace(a, published=None), replace(b, published=None)
                out.append(Example(pair, f"{source}_undated",
                                   gather(a_nd, b_nd, embedder.encode, sentence, threshold,
                                          context_bonus)))
        print(f"  {source}: {len(pairs)} pairs in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
    return out


def _softmax_fit(x: np.ndarray, y: np.ndarray, c: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit((x - mean) / scale, y)
    coef = np.zeros((len(RELATIONS), x.shape[1]))
    intercept = np.full(len(RELATIONS), -30.0)  # a class absent from training is never chosen
    for k, cls in enumerate(model.classes_):
        coef[RELATIONS.index(cls)] = model.coef_[k]
        intercept[RELATIONS.index(cls)] = model.intercept_[k]
    return {"classes": list(RELATIONS), "features": list(VERDICT_FEATURES),
            "mean": mean.tolist(), "scale": scale.tolist(), "coef": coef.tolist(),
            "intercept": intercept.tolist()}


def fit_verdict(examples: list[Example], c: float = 1.0) -> tuple[dict[str, Any], dict[str, Any]]:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold

    from newstrace.reuse.params import SoftmaxModel

    x = np.array([e.evidence.verdict_x for e in examples])
    y = np.array([e.pair.relation for e in examples])
    groups = np.array([e.pair.group for e in examples])
    predicted = np.empty(len(y), dtype=object)
    for train, test in GroupKFold(5).split(x, y, groups):
        model = SoftmaxModel.from_dict(_softmax_fit(x[train], y[train], c))
        predicted[test] = [RELATIONS[k] for k in model.predict(x[test]).argmax(axis=1)]
    sources = np.array([e.source for e in examples])
    hard = np.isin(sources, HARD_CASE_SOURCES)
    report = {"cv_accuracy": round(float((predicted == y).mean()), 4),
              "cv_macro_f1": round(float(f1_score(y, predicted, average="macro")), 4),
              "cv_accuracy_by_source": {
                  s: round(float((predicted[sources == s] == y[sources == s]).mean()), 4)
                  for s in sorted(set(sources))},
              "cv_selection_score": round(float(
                  (f1_score(y, predicted, average="macro")
                   + ((predicted[hard] == y[hard]).mean() if hard.any() else 0)) / 2), 4),
              "examples": {s: int(sum(1 for e in examples if e.source == s))
                           for s in sorted({e.source for e in examples})}}
    return _softmax_fit(x, y, c), report


def fit_direction(examples: list[Example]) -> tuple[dict[str, Any], dict[str, Any]]:
    chosen = [e for e in examples if e.pair.relation in ("copy", "derived") and e.pair.origin]
    x = np.array([e.evidence.direction_x for e in chosen])
    y = np.array([1.0 if e.pair.origin == "a" else 0.0 for e in chosen])
    # the features are antisymmetric: a swapped pair is the same pair seen the other way
    xx, yy = np.vstack([x, -x]), np.concatenate([y, 1 - y])
    model = _logistic(xx, yy, c=1.0, intercept=False)
    accuracy = float(((model.predict(xx) >= 0.5) == yy).mean())
    out = model.as_dict() | {"features": list(DIRECTION_FEATURES)}
    return out, {"train_accuracy_dates_withheld": round(accuracy, 4), "pairs": len(chosen)}


def fit_similarity(examples: list[Example]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Soft-label logistic on SemEval Overall (1 similar … 4 dissimilar)."""
    scored = {f"semeval:{p.pair_id}:1": p.overall for p in semeval2022()}
    chosen = [(e, scored[e.pair.a.name]) for e in examples if e.pair.a.name in scored]
    if not chosen:
        return (_logistic(np.zeros((2, len(VERDICT_FEATURES))), np.array([0, 1])).as_dict()
                | {"features": list(VERDICT_FEATURES)}, {"pairs": 0})
    x = np.array([e.evidence.verdict_x for e, _ in chosen])
    target = np.array([(4.0 - s) / 3.0 for _, s in chosen])
    xx = np.vstack([x, x])
    yy = np.concatenate([np.ones(len(x)), np.zeros(len(x))])
    ww = np.concatenate([target, 1 - target])
    model = _logistic(xx, yy, weights=ww)
    r = float(np.corrcoef(model.predict(x), target)[0, 1])
    return (model.as_dict() | {"features": list(VERDICT_FEATURES)},
            {"pairs": len(chosen), "train_pearson": round(r, 4)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fit newstrace's shipped models.")
    parser.add_argument("--cache", type=Path, default=Path(".cache/vectors.sqlite"))
    parser.add_argument("--out", type=Path, default=PARAMS_PATH)
    args = parser.parse_args(argv)
    embedder = PersistentEmbedder(MiniLMEmbedder(), VectorCache(args.cache))
    print("sentence model (MSRP)…", file=sys.stderr)
    sentence, sentence_report = fit_sentence_model(embedder)
    model = LogisticModel.from_dict(sentence)
    print(f"  {sentence_report}", file=sys.stderr)
    groups = training_pairs()
    groups["semeval_en_all"] = semeval_pairs(low=4.0, high=5.0)  # every en-en pair
    best: tuple[float, float, float, list[Example]] | None = None
    for threshold in THRESHOLD_GRID:
        for bonus in CONTEXT_BONUS_GRID:
            print(f"pair evidence at threshold {threshold:.2f}, context bonus {bonus:.2f}…",
                  file=sys.stderr)
            found = gather_examples(groups, embedder, model, threshold, bonus)
            _, report = fit_verdict([e for e in found if e.source != "semeval_en_all"])
            print(f"  verdict CV: {report}", file=sys.stderr)
            if best is None or report["cv_selection_score"] > best[0]:
                best = (report["cv_selection_score"], threshold, bonus, found)
    assert best is not None
    _, sentence["threshold"], sentence["context_bonus"], examples = best
    sentence_report["alignment_threshold"] = sentence["threshold"]
    sentence_report["context_bonus"] = sentence["context_bonus"]
    verdict_examples = [e for e in examples if e.source != "semeval_en_all"]
    verdict, verdict_report = fit_verdict(verdict_examples)
    print(f"verdict: {verdict_report}", file=sys.stderr)
    direction, direction_report = fit_direction(verdict_examples)
    print(f"direction: {direction_report}", file=sys.stderr)
    similarity, similarity_report = fit_similarity(
        [e for e in examples if e.source == "semeval_en_all"])
    print(f"similarity: {similarity_report}", file=sys.stderr)
    params = {
        "embedder": embedder.name,
        "sentence": sentence,
        "verdict": verdict,
        "direction": direction,
        "similarity": similarity,
        "report": {"sentence": sentence_report, "verdict": verdict_report,
                   "direction": direction_report, "similarity": similarity_report},
    }
    args.out.write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
