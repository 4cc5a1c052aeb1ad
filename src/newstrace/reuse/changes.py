"""What a rewrite changed in a sentence it kept: attribution, sources, quotes,
numbers, hedges and negation.

Each check compares an aligned pair (the derived sentence and the origin
sentence or sentences it restates). Every change carries both spans and a
plain-English description a user can cite. Checks are deliberately rule-based
and explainable; their precision and recall are measured on the project's
sentence-pair dev set by ``newstrace eval``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from newstrace.model import Article, Change, Span
from newstrace.nlp.attribution import ROLE_NOUNS, Parsed, Statement
from newstrace.nlp.embed import Embedder
from newstrace.reuse import wording
from newstrace.reuse.tokens import quotes_in

CHANGE_KINDS = ("attribution_dropped", "attribution_added", "speaker_changed", "source_dropped",
                "quote_altered", "quote_to_paraphrase", "number_changed", "hedge_changed",
                "negation_changed", wording.KIND)

_SPEAKER_STOP = frozenset("""
the a an of 's ’s his her their its both two all and at for in on from by with
""".split())

# -- numbers -----------------------------------------------------------------

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9,
          "m": 1e6, "k": 1e3, "mn": 1e6}
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
                 "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
                 "dozen": 12, "half": 0.5, "a third": 1 / 3, "a quarter": 0.25, "a tenth": 0.1,
                 "dozens": 24, "hundreds": 200, "thousands": 2000, "several": 3, "a few": 3}
_FRACTIONS = frozenset({"half", "a third", "a quarter", "a tenth"})
_NUMBER = re.compile(
    r"(?P<qual>(?:more than|less than|fewer than|nearly|almost|about|around|roughly|some|over|"
    r"under|up to|at least|at most|as many as|close to|approximately)\s+)?"
    r"(?P<cur>[€$£¥]|US\$)?\s?(?P<num>\d[\d,]*(?:\.\d+)?|"
    + "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
    + r")(?P<scale>\s?(?:thousand|million|billion|trillion|bn|mn|m|k)\b)?"
    r"(?P<unit>\s?(?:%|percent|per cent|percentage points?))?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Number:
    text: str
    start: int
    end: int
    value: float
    kind: str  # currency | percent | plain
    approximate: bool


def numbers_in(text: str, offset: int = 0) -> list[Number]:
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group("num").lower()
        if raw in _WORD_NUMBERS:
            value = float(_WORD_NUMBERS[raw])
            before = text[max(0, m.start("num") - 1) : m.start("num")]
            if before.isalpha():
                continue
        else:
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                continue
        if m.group("scale"):
            value *= _SCALE[m.group("scale").strip().lower()]
        kind = "currency" if m.group("cur") else "percent" if m.group("unit") else "plain"
        if raw in _FRACTIONS and kind == "plain":
            kind, value = "percent", value * 100  # "half" restates "50 percent"
        if kind == "plain" and 1900 <= value <= 2100 and "," not in raw and "." not in raw:
            kind = "year"
        start = m.start() + (len(m.group()) - len(m.group().lstrip()))
        out.append(Number(m.group().strip(), offset + start, offset + m.end(), value, kind,
                          bool(m.group("qual"))))
    return out


def _same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 * max(abs(a), abs(b), 1e-9)


# -- hedges and negation ---------------------------------------------------------

_HEDGE_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("unable", re.compile(r"\b(?:could|can|would) ?(?:not|no longer|n['’]t)\b|\bcannot\b",
                          re.I)),
    ("possible", re.compile(r"\b(?:could|may|might|possibly|perhaps|potentially|potential)\b",
                            re.I)),
    ("likely", re.compile(r"\b(?:likely|unlikely|expected to|probably|is set to|are set to)\b",
                          re.I)),
    ("reported", re.compile(r"\b(?:reportedly|allegedly|alleged|purportedly|apparently|"
                            r"is said to|are said to|believed to)\b", re.I)),
    ("certain", re.compile(r"\b(?:will|would|must|shall|certainly|definitely|undoubtedly|"
                           r"clearly|has to|have to)\b", re.I)),
    ("seems", re.compile(r"\b(?:seems?|appears?|suggests?)\b", re.I)),
    ("legitimate", re.compile(r"\b(?:legitimate|so-called|alleged)\b", re.I)),
)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|"
                       r"no longer)\b|n['’]t\b", re.I)
_NEGATIVE_VERBS = re.compile(r"\b(?:stop|stops|stopped|halt|halted|cease|ceased|refuse[sd]?|"
                             r"den(?:y|ies|ied)|reject(?:s|ed)?|fail(?:s|ed)?|lack(?:s|ed)?|"
                             r"abandon(?:s|ed)?|block(?:s|ed)?|veto(?:es|ed)?|bar(?:s|red)?|"
                             r"ruled? out|unable|absence)\b", re.I)


def hedges_in(text: str) -> dict[str, list[re.Match[str]]]:
    found: dict[str, list[re.Match[str]]] = {}
    taken: list[tuple[int, int]] = []
    for name, pattern in _HEDGE_CLASSES:
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            found.setdefault(name, []).append(m)
            taken.append((m.start(), m.end()))
    return found


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 2}


# -- speakers -------------------------------------------------------------------

def speaker_key(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[\w@]+", text.lower())
                     if w not in _SPEAKER_STOP and len(w) > 1)


#: Modifiers that do not tell two speakers apart ("the city's governor" = "the governor
#: of Brannock"); other modifiers do ("health ministry" ≠ "finance ministry").
_GENERIC_MODIFIERS = frozenset("""
city country state national local regional provincial federal former senior top chief
official own new
""".split())


def _head(text: str) -> str | None:
    words = [w for w in re.findall(r"[\w@]+", text.lower()) if w not in ("the", "a", "an")]
    if not words:
        return None
    if "of" in words[1:]:
        return words[words.index("of", 1) - 1]
    return words[-1]


def same_speaker(a: str, b: str) -> bool:
    """Same speaker under two names: one name inside the other, or the same head noun
    without conflicting modifiers ("the city's governor" = "the governor of Brannock")."""
    ka, kb = speaker_key(a), speaker_key(b)
    if not ka or not kb:
        return False
    if ka <= kb or kb <= ka:
        return True
    ha, hb = _head(a), _head(b)
    if ha is None or ha != hb:
        return False
    mods_a = ka - {ha} - _GENERIC_MODIFIERS
    mods_b = kb - {hb} - _GENERIC_MODIFIERS
    return not (mods_a and mods_b) or bool(mods_a & mods_b)


def resolve_pronouns(parsed: Parsed) -> dict[int, list[Statement]]:
    """he/she → the person last mentioned before the pronoun; marks the guess.

    Resolved speakers keep kind "pronoun" so that checks can treat them as the
    guesses they are.
    """
    mentions = sorted((pos, name) for names in parsed.persons.values() for pos, name in names)
    out: dict[int, list[Statement]] = {}
    for i in sorted(parsed.statements):
        resolved = []
        for s in parsed.statements[i]:
            if s.speaker_kind == "pronoun" and (s.speaker or "").lower() in ("he", "she") \
                    and s.speaker_start is not None:
                before = [name for pos, name in mentions if pos < s.speaker_start]
                if before:
                    s = Statement(**{**s.as_dict(), "speaker": before[-1]})
            resolved.append(s)
        out[i] = resolved
    return out


# -- the checks -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Side:
    """One side of an aligned pair: its text span and its statements."""

    article: Article
    sentences: tuple[int, ...]
    statements: tuple[Statement, ...]
    #: noun-phrase spans of these sentences (article offsets), for the wording check
    phrases: tuple[tuple[int, int], ...] = ()

    @property
    def start(self) -> int:
        return self.article.sentences[self.sentences[0]].start

    @property
    def end(self) -> int:
        return self.article.sentences[self.sentences[-1]].end

    @property
    def text(self) -> str:
        return " ".join(self.article.sentences[i].text for i in self.sentences)

    def span(self, start: int | None = None, end: int | None = None) -> Span:
        s = self.start if start is None else start
        e = self.end if end is None else end
        return Span(s, e, self.article.text[s:e])

    def whole(self) -> Span:
        first = self.article.sentences[self.sentences[0]]
        return Span(first.start, first.end, first.text) if len(self.sentences) == 1 \
            else self.span()


_GROUP_PRONOUNS = frozenset({"they", "we", "both", "they both", "both of them"})


def _is_group_name(text: str) -> bool:
    """"they", "both" or a list of names ("Lira and Osk"): a group with no head noun."""
    low = text.lower()
    return low in _GROUP_PRONOUNS or (" and " in low and all(
        w[:1].isupper() for w in re.findall(r"\w+", text) if w.lower() not in ("and",)))


def _same(a: Statement, b: Statement) -> bool:
    if a.speaker_kind == "collective" and b.speaker_kind == "collective" and (
            _is_group_name(a.speaker or "") or _is_group_name(b.speaker or "")):
        return True  # "they both" restating "the two leaders": the same group
    return same_speaker(a.speaker or "", b.speaker or "")


def _roles(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w in ROLE_NOUNS}


def _uncertain(a: Statement, b: Statement) -> bool:
    """Could these be the same person under names we cannot tie together?

    "the Ostrian president" and "Lira" may well be one person; "the ministry
    spokesperson" and "Minister Brun" are not. A speaker resolved from a pronoun is
    a guess, so a change resting on it is not reported.
    """
    kinds = {a.speaker_kind, b.speaker_kind}
    if "pronoun" in kinds:
        return True
    if "role" not in kinds or not kinds <= {"role", "person"}:
        return False
    roles_a, roles_b = _roles(a.speaker or ""), _roles(b.speaker or "")
    return not (roles_a and roles_b) or bool(roles_a & roles_b)


def _restated(statement: Statement, side: Side, other: Side) -> bool:
    """Does the other side restate this statement's content?

    Two shared content words say so. So does the alignment itself when the
    statement is most of its sentence ("X warned of …"): the
    sentence was linked for what it says, which is this statement.
    """
    content = side.article.text[statement.content_start:statement.content_end]
    if len(_content_words(content) & _content_words(other.text)) >= 2:
        return True
    return len(content) >= MOST_OF_SENTENCE * (side.end - side.start) and len(side.sentences) == 1


#: A statement whose content is at least this share of its sentence is what the sentence says.
MOST_OF_SENTENCE = 0.6


def _content_words(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"\w+", text.lower()) if len(w) > 3}


def _speaker_span(side: Side, s: Statement) -> Span:
    if s.speaker_start is None or s.speaker_end is None:
        return side.whole()
    return Span(s.speaker_start, s.speaker_end, side.article.text[s.speaker_start:s.speaker_end])


def attribution_changes(origin: Side, derived: Side) -> list[Change]:
    changes: list[Change] = []
    o_named = [s for s in origin.statements if s.speaker and s.speaker_kind != "source"]
    o_sources = [s for s in origin.statements if s.speaker and s.speaker_kind == "source"]
    d_named = [s for s in derived.statements if s.speaker and s.speaker_kind != "source"]
    d_all = [s for s in derived.statements if s.speaker]
    for source in o_sources:
        if not any(_same(source, d) for d in d_all):
            changes.append(Change(
                "source_dropped", derived.whole(), _speaker_span(origin, source),
                f"the origin credits “{source.speaker}” ({source.frame}) for this; "
                "the rewrite keeps the content but not the source"))
    o_named = [s for s in o_named if _restated(s, origin, derived)]
    d_named = [s for s in d_named if _restated(s, derived, origin)]
    if o_named and not d_named and not any(s.speaker for s in derived.statements
                                           if _restated(s, derived, origin)):
        main = o_named[-1] if len(o_named) > 1 and o_named[-1].parent is None else o_named[0]
        changes.append(Change(
            "attribution_dropped", derived.whole(), _speaker_span(origin, main),
            f"the origin attributes this to “{main.speaker}” ({main.frame}); the rewrite "
            "states it as fact"))
    elif d_named and not o_named and not o_sources:
        main = d_named[0]
        changes.append(Change(
            "attribution_added", _speaker_span(derived, main), origin.whole(),
            f"the origin says this in its own voice; the rewrite puts it in the mouth of "
            f"“{main.speaker}” ({main.frame})"))
    elif d_named and o_named:
        unmatched = [d for d in d_named if not any(_same(d, o) for o in o_named)]
        if unmatched and len(unmatched) == len(d_named):
            d = unmatched[0]
            o = next((s for s in o_named if s.parent is not None), o_named[0])
            if _uncertain(d, o):
                return changes
            changes.append(Change(
                "speaker_changed", _speaker_span(derived, d), _speaker_span(origin, o),
                f"said by “{o.speaker}” in the origin, by “{d.speaker}” in the rewrite"))
    return changes


def quote_changes(origin: Side, derived: Side) -> list[Change]:
    changes: list[Change] = []
    o_quotes = [(origin.start + a, origin.start + b, t) for a, b, t in
                quotes_in(origin.article.text[origin.start:origin.end])]
    d_quotes = [(derived.start + a, derived.start + b, t) for a, b, t in
                quotes_in(derived.article.text[derived.start:derived.end])]
    for o0, o1, o_text in o_quotes:
        o_words = _words(o_text)
        best = max(d_quotes, key=lambda q: len(_words(q[2]) & o_words), default=None)
        if best is not None and _words(best[2]) & o_words:
            if " ".join(best[2].split()).lower().strip(" .,") != \
                    " ".join(o_text.split()).lower().strip(" .,"):
                changes.append(Change(
                    "quote_altered", Span(best[0], best[1], derived.article.text[best[0]:best[1]]),
                    Span(o0, o1, origin.article.text[o0:o1]),
                    "the quotation's words differ from the origin's"))
        elif not d_quotes and len(o_words & _words(derived.text)) >= 2:
            changes.append(Change(
                "quote_to_paraphrase", derived.whole(), Span(o0, o1, origin.article.text[o0:o1]),
                "a direct quotation in the origin is reported in the rewrite's own words"))
    return changes


def number_changes(origin: Side, derived: Side) -> list[Change]:
    changes: list[Change] = []
    o_nums = numbers_in(origin.article.text[origin.start:origin.end], origin.start)
    d_nums = numbers_in(derived.article.text[derived.start:derived.end], derived.start)
    o_free = [n for n in o_nums if not any(_same_value(n.value, d.value) for d in d_nums)]
    for d in d_nums:
        if any(_same_value(d.value, o.value) for o in o_nums):
            continue
        candidates = [o for o in o_free if o.kind == d.kind or {o.kind, d.kind} <= {"plain",
                                                                                 "currency"}]
        if d.kind == "year" or not candidates:
            continue
        o = min(candidates, key=lambda n: abs(n.value - d.value) / max(n.value, d.value, 1e-9))
        ratio = max(o.value, d.value) / max(min(o.value, d.value), 1e-9)
        if ratio > 20:  # too far apart to be the same quantity restated
            continue
        o_free.remove(o)
        how = "rounded or approximated" if d.approximate or o.approximate else "changed"
        changes.append(Change(
            "number_changed", Span(d.start, d.end, d.text), Span(o.start, o.end, o.text),
            f"number {how}: “{o.text}” in the origin, “{d.text}” in the rewrite"))
    return changes


def _hedged_restated(text: str, hedge: re.Match[str], other: str) -> bool:
    """Is the proposition around this hedge (four words either side) in the other text?"""
    before = text[: hedge.start()].split()[-4:]
    after = text[hedge.end() :].split()[:4]
    return bool(_content_words(" ".join(before + after)) & _content_words(other))


def hedge_changes(origin: Side, derived: Side) -> list[Change]:
    o_text = origin.article.text[origin.start:origin.end]
    d_text = derived.article.text[derived.start:derived.end]
    o_h, d_h = hedges_in(o_text), hedges_in(d_text)
    if set(o_h) == set(d_h):
        return []
    lost = [k for k in o_h if k not in d_h and _hedged_restated(o_text, o_h[k][0], d_text)]
    gained = [k for k in d_h if k not in o_h and _hedged_restated(d_text, d_h[k][0], o_text)]
    if not lost and not gained:
        return []
    o_m = o_h[lost[0]][0] if lost else None
    d_m = d_h[gained[0]][0] if gained else None
    o_span = Span(origin.start + o_m.start(), origin.start + o_m.end(), o_m.group()) \
        if o_m else None
    d_span = Span(derived.start + d_m.start(), derived.start + d_m.end(), d_m.group()) \
        if d_m else derived.whole()
    was = f"“{o_m.group()}”" if o_m else "no hedge"
    now = f"“{d_m.group()}”" if d_m else "no hedge"
    return [Change("hedge_changed", d_span, o_span or origin.whole(),
                   f"certainty changed: {was} in the origin, {now} in the rewrite")]


def negation_changes(origin: Side, derived: Side) -> list[Change]:
    """An explicit negation on one side only, not compensated by a negative verb."""
    o_text = origin.article.text[origin.start:origin.end]
    d_text = derived.article.text[derived.start:derived.end]
    o_neg, d_neg = bool(_NEGATION.search(o_text)), bool(_NEGATION.search(d_text))
    if o_neg == d_neg:
        return []
    plain = d_text if o_neg else o_text
    if _NEGATIVE_VERBS.search(plain):
        return []
    negated, other = (o_text, d_text) if o_neg else (d_text, o_text)
    match = _NEGATION.search(negated)
    if match is not None and not _hedged_restated(negated, match, other):
        return []  # the negation sits in a clause the other side does not restate
    o_m = _NEGATION.search(o_text) or _NEGATIVE_VERBS.search(o_text)
    d_m = _NEGATION.search(d_text) or _NEGATIVE_VERBS.search(d_text)
    o_span = Span(origin.start + o_m.start(), origin.start + o_m.end(), o_m.group()) \
        if o_m else origin.whole()
    d_span = Span(derived.start + d_m.start(), derived.start + d_m.end(), d_m.group()) \
        if d_m else derived.whole()
    return [Change("negation_changed", d_span, o_span,
                   "one version negates what the other affirms")]


#: "wording" runs only when phrase vectors are given (it compares phrases by meaning).
ALL_CHECKS = ("attribution", "quote", "number", "hedge", "negation", "wording")
#: On a weak match only what the words cannot fake is checked: who is said to speak,
#: and whether a quotation survived.
WEAK_CHECKS = ("attribution_weak", "quote")


def changed_phrases(origin: Side, derived: Side
                    ) -> tuple[list[wording.Phrase], list[wording.Phrase]]:
    """Each side's noun phrases that use words the other side lacks."""
    def of(side: Side, other: Side) -> list[wording.Phrase]:
        starts = {side.article.sentences[i].start for i in side.sentences}
        return wording.sides_phrases(side.phrases, side.article.text, starts, other.text)
    return of(origin, derived), of(derived, origin)


