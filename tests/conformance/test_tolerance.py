"""The tolerance model (TOL-1 .. TOL-10): float32 rounding stays inside the bound, real bugs
fall outside it, exactness is declared where paths compute the same arithmetic, and every
rule has an entry."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from optconf.adapters.protocol import Program, Step
from optconf.adapters.reference import REFERENCE_ENGINE, ReferenceAdapter
from optconf.conformance import tolerance
from optconf.conformance.catalog import HYPERPARAMETERS, default_rule, rule_classes
from optconf.conformance.properties.common import expected
from optconf.reference import trainables
from optconf.reference.rules import (
    LAMB,
    LARS,
    Adam,
    ClipGlobalNorm,
    Descent,
    Lion,
    Momentum,
    Muon,
    OptimiserChain,
    RMSProp,
)

SPEC = Path(__file__).resolve().parents[2] / "docs" / "SPEC.md"


def adam_float32_torch_style(x0: np.ndarray, grads: list[np.ndarray], rule: Adam) -> np.ndarray:
    """torch.optim.Adam's single-tensor float32 arithmetic: moments in float32, bias
    corrections in Python float64, ``denom = sqrt(v)/sqrt(bc2) + eps``."""
    b1, b2 = rule.beta
    x = x0.astype(np.float32)
    m, v = np.zeros_like(x), np.zeros_like(x)
    for t, g in enumerate(grads, start=1):
        g32 = g.astype(np.float32)
        m = m * np.float32(b1) + g32 * np.float32(1 - b1)
        v = v * np.float32(b2) + g32 * g32 * np.float32(1 - b2)
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        denom = np.sqrt(v) / np.float32(np.sqrt(bc2)) + np.float32(rule.epsilon)
        x = x - np.float32(rule.eta / bc1) * (m / denom)
    return x


def adam_eps_inside_root(x0: np.ndarray, grads: list[np.ndarray], rule: Adam) -> np.ndarray:
    """The bug of optax #571's TF form: epsilon inside the square root (float64)."""
    b1, b2 = rule.beta
    x, m, v = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - rule.eta * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + rule.epsilon)
    return x


def _param_bound(program: Program, engine: str = "torch") -> tuple[np.ndarray, float]:
    want = expected(program)
    steps = sum(isinstance(op, Step) for op in program.ops)
    bound = tolerance.bound(engine, program.dtype, program.rule, "structured", steps)
    allowed = bound.allowed(want.value_scale[0]["param"], want.change_scale[0]["param"])
    return trainables(want.outcome.model)[0], allowed


@pytest.mark.parametrize("steps", [1, 10, 50])
def test_torch_style_float32_adam_stays_inside(steps: int) -> None:
    """TOL-1, TOL-3 .. TOL-5: an honest float32 implementation is within the bound."""
    rng = np.random.default_rng(steps)
    x0 = rng.normal(size=16).astype(np.float32).astype(np.float64)
    grads = [rng.normal(size=16).astype(np.float32).astype(np.float64) for _ in range(steps)]
    rule = Adam(eta=0.01)
    program = Program({"w": x0}, rule, tuple(Step({"w": g}) for g in grads), "float32")
    want, allowed = _param_bound(program)
    error = np.abs(adam_float32_torch_style(x0, grads, rule) - want).max()
    assert 0 < error <= allowed


def test_epsilon_inside_the_root_is_outside() -> None:
    """TOL-9: a real bug is not absorbed, even at float32 bounds, when gradients are small
    enough for epsilon to matter."""
    x0 = np.ones(4)
    grads = [np.full(4, 2.0**-13)] * 3
    rule = Adam(eta=0.01)
    program = Program({"w": x0}, rule, tuple(Step({"w": g}) for g in grads), "float32")
    want, allowed = _param_bound(program)
    error = np.abs(adam_eps_inside_root(x0, grads, rule) - want).max()
    assert error > 100 * allowed


def test_reference_float32_run_is_inside_for_every_rule() -> None:
    """The reference's own float32 arithmetic is a float32 engine: within the bound for
    each rule at its defaults over 6 steps (TOL-4)."""
    adapter = ReferenceAdapter()
    rng = np.random.default_rng(0)
    model = {"a": rng.normal(size=(2, 3)).astype(np.float32).astype(np.float64),
             "b": np.float64(1.5) * np.ones(2)}
    grads = [{"a": rng.normal(size=(2, 3)).astype(np.float32).astype(np.float64),
              "b": rng.normal(size=2).astype(np.float32).astype(np.float64)}
             for _ in range(6)]
    for name in rule_classes():
        rule = default_rule(name)
        program = Program(model, rule, tuple(Step(g) for g in grads), "float32")
        got = trainables(adapter.run(program, "structured").model)
        want = expected(program)
        bound = tolerance.bound(adapter.info().engine, "float32", rule, "structured", 6)
        for i, (g, w) in enumerate(zip(got, trainables(want.outcome.model), strict=True)):
            allowed = bound.allowed(want.value_scale[i]["param"], want.change_scale[i]["param"])
            assert np.abs(g - w).max() <= allowed, name


