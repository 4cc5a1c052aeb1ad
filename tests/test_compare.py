"""compare: verdicts, direction, credit and alignment on the seed pair and the sample corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from newstrace.api import compare, load_article
from newstrace.errors import InputError
from newstrace.model import PairResult
from tests.conftest import seed


def _sample(sample_dir: Path, prefix: str) -> Path:
    return next(sample_dir.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="module")
def seed_result() -> PairResult:
    return compare(seed("000"), seed("003"))


def test_seed_rewrite_is_derived_uncredited_from_the_origin(seed_result: PairResult) -> None:
    assert seed_result.relation == "derived"
    assert seed_result.origin == "a"
    assert seed_result.credit_status == "uncredited"
    assert seed_result.a.outlet == "rt.com"


def _aligned(result: PairResult, derived_start: str) -> list[str]:
    for al in result.alignments:
        if al.derived.text.startswith(derived_start):
            return [o.text for o in al.origin]
    return []


def test_seed_restatements_are_aligned_to_what_they_restate(seed_result: PairResult) -> None:
    expectations = {
        "Since 2022, France has given more than": "Paris has committed more than",
        "Both leaders agreed that diplomacy": "The two leaders agreed that diplomacy",
        "Macron had once thought about sending troops": "Macron has also repeatedly floated",
        "Putin said Iran has the right": "“In this regard, the importance",
        "Putin and Macron spoke over the phone": "Russian President Vladimir Putin has spoken",
        "Lately, Macron’s view seems to be changing": "In recent months, however",
        "He added that any peace deal": "The Russian leader reiterated",
        "Putin raised concerns about how much France": "France has long asserted itself",
    }
    for derived, origin in expectations.items():
        origins = _aligned(seed_result, derived)
        assert any(o.startswith(origin) or origin in o for o in origins), (derived, origins)
    fused = _aligned(seed_result, "Macron had once thought about sending troops")
    assert any(o.startswith("Moscow has firmly opposed") for o in fused), fused


def test_seed_embed_and_editorial_closing_are_added(seed_result: PairResult) -> None:
    added = [s.text for s in seed_result.added]
    assert any("@EmmanuelMacron" in s for s in added)  # the embedded post
    assert any(s.startswith("Although the call didn’t lead to any decisions") for s in added)
    assert any(s.startswith("Both leaders showed they want to keep talking") for s in added)


def test_seed_split_half_is_aligned(seed_result: PairResult) -> None:
    origins = _aligned(seed_result, "They have said that they would stay in touch")
    assert any(o.startswith("The two leaders agreed that diplomacy") for o in origins)


# A known miss of the link model, kept visible: strict, so a fix makes it fail until it
# is promoted to the tests above.
@pytest.mark.xfail(strict=True, reason="an editorial conclusion in a dense rewrite scores "
                   "like a weak paraphrase of the paragraph it concludes")
def test_seed_editorial_conclusion_is_added(seed_result: PairResult) -> None:
    assert any(s.text.startswith("These comments show") for s in seed_result.added)
    for span in seed_result.added + [al.derived for al in seed_result.alignments]:
        assert seed_result.b.text[span.start : span.end] == span.text


def test_seed_json_has_the_documented_fields(seed_result: PairResult) -> None:
    d = seed_result.as_dict()
    assert set(d) >= {"a", "b", "relation", "confidence", "origin", "credit", "coverage",
                      "alignments", "added", "dropped", "changes"}
    assert set(d["a"]) >= {"path", "outlet", "published", "title", "text"}
    assert set(d["coverage"]) == {"origin_reused", "derived_from_origin", "verbatim"}
    assert 0 <= d["confidence"] <= 1
    assert abs(sum(d["probabilities"].values()) - 1) < 1e-3
    for al in d["alignments"]:
        assert al["kind"] in ("verbatim", "paraphrase")
        assert d["b"]["text"][al["derived"]["start"] : al["derived"]["end"]] == \
            al["derived"]["text"]
        for o in al["origin"]:
            assert d["a"]["text"][o["start"] : o["end"]] == o["text"]


def test_sample_corpus_relations(sample_dir: Path) -> None:
    wire, syndication, rewrite, independent = (_sample(sample_dir, p)
                                               for p in ("01", "02", "03", "04"))
    lookalike, unrelated = _sample(sample_dir, "09"), _sample(sample_dir, "08")
    copy = compare(wire, syndication)
    # the syndication trims words inside sentences: near-verbatim, on the copy/derived border
    assert copy.relation in ("copy", "derived")
    assert (copy.origin, copy.credit_status) == ("a", "credited")
    assert copy.verbatim > 0.95
    assert any(e["where"] == "dateline" for e in copy.credit_evidence)
    derived = compare(rewrite, wire)  # order given backwards: direction must say b
    assert (derived.relation, derived.origin, derived.credit_status) == (
        "derived", "b", "uncredited")
    assert compare(wire, independent).relation == "same_story"
    assert compare(wire, lookalike).relation == "unrelated"
    assert compare(wire, unrelated).relation == "unrelated"


def test_direction_without_dates_comes_from_the_evidence(sample_dir: Path) -> None:
    wire = load_article(_sample(sample_dir, "01"), {"published": ""})
    rewrite = load_article(_sample(sample_dir, "03"))
    from dataclasses import replace

    result = compare(replace(rewrite, published=None), replace(wire, published=None))
    assert result.relation == "derived" and result.origin == "b"
    assert "asymmetry" in result.direction_evidence or "credits" in result.direction_evidence


def test_dates_days_apart_do_not_move_the_verdict(sample_dir: Path) -> None:
    """Copies, rewrites and independent reports all appear within days of each other.

    Knowing two reports' dates when they are that close must leave every class's
    probability where it is without dates: a "dates known" input once learnt from
    the dev sets that dated pairs tend to be rewrites.
    """
    from dataclasses import replace

    wire = load_article(_sample(sample_dir, "01"))
    for other in ("03", "04"):  # an uncredited rewrite, an independent report
        article = load_article(_sample(sample_dir, other))
        assert wire.published and article.published
        dated = compare(wire, article)
        undated = compare(replace(wire, published=None), replace(article, published=None))
        assert dated.relation == undated.relation
        for relation, probability in dated.probabilities.items():
            assert probability == pytest.approx(undated.probabilities[relation], abs=1e-6)
    a_year_later = (datetime.fromisoformat(wire.published) + timedelta(days=365)).isoformat()
    far = compare(wire, replace(load_article(_sample(sample_dir, "04")), published=a_year_later))
    assert far.probabilities["unrelated"] > compare(
        wire, load_article(_sample(sample_dir, "04"))).probabilities["unrelated"]


def test_compare_accepts_plain_texts() -> None:
    a = ("The harbour authority closed the eastern pier on Monday after inspectors found "
         "cracks in three support columns. Repairs are expected to cost 4.2 million crowns "
         "and take until the end of the summer, the authority said in a statement.")
    result = compare(a, a + " Ferries will use the western pier meanwhile.")
    assert result.relation == "copy"
    with pytest.raises(InputError):
        compare("", a)


def _cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newstrace", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_cli_compare_json_html_and_escaping(tmp_path: Path, sample_dir: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(_sample(sample_dir, "02").read_text(encoding="utf-8") +
                       "\n<script>alert(1)</script> <img src=x onerror=alert(2)>\n",
                       encoding="utf-8")
    page = tmp_path / "pair.html"
    result = _cli("compare", str(_sample(sample_dir, "01")), str(hostile), "--format", "json",
                  "--html", str(page), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["relation"] == "copy"
    html = page.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'class="s s-verbatim' in html and "<mark>" in html


def test_cli_compare_from_stdin_and_pairs_file(tmp_path: Path, sample_dir: Path) -> None:
    wire = _sample(sample_dir, "01")
    text = _sample(sample_dir, "03").read_text(encoding="utf-8")
    result = _cli("compare", str(wire), "-", "--format", "json", cwd=tmp_path, stdin=text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["relation"] == "derived"
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"{wire}\t{_sample(sample_dir, '02')}\n{wire}\t{tmp_path / 'nope.txt'}\n",
                     encoding="utf-8")
    batch = _cli("compare", "--pairs", str(pairs), "-o", str(tmp_path / "out.jsonl"),
                 cwd=tmp_path)
    assert batch.returncode == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert rows[0]["relation"] in ("copy", "derived") and "error" in rows[1]


def test_cli_compare_bad_input_is_one_clear_line(tmp_path: Path, sample_dir: Path) -> None:
    wire = str(_sample(sample_dir, "01"))
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    huge = tmp_path / "huge.txt"
    huge.write_text("word " * 10_000_000, encoding="utf-8")  # 50 MB
    for other, words in ((tmp_path / "missing.txt", "no such file"), (empty, "empty"),
                         (binary, "binary"), (huge, "too large")):
        result = _cli("compare", wire, str(other), cwd=tmp_path)
        assert result.returncode == 2, (other, result.stderr)
        assert words in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_reprinted_text_is_measured_once_and_judged_per_article(sample_dir: Path) -> None:
    """Syndicated copies share one text: its alignments are measured once, while credit,
    dates and direction stay each article's own."""
    from dataclasses import replace

    from newstrace.corpus.engine import engine
    from newstrace.reuse.compare import compare_articles
    from newstrace.reuse.features import ArticleMemo

    wire = load_article(_sample(sample_dir, "01"))
    syndication = load_article(_sample(sample_dir, "02"))  # credits the wire
    assert wire.outlet and syndication.published
    reprints = [replace(wire, id="reprint-1"),  # the wire's own outlet and date
                replace(wire, id="reprint-2", outlet="harbour-post.example",
                        url="https://harbour-post.example/dam"),
                replace(wire, id="reprint-3", outlet="late-desk.example", published=None),
                replace(wire, id="reprint-4", published="2031-01-01")]  # after the other
    static = engine("static")
    memo = ArticleMemo()
    shared = [compare_articles(r, syndication, static.embedder, static.params, memo=memo)
              for r in reprints]
    alone = [compare_articles(r, syndication, static.embedder, static.params)
             for r in reprints]
    assert [r.as_dict() for r in shared] == [r.as_dict() for r in alone]
    assert (memo.pairs_measured, memo.pairs_reused) == (1, 3)
    # the metadata still decides per article: who credits whom, and who came first
    assert {r.credit_status for r in alone[:2]} == {"credited", "uncredited"}
    assert alone[0].origin == "a" and alone[3].origin == "b"