def wording_changes(origin: Side, derived: Side, meanings: wording.Meanings) -> list[Change]:
    o_phrases, d_phrases = changed_phrases(origin, derived)
    return [Change(wording.KIND, Span(d.start, d.end, d.text), Span(o.start, o.end, o.text),
                   f"“{o.text}” in the origin is restated in more general words: "
                   f"“{d.text}”")
            for o, d in wording.softened(o_phrases, d_phrases, meanings)]


def phrase_meanings(pairs: Iterable[tuple[Side, Side]], embedder: Embedder
                    ) -> wording.Meanings | None:
    """Every changed phrase of these pairs embedded in one batch (None: no thresholds
    were fitted for this embedder, so the wording check does not run)."""
    params = wording.WordingParams.for_embedder(embedder.name)
    if params is None:
        return None
    # only pairs where some phrase pairing passes the word tests need meanings
    found = [changed_phrases(o, d) for o, d in pairs]
    texts = sorted({p.text for o_phr, d_phr in found
                    if wording.could_soften(o_phr, d_phr, params) for p in (*o_phr, *d_phr)})
    if not texts:
        return wording.Meanings({}, params)
    vectors = np.asarray(embedder.encode(texts), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return wording.Meanings(dict(zip(texts, vectors, strict=True)), params)


def pair_changes(origin: Side, derived: Side, checks: Sequence[str] = ALL_CHECKS,
                 meanings: wording.Meanings | None = None) -> list[Change]:
    """All changes between one derived sentence and the origin sentence(s) it restates."""
    kinds = {s.kind for side in (origin, derived) for s in
             (side.article.sentences[i] for i in side.sentences)}
    if kinds & {"heading", "embed"}:
        return []  # headings carry no attribution; embeds are a third party's words
    table = {"attribution": attribution_changes, "quote": quote_changes,
             "attribution_weak": lambda o, d: [c for c in attribution_changes(o, d)
                                               if c.kind != "attribution_dropped"],
             "number": number_changes, "hedge": hedge_changes, "negation": negation_changes,
             "wording": lambda o, d: [] if meanings is None else wording_changes(o, d, meanings)}
    changes: list[Change] = []
    for name in checks:
        changes.extend(table[name](origin, derived))
    return changes


def _statements_for(statements: dict[int, list[Statement]], sentences: Iterable[int]
                    ) -> tuple[Statement, ...]:
    return tuple(s for i in sentences for s in statements.get(i, []))


def _phrases_for(parsed: Parsed, sentences: Iterable[int]) -> tuple[tuple[int, int], ...]:
    return tuple(span for i in sentences for span in parsed.phrases.get(i, []))


def article_pair_changes(
    origin: Article,
    derived: Article,
    links: Sequence[tuple[int, tuple[int, ...], float | None]],
    origin_parsed: Parsed,
    derived_parsed: Parsed,
    embedder: Embedder | None = None,
) -> list[Change]:
    """Changes over aligned (derived sentence, origin sentences, weak score) pairs.

    A link with a score is a weak match (an unaligned sentence and its nearest
    origin sentence); its changes say so. ``embedder`` turns on the wording
    check, which compares phrases by meaning.
    """
    o_st = resolve_pronouns(origin_parsed)
    d_st = resolve_pronouns(derived_parsed)
    sides = []
    for d_index, o_indices, weak in links:
        o_sorted = tuple(sorted(o_indices))
        o_side = Side(origin, o_sorted, _statements_for(o_st, o_sorted),
                      _phrases_for(origin_parsed, o_sorted))
        d_side = Side(derived, (d_index,), _statements_for(d_st, (d_index,)),
                      _phrases_for(derived_parsed, (d_index,)))
        sides.append((o_side, d_side, weak))
    meanings = None if embedder is None else phrase_meanings(
        [(o, d) for o, d, weak in sides if weak is None], embedder)
    out: list[Change] = []
    for o_side, d_side, weak in sides:
        checks = ALL_CHECKS if weak is None else WEAK_CHECKS
        for change in pair_changes(o_side, d_side, checks, meanings):
            if weak is not None:
                change = replace(change, description=f"{change.description} (weak match: "
                                 f"closest origin sentence, score {weak:.2f})")
            out.append(change)
    return out


#: A derived sentence left unaligned is still checked against its best origin
#: sentence when their probability of saying the same thing is at least this: the
#: sentence model is fitted to STS grades / 5, and 0.4 is STS 2, "not equivalent but
#: sharing some details". Such changes are marked as weak matches.
WEAK_MATCH = 0.4


def weak_links(scores: Any, added: Sequence[int], dropped: Sequence[int]
               ) -> list[tuple[int, tuple[int, ...], float]]:
    """Unaligned derived sentences paired with the closest *unused* origin sentence.

    A sentence the alignment left out can only restate content nothing else
    took, so its candidates are the dropped origin sentences.
    """
    out: list[tuple[int, tuple[int, ...], float]] = []
    if not dropped:
        return out
    for i in added:
        j = max(dropped, key=lambda c: float(scores[i, c]))
        if float(scores[i, j]) >= WEAK_MATCH:
            out.append((i, (j,), float(scores[i, j])))
    return out
