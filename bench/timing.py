"""The timer: calls per repeat calibrated to a target duration, device sync inside the timed
region, the harness's own overhead measured with a no-op and subtracted, and step and copy
repeats interleaved so that both see the same machine load.

A repeat is ``start = perf_counter(); fn() x calls; sync(); perf_counter() - start``; its
per-call time is ``(repeat - overhead(calls)) / calls``, where ``overhead(calls)`` is the
median of the same loop around a no-op.  The overhead is reported with every result, so it
is bounded as well as subtracted.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections.abc import Callable

Call = Callable[[], object]
MAX_CALLS = 100_000
_OVERHEAD_REPEATS = 15


def _noop() -> None:
    return None


def loop_seconds(fn: Call, sync: Call, calls: int) -> float:
    """Wall seconds of ``calls`` calls of ``fn`` followed by one ``sync``."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    sync()
    return time.perf_counter() - start


@dataclasses.dataclass(frozen=True)
class Sample:
    """Per-call seconds of each repeat, the harness overhead already subtracted."""

    seconds: tuple[float, ...]
    calls: int
    overhead: float  # harness seconds per call that were subtracted

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def quartiles(self) -> tuple[float, float]:
        if len(self.seconds) < 2:
            return self.seconds[0], self.seconds[0]
        q1, _, q3 = statistics.quantiles(self.seconds, n=4, method="inclusive")
        return q1, q3

    @property
    def spread(self) -> float:
        """Interquartile range relative to the median."""
        q1, q3 = self.quartiles()
        return (q3 - q1) / self.median if self.median > 0 else math.inf


class Timer:
    """Times callables in repeats of at least ``target`` seconds each."""

    def __init__(self, target: float, repeats: int) -> None:
        self.target, self.repeats = target, repeats
        self._overheads: dict[int, float] = {}

    def overhead(self, calls: int) -> float:
        """Median seconds of the timed loop around a no-op, for ``calls`` calls."""
        if calls not in self._overheads:
            self._overheads[calls] = statistics.median(
                loop_seconds(_noop, _noop, calls) for _ in range(_OVERHEAD_REPEATS))
        return self._overheads[calls]

    def calls_for(self, fn: Call, sync: Call) -> int:
        """Calls per repeat so that one repeat lasts about ``target`` seconds."""
        once = loop_seconds(fn, sync, 1)
        return max(1, min(MAX_CALLS, math.ceil(self.target / max(once, 1e-9))))

    def sample(self, fn: Call, sync: Call, calls: int, seconds: list[float]) -> None:
        overhead = self.overhead(calls)
        seconds.append(max(loop_seconds(fn, sync, calls) - overhead, 0.0) / calls)

    def paired(self, step: Call, copy: Call, sync: Call) -> tuple[Sample, Sample]:
        """Step and copy timed in alternating repeats."""
        step_calls, copy_calls = self.calls_for(step, sync), self.calls_for(copy, sync)
        step_s: list[float] = []
        copy_s: list[float] = []
        for _ in range(self.repeats):
            self.sample(step, sync, step_calls, step_s)
            self.sample(copy, sync, copy_calls, copy_s)
        return (Sample(tuple(step_s), step_calls, self.overhead(step_calls) / step_calls),
                Sample(tuple(copy_s), copy_calls, self.overhead(copy_calls) / copy_calls))

    def alone(self, fn: Call, sync: Call) -> Sample:
        calls = self.calls_for(fn, sync)
        seconds: list[float] = []
        for _ in range(self.repeats):
            self.sample(fn, sync, calls, seconds)
        return Sample(tuple(seconds), calls, self.overhead(calls) / calls)
