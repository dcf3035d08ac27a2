"""The memory limit every step is held against, measured in the same run (README
"Benchmarks").

STREAM-style kernels (copy, scale, add, triad, and the in-place ``a += b`` and
``a = a*s + b`` that optimiser steps are made of) run over working sets of the steps' sizes,
at 1 thread and at every engine's CPU thread count, in NumPy (split over threads and
blocks) and, where it is installed, in torch (one vectorised, multi-threaded call each:
NumPy's ufuncs alone stay well below what a fused engine kernel streams).  Each kernel is
credited with the bytes it must move (its reads plus its writes), as a step is by
:mod:`.traffic`.  The *limit* of a device kind and dtype is the fastest repeat of every
kernel timed there over a working set at least :data:`CACHE_MULTIPLE` times the last-level
cache (STREAM's rule; just past the cache much of the set is still served from it), the
bound kernels and each engine's own copy alike (on a shared machine load only adds time,
and the bound kernels run after the engines, not alongside them); a step's *ratio* is its
median GB/s over that one limit.  A step that far out of the cache faster than 1.05 times
the limit is a *bench error*: the traffic table credits it with bytes it does not move, or
the limit misses a faster way to move them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from optconf.conformance.catalog import default_rule

from .sweep import Config, Result
from .timing import Sample, Timer
from .traffic import arrays_held

#: A step beyond the last-level cache may run this much faster than the limit (noise).
TOLERANCE = 1.05
#: A working set counts as beyond the last-level cache from this many times its size.
CACHE_MULTIPLE = 4
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
    element; ``calls`` NumPy calls in ``body`` (more than one: run block by block);
    ``in_torch(torch, tensors)`` the same kernel as one torch call on tensors sharing the
    arrays' memory."""

    name: str
    arrays: int
    moved: int
    body: Callable[[Sequence[np.ndarray]], None]
    in_torch: Callable[[Any, Sequence[Any]], object]
    calls: int = 1


def _torch() -> Any:
    import torch  # optional: without it the bound runs in NumPy only
    return torch


KERNELS = (
    Kernel("copy", 2, 2, lambda v: np.copyto(v[1], v[0]), lambda torch, t: t[1].copy_(t[0])),
    Kernel("scale", 2, 2, lambda v: np.multiply(v[0], SCALAR, out=v[1]),
           lambda torch, t: torch.mul(t[0], SCALAR, out=t[1])),
    Kernel("add", 3, 3, lambda v: np.add(v[0], v[1], out=v[2]),
           lambda torch, t: torch.add(t[0], t[1], out=t[2])),
    Kernel("triad", 3, 3, _triad,
           lambda torch, t: torch.add(t[0], t[1], alpha=SCALAR, out=t[2]), calls=2),
    Kernel("a += b", 2, 3, lambda v: np.add(v[0], v[1], out=v[0]),
           lambda torch, t: t[0].add_(t[1])),
    Kernel("a = a*s + b", 2, 3, _axpby,
           lambda torch, t: torch.add(t[1], t[0], alpha=SCALAR, out=t[0]), calls=2),
)


class Threaded:
    """Runs a kernel in NumPy over its arrays split into ``threads`` contiguous ranges, one
    per thread (NumPy releases the GIL inside its loops); a context manager owning the pool."""

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


class InTorch:
    """Runs a kernel as its one torch call on ``threads`` intra-op threads, on tensors that
    share the arrays' memory; a context manager restoring torch's thread count."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.before = _torch().get_num_threads()

    def __enter__(self) -> InTorch:
        _torch().set_num_threads(self.threads)
        return self

    def __exit__(self, *exc: object) -> None:
        _torch().set_num_threads(self.before)

    def caller(self, kernel: Kernel, arrays: list[np.ndarray]) -> Callable[[], None]:
        torch = _torch()
        tensors = [torch.from_numpy(a) for a in arrays]

        def run() -> None:
            kernel.in_torch(torch, tensors)

        return run


#: How each library runs the kernels, by the name a sample records.
RUNNERS: dict[str, Callable[[int], Threaded | InTorch]] = {"numpy": Threaded, "torch": InTorch}


def libraries() -> list[str]:
    """NumPy, and torch where it is installed."""
    return ["numpy"] + (["torch"] if importlib.util.find_spec("torch") else [])


@dataclasses.dataclass(frozen=True)
class BoundSample:
    """One kernel timed at one thread count in one library over a working set of
    ``working_set`` bytes."""

    kernel: str
    threads: int
    working_set: int
    dtype: str
    moved: int            # bytes credited per call
    sample: Sample
    library: str = "numpy"

    @property
    def source(self) -> str:
        """``a += b, 2 threads`` (NumPy) or ``a += b, torch, 2 threads``."""
        where = "" if self.library == "numpy" else f"{self.library}, "
        return f"{self.kernel}, {where}{self.threads} thread{'s' * (self.threads > 1)}"

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
            kernels: Sequence[Kernel] = KERNELS,
            using: Sequence[str] | None = None) -> list[BoundSample]:
    """Every kernel at every thread count in every library of ``using`` (default:
    :func:`libraries`) over each working set of ``sets`` bytes."""
    itemsize = np.dtype(dtype).itemsize
    out = []
    for nbytes in sets:
        for kernel in kernels:
            elements = max(nbytes // (kernel.arrays * itemsize), 1)
            arrays = [np.ones(elements, dtype) for _ in range(kernel.arrays)]
            for library in using or libraries():
                for threads in sorted(set(thread_counts)):
                    with RUNNERS[library](threads) as runner:
                        run = runner.caller(kernel, arrays)
                        run()  # first touch, pool start
                        sample = timer.alone(run, lambda: None)
                    out.append(BoundSample(kernel.name, threads, nbytes, dtype,
                                           kernel.moved * elements * itemsize, sample, library))
            del arrays
    return out


#: The device kinds engines name, each with a limit of its own.
DEVICE_KINDS = ("cpu", "cuda", "gpu", "hip", "rocm", "metal", "mps", "tpu")


def device_kind(device: str | None) -> str:
    """``cuda:0``, ``CUDA``, ``cpu:0``, ``TFRT_CPU_0``, ``cpu x2``, ``Device(cpu, 0)`` ->
    ``cuda``, ``cpu``: one limit per kind, however an engine spells its device (an unknown
    spelling is its own kind, its first word)."""
    words = re.findall(r"[a-z]+", (device or CPU).lower())
    return next((w for w in words if w in DEVICE_KINDS), words[0] if words else CPU)


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
        yield CPU, s.dtype, s.gbps, s.source, s.working_set
    for r in results:
        if r.status == "ok" and r.copy is not None and r.working_set and min(r.copy.seconds) > 0:
            yield (device_kind(r.device), r.case.dtype,
                   r.working_set / min(r.copy.seconds) / 1e9, f"{r.case.adapter} copy",
                   r.working_set)


def beyond(working_set: int | None, cache: int | None) -> bool:
    """Whether ``working_set`` bytes are at least ``CACHE_MULTIPLE`` last-level caches."""
    return working_set is not None and cache is not None and \
        working_set >= CACHE_MULTIPLE * cache


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
