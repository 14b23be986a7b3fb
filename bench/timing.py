"""Repeated timings, summarised as median and p99 (nearest rank) in milliseconds."""

import math
import statistics
import time
from collections.abc import Callable
from typing import Any


def summary(samples_ms: list[float], **extra: Any) -> dict[str, Any]:
    if not samples_ms:
        raise ValueError("nothing was measured")
    ordered = sorted(samples_ms)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
    return {"median_ms": round(statistics.median(ordered), 3), "p99_ms": round(p99, 3),
            "n": len(ordered), **extra}


def measure(call: Callable[[int], Any], repeat: int, *, before: Callable[[int], Any] | None = None,
            after: Callable[[int], Any] | None = None, warmup: int = 1,
            **extra: Any) -> dict[str, Any]:
    """Time `call(i)` for i in range(repeat); `before`/`after` run untimed around each call."""
    samples: list[float] = []
    for i in range(-warmup, repeat):
        if before:
            before(i)
        started = time.perf_counter()
        call(i)
        elapsed = time.perf_counter() - started
        if after:
            after(i)
        if i >= 0:
            samples.append(elapsed * 1000)
    return summary(samples, **extra)
