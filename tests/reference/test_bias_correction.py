"""Bias correction after ``adjust(beta=...)`` (ADAM-2, decision a): the normative form divides
by one minus the product of the betas actually applied, this step's included; "lagged"
(Optimisers.jl) and "recompute" (torch, optax) are variants.  The goldens are the audit's
step table: Adam(0.1), epsilon 0, constant gradient 1, betas (0.9, 0.999) for two steps and
(0.5, 0.9) for two.  The moments are then m = 0.1, 0.19, 0.595, 0.7975 and
v = 0.001, 0.001999, 0.1017991, 0.19161919, which are exactly one minus the products of the
betas applied, so the unbiased step is eta = 0.1 throughout.
"""

import dataclasses
import math

import numpy as np
import pytest

from optconf.reference import adjust_, setup, update_
from optconf.reference.rules import (
    AdaBelief,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    NAdam,
    OAdam,
    RAdam,
)

from .rules_support import GOLDEN

OLD, NEW = (0.9, 0.999), (0.5, 0.9)
M = [0.1, 0.19, 0.595, 0.7975]
V = [0.001, 0.001999, 0.1017991, 0.19161919]


def adam_step(t: int, b1t: float, b2t: float) -> float:
    """Step t (1-based) of the table divided by b1t, b2t: 0.1 * (m/(1-b1t)) / sqrt(v/(1-b2t))."""
    return 0.1 * (M[t - 1] / (1 - b1t)) / math.sqrt(V[t - 1] / (1 - b2t))


def run(rule, *, adjust_before: int, steps: int = 4, grad: float = 1.0) -> list[float]:
    """The steps of ``rule`` on one parameter with a constant gradient, its beta set to NEW
    just before step ``adjust_before`` (1-based)."""
    model = {"x": np.zeros(1)}
    state = setup(rule, model)
    out = []
    for t in range(1, steps + 1):
        if t == adjust_before:
            adjust_(state, beta=NEW)
        before = model["x"].copy()
        update_(state, model, {"x": np.full(1, grad)})
        out.append(float((before - model["x"])[0]))
    return out


TABLE = {
    # the products applied: (0.9, 0.81, 0.405, 0.2025) and (0.999, 0.998001, 0.8982009, ...)
    "applied": [0.1, 0.1, 0.1, 0.1],
    # Optimisers.jl: step 3 divides by the powers precomputed with the old beta, 0.9^3,
    # 0.999^3; step 4 by those times the new beta
    "lagged": [0.1, 0.1, adam_step(3, 0.729, 0.997002999),
               adam_step(4, 0.729 * 0.5, 0.997002999 * 0.9)],
    # torch, optax: the current beta to the power t
    "recompute": [0.1, 0.1, adam_step(3, 0.5**3, 0.9**3), adam_step(4, 0.5**4, 0.9**4)],
}


@pytest.mark.parametrize("how", list(TABLE))
def test_adam_step_table_after_adjusting_beta(how):  # ADAM-2
    got = run(Adam(0.1, OLD, 0.0, variant=f"bias_correction={how}"), adjust_before=3)
    np.testing.assert_allclose(got, TABLE[how], **GOLDEN)


def test_the_table_rounds_as_the_audit_quotes_it():  # ADAM-2
    assert [round(s, 4) for s in TABLE["lagged"]] == [0.1, 0.1, 0.0377, 0.0919]
    assert [round(s, 3) for s in TABLE["recompute"]] == [0.1, 0.1, 0.111, 0.114]


def test_applied_is_the_normative_form():  # ADAM-2, RULE-5
    assert Adam().axis("bias_correction") == "applied"
    assert run(Adam(0.1, OLD, 0.0), adjust_before=3) == run(
        Adam(0.1, OLD, 0.0, variant="bias_correction=applied"), adjust_before=3)


BIAS_CORRECTED = [Adam(0.1, OLD), AdamW(0.1, OLD, lambda_=0.01), NAdam(0.1, OLD),
                  RAdam(0.1, OLD), OAdam(0.1, OLD), AdaBelief(0.1, OLD), AdaMax(0.1, OLD),
                  AMSGrad(0.1, OLD, variant="torch"), AMSGrad(0.1, OLD, variant="optax")]
IDS = [f"{type(r).__name__}-{r.variant}" for r in BIAS_CORRECTED]


def with_correction(rule, how: str):
    """``rule`` with its bias correction set to ``how``, its other axes as they are."""
    others = ", ".join(f"{axis}={rule.axis(axis)}" for axis in rule.axes
                       if axis != "bias_correction")
    return dataclasses.replace(
        rule, variant=", ".join(filter(None, [others, f"bias_correction={how}"])))


@pytest.mark.parametrize("rule", BIAS_CORRECTED, ids=IDS)
def test_constant_beta_applied_equals_lagged_bit_for_bit(rule):  # ADAM-2
    applied = run(with_correction(rule, "applied"), adjust_before=0, steps=6, grad=0.3)
    lagged = run(with_correction(rule, "lagged"), adjust_before=0, steps=6, grad=0.3)
    recompute = run(with_correction(rule, "recompute"), adjust_before=0, steps=6, grad=0.3)
    assert applied == lagged
    np.testing.assert_allclose(recompute, applied, **GOLDEN)


