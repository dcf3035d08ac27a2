"""Every engine's prepared benchmark step runs the real update: after a few timed-style
calls its parameters are the reference's Adam trajectory within the tolerance model, on every
path the adapter declares (so the benchmark never times a no-op or a different rule)."""

import numpy as np
import pytest

from optconf.adapters.protocol import DISTRIBUTED_PATHS, Unsupported
from optconf.bench.engines.common import case_arrays
from optconf.bench.loader import installed
from optconf.bench.protocol import BenchEngine, benched_paths
from optconf.conformance.cases import in_declared_variants, natural_rule
from optconf.conformance.tolerance import bound
from optconf.reference import setup, update_
from optconf.reference.rules import Adam, Descent

SHAPES = [(1000,)] * 4
STEPS = 4
ENGINES = {n: e for n, e in installed().items() if isinstance(e, BenchEngine)}
CASES = [(n, p) for n, e in ENGINES.items() for p in benched_paths(e.info())]


def reference_trajectory(rule, steps):
    """float64 reference from the same float32 data, and its value / change scales."""
    params, grads = case_arrays(SHAPES, "float32")
    params = [p.astype(np.float64) for p in params]
    grads = [g.astype(np.float64) for g in grads]
    state = setup(rule, params)
    value_scale = max(np.abs(p).max() for p in params)
    change_scale = 0.0
    for _ in range(steps):
        before = [p.copy() for p in params]
        update_(state, params, grads)
        change_scale = max(change_scale, *(np.abs(p - b).max()
                                           for p, b in zip(params, before, strict=True)))
        value_scale = max(value_scale, *(np.abs(p).max() for p in params))
    return np.concatenate(params), value_scale, change_scale


#: Engines whose rule deviates from the reference as a declared finding: their bench step is
#: checked on the other rule only (the conformance run checks the deviation itself).
DEVIATES = {("keras", "Adam"): "FINDINGS K1: epsilon on the uncorrected root"}


@pytest.mark.parametrize(("adapter", "path"), CASES)
@pytest.mark.parametrize("rule", [Adam(), Descent(0.1)], ids=["Adam", "Descent"])
def test_prepared_step_follows_the_reference(adapter, path, rule):
    if (adapter, type(rule).__name__) in DEVIATES:
        pytest.skip(DEVIATES[adapter, type(rule).__name__])
    engine = ENGINES[adapter]
    rule = in_declared_variants(engine.info(), rule)
    prepared = (engine.prepare_sharded(SHAPES, rule, path, "float32", 2)
                if path in DISTRIBUTED_PATHS else engine.prepare_step(SHAPES, rule, path,
                                                                       "float32"))
    for _ in range(STEPS):
        prepared.step()
    prepared.sync()
    got = np.concatenate([p.ravel() for p in prepared.parameters()]).astype(np.float64)
    prepared.close()
    want, value_scale, change_scale = reference_trajectory(rule, STEPS)
    allowed = bound(engine.info().engine, "float32", rule, path, STEPS).allowed(
        value_scale, change_scale)
    assert np.abs(got - want).max() <= allowed


@pytest.mark.parametrize("adapter", sorted(ENGINES))
def test_working_set_counts_parameters_gradients_and_adam_state(adapter):
    """Adam keeps two moments per element: the working set is at least four float32 arrays
    (scalars such as step counts may add a few bytes)."""
    adam = natural_rule(ENGINES[adapter].info(), "Adam")
    prepared = ENGINES[adapter].prepare_step(SHAPES, adam, "flat_list", "float32")
    elements = sum(s[0] for s in SHAPES)
    assert 4 * 4 * elements <= prepared.nbytes <= 4 * 4 * elements + 64 * len(SHAPES)


