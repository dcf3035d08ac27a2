"""Every engine's prepared benchmark step runs the real update: after a few timed-style
calls its parameters are the reference's Adam trajectory within the tolerance model, on every
path the adapter declares (so the benchmark never times a no-op or a different rule)."""

import numpy as np
import pytest

from optconf.adapters.protocol import Unsupported
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
    prepared = engine.prepare_step(SHAPES, rule, path, "float32")
    for _ in range(STEPS):
        prepared.step()
    prepared.sync()
    got = np.concatenate([p.ravel() for p in prepared.parameters()]).astype(np.float64)
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
