"""The memory limit every step is held against, measured in the same run (README
"Benchmarks").

STREAM-style kernels (copy, scale, add, triad, and the in-place ``a += b`` and
``a = a*s + b`` that optimiser steps are made of) run over working sets of the steps' sizes,
in NumPy split over 1 thread (NumPy's own) and over every engine's CPU thread count.  Each
kernel is credited with the bytes it must move (its reads plus its writes), as a step is by
:mod:`.traffic`.  The *limit* of a device and dtype is the fastest repeat of every kernel
timed there beyond the last-level cache (the bound kernels and each engine's own copy
alike; on a shared machine load only adds time, and the bound kernels run after the
engines, not alongside them); a step's *ratio* is its median GB/s over that one limit.  A
step beyond the cache faster than 1.05 times the limit is a *bench error*: the traffic table
credits it with bytes it does not move, or the limit misses a faster way to move them.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from optconf.conformance.catalog import default_rule

from .sweep import Config, Result
from .timing import Sample, Timer
from .traffic import arrays_held

#: A step beyond the last-level cache may run this much faster than the limit (noise).
TOLERANCE = 1.05
#: The scalar of scale, triad and ``a = a*s + b``: repeated, it keeps the values bounded.
SCALAR = 0.5
#: Bytes of each array one thread works on at a time in a kernel of several NumPy calls:
#: three such blocks stay in a core's L2, so the kernel passes over memory once.
BLOCK_BYTES = 256 << 10
#: The device the bound kernels run on, as :func:`device_kind` names it.
CPU = "cpu"


def _triad(v: Sequence[np.ndarray]) -> None:
    np.multiply(v[1], SCALAR, out=v[2])
    np.add(v[2], v[0], out=v[2])


def _axpby(v: Sequence[np.ndarray]) -> None:
    np.multiply(v[0], SCALAR, out=v[0])
    np.add(v[0], v[1], out=v[0])


@dataclasses.dataclass(frozen=True)
class Kernel:
    """``body`` on views of ``arrays`` equal blocks; ``moved`` arrays read plus written per
    element; ``calls`` NumPy calls in ``body`` (more than one: run block by block)."""

    name: str
    arrays: int
    moved: int
    body: Callable[[Sequence[np.ndarray]], None]
    calls: int = 1


KERNELS = (
    Kernel("copy", 2, 2, lambda v: np.copyto(v[1], v[0])),
    Kernel("scale", 2, 2, lambda v: np.multiply(v[0], SCALAR, out=v[1])),
    Kernel("add", 3, 3, lambda v: np.add(v[0], v[1], out=v[2])),
    Kernel("triad", 3, 3, _triad, calls=2),
    Kernel("a += b", 2, 3, lambda v: np.add(v[0], v[1], out=v[0])),
    Kernel("a = a*s + b", 2, 3, _axpby, calls=2),
)


class Threaded:
    """Runs a kernel over its arrays split into ``threads`` contiguous ranges, one per
    thread (NumPy releases the GIL inside its loops); a context manager owning the pool."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def __enter__(self) -> Threaded:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def caller(self, kernel: Kernel, arrays: list[np.ndarray]) -> Callable[[], None]:
        n = len(arrays[0])
        edges = [n * i // self.threads for i in range(self.threads + 1)]
        step = max(BLOCK_BYTES // arrays[0].itemsize, 1) if kernel.calls > 1 else n

        def part(lo: int, hi: int) -> None:
            for start in range(lo, hi, step):
                end = min(start + step, hi)
                kernel.body([a[start:end] for a in arrays])

        if self.pool is None:
            return lambda: part(0, n)
        pool, ranges = self.pool, list(itertools.pairwise(edges))

        def run() -> None:
            for done in [pool.submit(part, lo, hi) for lo, hi in ranges]:
                done.result()

        return run


@dataclasses.dataclass(frozen=True)
class BoundSample:
    """One kernel timed at one thread count over a working set of ``working_set`` bytes."""

    kernel: str
    threads: int
    working_set: int
    dtype: str
    moved: int            # bytes credited per call
    sample: Sample

    @property
    def gbps(self) -> float:
        """GB/s of the fastest repeat: what the machine can do (load only adds time)."""
        fastest = min(self.sample.seconds)
        return self.moved / fastest / 1e9 if fastest > 0 else 0.0


def working_sets(config: Config) -> list[int]:
    """Bytes of every working set the size and leaf sweeps give their steps: the rule's
    arrays (:func:`.traffic.arrays_held`) at each size."""
    itemsize = np.dtype(config.dtype).itemsize
    sizes: set[int] = set()
    if "size" in config.sweeps:
        for name in config.rules:
            held = arrays_held(default_rule(name))
            sizes |= {held * (n - n % config.size_leaves) * itemsize for n in config.sizes}
    if "leaves" in config.sweeps:
        sizes.add(arrays_held(default_rule(config.rules[0])) * config.leaves_total * itemsize)
    return sorted(sizes)


def measure(sets: Iterable[int], dtype: str, thread_counts: Iterable[int], timer: Timer,
            kernels: Sequence[Kernel] = KERNELS) -> list[BoundSample]:
    """Every kernel at every thread count over each working set of ``sets`` bytes."""
    itemsize = np.dtype(dtype).itemsize
    out = []
    for nbytes in sets:
        for kernel in kernels:
            elements = max(nbytes // (kernel.arrays * itemsize), 1)
            arrays = [np.ones(elements, dtype) for _ in range(kernel.arrays)]
            for threads in sorted(set(thread_counts)):
                with Threaded(threads) as threaded:
                    run = threaded.caller(kernel, arrays)
                    run()  # first touch, pool start
                    sample = timer.alone(run, lambda: None)
                out.append(BoundSample(kernel.name, threads, nbytes, dtype,
                                       kernel.moved * elements * itemsize, sample))
            del arrays
    return out


def device_kind(device: str | None) -> str:
    """``cuda:0``, ``CUDA``, ``cpu:0``, ``CPU`` -> ``cuda``, ``cpu``: one limit per kind."""
    return (device or CPU).lower().split(":")[0]


@dataclasses.dataclass(frozen=True)
class Limit:
    """The fastest kernel of a device kind and dtype: what no step there can beat."""

    device: str
    dtype: str
    gbps: float
    source: str          # "a += b, 2 threads" or "torch copy"
    working_set: int
    beyond_cache: bool   # measured beyond the last-level cache (else: the largest set run)


def _candidates(samples: Iterable[BoundSample], results: Iterable[Result]
                ) -> Iterable[tuple[str, str, float, str, int]]:
    for s in samples:
        yield CPU, s.dtype, s.gbps, f"{s.kernel}, {s.threads} thread{'s' * (s.threads > 1)}", \
            s.working_set
    for r in results:
        if r.status == "ok" and r.copy is not None and r.working_set and min(r.copy.seconds) > 0:
            yield (device_kind(r.device), r.case.dtype,
                   r.working_set / min(r.copy.seconds) / 1e9, f"{r.case.adapter} copy",
                   r.working_set)


def beyond(working_set: int | None, cache: int | None) -> bool:
    return working_set is not None and cache is not None and working_set > cache


#: The limit of each (device kind, dtype).
Limits = dict[tuple[str, str], Limit]


def limits(samples: Iterable[BoundSample], results: Iterable[Result], cache: int | None
           ) -> Limits:
    """The limit per (device kind, dtype): the fastest candidate beyond the cache, or where
    none ran beyond it, the fastest over the largest working set run."""
    grouped: dict[tuple[str, str], list[tuple[float, str, int]]] = {}
    for device, dtype, gbps, source, nbytes in _candidates(samples, results):
        grouped.setdefault((device, dtype), []).append((gbps, source, nbytes))
    out = {}
    for key, found in grouped.items():
        out_of_cache = [c for c in found if beyond(c[2], cache)]
        largest = max(c[2] for c in found)
        pool = out_of_cache or [c for c in found if c[2] == largest]
        gbps, source, nbytes = max(pool)
        out[key] = Limit(*key, gbps, source, nbytes, bool(out_of_cache))
    return out


def ratio(result: Result, found: Limits) -> float | None:
    """The step's GB/s over its device's and dtype's limit."""
    limit = found.get((device_kind(result.device), result.case.dtype))
    gbps = result.gbps
    return None if gbps is None or limit is None or limit.gbps <= 0 else gbps / limit.gbps


def bench_errors(results: Iterable[Result], found: Limits,
                 cache: int | None) -> list[str]:
    """Each step beyond the last-level cache faster than ``TOLERANCE`` times its limit."""
    errors = []
    for r in results:
        x = ratio(r, found)
        if x is None or x <= TOLERANCE or not beyond(r.working_set, cache):
            continue
        c = r.case
        limit = found[(device_kind(r.device), c.dtype)]
        errors.append(
            f"{c.adapter} {c.label} {c.rule}, {c.elements} parameters in {c.leaves} leaves "
            f"({c.sweep} sweep): {r.gbps:.3g} GB/s is {x:.2f}x the {limit.device} "
            f"{limit.dtype} limit {limit.gbps:.3g} GB/s ({limit.source}): the traffic table "
            f"credits {c.rule} with bytes it does not move, or the limit is wrong")
    return errors
