"""Compare two articles: relation, direction, credit and the sentence alignment.

``decide`` turns ``PairEvidence`` into a ``PairResult`` with the fitted models;
``compare_articles`` runs the whole thing given an embedder. Both are pure apart
from the embedder, so the CLI, the corpus pipeline, the web app and the Spark
job all call them unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from newstrace.model import AlignedSentence, Article, Change, PairResult, Sentence, Span
from newstrace.nlp.embed import Embedder
from newstrace.reuse.align import Alignment
from newstrace.reuse.features import (
    DIRECTION_FEATURES,
    VERDICT_FEATURES,
    ArticleMemo,
    PairEvidence,
    gather,
)
from newstrace.reuse.languages import engine_for
from newstrace.reuse.params import Params
from newstrace.reuse.screen import Screen, screen_pair
from newstrace.reuse.tokens import Tokens
from newstrace.reuse.verbatim import char_span

if TYPE_CHECKING:
    from newstrace.nlp.attribution import StatementSource

#: Publication times closer than this do not settle direction (clock noise,
#: date-only stamps, simultaneous wire releases).
MIN_HOURS_FOR_DATE_DIRECTION = 0.25


def _span(sentences: Sequence[Sentence], index: int) -> Span:
    s = sentences[index]
    return Span(s.start, s.end, s.text)


def _alignment_spans(al: Alignment, origin: Article, derived: Article) -> list[AlignedSentence]:
    out = []
    for link in sorted(al.links, key=lambda lk: lk.derived):
        out.append(AlignedSentence(
            kind=link.kind, score=link.score,
            derived=_span(derived.sentences, link.derived),
            origin=tuple(_span(origin.sentences, j) for j in link.origin),
            derived_index=link.derived, origin_indices=link.origin,
        ))
    return out


def decide_direction(ev: PairEvidence, params: Params) -> tuple[str, str, float]:
    """Which side is the origin: ("a"|"b", why, probability that it is a)."""
    p_a = float(params.direction.predict(ev.direction_x[None, :])[0])
    if ev.hours_apart is not None and abs(ev.hours_apart) >= MIN_HOURS_FOR_DATE_DIRECTION:
        side = "a" if ev.hours_apart > 0 else "b"
        return side, f"published {abs(ev.hours_apart):.1f} hours earlier", p_a
    credit_a, credit_b = ev.credit_b_to_a.status == "credited", ev.credit_a_to_b.status == \
        "credited"
    if credit_a != credit_b:
        side = "a" if credit_a else "b"
        other = "b" if side == "a" else "a"
        return side, f"{other} credits {side}'s outlet", p_a
    side = "a" if p_a >= 0.5 else "b"
    return side, ("no usable dates; from the asymmetry of the evidence "
                  f"(p={max(p_a, 1 - p_a):.2f})"), p_a


def decide(ev: PairEvidence, params: Params) -> PairResult:
    probs = params.verdict.predict(ev.verdict_x[None, :])[0]
    by_class = dict(zip(params.verdict.classes, (float(p) for p in probs), strict=True))
    relation = max(by_class, key=lambda k: by_class[k])
    origin: str | None = None
    why = ""
    notes: list[str] = []
    if relation in ("copy", "derived"):
        origin, why, _ = decide_direction(ev, params)
        shown = ev.a_from_b if origin == "b" else ev.b_from_a
        if not shown.links:
            notes.append(_unsupported_note(relation, by_class, origin or "a"))
            by_class = _without_reuse(by_class)
            relation = max(by_class, key=lambda k: by_class[k])
            origin, why = None, ""
    if origin == "b":
        al, origin_art, derived_art, credit = ev.a_from_b, ev.b, ev.a, ev.credit_a_to_b
    else:
        al, origin_art, derived_art, credit = ev.b_from_a, ev.a, ev.b, ev.credit_b_to_a
    similarity = float(params.similarity.predict(
        ev.similarity_input(params.similarity.features)[None, :])[0])
    features = dict(zip(VERDICT_FEATURES, (float(x) for x in ev.verdict_x), strict=True))
    features.update({f"direction_{k}": float(x)
                     for k, x in zip(DIRECTION_FEATURES, ev.direction_x, strict=True)})
    return PairResult(
        a=ev.a, b=ev.b, relation=relation, confidence=by_class[relation],
        probabilities=by_class, origin=origin, direction_evidence=why,
        credit_status=credit.status if relation in ("copy", "derived") else "unknown",
        credit_evidence=[e.as_dict() for e in credit.evidence]
        if relation in ("copy", "derived") else [],
        origin_reused=al.origin_coverage, derived_from_origin=al.derived_coverage,
        verbatim=al.verbatim_coverage,
        alignments=_alignment_spans(al, origin_art, derived_art),
        added=[_span(derived_art.sentences, i) for i in al.added],
        dropped=[_span(origin_art.sentences, j) for j in al.dropped],
        passages=_passage_spans(al, origin_art, derived_art,
                                ev.tokens_b if origin == "b" else ev.tokens_a,
                                ev.tokens_a if origin == "b" else ev.tokens_b),
        similarity=similarity, features=features, notes=notes,
    )


def _without_reuse(by_class: dict[str, float]) -> dict[str, float]:
    """The verdict's probabilities given that neither article took text from the other."""
    rest = {k: p for k, p in by_class.items() if k not in ("copy", "derived")}
    total = sum(rest.values())
    if total <= 0:  # the model was sure of reuse: the two remaining classes, evenly
        return {k: 0.0 if k in ("copy", "derived") else 1.0 / len(rest) for k in by_class}
    return {k: round(rest[k] / total, 6) if k in rest else 0.0 for k in by_class}


