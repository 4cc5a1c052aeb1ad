"""Seconds spent inside tasks, per stage, summed over partitions (Spark accumulators).

Wall time in ``local[2]`` says little about a cluster; the Python time each
partition spends reading, cleaning, comparing or multiplying blocks does: it
is the per-unit cost a cluster estimate multiplies out (bench/spark.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Costs:
    def __init__(self, sc: Any) -> None:
        self._sc = sc
        self._acc: dict[str, Any] = {}
        self.units: dict[str, int] = {}

    def accumulator(self, name: str) -> Any:
        if name not in self._acc:
            self._acc[name] = self._sc.accumulator(0.0)
        return self._acc[name]

    def timed(self, name: str, fn: Callable[[Iterable[Any]], Iterator[Any]]
              ) -> Callable[[Iterable[Any]], Iterator[Any]]:
        """``fn`` for mapPartitions, adding its time in the task to ``name``."""
        acc = self.accumulator(name)

        def run(rows: Iterable[Any]) -> Iterator[Any]:
            started = time.perf_counter()
            try:
                yield from fn(rows)
            finally:
                acc.add(time.perf_counter() - started)

        return run

    def as_dict(self) -> dict[str, float]:
        return {name: round(acc.value, 3) for name, acc in self._acc.items()}
