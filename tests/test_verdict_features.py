"""Verdict features read from an alignment: the block in origin order."""

from __future__ import annotations

import numpy as np

from newstrace.reuse.align import Alignment, Link
from newstrace.reuse.features import VERDICT_FEATURES, _block_share
from newstrace.reuse.params import STATIC_PARAMS_FILE, load_params


def _alignment(links: list[tuple[int, tuple[int, ...]]], n_derived: int) -> Alignment:
    linked = {d for d, _ in links}
    return Alignment([Link(d, o, "paraphrase", 0.8) for d, o in links],
                     [i for i in range(n_derived) if i not in linked], [], [], 0.0, 0.0, 0.0,
                     np.zeros((n_derived, 10)))


def test_a_rewritten_opening_is_one_block_scattered_links_are_not() -> None:
    lengths = np.full(8, 10.0)
    # the first five sentences restate the origin's first five, in order; the rest is new
    opening = _alignment([(0, (0,)), (1, (1,)), (2, (1, 2)), (3, (3,)), (4, (4,))], 8)
    # a report on the same topic: as many sentences linked, here and there
    scattered = _alignment([(0, (4,)), (2, (0,)), (3, (6,)), (5, (1,)), (7, (3,))], 8)
    assert _block_share(opening, lengths) == 5 / 8
    assert _block_share(scattered, lengths) == 2 / 8  # sentences 2 and 3: 0 → 6
    assert _block_share(_alignment([], 8), lengths) == 0.0


def test_a_run_is_weighed_by_its_sentences_length() -> None:
    al = _alignment([(0, (0,)), (1, (1,)), (3, (2,))], 4)
    assert _block_share(al, np.array([5.0, 5.0, 10.0, 30.0])) == 30 / 50


def test_every_shipped_verdict_reads_the_features_the_code_computes() -> None:
    for name in ("params.json", STATIC_PARAMS_FILE, "params-use.json"):
        assert tuple(load_params(name).raw["verdict"]["features"]) == VERDICT_FEATURES


def test_a_sentence_stitched_from_many_short_ones_still_has_an_origin() -> None:
    """Six short origin sentences fused word for word into one: each gives less than the
    share a verbatim source needs, which once left the link with no origin sentence (a
    crash in attribution analysis, NaN in the verdict's features)."""
    from newstrace.api import compare

    origin = ("Market report.\nCopper prices rose sharply. Nickel prices fell slightly. Zinc "
              "prices held steady. Tin prices climbed again. Lead prices dropped back. Gold "
              "prices moved higher.\nTraders said demand from builders was strong this week.")
    derived = ("Metals round-up.\nCopper prices rose sharply, nickel prices fell slightly, zinc "
               "prices held steady, tin prices climbed again, lead prices dropped back and "
               "gold prices moved higher.\nTraders said demand from builders was strong this "
               "week.")
    result = compare(origin, derived)
    fused = next(al for al in result.alignments if al.derived.text.startswith("Copper"))
    assert fused.kind == "verbatim" and fused.origin
    assert all(np.isfinite(v) for v in result.features.values())
