"""Audits: every article derived from a watched outlet, credited or not, with evidence.

Translations count: a rewrite in another language is found through the
cross-language candidates (``corpus.crosslingual``) and marked ``translated``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newstrace.corpus.store import Store
from newstrace.model import Article


def matches_outlet(article: Article, watched: Sequence[str]) -> bool:
    names = {w.strip().lower().removeprefix("www.") for w in watched if w.strip()}
    outlet = (article.outlet or "").strip().lower()
    domain = article.domain or ""
    return outlet in names or any(domain == n or domain.endswith("." + n) for n in names)


@dataclass(slots=True)
class AuditRow:
    origin: Article
    derived: Article
    relation: str
    confidence: float
    credit: str
    evidence: list[dict[str, Any]]
    changes: list[str]
    translated: bool = False  # the derived article is in another language

    @property
    def languages(self) -> str:
        """``en → de`` for a translation, else the one language (or empty)."""
        lo, ld = self.origin.language or "?", self.derived.language or "?"
        return f"{lo} → {ld}" if self.translated else (lo if lo != "?" else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin_id": self.origin.id, "origin_outlet": self.origin.outlet or
            self.origin.domain, "origin_title": self.origin.title,
            "origin_published": self.origin.published,
            "derived_id": self.derived.id, "derived_outlet": self.derived.outlet or
            self.derived.domain, "derived_title": self.derived.title,
            "derived_published": self.derived.published, "derived_url": self.derived.url,
            "origin_language": self.origin.language,
            "derived_language": self.derived.language, "translated": self.translated,
            "relation": self.relation, "confidence": round(self.confidence, 4),
            "credit": self.credit, "credit_evidence": self.evidence,
            "changes": self.changes,
        }


def audit(store: Store, watched: Sequence[str], *, changes: bool = True) -> list[AuditRow]:
    """``changes``: analyse what each rewrite changed where the run left that for
    opening (``corpus.details``; tens of milliseconds a pair), else list only the
    changes already stored."""
    from newstrace.corpus.details import Details
    from newstrace.corpus.outputs import stored_pair_result

    details = Details(store) if changes else None
    rows = store.conn.execute(
        "SELECT a, b, relation, confidence, origin, credit, result FROM pairs "
        "WHERE relation IN ('copy', 'derived') AND origin IS NOT NULL").fetchall()
    ids = [x for a, b, *_ in rows for x in (a, b)]
    articles = store.get_many(ids, with_sentences=False)
    out = []
    for a, b, relation, confidence, origin, credit, result in rows:
        derived = b if origin == a else a
        if origin not in articles or derived not in articles:
            continue
        o, d = articles[origin], articles[derived]
        if not matches_outlet(o, watched) or matches_outlet(d, watched):
            continue
        data = json.loads(result)
        found = [c["kind"] for c in data.get("changes", [])]
        if details is not None and not data.get("changes_analysed", True):
            full = stored_pair_result(store, a, b)
            if full is not None:
                found = [c.kind for c in details.complete(full).changes]
        kinds = sorted(set(found))
        out.append(AuditRow(o, d, relation, confidence, credit,
                            data.get("credit", {}).get("evidence", []), kinds,
                            bool(data.get("translated"))))
    out.sort(key=lambda r: (r.credit != "uncredited", -r.confidence))
    return out