def test_similarity_heads_read_the_features_they_were_fitted_on() -> None:
    """Heads fitted before the cosine-match features read the verdict's features only;
    a head naming features this version does not compute is refused, not misread."""
    import json as _json

    from newstrace.errors import NewstraceError
    from newstrace.reuse.features import SIMILARITY_FEATURES, VERDICT_FEATURES
    from newstrace.reuse.params import load_params, parse_params

    raw = _json.loads(_json.dumps(load_params().raw))
    n = len(VERDICT_FEATURES)
    raw["similarity"] = {"features": list(VERDICT_FEATURES), "mean": [0.0] * n,
                         "scale": [1.0] * n, "coef": [0.0] * n, "intercept": 0.0}
    assert parse_params(raw).similarity.features == VERDICT_FEATURES
    m = len(SIMILARITY_FEATURES)
    raw["similarity"] = {"features": list(reversed(SIMILARITY_FEATURES)), "mean": [0.0] * m,
                         "scale": [1.0] * m, "coef": [0.0] * m, "intercept": 0.0}
    with pytest.raises(NewstraceError, match="refit"):
        parse_params(raw)


def test_cosine_match_tells_restated_from_unrelated_sentences() -> None:
    import numpy as np

    from newstrace.reuse.features import _cosine_match

    rng = np.random.default_rng(3)
    a = rng.normal(size=(6, 32))
    restated = a[[2, 0, 5]] + 0.05 * rng.normal(size=(3, 32))  # three of a's six, reworded
    unrelated = rng.normal(size=(3, 32))
    f_restated, lo_restated = _cosine_match(a, restated)
    f_unrelated, _ = _cosine_match(a, unrelated)
    assert f_restated > 0.6 > f_unrelated
    assert lo_restated < f_restated  # half of a has no counterpart: the lower way says so
    assert _cosine_match(a, np.zeros((0, 32))).tolist() == [0.0, 0.0]


