"""A story's provenance graph laid out for a server-rendered SVG.

Articles go left to right in publication order, one row (lane) per outlet, so
time reads across and outlets read down. Edges run origin → derived; the
template styles them by relation (copy solid, derived dashed) and credit
(credited green, uncredited red). Only numbers and strings leave here; the
template escapes every string.
"""

from __future__ import annotations

from typing import Any

from newstrace.corpus.stories import Story
from newstrace.model import Article

#: Colour-blind-friendly palette (Okabe–Ito, then Tableau) for outlets, in order of appearance.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f7f",
           "#f0e442", "#4e79a7", "#b07aa1", "#9c755f", "#59a14f", "#edc948", "#76b7b2")

STEP_X = 150
LANE_Y = 78
MARGIN_X = 80
MARGIN_Y = 56
RADIUS = 13


def outlet_name(article: Article) -> str:
    return article.outlet or article.domain or "unknown outlet"


def layout(story: Story, articles: dict[str, Article], lags: dict[str, float | None],
           root: str = "") -> dict[str, Any]:
    members = [a for a in story.articles if a in articles]
    lanes: dict[str, int] = {}
    for aid in members:
        lanes.setdefault(outlet_name(articles[aid]), len(lanes))
    colours = {name: PALETTE[k % len(PALETTE)] for name, k in lanes.items()}
    nodes: list[dict[str, Any]] = []
    where: dict[str, tuple[float, float]] = {}
    for k, aid in enumerate(members):
        a = articles[aid]
        name = outlet_name(a)
        x = MARGIN_X + k * STEP_X
        y = MARGIN_Y + lanes[name] * LANE_Y
        where[aid] = (x, y)
        lag = lags.get(aid)
        nodes.append({
            "id": aid, "x": x, "y": y, "r": RADIUS, "colour": colours[name],
            "label": name if len(name) <= 22 else name[:21] + "…",
            "lag": "" if lag is None else ("first" if k == 0 else f"{lag:+.1f} h"),
            "title": f"{name}: {a.title or '(untitled)'}"
                     + (f" ({a.published})" if a.published else ""),
            "href": f"{root}/article/{aid}",
        })
    edges: list[dict[str, Any]] = []
    for e in story.edges:
        if e.origin not in where or e.derived not in where:
            continue
        (x1, y1), (x2, y2) = where[e.origin], where[e.derived]
        # bow longer edges more, so arrows skipping articles do not run over each other
        dx, dy = x2 - x1, y2 - y1
        length = max((dx * dx + dy * dy) ** 0.5, 1.0)
        hops = abs(dx) / STEP_X
        bend = 22.0 * max(hops - 1, 0) + (30.0 if y1 == y2 else 0.0)
        sign = 1.0 if dx >= 0 else -1.0  # bow upwards (to the left of travel)
        cx = (x1 + x2) / 2 + sign * (dy / length) * bend
        cy = (y1 + y2) / 2 - sign * (dx / length) * bend
        # stop short of the target circle so the arrow head shows
        tx, ty = x2 - cx, y2 - cy
        t_len = max((tx * tx + ty * ty) ** 0.5, 1.0)
        ex, ey = x2 - tx / t_len * (RADIUS + 3), y2 - ty / t_len * (RADIUS + 3)
        origin, derived = articles[e.origin], articles[e.derived]
        edges.append({
            "from": e.origin, "to": e.derived, "relation": e.relation, "credit": e.credit,
            "d": f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}",
            "title": f"{outlet_name(origin)} → {outlet_name(derived)}: {e.relation}, "
                     f"{e.credit}, confidence {e.confidence:.2f}",
            "href": f"{root}/pair/{e.origin}/{e.derived}",
        })
    width = MARGIN_X * 2 + max(len(members) - 1, 0) * STEP_X
    height = MARGIN_Y * 2 + max(len(lanes) - 1, 0) * LANE_Y + 24
    return {"nodes": nodes, "edges": edges, "width": width, "height": height,
            "legend": [{"name": n, "colour": c} for n, c in colours.items()]}