def test_bound_grows_with_steps_and_conditioning() -> None:
    """TOL-4, TOL-5."""
    few = tolerance.bound("torch", "float32", Adam(), "structured", 1).allowed(1.0, 1.0)
    many = tolerance.bound("torch", "float32", Adam(), "structured", 10).allowed(1.0, 1.0)
    assert many == pytest.approx(10 * few)
    assert tolerance.factor(Adam(beta=(0.9, 0.999))) > tolerance.factor(Adam(beta=(0.9, 0.9)))
    assert tolerance.factor(Momentum(rho=0.9)) == pytest.approx(4 * (1 + 10))
    chain = OptimiserChain(Descent(), Momentum())
    assert tolerance.factor(chain) == pytest.approx(tolerance.factor(Descent())
                                                    * tolerance.factor(Momentum()))


def test_exactness_is_declared_per_engine_dtype_and_path() -> None:
    """TOL-2."""
    assert tolerance.exact(REFERENCE_ENGINE, "float64", Adam(), "flat_vector")
    assert not tolerance.exact(REFERENCE_ENGINE, "float64", ClipGlobalNorm(), "flat_vector")
    assert tolerance.exact(REFERENCE_ENGINE, "float64", ClipGlobalNorm(), "flat_list")
    assert not tolerance.exact(REFERENCE_ENGINE, "float32", Adam(), "structured")
    assert not tolerance.exact("torch", "float64", Adam(), "structured")
    assert tolerance.bound(REFERENCE_ENGINE, "float64", Adam(), "flat_list", 3).allowed(
        1e9, 1e9) == 0.0


def test_underflow_has_an_absolute_floor() -> None:
    """TOL-1: a result below the smallest normal number errs by its spacing."""
    bound = tolerance.bound("torch", "float32", Descent(), "structured", 1)
    assert bound.allowed(0.0, 0.0) >= float(np.finfo(np.float32).smallest_subnormal)


def test_sign_based_and_unstable_rules_are_declared() -> None:
    """TOL-6."""
    assert tolerance.discontinuous(Lion())
    assert tolerance.discontinuous(OptimiserChain(Descent(), Lion()))
    assert not tolerance.discontinuous(Adam())
    assert all(map(tolerance.discontinuous, (LAMB(), LARS(), Muon())))
    assert not tolerance.well_conditioned(RMSProp(centred=True))
    assert tolerance.well_conditioned(RMSProp())


def test_gradient_bound_is_exact_only_for_the_reference_at_float64() -> None:
    """TOL-8."""
    assert tolerance.gradient_allowed(REFERENCE_ENGINE, "float64", 3.0) == 0.0
    assert tolerance.gradient_allowed("jax", "float32", 2.0) == pytest.approx(
        8 * 2.0**-23 * 2.0)


def test_every_rule_has_an_entry_and_a_strategy() -> None:
    """A new reference rule cannot pass by default (TOL-4): it needs a conditioning entry
    and a hyperparameter strategy."""
    for name in rule_classes():
        assert name in tolerance.CONDITIONING, name
        assert name in HYPERPARAMETERS or name == "OptimiserChain", name


def test_missing_entry_is_an_error() -> None:
    class Unknown(Descent):
        pass

    with pytest.raises(LookupError, match="no entry for Unknown"):
        tolerance.bound("torch", "float32", Unknown(), "structured", 1)


def test_spec_table_lists_every_entry() -> None:
    """The TOL-4 table in docs/SPEC.md has each rule with its rounding count."""
    text = SPEC.read_text()
    section = text[text.index("<!-- BEGIN tolerance -->"):text.index("<!-- END tolerance -->")]
    for name, entry in tolerance.CONDITIONING.items():
        assert re.search(rf"\| {name} \| {entry.roundings:g} \|", section), name


def test_bitwise_comparison_ignores_the_sign_of_zero() -> None:
    """TOL-10: tinygrad's flat vector holds +0.0 where the parameter is -0.0; one value."""
    got = np.array([0.0, -0.0, 1.5], dtype=np.float32)
    want = np.array([-0.0, 0.0, 1.5], dtype=np.float32)
    assert not tolerance.bitwise_mismatch(got, want).any()


def test_bitwise_comparison_still_sees_one_ulp_and_the_smallest_subnormal() -> None:
    """TOL-2: only the zero's sign is forgiven, not a zero for a subnormal nor a last bit."""
    want = np.array([0.0, 1.0, -0.0])
    got = np.array([5e-324, np.nextafter(1.0, 2.0), -5e-324])
    assert tolerance.bitwise_mismatch(got, want).tolist() == [True, True, True]