def _unsupported_note(relation: str, by_class: dict[str, float], origin: str) -> str:
    """Why a reuse verdict was withdrawn.

    The verdict reads both directions' alignments at once, through a linear model;
    far from its training pairs (a short report against a long page of reader
    comments that shares its topic) it can read reuse where no sentence of the later
    article is kept after the link model's pass. A copy or rewrite that cannot show
    a single sentence it took is not one: the pair is read as not reusing text, and
    the rest of the verdict's probability decides between the same story and none.
    """
    derived = "b" if origin == "a" else "a"
    return (f"the verdict read {relation} (p={by_class[relation]:.2f}), but no sentence of "
            f"{derived} aligns to {origin}: read as no reuse")


def _passage_spans(al: Alignment, origin: Article, derived: Article,
                   to: Tokens | None = None, td: Tokens | None = None,
                   ) -> list[tuple[Span, Span]]:
    to, td = to or Tokens.of(origin.text), td or Tokens.of(derived.text)
    out = []
    for p in al.passages:
        o0, o1 = char_span(to, p.a_start, p.a_end)
        d0, d1 = char_span(td, p.b_start, p.b_end)
        out.append((Span(o0, o1, origin.text[o0:o1]), Span(d0, d1, derived.text[d0:d1])))
    return out


def attach_changes(ev: PairEvidence, result: PairResult,
                   parse: StatementSource | None = None,
                   embedder: Embedder | None = None,
                   memo: ArticleMemo | None = None) -> PairResult:
    """Attribution analysis over the alignment of a copy or rewrite (English only).

    ``embedder`` compares reworded phrases by meaning (the wording check)."""
    if result.relation not in ("copy", "derived"):
        return result
    from newstrace.nlp.attribution import SUPPORTED_LANGUAGES, article_statements, parse_sentences
    from newstrace.reuse.changes import article_pair_changes, weak_links

    if result.origin == "b":
        al, origin, derived = ev.a_from_b, ev.b, ev.a
    else:
        al, origin, derived = ev.b_from_a, ev.a, ev.b
    languages = {(x.language or "en").split("-")[0] for x in (origin, derived)}
    if not languages <= SUPPORTED_LANGUAGES:
        result.notes.append(f"attribution analysis skipped: it covers "
                            f"{', '.join(sorted(SUPPORTED_LANGUAGES))} only, not "
                            f"{', '.join(sorted(languages - SUPPORTED_LANGUAGES))}")
        return result
    def unchanged(i: int, origin_indices: tuple[int, ...]) -> bool:
        """A sentence copied word for word cannot have changed anything."""
        return len(origin_indices) == 1 and " ".join(derived.sentences[i].text.split()) == \
            " ".join(origin.sentences[origin_indices[0]].text.split())

    links: list[tuple[int, tuple[int, ...], float | None]] = [
        (lk.derived, lk.origin, None) for lk in al.links if not unchanged(lk.derived, lk.origin)]
    links += [(i, o, score) for i, o, score in weak_links(al.scores, al.added, al.dropped)]
    if not links:
        return result
    # the sentences compared, and the ones just before them (whom a "he" refers to)
    o_needed = sorted({k for _, o, _ in links for j in o for k in (j - 1, j) if k >= 0})
    d_needed = sorted({k for i, _, _ in links for k in (i - 1, i) if k >= 0})

    def measure() -> list[Change]:
        return article_pair_changes(
            origin, derived, links,
            article_statements(origin, o_needed, parse or parse_sentences),
            article_statements(derived, d_needed, parse or parse_sentences), embedder)

    # the same two texts (a reprinted story) change the same things, whoever printed them
    result.changes = list(memo.changes(ev.a, ev.b, result.origin or "a", measure)) \
        if memo is not None and origin.id and derived.id else measure()
    return result


