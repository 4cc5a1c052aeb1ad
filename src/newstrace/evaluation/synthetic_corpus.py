"""The synthetic corpus of ``bench/corpus.py``, built from BBC News with known stories.

Each family is an original BBC text and, six times in ten, one to three versions
of it with boilerplate: half of them copies (half of those trimmed and
reordered), three in ten light rewrites and two in ten heavy ones, reworded by
rule (``rewrite_rules``). Ground truth: a family is a story. Used by the corpus
benchmark, the Spark tests and the screen's fitting (``fit_screen``), so all three
measure the same kind of corpus.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from newstrace.corpus.fingerprints import shingles
from newstrace.evaluation.datasets import bbc_news
from newstrace.evaluation.rewrite_rules import heavy_rewrite, light_rewrite

START = datetime(2024, 1, 1)
BOILERPLATE = ["READ MORE: Markets close higher", "Advertisement", "Subscribe to our newsletter",
               "Share this article", "Loading please wait..."]


#: A BBC text holding at least this share of another's word 5-grams (of the shorter
#: text's) is the same report filed twice, not another story: 65 pairs, most of them
#: 95-100 % (a headline or a paragraph changed). Below it sit follow-ups that reuse a
#: background paragraph or two (30-50 %): other events, kept.
SAME_REPORT = 0.8


def distinct_texts(texts: list[str]) -> list[str]:
    """The texts less each one that repeats an earlier one whole or nearly whole.

    BBC News holds 99 texts twice under two file names and 65 more pairs of
    near-identical ones; left in, the ground truth would call a report and its
    duplicate two stories, and every copy the tool rightly finds between them
    would count against it.
    """
    kept: list[str] = []
    grams: list[set[str]] = []
    owners: dict[str, list[int]] = {}
    for text in texts:
        mine = set(shingles(text))
        shared: dict[int, int] = {}
        for gram in mine:
            for k in owners.get(gram, ()):
                shared[k] = shared.get(k, 0) + 1
        if any(n >= SAME_REPORT * max(min(len(mine), len(grams[k])), 1)
               for k, n in shared.items()):
            continue
        for gram in mine:
            owners.setdefault(gram, []).append(len(kept))
        kept.append(text)
        grams.append(mine)
    return kept


def build_corpus(size: int, folder: Path, seed: int = 7) -> dict[str, int]:
    """Write ``size`` articles; returns file name → family id."""
    texts = distinct_texts([text for _, text in bbc_news() if len(text.split()) > 150])
    rng = random.Random(seed)
    rng.shuffle(texts)
    family_of: dict[str, int] = {}
    folder.mkdir(parents=True, exist_ok=True)
    meta: list[dict[str, str]] = []
    n = family = 0
    source = iter(texts * (1 + size // max(len(texts), 1)))
    while n < size:
        text = next(source)
        # past a few thousand articles the BBC texts come round again: each round is
        # published 60 days after the last, so a reused text is a later, separate story
        # that the 30-day window keeps apart (and ground truth calls a different story)
        cycle = family // max(len(texts), 1)
        title, _, body = text.partition("\n")
        paragraphs = [p for p in body.split("\n") if p.strip()]
        members = [("orig", title, paragraphs)]
        if rng.random() < 0.6:
            for k in range(rng.randint(1, 3)):
                kind = rng.random()
                if kind < 0.5:
                    role, heading, version = f"copy{k}", title, list(paragraphs)
                    if rng.random() < 0.5 and len(version) > 3:  # trimmed and reordered
                        version = [p for p in version if rng.random() > 0.25] or version[:2]
                        if len(version) > 2:
                            i = rng.randrange(len(version) - 1)
                            version[i], version[i + 1] = version[i + 1], version[i]
                elif kind < 0.8:
                    heading, version = light_rewrite(title, paragraphs, rng)
                    role = f"light{k}"
                else:
                    heading, version = heavy_rewrite(title, paragraphs, rng)
                    role = f"heavy{k}"
                for _ in range(rng.randint(1, 2)):
                    version.insert(rng.randint(0, len(version)), rng.choice(BOILERPLATE))
                members.append((role, heading, version))
        for role, heading, paras in members:
            if n >= size:
                break
            name = f"f{family:05d}_{role}.txt"
            (folder / name).write_text(f"{heading}\n\n" + "\n".join(paras) + f"\nStory {family}.",
                                       encoding="utf-8")
            when = START + timedelta(days=60 * cycle + family % 27, hours=8 + len(meta) % 10)
            meta.append({"file": name, "outlet": f"Outlet {rng.randrange(40)}",
                         "published": when.strftime("%Y-%m-%dT%H:%M:00Z")})
            family_of[name] = family
            n += 1
        family += 1
    (folder / "meta.jsonl").write_text("\n".join(json.dumps(m) for m in meta) + "\n",
                                       encoding="utf-8")
    return family_of
