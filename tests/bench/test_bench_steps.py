"""The benchmarks as a pytest-benchmark suite, grouped by rule and size, so that
``pytest tests/bench --benchmark-only --benchmark-autosave`` and ``pytest-benchmark compare``
work.  Each case is one optimiser step (device sync included) of an engine path, with the
same-run copy of its working set, the GB/s and the ratio to that copy in ``extra_info``
(``optconf bench`` holds steps against its bound kernels instead).

The default run is small (1e4 parameters, for CI); ``OPTCONF_BENCH_SIZES="1e4 1e6 5e7"``
and ``OPTCONF_BENCH_RULES="Adam Descent"`` ask for more.
"""

import os

import numpy as np
import pytest

from optconf.adapters.protocol import DISTRIBUTED_PATHS
from optconf.bench.loader import installed
from optconf.bench.protocol import BenchEngine, benched_paths
from optconf.bench.sweep import Case, prepare_case
from optconf.bench.timing import Timer
from optconf.bench.traffic import bytes_per_element
from optconf.conformance.catalog import default_rule

LEAVES = 10
SIZES = [int(float(s)) for s in os.environ.get("OPTCONF_BENCH_SIZES", "1e4").split()]
RULES = os.environ.get("OPTCONF_BENCH_RULES", "Adam").split()
ENGINES = {n: e for n, e in installed().items() if isinstance(e, BenchEngine)}
CASES = [(n, p) for n, e in ENGINES.items() for p in benched_paths(e.info())]


@pytest.mark.parametrize("size", SIZES, ids=lambda n: f"{n:.0e}")
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(("adapter", "path"), CASES)
def test_step(benchmark, adapter, path, rule, size):
    engine = ENGINES[adapter]
    ranks = 2 if path in DISTRIBUTED_PATHS else 1
    prepared = prepare_case(engine, Case("size", adapter, path, rule, size, LEAVES, "float32",
                                         ranks))
    initial = prepared.parameters()[0]
    benchmark.group = f"{rule}-{size:.0e}"

    def step_and_sync():
        prepared.step()
        prepared.sync()

    benchmark.pedantic(step_and_sync, rounds=7, warmup_rounds=3)
    timer = Timer(target=0.002, repeats=7)
    # benchmarks are disabled under xdist or --benchmark-disable: time with our own timer
    step = (benchmark.stats.stats.median if benchmark.stats
            else timer.alone(prepared.step, prepared.sync).median)
    copy = timer.alone(prepared.copy, prepared.sync).median
    gbps = bytes_per_element(default_rule(rule), 4) * size / step / 1e9
    copy_gbps = prepared.nbytes / copy / 1e9
    benchmark.extra_info.update(gbps=gbps, copy_gbps=copy_gbps, copy_ratio=gbps / copy_gbps,
                                working_set=prepared.nbytes, device=prepared.device,
                                threads=prepared.threads)
    stepped = prepared.parameters()
    assert all(np.isfinite(p).all() for p in stepped)
    prepared.close()
    assert not np.array_equal(stepped[0], initial), "the timed step did not update"