@pytest.mark.parametrize("rule", BIAS_CORRECTED, ids=IDS)
@pytest.mark.parametrize("how", ["applied", "recompute"])
def test_adjust_before_the_first_step_equals_setup_with_the_new_beta(rule, how):  # ADAM-2
    adjusted = run(with_correction(rule, how), adjust_before=1, steps=3, grad=0.3)
    fresh = dataclasses.replace(with_correction(rule, how), beta=NEW)
    assert adjusted == run(fresh, adjust_before=0, steps=3, grad=0.3)


@pytest.mark.parametrize("rule", BIAS_CORRECTED, ids=IDS)
def test_lagged_keeps_the_setup_beta_in_the_first_step_after_adjust(rule):  # ADAM-2
    adjusted = run(with_correction(rule, "lagged"), adjust_before=1, steps=1, grad=0.3)
    applied = run(with_correction(rule, "applied"), adjust_before=1, steps=1, grad=0.3)
    assert adjusted != applied


@pytest.mark.parametrize("rule", BIAS_CORRECTED, ids=IDS)
def test_the_three_forms_differ_after_a_mid_run_adjust(rule):  # ADAM-2
    got = {how: run(with_correction(rule, how), adjust_before=3, steps=4, grad=0.3)
           for how in ("applied", "lagged", "recompute")}
    assert got["applied"][:2] == got["lagged"][:2]
    assert len({tuple(steps[2:]) for steps in got.values()}) == 3


def test_nadam_look_ahead_is_the_applied_product_times_the_new_beta1():  # NADAM-1, ADAM-2
    # NAdam(1, (0.5, 0.75), 0): g = 2 gives m = 1, v = 1; adjust to (0.25, 0.5); g = 1 keeps
    # m = 1, v = 1.  Products applied: 0.5*0.25 = 0.125, 0.75*0.5 = 0.375; the look-ahead
    # power is 0.125*0.25:  (0.25*1/(1 - 0.03125) + 0.75*1/0.875) / sqrt(0.5*1/0.625)
    model = {"x": np.zeros(1)}
    state = setup(NAdam(1.0, (0.5, 0.75), 0.0), model)
    update_(state, model, {"x": np.full(1, 2.0)})
    adjust_(state, beta=(0.25, 0.5))
    before = model["x"].copy()
    update_(state, model, {"x": np.ones(1)})
    want = (0.25 / (1 - 0.03125) + 0.75 / 0.875) / math.sqrt(0.5 / 0.625)
    np.testing.assert_allclose(before - model["x"], [want], **GOLDEN)


def test_radam_rho_uses_the_applied_product_and_the_current_beta2():  # RADAM-1, ADAM-2
    # RAdam(1, (0.5, 0.5), 0) for 5 steps of g = 1 (m = v = 1 - 0.5^t), then beta2 = 0.9:
    # step 6 has the products 0.5^6 and 0.5^5*0.9, rho_inf = 2/0.1 - 1 = 19 and
    # rho_6 = 19 - 2*6*P/(1 - P), P = 0.028125: tractable, r from rho_6
    model = {"x": np.zeros(1)}
    state = setup(RAdam(1.0, (0.5, 0.5), 0.0), model)
    for _ in range(5):
        update_(state, model, {"x": np.ones(1)})
    adjust_(state, beta=(0.5, 0.9))
    before = model["x"].copy()
    update_(state, model, {"x": np.ones(1)})
    p1, p2 = 0.5**6, 0.5**5 * 0.9
    m, v = 1 - p1, 0.9 * (1 - 0.5**5) + 0.1
    rho_inf = 19.0
    rho = rho_inf - 2 * 6 * p2 / (1 - p2)
    r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    np.testing.assert_allclose(before - model["x"], [r * (m / (1 - p1)) / math.sqrt(v / (1 - p2))],
                               **GOLDEN)


def test_state_shows_the_powers_the_coming_step_divides_by():  # ADAM-4, TOL-7
    # applied: product so far times the current beta; recompute: beta**(t+1); lagged: kept
    shown = {}
    for how in ("applied", "lagged", "recompute"):
        model = {"x": np.zeros(1)}
        state = setup(Adam(0.1, OLD, variant=f"bias_correction={how}"), model)
        update_(state, model, {"x": np.ones(1)})
        adjust_(state, beta=NEW)
        shown[how] = state["x"].observed().beta_t
    assert shown["applied"] == (0.9 * 0.5, 0.999 * 0.9)
    assert shown["lagged"] == (0.9 * 0.9, 0.999 * 0.999)
    assert shown["recompute"] == (0.5**2, 0.9**2)


def test_a_none_gradient_does_not_advance_the_product():  # ADAM-2, UPD-5
    model = {"a": np.zeros(1), "b": np.zeros(1)}
    state = setup(Adam(0.1, OLD), model)
    update_(state, model, {"a": np.ones(1), "b": None})
    assert state["a"].state.beta_t == OLD and state["b"].state.beta_t == (1.0, 1.0)
