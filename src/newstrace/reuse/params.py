"""Fitted parameters shipped with newstrace (written by ``newstrace.evaluation.fit``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np

from newstrace.errors import NewstraceError
from newstrace.reuse.evidence import LogisticModel
from newstrace.reuse.links import LinkModel

PARAMS_FILE = "params.json"
#: Parameters fitted with the static (distilled) embedding used in corpus mode.
STATIC_PARAMS_FILE = "params-static.json"


@dataclass(frozen=True, slots=True)
class SoftmaxModel:
    """Multinomial logistic regression on standardised features."""

    classes: tuple[str, ...]
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # classes × features
    intercept: np.ndarray

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SoftmaxModel:
        return cls(tuple(d["classes"]), tuple(d["features"]),
                   np.asarray(d["mean"], dtype=np.float64), np.asarray(d["scale"], np.float64),
                   np.asarray(d["coef"], dtype=np.float64),
                   np.asarray(d["intercept"], dtype=np.float64))

    def as_dict(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "features": list(self.features),
                "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept.tolist()}

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True, slots=True)
class Params:
    sentence: LogisticModel
    sentence_threshold: float
    context_bonus: float
    verdict: SoftmaxModel
    direction: LogisticModel
    similarity: LogisticModel
    raw: dict[str, Any]
    #: re-decides paraphrase links (``links.py``); None: the threshold rule decides
    link: LinkModel | None = None


def _similarity_head(raw: dict[str, Any]) -> LogisticModel:
    """The graded-similarity head: it reads the first of ``SIMILARITY_FEATURES`` it names."""
    from newstrace.reuse.features import SIMILARITY_FEATURES

    model = LogisticModel.from_dict(raw)
    if model.features != SIMILARITY_FEATURES[: len(model.features)]:
        raise NewstraceError("the similarity head's features are not the ones this version "
                             "computes; refit with python -m newstrace.evaluation.fit")
    return model


def parse_params(raw: dict[str, Any]) -> Params:
    return Params(
        sentence=LogisticModel.from_dict(raw["sentence"]),
        sentence_threshold=float(raw["sentence"]["threshold"]),
        context_bonus=float(raw["sentence"].get("context_bonus", 0.0)),
        verdict=SoftmaxModel.from_dict(raw["verdict"]),
        direction=LogisticModel.from_dict(raw["direction"]),
        similarity=_similarity_head(raw["similarity"]),
        raw=raw,
        link=LinkModel.from_dict(raw["link"]) if raw.get("link") else None,
    )


@lru_cache(maxsize=2)
def load_params(name: str = PARAMS_FILE) -> Params:
    """The shipped parameters: ``params.json`` (MiniLM) or ``params-static.json``."""
    path = files("newstrace") / "reuse" / name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NewstraceError(f"fitted parameters missing or damaged ({exc}); reinstall "
                             "newstrace or run: python -m newstrace.evaluation.fit") from exc
    return parse_params(raw)
