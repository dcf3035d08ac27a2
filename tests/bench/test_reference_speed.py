"""The reference's Adam step on 10M float64 parameters, as a ratio to a plain NumPy copy of
the same arrays timed in the same run (issue 3's speed goal: under 3x).  A benchmark, not a
timed unit test: it reports the ratio and never fails on speed.

"The same arrays" is the step's working set: an Adam step must read x, g, mu and nu and write
x, mu and nu, so the baseline copies those four arrays once each (4 reads + 4 writes, against
the step's minimum of 4 reads + 3 writes).  The ratio to copying x alone is printed too."""

import time

import numpy as np
import pytest

from optconf.reference import setup, update_
from optconf.reference.rules import Adam

SIZE = 10_000_000


def best_of(fn, rounds: int) -> float:
    """Minimum wall time of ``fn`` over ``rounds`` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


@pytest.mark.benchmark(group="reference-adam-10M")
def test_adam_step_relative_to_copy(benchmark, capsys):
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=SIZE), rng.normal(size=SIZE)
    state = setup(Adam(), x)
    working_set = [x, g, state.state.mu, state.state.nu]
    copies = [np.empty_like(a) for a in working_set]

    def copy_working_set() -> None:
        for dst, src in zip(copies, working_set, strict=True):
            np.copyto(dst, src)

    copy_seconds = best_of(copy_working_set, rounds=5)
    copy_x_seconds = best_of(lambda: np.copyto(copies[0], x), rounds=5)
    benchmark.pedantic(update_, args=(state, x, g), rounds=5, iterations=1, warmup_rounds=1)
    adam_seconds = benchmark.stats.stats.min if benchmark.stats else best_of(
        lambda: update_(state, x, g), rounds=5
    )
    ratio = adam_seconds / copy_seconds
    benchmark.extra_info.update(copy_seconds=copy_seconds, adam_seconds=adam_seconds, ratio=ratio,
                                copy_x_seconds=copy_x_seconds)
    with capsys.disabled():
        print(f"\nreference Adam step, 1e7 float64: {adam_seconds * 1e3:.1f} ms = {ratio:.2f}x a "
              f"same-run copy of its working set x, g, mu, nu ({copy_seconds * 1e3:.1f} ms); "
              f"{adam_seconds / copy_x_seconds:.1f}x a copy of x alone")
    assert np.isfinite(x).all()
