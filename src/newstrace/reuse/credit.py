"""Does the derived article credit the outlet whose text it took?

A credit names the origin outlet (its name, domain, domain stem or a known
alias), in the text or in a credit line the cleaner lifted out (dateline,
sign-off, source note), or links to it. "According to the ministry" credits
the ministry, not the outlet that reported it: only names of the origin outlet
count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.model import Article

#: Well-known agencies and state media: general knowledge, not fitted to any text.
OUTLET_ALIASES: dict[str, tuple[str, ...]] = {
    "rt.com": ("RT", "Russia Today"),
    "sputnikglobe.com": ("Sputnik",),
    "sputniknews.com": ("Sputnik",),
    "tass.com": ("TASS",),
    "tass.ru": ("TASS",),
    "ria.ru": ("RIA Novosti", "RIA"),
    "reuters.com": ("Reuters",),
    "apnews.com": ("Associated Press", "AP"),
    "afp.com": ("AFP", "Agence France-Presse"),
    "xinhuanet.com": ("Xinhua",),
    "news.cn": ("Xinhua",),
    "cgtn.com": ("CGTN",),
    "globaltimes.cn": ("Global Times",),
    "presstv.ir": ("Press TV", "PressTV"),
    "aljazeera.com": ("Al Jazeera",),
    "bbc.co.uk": ("BBC",),
    "bbc.com": ("BBC",),
    "dpa.com": ("dpa", "Deutsche Presse-Agentur"),
    "efe.com": ("EFE",),
    "ansa.it": ("ANSA",),
    "interfax.com": ("Interfax",),
    "interfax.ru": ("Interfax",),
    "kyodonews.net": ("Kyodo",),
    "yna.co.kr": ("Yonhap",),
    "bloomberg.com": ("Bloomberg",),
}

_GENERIC_STEMS = frozenset({"news", "the", "daily", "times", "post", "online", "today", "www"})


@dataclass(frozen=True, slots=True)
class CreditEvidence:
    text: str
    start: int | None  # offsets into the derived article's cleaned text, or None
    end: int | None  # when the evidence is a credit line lifted out of the text
    where: str  # "text" | "dateline" | "signoff" | "source-note" | "link"

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "text": self.text, "where": self.where}


@dataclass(frozen=True, slots=True)
class CreditResult:
    status: str  # credited | uncredited | unknown
    evidence: list[CreditEvidence]
    names: tuple[str, ...]  # the names that were looked for


def outlet_names(article: Article) -> tuple[str, ...]:
    """Every name under which an article's outlet could be credited."""
    names: list[str] = []
    domain = article.domain
    if any(c.kind == "source-note" and c.url == article.url for c in article.credits):
        domain = None  # a scraper's short link (v.gd, bit.ly…) names the shortener, not the outlet
    outlet = (article.outlet or "").strip()
    if outlet:
        names.append(outlet)
        if outlet.lower().startswith("the ") and len(outlet) > 8:
            names.append(outlet[4:])
        m = re.search(r"\(([^)]{2,12})\)", outlet)
        if m:
            names.append(m.group(1))
        initials = "".join(w[0] for w in outlet.split() if w[:1].isupper())
        if len(initials) >= 3 and initials != outlet:
            names.append(initials)  # "Corvessa News Agency" → CNA, as datelines credit it
    for host in filter(None, {domain, outlet.lower() if "." in outlet else None}):
        names.append(host)
        names.extend(OUTLET_ALIASES.get(host, ()))
        stem = host.split(".")[0]
        if len(stem) >= 4 and stem not in _GENERIC_STEMS:
            names.append(stem)
    seen: dict[str, None] = {}
    for name in names:
        if name and name.lower() not in {k.lower() for k in seen}:
            seen[name] = None
    return tuple(seen)


def _pattern(name: str) -> re.Pattern[str]:
    escaped = re.escape(name)
    if len(name) <= 4 and name.isupper():
        return re.compile(rf"(?<![\w.]){escaped}(?![\w])")  # RT, AP, AFP: exact case
    return re.compile(rf"(?<![\w.]){escaped}(?![\w])", re.IGNORECASE)


def find_credit(origin: Article, derived: Article) -> CreditResult:
    names = outlet_names(origin)
    if not names:
        return CreditResult("unknown", [], ())
    own = {n.lower() for n in outlet_names(derived)}
    wanted = [n for n in names if n.lower() not in own]
    if not wanted:
        return CreditResult("unknown", [], names)  # same outlet: credit is moot
    evidence: list[CreditEvidence] = []
    patterns = [_pattern(n) for n in wanted]
    for pattern in patterns:
        for m in pattern.finditer(derived.text):
            evidence.append(CreditEvidence(m.group(), m.start(), m.end(), "text"))
    for credit in derived.credits:
        credit_names = " ".join(filter(None, (credit.outlet, credit.url, credit.text)))
        if any(p.search(credit_names) for p in patterns):
            evidence.append(CreditEvidence(credit.text, None, None, credit.kind))
    if origin.url and origin.url in derived.raw:
        evidence.append(CreditEvidence(origin.url, None, None, "link"))
    evidence.sort(key=lambda e: (e.start is None, e.start or 0))
    return CreditResult("credited" if evidence else "uncredited", evidence, names)
