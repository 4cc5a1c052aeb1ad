"""Verbatim passages: seeds, extension over small edits, reordering, offsets."""

from __future__ import annotations

from newstrace.reuse.tokens import Tokens
from newstrace.reuse.verbatim import char_span, verbatim_passages

PARAS = [
    "The central bank raised its main interest rate by half a percentage point on Thursday, "
    "the fourth increase this year, citing stubborn inflation in services and wages.",
    "Governor Lena Varro told reporters that further moves could not be ruled out if price "
    "growth failed to slow over the summer months ahead of the autumn budget.",
    "Economists at the Halvard Institute had expected a smaller step and said the decision "
    "would weigh on mortgage holders across the northern provinces for at least a year.",
]


def _spans(a: str, b: str) -> list[tuple[str, str]]:
    ta, tb = Tokens.of(a), Tokens.of(b)
    out = []
    for p in verbatim_passages(ta, tb):
        a0, a1 = char_span(ta, p.a_start, p.a_end)
        b0, b1 = char_span(tb, p.b_start, p.b_end)
        out.append((a[a0:a1], b[b0:b1]))
    return out


def test_reordered_paragraphs_are_all_found_with_exact_offsets() -> None:
    a = "\n".join(PARAS)
    b = "\n".join([PARAS[2], "An unrelated sentence sits here.", PARAS[0], PARAS[1]])
    spans = _spans(a, b)
    found = {a_text for a_text, _ in spans}
    assert all(any(p.rstrip(".") in f or f in p for f in found) for p in PARAS)
    for a_text, b_text in spans:
        assert a_text == b_text  # same words at both offsets


def test_small_edits_keep_one_passage() -> None:
    edited = PARAS[1].replace("told reporters", "said").replace("price growth", "inflation")
    spans = _spans(PARAS[1], edited)
    assert len(spans) == 1
    assert spans[0][0].startswith("Governor Lena Varro") and spans[0][0].endswith("budget")


def test_short_shared_phrases_are_not_passages() -> None:
    a = "Officials said on Tuesday that the plan was dead and buried for good."
    b = "A spokesman said on Tuesday that talks would resume next month in Varna."
    assert _spans(a, b) == []


def test_a_copied_sentence_comes_from_one_origin_sentence() -> None:
    """A phrase the origin uses twice matches both places; the copied sentence is still
    taken from the one it copies whole, not fused from both."""
    from newstrace.api import compare

    origin = ("The council approved the new budget for the coming financial year on Monday. "
              "Officials said the vote followed weeks of debate among members. "
              "The mayor welcomed the decision and thanked the staff for their work. "
              "Critics said the new budget for the coming financial year cuts too deep. "
              "A final reading is planned for next month.")
    derived = ("Officials said the vote followed weeks of debate among members. "
               "The council approved the new budget for the coming financial year on Monday. "
               "The mayor welcomed the decision and thanked the staff for their work.")
    result = compare(origin, derived)
    links = {a.derived_index: a.origin_indices for a in result.alignments}
    assert result.relation in ("copy", "derived")
    # not (0, 3): "the new budget for the coming financial year" recurs in 3
    assert links[1] == (0,)
