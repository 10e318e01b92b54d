"""What every benchmark module shares.

A benchmark module is `benchmarks/bench_<name>.py` exposing `run(ctx: BenchContext) -> list[Result]`.
Each figure is a ratio against a floor measured in the same run on the same data (e.g. the
hand-written SQL that computes the same numbers), so figures compare across machines.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from psycopg2 import sql


@dataclass
class Result:
    name: str
    value: float
    unit: str = "s"
    floor: float | None = None
    target: float | None = None
    # "max": value/floor (or value) must be <= target; "info": no target.
    kind: str = "max"
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    # False when the measured code gave a wrong answer (e.g. rows differing from the floor's):
    # the figure then fails whatever its speed.
    correct: bool = True

    @property
    def ratio(self) -> float | None:
        if self.floor in (None, 0):
            return None
        return self.value / self.floor  # type: ignore[operator]

    @property
    def passed(self) -> bool | None:
        if not self.correct:
            return False
        if self.target is None:
            return None
        measured = self.ratio if self.ratio is not None else self.value
        return measured <= self.target

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["passed"] = self.passed
        return data


@dataclass
class BenchContext:
    scale: str
    log: Callable[[str], None]

    def timed(
        self, fn: Callable[[], Any], *, repeat: int = 3, setup: Callable[[], Any] | None = None
    ) -> float:
        """Best wall time of `repeat` calls, in seconds (the least disturbed run); `setup` runs
        untimed before each call."""
        best = float("inf")
        for _ in range(repeat):
            if setup is not None:
                setup()
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        return best

    def timed_interleaved(
        self, *runs: tuple[Callable[[], Any], Callable[[], Any] | None], repeat: int = 3
    ) -> list[float]:
        """Best wall time of each (fn, setup) of `runs` over `repeat` rounds in which they take
        turns, so a slow spell of a shared machine falls on all of them alike; `setup` runs
        untimed before each call."""
        best = [float("inf")] * len(runs)
        for _ in range(repeat):
            for i, (fn, setup) in enumerate(runs):
                if setup is not None:
                    setup()
                start = time.perf_counter()
                fn()
                best[i] = min(best[i], time.perf_counter() - start)
        return best

    def median_in_turns(
        self, *runs: tuple[Callable[[], Any], Callable[[], Any] | None], repeat: int = 7
    ) -> list[float]:
        """Median wall time of each (fn, setup) of `runs` over `repeat` rounds of A B A B …
        (setup untimed before each call): the machine's swings fall on every run alike, and the
        median keeps one disturbed round from deciding a ratio."""
        times: list[list[float]] = [[] for _ in runs]
        for _ in range(repeat):
            for i, (fn, setup) in enumerate(runs):
                if setup is not None:
                    setup()
                start = time.perf_counter()
                fn()
                times[i].append(time.perf_counter() - start)
        return [statistics.median(t) for t in times]

    def execute(
        self, query: str | sql.Composable, params: list[Any] | None = None
    ) -> list[tuple[Any, ...]]:
        return execute(query, params or [])


def execute(query: str | sql.Composable, params: Any = None) -> list[tuple[Any, ...]]:
    """Run one statement on Django's connection; its rows, if it returns any. `params` (a list or
    a dict) are the driver's: values are never formatted into `query`."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []
