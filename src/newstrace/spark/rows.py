"""Articles as JSON strings between Spark stages.

Executors exchange rows, not Python objects; an article travels as its
``as_dict(with_raw=True)`` JSON and is rebuilt field by field, so what reaches
``compare`` is the same object the local store would hand back.
"""

from __future__ import annotations

import json
from typing import Any

from newstrace.model import Article, Credit, Embed, Removal, Sentence, Source


def article_json(article: Article) -> str:
    return json.dumps(article.as_dict(with_raw=True), ensure_ascii=False)


def article_from_json(text: str) -> Article:
    d: dict[str, Any] = json.loads(text)
    return Article(
        id=d["id"], raw=d.get("raw", ""), source=Source(**d["source"]), url=d["url"],
        outlet=d["outlet"], title=d["title"], published=d["published"],
        first_seen=d["first_seen"], language=d["language"], text=d["text"],
        sentences=[Sentence(**s) for s in d["sentences"]],
        removals=[Removal(**r) for r in d["removals"]],
        embeds=[Embed(**e) for e in d["embeds"]],
        credits=[Credit(**c) for c in d["credits"]],
        extra=d["extra"],
    )
