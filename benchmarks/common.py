"""Shared benchmark helpers: timing with interleaved repeats, medians, MovieLens location."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

ML100K = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "ml-100k"


def interleaved(runs: dict[str, Callable[[], object]], repeats: int = 3) -> dict[str, float]:
    """Median wall time (s) of each callable, running them in turn `repeats` times so that
    machine noise hits every contender alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table."""
    def fmt(v: object) -> str:
        return f"{v:.4g}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