def test_a_reuse_verdict_needs_a_sentence_it_took(sample_dir: Path) -> None:
    """The verdict is a linear model over both directions' evidence: far from its fitting
    pairs it can read reuse where nothing aligns. Forced to say ``copy`` on every pair, it
    still cannot make one of two unrelated reports; a real rewrite keeps the verdict."""
    from dataclasses import replace

    import numpy as np

    from newstrace.nlp.embed import default_embedder
    from newstrace.reuse.compare import compare_articles
    from newstrace.reuse.params import PARAMS_FILE, load_params

    params = load_params(PARAMS_FILE)
    verdict = params.verdict
    always_copy = replace(verdict, coef=np.zeros_like(verdict.coef), intercept=np.array(
        [4.0 if c == "copy" else 1.0 if c == "same_story" else 0.0 for c in verdict.classes]))
    forced = replace(params, verdict=always_copy)
    wire, rewrite, unrelated = (load_article(_sample(sample_dir, p)) for p in ("01", "03", "08"))

    apart = compare_articles(wire, unrelated, default_embedder(), forced, attribution=False)
    assert not apart.alignments
    assert (apart.relation, apart.origin, apart.credit_status) == ("same_story", None, "unknown")
    assert apart.probabilities["copy"] == apart.probabilities["derived"] == 0.0
    assert sum(apart.probabilities.values()) == pytest.approx(1.0)
    assert apart.confidence == apart.probabilities["same_story"] > 0.5
    assert any("no sentence" in n for n in apart.notes)

    kept = compare_articles(wire, rewrite, default_embedder(), forced, attribution=False)
    assert kept.relation == "copy" and kept.origin == "a" and kept.alignments
    assert not kept.notes