@pytest.mark.parametrize("adapter", sorted(ENGINES))
def test_copy_moves_the_working_set_without_touching_parameters(adapter):
    adam = natural_rule(ENGINES[adapter].info(), "Adam")
    prepared = ENGINES[adapter].prepare_step(SHAPES, adam, "flat_list", "float32")
    before = prepared.parameters()
    prepared.copy()
    prepared.sync()
    for a, b in zip(before, prepared.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("adapter", sorted(ENGINES))
@pytest.mark.parametrize("via", ["plain", "trainables", "destructure"])
def test_every_engine_prepares_each_gradient(adapter, via):
    prepared = ENGINES[adapter].prepare_gradient(SHAPES, "float32", via)
    prepared.step()
    prepared.sync()
    assert prepared.nbytes == 2 * 4 * sum(s[0] for s in SHAPES)


@pytest.mark.parametrize("adapter", sorted(ENGINES))
def test_a_path_without_a_benchmark_is_unsupported(adapter):
    with pytest.raises(Unsupported):
        ENGINES[adapter].prepare_step(SHAPES, Adam(), "legacy", "float32")


SHARDED = [(n, p) for n, p in CASES if p in DISTRIBUTED_PATHS]


@pytest.mark.parametrize(("adapter", "path"), [c for c in SHARDED if c[0] == "torch"])
def test_a_distributed_step_reports_each_rank_and_its_collectives(adapter, path):
    """On 2 ranks each rank times its own steps and counts what it hands to collectives: a
    ZeRO step broadcasts every parameter (each rank owns half and receives the other half),
    an FSDP2 optimiser step over DTensor shards communicates nothing (its all-gather is in
    the forward pass)."""
    adam = natural_rule(ENGINES[adapter].info(), "Adam")
    prepared = ENGINES[adapter].prepare_sharded(SHAPES, adam, path, "float32", 2)
    for _ in range(3):
        prepared.step()
    prepared.sync()
    report = prepared.rank_report()
    prepared.close()
    assert report is not None and len(report.step_seconds) == 2
    assert all(s > 0 for s in report.step_seconds)
    parameter_bytes = 4 * sum(s[0] for s in SHAPES)
    expected = {"zero": parameter_bytes, "fsdp": 0}[path]
    assert report.collective_bytes == (expected, expected)


@pytest.mark.parametrize(("adapter", "path"), SHARDED)
def test_a_distributed_working_set_is_every_ranks_holding(adapter, path):
    """Adam on 2 ranks: ZeRO keeps the parameters and gradients whole on each rank and the
    moments split; FSDP2 and a JAX mesh split all three."""
    adam = natural_rule(ENGINES[adapter].info(), "Adam")
    prepared = ENGINES[adapter].prepare_sharded(SHAPES, adam, path, "float32", 2)
    prepared.close()
    elements = sum(s[0] for s in SHAPES)
    arrays = {"zero": 2 * 2 + 2, "fsdp": 2 + 2, "sharded": 2 + 2}[path]
    assert arrays * 4 * elements <= prepared.nbytes <= arrays * 4 * elements + 256


def test_collectives_in_a_compiled_step_are_counted_from_its_hlo():
    jax_sharded = pytest.importorskip("optconf.bench.engines.jax_sharded")
    hlo = ("  %p = f32[250]{0} parameter(0)\n"
           "  %all-reduce.3 = f32[] all-reduce(f32[] %x), replica_groups={{0,1}}\n"
           "  %all-gather = f64[500,2]{1,0} all-gather(f64[250,2]{1,0} %y), dimensions={0}\n"
           "  %add = f32[250]{0} add(%p, %p)\n")
    assert jax_sharded.collective_bytes(hlo) == 4 + 8 * 1000


def test_a_global_norm_over_a_jax_mesh_needs_a_collective_and_adam_none():
    """ClipGlobalNorm's norm sums over every shard, so XLA inserts an all-reduce; Adam is
    elementwise on matching shardings and needs none."""
    jax_sharded = pytest.importorskip("optconf.bench.engines.jax_sharded")
    from optconf.reference.rules import ClipGlobalNorm, OptimiserChain

    clipped = jax_sharded.prepare(SHAPES, OptimiserChain(ClipGlobalNorm(1.0), Descent(0.1)),
                                  "sharded", "float32", 2)
    clipped.close()
    adam = jax_sharded.prepare(SHAPES, natural_rule(ENGINES["jax"].info(), "Adam"), "sharded",
                               "float32", 2)
    for _ in range(2):
        adam.step()
    adam.sync()
    report = adam.rank_report()
    adam.close()
    assert clipped.communicated > 0
    assert report.collective_bytes == (0, 0) and report.step_seconds[0] > 0
