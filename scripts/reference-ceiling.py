"""How fast NumPy can run the reference's float64 Adam step on this machine, GIL or not.

The reference's in-place Adam step is 14 ufunc passes over each block of 64K elements
(reference/rules/adam.py).  This times, on one array of 1e7 parameters, median of 21 steps:

- ``reference``: ``update_`` itself, its blocks shared among threads;
- ``processes``: the same 14 passes in the same order, each of ``THREADS`` processes doing
  its share of the arrays in shared memory, so no thread ever waits for the GIL.

The second is the ceiling of any NumPy-ufunc form of the step: compare both with the limit
``optconf bench`` prints for float64.  Usage: ``python scripts/reference-ceiling.py``.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from multiprocessing import shared_memory

import numpy as np

from optconf.reference import setup, update_
from optconf.reference.rules import Adam
from optconf.reference.rules.base import BLOCK, THREADS

N = 10**7
STEPS = 21
BYTES = 7 * 8 * N  # reads x, g, m, v and writes x, m, v
B1, B2, ETA, EPS = 0.9, 0.999, 1e-3, 1e-8


def reference_times() -> list[float]:
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal(N), rng.standard_normal(N)
    state = setup(Adam(ETA, (B1, B2), EPS), x)
    times = []
    for _ in range(STEPS):
        start = time.perf_counter()
        update_(state, x, g)
        times.append(time.perf_counter() - start)
    return times


def passes(name: str, lo: int, hi: int) -> list[float]:
    """Adam's 14 passes over ``[lo, hi)`` of the arrays in shared memory ``name``, block by
    block, each step timed; the bias correction is a fixed step's (the bits don't matter)."""
    memory = shared_memory.SharedMemory(name=name)
    x, g, mu, nu = np.ndarray((4, N), buffer=memory.buf)
    scratch, out = np.empty(BLOCK), np.empty(BLOCK)
    times = []
    for _ in range(STEPS):
        start = time.perf_counter()
        for a in range(lo, hi, BLOCK):
            b = min(a + BLOCK, hi)
            s, r, m, v = scratch[:b - a], out[:b - a], mu[a:b], nu[a:b]
            np.multiply(g[a:b], 1 - B1, out=s)
            m *= B1
            m += s
            np.square(g[a:b], out=s)
            s *= 1 - B2
            v *= B2
            v += s
            np.divide(v, 1 - B2**3, out=s)
            np.sqrt(s, out=s)
            s += EPS
            np.divide(m, 1 - B1**3, out=r)
            r /= s
            r *= ETA
            x[a:b] -= r
        times.append(time.perf_counter() - start)
    del x, g, mu, nu
    memory.close()
    return times


def process_times() -> list[float]:
    memory = shared_memory.SharedMemory(create=True, size=4 * N * 8)
    try:
        arrays = np.ndarray((4, N), buffer=memory.buf)
        arrays[:2] = np.random.default_rng(0).standard_normal((2, N))
        arrays[2:] = 0
        del arrays
        cuts = [N * i // THREADS for i in range(THREADS + 1)]
        with multiprocessing.Pool(THREADS) as pool:
            shares = pool.starmap(passes, [(memory.name, cuts[i], cuts[i + 1])
                                           for i in range(THREADS)])
        return [max(step) for step in zip(*shares, strict=True)]  # a step ends with its last
    finally:
        memory.close()
        memory.unlink()


def main() -> None:
    for how, times in (("reference", reference_times()), ("processes", process_times())):
        median = statistics.median(times[3:])  # after warm-up steps
        print(f"{how:>10} ({THREADS} {'threads' if how == 'reference' else 'processes'}): "
              f"{median * 1e3:6.1f} ms a step, {BYTES / median / 1e9:5.1f} GB/s "
              f"(best {BYTES / min(times[3:]) / 1e9:.1f})")


if __name__ == "__main__":
    main()
