"""`newstrace eval` rows read from the fitting reports, and the shipped reports themselves."""

from __future__ import annotations

from newstrace.evaluation.run import EvalReport, _kind_rows
from newstrace.reuse.params import PARAMS_FILE, STATIC_PARAMS_FILE, load_params


def test_out_of_fold_rates_come_from_the_fitting_report() -> None:
    raw = {"report": {"verdict": {"cv_by_kind": {
        "news_dev/heavy": {"pairs": 4, "right": 3, "derived_for": 3},
        "news_dev/heavy-reversed": {"pairs": 4, "right": 4, "derived_for": 4},
        "news_dev/independent": {"pairs": 6, "right": 5, "derived_for": 1},
        "news_dev/independent-pair": {"pairs": 2, "right": 2, "derived_for": 0},
        "clough/heavy": {"pairs": 9, "right": 0, "derived_for": 0},  # another suite
    }}}}
    report = EvalReport()
    _kind_rows(report, "news_dev", raw, "test engine")
    rows = {m.name: (m.value, m.n) for m in report.metrics}
    assert rows["heavy rewrites read as derived, test engine"] == (7 / 8, 8)
    assert rows["independent reports read as derived, test engine"] == (1 / 8, 8)
    empty = EvalReport()
    _kind_rows(empty, "news_dev", {}, "unfitted")  # heads fitted before the report had kinds
    assert empty.metrics == []


def test_shipped_heads_record_their_dev_set_confusions() -> None:
    """Both engines' parameter files say, per dev-set kind, what grouped CV predicted."""
    for name in (PARAMS_FILE, STATIC_PARAMS_FILE):
        by_kind = load_params(name).raw["report"]["verdict"]["cv_by_kind"]
        heavy = by_kind["news_dev/heavy"]
        assert heavy["pairs"] >= 24 and 0 <= heavy["derived_for"] <= heavy["pairs"]
        assert by_kind["news_dev/independent"]["pairs"] >= 36
