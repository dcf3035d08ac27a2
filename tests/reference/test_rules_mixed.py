"""MixedPrecision: the inner rule runs on a higher-precision copy of x kept in the state, and
x is written from the copy (MIXED-1 .. MIXED-4, RULE-2's exception, UPD-8)."""

import numpy as np
import pytest

from optconf.reference import adjust_, setup, update, update_
from optconf.reference.rules import (
    Adam,
    ClipGlobalNorm,
    ClipNorm,
    Descent,
    Momentum,
    OptimiserChain,
)
from optconf.reference.rules.mixed import MixedPrecision

from .rules_support import frozen_array

F16 = np.float16


def half(values):
    return np.array(values, dtype=F16)


def test_the_state_keeps_a_copy_at_the_precision_and_the_inner_state_for_it():  # MIXED-1
    x = half([0.5, -2.0])
    state = MixedPrecision(Adam()).init(x)
    assert state.xT.dtype == np.float32 and state.xT.tolist() == [0.5, -2.0]
    assert state.inner.mu.dtype == np.float32
    assert MixedPrecision(Adam(), precision="float64").init(x).xT.dtype == np.float64


def test_steps_too_small_for_float16_accumulate_in_the_copy():  # MIXED-2
    plain, mixed = {"w": half([1.0])}, {"w": half([1.0])}
    plain_state = setup(Descent(1e-4), plain)
    mixed_state = setup(MixedPrecision(Descent(1e-4)), mixed)
    for _ in range(10):
        update_(plain_state, plain, {"w": half([1.0])})
        update_(mixed_state, mixed, {"w": half([1.0])})
    assert plain["w"].tolist() == [1.0]  # 1 - 1e-4 rounds back to 1 in float16
    xT = np.float32(1.0)
    for _ in range(10):
        xT = np.float32(xT - np.float32(1e-4) * np.float32(1.0))
    assert mixed_state["w"].state.xT[0] == xT
    assert mixed["w"][0] == F16(xT) and mixed["w"][0] < 1.0


def test_the_copy_follows_the_inner_rule_on_a_float32_array_bit_for_bit():  # MIXED-2
    rng = np.random.default_rng(0)
    x16 = rng.normal(size=4).astype(F16)
    grads = [rng.normal(size=4).astype(F16) for _ in range(5)]
    mixed, single = {"w": x16.copy()}, {"w": x16.astype(np.float32)}
    mixed_state, single_state = setup(MixedPrecision(Adam(0.01)), mixed), setup(Adam(0.01), single)
    for g in grads:
        update_(mixed_state, mixed, {"w": g})
        update_(single_state, single, {"w": g.astype(np.float32)})
    np.testing.assert_array_equal(mixed_state["w"].state.xT, single["w"])
    np.testing.assert_array_equal(mixed["w"], single["w"].astype(F16))


def test_a_read_only_parameter_gets_the_difference_as_its_step():  # MIXED-2
    x = frozen_array([1.0], F16)
    rule = MixedPrecision(Descent(0.25))
    state, step = rule.apply(rule.init(x), x, frozen_array([1.0], F16))
    assert state.xT.tolist() == [0.75] and step.dtype == F16 and step.tolist() == [0.25]


def test_it_cannot_sit_inside_a_chain_but_may_wrap_one():  # MIXED-3
    with pytest.raises(ValueError, match="MIXED-3"):
        OptimiserChain(ClipNorm(), MixedPrecision(Descent()))
    x = half([3.0, 4.0])
    rule = MixedPrecision(OptimiserChain(ClipNorm(1.0), Descent(1.0)))
    update_(setup(rule, x), x, half([3.0, 4.0]))
    assert x.tolist() == [F16(3.0 - 0.6), F16(4.0 - 0.8)]


def test_adjust_changes_the_inner_rule_and_keeps_the_precision():  # MIXED-4, ADJ-3
    rule = MixedPrecision(Momentum(0.1, 0.9), precision="float64")
    assert rule.adjusted(eta=0.5) == MixedPrecision(Momentum(0.5, 0.9), precision="float64")
    with pytest.raises(TypeError, match="no hyperparameter 'precision'"):
        rule.adjusted(precision="float32")


def test_a_positional_eta_adjusts_the_inner_rule_of_a_state():  # MIXED-4, ADJ-1
    state = setup(MixedPrecision(Momentum(0.1, 0.9)), half([1.0]))
    adjust_(state, 0.5)
    assert state.rule == MixedPrecision(Momentum(0.5, 0.9))


def test_a_failing_update_leaves_every_parameter_and_copy_as_it_was():  # UPD-8
    model = {"a": half([1.0]), "b": half([2.0])}
    state = setup(MixedPrecision(OptimiserChain(ClipNorm(1.0), Descent(0.5))), model)
    with pytest.raises(Exception, match=r"model\['b'\]"):
        update_(state, model, {"a": half([1.0]), "b": half([np.inf])})
    assert model["a"].tolist() == [1.0] and state["a"].state.xT.tolist() == [1.0]


def test_a_global_norm_inner_rule_sees_the_norm_over_every_array():  # RULE-8
    model = {"a": half([0.0]), "b": half([0.0])}
    update_(setup(MixedPrecision(ClipGlobalNorm(1.0)), model), model,
            {"a": half([3.0]), "b": half([4.0])})
    assert model["a"].tolist() == [F16(-0.6)] and model["b"].tolist() == [F16(-0.8)]


def test_the_copying_update_leaves_the_callers_parameter_alone():  # UPD-3
    model = {"w": half([1.0])}
    _, new = update(setup(MixedPrecision(Descent(0.5)), model), model, {"w": half([1.0])})
    assert model["w"].tolist() == [1.0] and new["w"].tolist() == [0.5]


def test_the_precision_must_be_a_float_dtype_name():  # MIXED-1
    with pytest.raises(ValueError, match="precision='int32'"):
        MixedPrecision(Adam(), precision="int32")
