"""Loaders for the research corpora in ``../shared/data`` and the project's dev sets.

The corpora's licences keep them out of git: every loader returns an empty list
when its folder is absent, so evaluation and tests skip instead of failing.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.io.decode import decode_bytes

csv.field_size_limit(sys.maxsize)


def _checkout() -> Path:
    """The project checkout this module runs from (the cwd for an installed wheel)."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def shared_data_dir() -> Path:
    """``$NEWSTRACE_DATA``, else ``shared/data`` beside the project checkout."""
    env = os.environ.get("NEWSTRACE_DATA")
    return Path(env) if env else _checkout().parent / "shared" / "data"


def project_eval_dir() -> Path:
    """``$NEWSTRACE_EVAL``, else the project's own dev sets (``eval/`` in the checkout)."""
    env = os.environ.get("NEWSTRACE_EVAL")
    return Path(env) if env else _checkout() / "eval"


#: Sentence vectors of the research corpora, shared by ``fit`` and ``eval``.
DEFAULT_CACHE = Path.home() / ".cache" / "newstrace" / "vectors.sqlite"


def _read_text(path: Path) -> str:
    return decode_bytes(path.read_bytes())


@dataclass(frozen=True, slots=True)
class SentencePair:
    a: str
    b: str
    label: float  # 0/1 for paraphrase sets, 0–5 for STS
    group: str = ""


def msrp(root: Path | None = None) -> list[SentencePair]:
    path = (root or shared_data_dir()) / "msrp" / "msr_paraphrase_train.txt"
    if not path.is_file():
        return []
    lines = _read_text(path).lstrip("\ufeff").splitlines()[1:]
    out = []
    for line in lines:
        parts = line.split("\t")
        if len(parts) >= 5:
            out.append(SentencePair(parts[3], parts[4], float(parts[0])))
    return out


def stsb(root: Path | None = None, split: str = "train") -> list[SentencePair]:
    path = (root or shared_data_dir()) / "stsb" / f"sts-{split}.csv"
    if not path.is_file():
        return []
    out = []
    for line in _read_text(path).splitlines():
        parts = line.split("\t")
        if len(parts) >= 7:
            try:
                score = float(parts[4])
            except ValueError:
                continue
            out.append(SentencePair(parts[5], parts[6], score, group=parts[1]))
    return out


def webis_cpc(root: Path | None = None) -> list[SentencePair]:
    path = (root or shared_data_dir()) / "webis_cpc11" / "webis_cpc11_sample.json"
    if not path.is_file():
        return []
    rows = json.loads(_read_text(path))
    return [SentencePair(r["original"], r["paraphrase"],
                         1.0 if str(r["is_paraphrased"]).lower().startswith("y") else 0.0)
            for r in rows]


@dataclass(slots=True)
class ArticleRecord:
    """One article of a labelled pair, with the metadata a dev set gives."""

    text: str
    name: str
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    title: str | None = None
    language: str | None = None


@dataclass(slots=True)
class LabelledPair:
    a: ArticleRecord
    b: ArticleRecord
    relation: str  # copy | derived | same_story | unrelated
    origin: str | None = None  # "a" | "b" | None
    credited: bool | None = None
    kind: str = ""
    group: str = ""  # pairs sharing a group must stay in the same CV fold
    extra: dict[str, Any] = field(default_factory=dict)


_CLOUGH_RELATION = {"cut": "copy", "light": "derived", "heavy": "derived", "non": "same_story"}


def clough_stevenson(root: Path | None = None) -> list[LabelledPair]:
    folder = (root or shared_data_dir()) / "clough_stevenson"
    info = folder / "file_information.csv"
    if not info.is_file():
        return []
    out = []
    for row in csv.DictReader(_read_text(info).splitlines()):
        category = row["Category"].strip()
        if category not in _CLOUGH_RELATION:
            continue
        task = row["Task"].strip()
        source = ArticleRecord(_read_text(folder / f"orig_task{task}.txt"), f"orig_task{task}")
        answer = ArticleRecord(_read_text(folder / row["File"]), row["File"])
        relation = _CLOUGH_RELATION[category]
        out.append(LabelledPair(source, answer, relation,
                                origin="a" if relation != "same_story" else None,
                                kind=category, group=f"clough-{task}"))
    return out


@dataclass(slots=True)
class ScoredArticlePair:
    text1: str
    text2: str
    lang1: str
    lang2: str
    overall: float  # 1 = very similar … 4 = very dissimilar
    pair_id: str


def semeval2022(root: Path | None = None) -> list[ScoredArticlePair]:
    path = (root or shared_data_dir()) / "semeval2022_task8" / "pairs.csv"
    if not path.is_file():
        return []
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                overall = float(row["Overall"])
            except (TypeError, ValueError):
                continue
            out.append(ScoredArticlePair(row["text1"] or "", row["text2"] or "", row["lang1"],
                                         row["lang2"], overall, row["pair_id"]))
    return out


@dataclass(slots=True)
class PanCase:
    susp: str
    src: str
    susp_spans: list[tuple[int, int]]
    src_spans: list[tuple[int, int]]


def pan13(root: Path | None = None) -> list[PanCase]:
    """PAN-13 no-obfuscation pairs whose truth rows are all of good quality."""
    folder = (root or shared_data_dir()) / "pan13"
    truth = folder / "truth.jsonl"
    if not truth.is_file():
        return []
    rows: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for line in _read_text(truth).splitlines():
        if line.strip():
            r = json.loads(line)
            rows[(r["susp"], r["src"])].append(r)
    out = []
    for (susp, src), group in sorted(rows.items()):
        if any(r.get("quality") != "ok" for r in group):
            continue
        out.append(PanCase(
            _read_text(folder / "susp" / susp), _read_text(folder / "src" / src),
            [(r["this_offset"], r["this_offset"] + r["this_length"]) for r in group],
            [(r["source_offset"], r["source_offset"] + r["source_length"]) for r in group],
        ))
    return out


def bbc_news(root: Path | None = None) -> list[tuple[str, str]]:
    """(topic/file name, text) for every BBC article, in a stable order."""
    folder = (root or shared_data_dir()) / "bbc_news" / "bbc"
    if not folder.is_dir():
        return []
    return [(f"{p.parent.name}/{p.name}", _read_text(p)) for p in sorted(folder.rglob("*.txt"))]


def news_pairs(root: Path | None = None, folder: str = "news_pairs") -> list[LabelledPair]:
    """newstrace's own fictional news dev set: ``eval/news_pairs/<family>/``.

    ``folder="cross_pairs"`` reads the cross-language set, laid out the same way.
    """
    base = (root or project_eval_dir()) / folder
    if not base.is_dir():
        return []
    out = []
    for family in sorted(p for p in base.iterdir() if (p / "pairs.jsonl").is_file()):
        meta: dict[str, dict[str, Any]] = {}
        if (family / "meta.jsonl").is_file():
            for line in _read_text(family / "meta.jsonl").splitlines():
                if line.strip():
                    row = json.loads(line)
                    meta[row["file"]] = row

        def record(name: str, family: Path = family,
                   meta: dict[str, dict[str, Any]] = meta) -> ArticleRecord:
            m = meta.get(name, {})
            return ArticleRecord(_read_text(family / name), f"{family.name}/{name}",
                                 m.get("outlet"), m.get("published"), m.get("url"),
                                 language=m.get("language"))

        for line in _read_text(family / "pairs.jsonl").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            out.append(LabelledPair(record(row["a"]), record(row["b"]), row["relation"],
                                    row.get("origin"), row.get("credited"),
                                    row.get("kind", ""), group=family.name))
    return out
