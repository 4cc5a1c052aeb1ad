"""The data types every stage passes along.

They are plain dataclasses with no behaviour that touches the outside world, so the
same objects flow through the CLI, the store, the web app and the Spark job.
Offsets are always character offsets into the *cleaned* text of the article they
belong to (``Article.text``), because that is what users read and cite.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SentenceKind = Literal["body", "heading", "embed"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where an article came from, precise enough to find it again by hand."""

    kind: str  # text | html | jsonl | csv | warc | stdin | inline
    path: str
    line: int | None = None  # 1-based line (JSONL) or row (CSV)
    record: str | None = None  # WARC-Record-ID

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.record is not None:
            return f"{self.path}#{self.record}"
        return self.path


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    kind: SentenceKind = "body"


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece of the input the cleaner took out, kept so a user can audit it.

    ``at`` is the offset in the cleaned text where the removed piece used to stand.
    """

    rule: str
    text: str
    at: int


@dataclass(frozen=True, slots=True)
class Embed:
    """An embedded post (tweet, etc.): content, but from a third source."""

    start: int
    end: int
    platform: str
    author: str | None = None
    handle: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Credit:
    """A credit or source line found in the text and turned into metadata."""

    kind: str  # source-note | dateline | signoff
    text: str
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    place: str | None = None


@dataclass(slots=True)
class Article:
    """One news article, as read and (after ``clean.prepare``) as cleaned.

    ``raw`` is the article text as read, before cleaning: for HTML and WARC that is
    the main text trafilatura extracted, for the other formats the text field itself.
    ``text`` is empty until the article has been cleaned.
    """

    id: str
    raw: str
    source: Source
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    first_seen: str | None = None
    language: str | None = None
    text: str = ""
    sentences: list[Sentence] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def domain(self) -> str | None:
        return domain_of(self.url)

    def as_dict(self, *, with_raw: bool = False) -> dict[str, Any]:
        """The JSON shape shared by the CLI export, the API and the reports."""
        out: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "domain": self.domain,
            "outlet": self.outlet,
            "title": self.title,
            "published": self.published,
            "first_seen": self.first_seen,
            "language": self.language,
            "text": self.text,
            "source": asdict(self.source),
            "sentences": [asdict(s) for s in self.sentences],
            "removals": [asdict(r) for r in self.removals],
            "embeds": [asdict(e) for e in self.embeds],
            "credits": [asdict(c) for c in self.credits],
            "extra": self.extra,
        }
        if with_raw:
            out["raw"] = self.raw
        return out


def article_id(raw: str, url: str | None, outlet: str | None) -> str:
    """A stable id: the same text from the same place is the same article.

    The outlet and URL are part of the key on purpose: a verbatim copy published by
    another outlet is a different article, and exactly what newstrace must find.
    """
    h = hashlib.sha256()
    h.update((url or "").encode())
    h.update(b"\x00")
    h.update((outlet or "").encode())
    h.update(b"\x00")
    h.update(raw.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:16]


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    rest = url.split("://", 1)[-1]
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].lower()
    if host.startswith("www."):
        host = host[4:]
    return host or None


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read, and why, reported by name and passed over."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


RELATIONS = ("copy", "derived", "same_story", "unrelated")
#: How the JSON of a result settled by the screen ends (``as_dict`` puts ``screened``
#: last; ``json.dumps`` separators): stores and Spark read it as a suffix, so that
#: counting or listing settled pairs never parses a result.
SCREENED_TAIL = '"screened": true}'


@dataclass(frozen=True, slots=True)
class AlignedSentence:
    """One derived sentence and the origin sentence(s) it restates."""

    kind: str  # verbatim | paraphrase
    score: float
    derived: Span
    origin: tuple[Span, ...]
    derived_index: int
    origin_indices: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "score": round(self.score, 4),
                "derived": self.derived.as_dict(),
                "origin": [s.as_dict() for s in self.origin],
                "derived_sentence": self.derived_index,
                "origin_sentences": list(self.origin_indices)}


@dataclass(frozen=True, slots=True)
class Change:
    """Something a rewrite changed in an aligned sentence (filled by attribution analysis)."""

    kind: str
    derived: Span
    origin: Span | None
    description: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "derived": self.derived.as_dict(),
                "origin": self.origin.as_dict() if self.origin else None,
                "description": self.description}


@dataclass(slots=True)
class PairResult:
    """The answer to "how are these two articles related, and why"."""

    a: Article
    b: Article
    relation: str
    confidence: float
    probabilities: dict[str, float]
    origin: str | None  # "a" | "b" | None
    direction_evidence: str
    credit_status: str
    credit_evidence: list[dict[str, Any]]
    origin_reused: float
    derived_from_origin: float
    verbatim: float
    alignments: list[AlignedSentence]
    added: list[Span]
    dropped: list[Span]
    changes: list[Change] = field(default_factory=list)
    passages: list[tuple[Span, Span]] = field(default_factory=list)  # (origin, derived) copied
    similarity: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: a copy or rewrite across languages (a translation)
    translated: bool = False
    #: False for a copy or rewrite whose changes (attribution, numbers, hedges, …) were
    #: not looked for: corpus mode leaves them to whoever shows the pair
    #: (``corpus.details``), since most pairs of a large run are never opened
    changes_analysed: bool = True
    #: settled by corpus mode's cheap first pass (``reuse.screen``): no alignment made
    screened: bool = False

    def as_dict(self) -> dict[str, Any]:
        def side(article: Article) -> dict[str, Any]:
            return {"id": article.id, "path": article.source.path, "outlet": article.outlet,
                    "published": article.published, "title": article.title,
                    "url": article.url, "language": article.language, "text": article.text}

        return {
            "a": side(self.a),
            "b": side(self.b),
            "relation": self.relation,
            "translated": self.translated,
            "confidence": round(self.confidence, 4),
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "origin": self.origin,
            "direction_evidence": self.direction_evidence,
            "credit": {"status": self.credit_status, "evidence": self.credit_evidence},
            "coverage": {"origin_reused": round(self.origin_reused, 4),
                         "derived_from_origin": round(self.derived_from_origin, 4),
                         "verbatim": round(self.verbatim, 4)},
            "similarity": round(self.similarity, 4),
            "alignments": [al.as_dict() for al in self.alignments],
            "verbatim_passages": [{"origin": o.as_dict(), "derived": d.as_dict()}
                                  for o, d in self.passages],
            "added": [s.as_dict() for s in self.added],
            "dropped": [s.as_dict() for s in self.dropped],
            "changes": [c.as_dict() for c in self.changes],
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "notes": list(self.notes),
            "changes_analysed": self.changes_analysed,
            "screened": self.screened,
        }


def _span(d: dict[str, Any]) -> Span:
    return Span(int(d["start"]), int(d["end"]), str(d["text"]))


def pair_result_from_dict(d: dict[str, Any], a: Article, b: Article) -> PairResult:
    """Rebuild a stored compare result around its two articles (texts are not stored)."""
    return PairResult(
        a=a, b=b, relation=d["relation"], confidence=float(d["confidence"]),
        probabilities=dict(d.get("probabilities", {})), origin=d.get("origin"),
        direction_evidence=d.get("direction_evidence", ""),
        credit_status=d["credit"]["status"], credit_evidence=list(d["credit"]["evidence"]),
        origin_reused=float(d["coverage"]["origin_reused"]),
        derived_from_origin=float(d["coverage"]["derived_from_origin"]),
        verbatim=float(d["coverage"]["verbatim"]),
        alignments=[AlignedSentence(al["kind"], float(al["score"]), _span(al["derived"]),
                                    tuple(_span(o) for o in al["origin"]),
                                    int(al["derived_sentence"]),
                                    tuple(int(j) for j in al["origin_sentences"]))
                    for al in d.get("alignments", [])],
        added=[_span(s) for s in d.get("added", [])],
        dropped=[_span(s) for s in d.get("dropped", [])],
        changes=[Change(c["kind"], _span(c["derived"]),
                        _span(c["origin"]) if c.get("origin") else None, c["description"])
                 for c in d.get("changes", [])],
        passages=[(_span(p["origin"]), _span(p["derived"]))
                  for p in d.get("verbatim_passages", [])],
        similarity=float(d.get("similarity", 0.0)),
        features=dict(d.get("features", {})),
        notes=list(d.get("notes", [])),
        translated=bool(d.get("translated", False)),
        changes_analysed=bool(d.get("changes_analysed", True)),
        screened=bool(d.get("screened", False)),
    )