def mark_translated(result: PairResult, fitted_across: bool) -> None:
    """A cross-language verdict says so: ``translated`` on copies and rewrites, and a note."""
    result.translated = result.relation in ("copy", "derived")
    la, lb = result.a.language, result.b.language
    note = f"across languages ({la}, {lb}): compared with multilingual USE embeddings"
    if not fitted_across:
        note += ("; the verdict reads parameters fitted on English pairs, whose word-overlap "
                 "evidence is near zero across languages")
    result.notes.append(note)


def graded_similarity(a: Article, b: Article, embedder: Embedder, params: Params) -> float:
    """The similarity head of ``params`` over evidence gathered with its own models."""
    ev = gather(a, b, embedder.encode, params.sentence, params.sentence_threshold,
                params.context_bonus, link_model=params.link)
    return float(params.similarity.predict(
        ev.similarity_input(params.similarity.features)[None, :])[0])


def compare_articles(a: Article, b: Article, embedder: Embedder,
                     params: Params | None = None, *, attribution: bool = True,
                     memo: ArticleMemo | None = None,
                     multilingual: Embedder | None = None,
                     parse: StatementSource | None = None,
                     screen: Screen | None = None) -> PairResult:
    """``embedder`` and ``params`` serve English pairs; a pair with another language
    is compared with ``multilingual`` (USE by default), see ``reuse.languages``.
    ``parse`` is where attribution analysis gets its parses (this process by default).
    ``screen`` (corpus mode, fitted for ``embedder``) settles clear English pairs
    without aligning them; pairs in other languages are always compared in full."""
    engine = engine_for(a, b, embedder, params, multilingual)
    params = engine.params
    if engine.multilingual:
        memo = None  # a memo holds one embedder's vectors
    elif screen is not None:
        held = memo if memo is not None else ArticleMemo(max_articles=2, max_pairs=1)
        settled = screen_pair(a, b, screen, (held.sketch(a, engine.embedder.encode),
                                             held.sketch(b, engine.embedder.encode)),
                              (held.specifics(a), held.specifics(b)))
        if settled is not None:
            return settled
    ev = gather(a, b, engine.embedder.encode, params.sentence, params.sentence_threshold,
                params.context_bonus, memo, link_model=params.link)
    result = decide(ev, params)
    if engine.translated:
        mark_translated(result, engine.fitted_across)
    if engine.similarity_params is not None:
        result.similarity = graded_similarity(a, b, engine.embedder, engine.similarity_params)
        result.notes.append("similarity: the multilingual head (fitted on SemEval-2022 pairs "
                            "of every language); the relation reads the English parameters")
    if attribution and parse is None and memo is not None:
        parse = memo.parses()  # a corpus asks for an article's sentences in each pair
    if not attribution:
        result.changes_analysed = result.relation not in ("copy", "derived")
        return result
    return attach_changes(ev, result, parse, engine.embedder, memo)
