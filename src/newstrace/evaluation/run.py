"""``newstrace eval``: the shipped models on every dev set present, beside references.

Every corpus under ``../shared/data`` that was used in fitting is reported as
"in-sample" next to the cross-validated figure stored with the parameters; the
numbers are floors to beat, not a leaderboard.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.evaluation import datasets
from newstrace.evaluation.languages_eval import cross_dev_suite
from newstrace.evaluation.pairs import synthetic_bbc, to_article
from newstrace.model import RELATIONS, Article
from newstrace.nlp.embed import Embedder, MiniLMEmbedder
from newstrace.nlp.vector_cache import PersistentEmbedder, VectorCache
from newstrace.reuse.align import Alignment
from newstrace.reuse.compare import decide, decide_direction, graded_similarity
from newstrace.reuse.features import PairEvidence, gather
from newstrace.reuse.languages import engine_for
from newstrace.reuse.params import STATIC_PARAMS_FILE, Params, load_params
from newstrace.reuse.tokens import Tokens
from newstrace.reuse.verbatim import char_span, verbatim_passages

SUITES = ("news_dev", "alignment", "changes", "clough", "semeval", "msrp", "pan13", "bbc_synthetic",
          "cross_dev")


@dataclass(slots=True)
class Metric:
    suite: str
    name: str
    value: float | None
    target: str = ""
    reference: str = ""
    note: str = ""
    n: int = 0


@dataclass(slots=True)
class EvalReport:
    metrics: list[Metric] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.metrics.append(Metric(*args, **kwargs))

    def markdown(self) -> str:
        lines = ["| suite | metric | newstrace | target | published reference | n | note |",
                 "|---|---|---|---|---|---|---|"]
        for m in self.metrics:
            value = "—" if m.value is None else f"{m.value:.3f}"
            lines.append(f"| {m.suite} | {m.name} | {value} | {m.target} | {m.reference} | "
                         f"{m.n} | {m.note} |")
        return "\n".join(lines)


def _f1(truth: list[bool], pred: list[bool]) -> float:
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
    fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _macro_f1(truth: list[str], pred: list[str]) -> float:
    labels = sorted(set(truth))
    return float(np.mean([_f1([t == c for t in truth], [p == c for p in pred])
                          for c in labels]))


def _brier(truth: list[str], probs: list[dict[str, float]]) -> float:
    return float(np.mean([sum((p.get(c, 0.0) - (t == c)) ** 2 for c in RELATIONS)
                          for t, p in zip(truth, probs, strict=True)]))


def _pairs_suite(report: EvalReport, suite: str, pairs: list[datasets.LabelledPair],
                 embedder: Embedder, params: Params, cv: dict[str, Any]) -> None:
    truth, pred, probs, direction_ok, credit_ok = [], [], [], [], []
    for pair in pairs:
        a, b = to_article(pair.a), to_article(pair.b)
        if not a.sentences or not b.sentences:
            continue
        ev = gather(a, b, embedder.encode, params.sentence, params.sentence_threshold,
                    params.context_bonus, link_model=params.link)
        result = decide(ev, params)
        truth.append(pair.relation)
        pred.append(result.relation)
        probs.append(result.probabilities)
        if pair.relation in ("copy", "derived") and pair.origin:
            undated = _undated(ev, params)
            direction_ok.append(undated == pair.origin)
            if pair.credited is not None:
                credit = ev.credit_b_to_a if pair.origin == "a" else ev.credit_a_to_b
                credit_ok.append((credit.status == "credited") == pair.credited)
    if not truth:
        return
    n = len(truth)
    cv_note = f"in-sample; grouped CV {cv.get(suite, '—')}"
    if f"{suite}_undated" in cv:
        cv_note += f" (dates withheld: {cv[f'{suite}_undated']})"
    report.add(suite, "relation accuracy", float(np.mean([t == p for t, p in zip(
        truth, pred, strict=True)])), n=n, note=cv_note)
    report.add(suite, "relation macro-F1", _macro_f1(truth, pred),
               target="≥ 0.85" if suite == "clough" else "", n=n,
               reference="≈0.80 acc, 3 classes (Clough & Stevenson 2011)"
               if suite == "clough" else "")
    is_dep = [t in ("copy", "derived") for t in truth]
    keep = [t in ("copy", "derived", "same_story") for t in truth]
    report.add(suite, "derived-vs-independent F1",
               _f1([d for d, k in zip(is_dep, keep, strict=True) if k],
                   [p in ("copy", "derived") for p, k in zip(pred, keep, strict=True) if k]),
               target="≥ 0.95" if suite == "clough" else "", n=sum(keep))
    report.add(suite, "Brier score (4 classes)", _brier(truth, probs), note="lower is better",
               n=n)
    if direction_ok:
        direction_cv = params.raw.get("report", {}).get("direction", {}).get(
            "cv_accuracy_by_source", {}).get(suite, "—")
        report.add(suite, "direction accuracy, dates withheld", float(np.mean(direction_ok)),
                   target="≥ 0.95", n=len(direction_ok),
                   note=f"in-sample; grouped CV {direction_cv}")
    if credit_ok:
        report.add(suite, "credit accuracy", float(np.mean(credit_ok)), n=len(credit_ok))
    if suite == "news_dev":
        _kind_rows(report, suite, params.raw, "MiniLM")
        _kind_rows(report, suite, load_params(STATIC_PARAMS_FILE).raw, "static engine (corpus)")


#: Dev-set kinds whose pairs are independent reports of one event.
_INDEPENDENT_KINDS = ("independent", "independent-pair", "independent-of-rewrite")


def _kind_rows(report: EvalReport, suite: str, raw: dict[str, Any], engine: str) -> None:
    """Out-of-fold rewrite and independent-report rates from a head's fitting report.

    In-sample figures on the set a head was fitted on flatter it; these are what
    the grouped CV in ``evaluation/fit.py`` predicted for each family it held out.
    """
    by_kind = raw.get("report", {}).get("verdict", {}).get("cv_by_kind", {})

    def total(kinds: tuple[str, ...], key: str) -> tuple[int, int]:
        rows = [by_kind.get(f"{suite}/{k}", {}) for k in kinds]
        return sum(r.get(key, 0) for r in rows), sum(r.get("pairs", 0) for r in rows)

    found, rewrites = total(("heavy", "heavy-reversed"), "derived_for")
    accused, independent = total(_INDEPENDENT_KINDS, "derived_for")
    if rewrites:
        report.add(suite, f"heavy rewrites read as derived, {engine}", found / rewrites,
                   n=rewrites, note="grouped CV by story family (fitting report)")
    if independent:
        report.add(suite, f"independent reports read as derived, {engine}",
                   accused / independent, n=independent,
                   note="grouped CV by story family; lower is better")


def _undated(ev: PairEvidence, params: Params) -> str:
    withheld = replace(ev, hours_apart=None)
    return decide_direction(withheld, params)[0]


def _semeval_suite(report: EvalReport, embedder: Embedder, params: Params) -> None:
    by_lang: dict[str, tuple[list[float], list[float]]] = {}
    across: dict[str, Any] = {}  # language pair → the cross-language similarity report
    for p in datasets.semeval2022():
        a = to_article(datasets.ArticleRecord(p.text1, f"semeval:{p.pair_id}:1",
                                              language=p.lang1))
        b = to_article(datasets.ArticleRecord(p.text2, f"semeval:{p.pair_id}:2",
                                              language=p.lang2))
        if not a.sentences or not b.sentences:
            continue
        engine = engine_for(a, b, embedder, params)  # USE where a side is not English
        fitted = engine.params
        head = engine.similarity_params or (fitted if engine.fitted_across else None)
        if head is not None:
            across[f"{p.lang1}-{p.lang2}"] = head.raw.get("report", {}).get("similarity", {})
        result = decide(gather(a, b, engine.embedder.encode, fitted.sentence,
                               fitted.sentence_threshold, fitted.context_bonus,
                               link_model=fitted.link), fitted)
        if engine.similarity_params is not None:  # as compare_articles does
            result.similarity = graded_similarity(a, b, engine.embedder,
                                                  engine.similarity_params)
        xs, ys = by_lang.setdefault(f"{p.lang1}-{p.lang2}", ([], []))
        xs.append(result.similarity)
        ys.append(-p.overall)  # Overall: 1 = very similar … 4 = very dissimilar
    for lang, (xs, ys) in sorted(by_lang.items(), key=lambda kv: (kv[0] != "en-en", kv[0])):
        if len(xs) < 3:
            continue
        r = float(np.corrcoef(xs, ys)[0, 1])
        report.add("semeval2022", f"Pearson vs Overall, {lang}", r,
                   target="≥ 0.80" if lang == "en-en" else "(issue 8)",
                   reference="0.818 best system, all languages, official eval set",
                   n=len(xs), note="en-en used in fitting" if lang == "en-en" else
                   "multilingual USE, similarity head fitted on all SemEval pairs "
                   "(in-sample; 5-fold CV "
                   f"{across[lang].get('cv_pearson_by_language_pair', {}).get(lang, '—')})"
                   if lang in across else "multilingual USE, English-fitted parameters")
    everything = [(x, y) for xs, ys in by_lang.values() for x, y in zip(xs, ys, strict=True)]
    if everything:
        xs_all, ys_all = zip(*everything, strict=True)
        report.add("semeval2022", "Pearson vs Overall, all pairs",
                   float(np.corrcoef(xs_all, ys_all)[0, 1]), target="≥ 0.75 (issue 8)",
                   n=len(everything))


def _msrp_suite(report: EvalReport, embedder: Embedder, params: Params) -> None:
    from newstrace.reuse.evidence import SentenceSet, pair_features

    pairs = datasets.msrp()
    if not pairs:
        return
    left = SentenceSet.build([p.a for p in pairs], embedder.encode([p.a for p in pairs]))
    right = SentenceSet.build([p.b for p in pairs], embedder.encode([p.b for p in pairs]))
    prob = np.array([
        (params.sentence.predict(pair_features(left.merged([i]), right.merged([i]))[0, 0])
         + params.sentence.predict(pair_features(right.merged([i]), left.merged([i]))[0, 0]))
        / 2 for i in range(len(pairs))]).ravel()
    threshold = float(params.raw["sentence"].get("msrp_threshold", 0.5))
    y = np.array([p.label for p in pairs])
    report.add("msrp", "accuracy", float(((prob >= threshold) == y).mean()), target="≥ 0.78",
               reference="77.4 (Madnani 2012); ~80 (Ji & Eisenstein 2013)", n=len(pairs),
               note="train split; model fitted on STS-B, threshold on MSRP")


def _pan_suite(report: EvalReport) -> None:
    cases = datasets.pan13()
    if not cases:
        return
    tp = fp = fn = 0
    detections = truths = 0
    detected_cases = 0
    for case in cases:
        ts, tr = Tokens.of(case.susp), Tokens.of(case.src)
        passages = verbatim_passages(tr, ts)
        det_s: set[int] = set()
        det_r: set[int] = set()
        for p in passages:
            s0, s1 = char_span(ts, p.b_start, p.b_end)
            r0, r1 = char_span(tr, p.a_start, p.a_end)
            det_s.update(range(s0, s1))
            det_r.update(range(r0, r1))
        true_s = {i for a, b in case.susp_spans for i in range(a, b)}
        true_r = {i for a, b in case.src_spans for i in range(a, b)}
        for det, true in ((det_s, true_s), (det_r, true_r)):
            tp += len(det & true)
            fp += len(det - true)
            fn += len(true - det)
        detections += len(passages)
        truths += len(case.susp_spans)
        detected_cases += bool(passages)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(cases)
    report.add("pan13", "copied-passage character precision", precision, n=n)
    report.add("pan13", "copied-passage character recall", recall, n=n)
    report.add("pan13", "copied-passage character F1", f1, target="≥ 0.90",
               reference="plagdet ≈0.88 (PAN 2014 best, all obfuscations)", n=n,
               note="no-obfuscation subset")
    report.add("pan13", "granularity (passages per true case)",
               detections / max(detected_cases, 1), note="1.0 is ideal", n=n)


def _alignment_suite(report: EvalReport, embedder: Embedder, params: Params) -> None:
    from newstrace.evaluation.alignment_eval import gold_alignments, score_alignments

    golds = gold_alignments()
    if not golds:
        return
    cv = params.raw.get("report", {}).get("link") or params.raw.get("report", {}).get(
        "alignment", {})
    fitted = ("link model fitted on these links" if params.link is not None
              else "threshold and context bonus fitted on these links")
    memo: dict[str, Article] = {}

    def article(record: datasets.ArticleRecord) -> Article:
        if record.name not in memo:
            memo[record.name] = to_article(record)
        return memo[record.name]

    def aligner(origin: Article, derived: Article) -> Alignment:
        return gather(origin, derived, embedder.encode, params.sentence,
                      params.sentence_threshold, params.context_bonus,
                      link_model=params.link).b_from_a

    for kind in ("light", "heavy"):
        chosen = [g for g in golds if g.pair.kind == kind]
        if not chosen:
            continue
        scores = score_alignments(chosen, article, aligner)
        name = f"{kind} rewrites"
        report.add("alignment", f"link precision, {name}", scores.precision, n=scores.sentences)
        report.add("alignment", f"link recall, {name}", scores.recall, n=scores.sentences)
        report.add("alignment", f"link F1, {name}", scores.f1, n=scores.sentences,
                   note=f"{fitted}; leave-one-family-out F1, all rewrites: "
                        f"{cv.get('link_f1_cv', '—')}")
        report.add("alignment", f"added-sentence F1, {name}", scores.added_f1,
                   n=scores.sentences, note=f"leave-one-family-out, all rewrites: "
                                            f"{cv.get('added_f1_cv', '—')}")
    unlinked = total = 0
    for pair in datasets.news_pairs():
        if pair.relation != "same_story":
            continue
        a, b = article(pair.a), article(pair.b)
        ev = gather(a, b, embedder.encode, params.sentence, params.sentence_threshold,
                    params.context_bonus, link_model=params.link)
        unlinked += len(ev.b_from_a.added) + len(ev.a_from_b.added)
        total += len(a.sentences) + len(b.sentences)
    if total:
        report.add("alignment", "independent reports: sentences left unlinked",
                   unlinked / total, n=total,
                   note="they share facts, not sentences; leave-one-family-out: "
                        f"{cv.get('independent_unlinked_cv', '—')}")


def _changes_suite(report: EvalReport, embedder: Embedder) -> None:
    from newstrace.evaluation.changes_eval import CHANGE_KINDS, change_pairs, score_changes

    rows = change_pairs()
    if not rows:
        return
    scores = score_changes(rows, embedder)
    n = scores.pairs
    report.add("changes", "precision, all kinds", scores.precision(), target="≥ 0.85", n=n,
               note="rules written while reading this set: treat as development figures")
    report.add("changes", "recall, all kinds", scores.recall(), target="≥ 0.75", n=n)
    report.add("changes", "unchanged controls with no change", scores.control_rate,
               target="≥ 0.95", n=scores.controls)
    from newstrace.reuse.wording import KIND, fit_report

    fitted = fit_report(embedder.name)
    for kind in CHANGE_KINDS:
        support = scores.tp[kind] + scores.fn[kind]
        note = f"recall {scores.recall(kind):.2f}"
        if kind == KIND and fitted:
            note += (f"; thresholds fitted here, leave-one-out P / R "
                     f"{fitted['precision_leave_one_out']:.2f} / "
                     f"{fitted['recall_leave_one_out']:.2f}")
        report.add("changes", f"{kind} precision / recall", scores.precision(kind),
                   n=support, note=note)


def run_eval(suites: tuple[str, ...] = SUITES, *, cache: Path | None = None,
             progress: Callable[[str], None] | None = None) -> EvalReport:
    params = load_params()
    cv = params.raw.get("report", {}).get("verdict", {}).get("cv_accuracy_by_source", {})
    cache_path = cache or datasets.DEFAULT_CACHE
    embedder: Embedder = PersistentEmbedder(MiniLMEmbedder(), VectorCache(cache_path))
    report = EvalReport()
    runners: dict[str, Callable[[], None]] = {
        "news_dev": lambda: _pairs_suite(report, "news_dev", datasets.news_pairs(), embedder,
                                         params, cv),
        "clough": lambda: _pairs_suite(report, "clough", datasets.clough_stevenson(), embedder,
                                       params, cv),
        "bbc_synthetic": lambda: _pairs_suite(report, "bbc_synthetic", synthetic_bbc(),
                                              embedder, params, cv),
        "semeval": lambda: _semeval_suite(report, embedder, params),
        "cross_dev": lambda: cross_dev_suite(report, embedder),
        "msrp": lambda: _msrp_suite(report, embedder, params),
        "pan13": lambda: _pan_suite(report),
        "changes": lambda: _changes_suite(report, embedder),
        "alignment": lambda: _alignment_suite(report, embedder, params),
    }
    for suite in suites:
        if progress:
            progress(suite)
        started = time.perf_counter()
        runners[suite]()
        report.seconds[suite] = time.perf_counter() - started
    return report
