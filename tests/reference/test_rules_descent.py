"""Descent, Momentum, Nesterov: golden steps and the "torch" variants (DESCENT, MOMENTUM,
NESTEROV clauses).  All numbers here are dyadic, so every comparison is exact."""

import numpy as np

from optconf.reference import adjust_, setup, update_
from optconf.reference.rules import Descent, Momentum, Nesterov

from .rules_support import final_state, steps


def test_descent_scales_the_gradient():  # DESCENT-1
    assert steps(Descent(0.5), [[2.0, -4.0]])[0].tolist() == [1.0, -2.0]  # 0.5 * g


def test_descent_default_eta():  # DESCENT-1
    assert Descent().eta == 0.1


def test_momentum_golden_with_eta_inside_the_velocity():  # MOMENTUM-1, MOMENTUM-3
    # v1 = 0.5*0 + 0.5*2 = 1;  v2 = 0.5*1 + 0.5*4 = 2.5
    got = steps(Momentum(eta=0.5, rho=0.5), [[2.0], [4.0]])
    assert [s.tolist() for s in got] == [[1.0], [2.5]]
    assert final_state(Momentum(eta=0.5, rho=0.5), [[2.0], [4.0]]).velocity.tolist() == [2.5]


def test_momentum_torch_variant_equal_for_constant_eta():  # MOMENTUM-2
    # b1 = 2, step 0.5*2 = 1;  b2 = 0.5*2 + 4 = 5, step 0.5*5 = 2.5
    got = steps(Momentum(eta=0.5, rho=0.5, variant="torch"), [[2.0], [4.0]])
    assert [s.tolist() for s in got] == [[1.0], [2.5]]


def run_with_adjust(rule):
    """Two steps at eta 0.5, then eta adjusted to 0.25 and a third step with g = 8."""
    model = {"w": np.zeros(1)}
    state = setup(rule, model)
    for g in (2.0, 4.0):
        update_(state, model, {"w": np.array([g])})
    adjust_(state, 0.25)
    before = model["w"].copy()
    update_(state, model, {"w": np.array([8.0])})
    return (before - model["w"]).tolist()


def test_momentum_variants_differ_after_adjust():  # MOMENTUM-2, ADJ-2
    # normative: v3 = 0.5*2.5 + 0.25*8 = 3.25;  torch: b3 = 0.5*5 + 8 = 10.5, step 0.25*10.5
    assert run_with_adjust(Momentum(eta=0.5, rho=0.5)) == [3.25]
    assert run_with_adjust(Momentum(eta=0.5, rho=0.5, variant="torch")) == [2.625]


def test_nesterov_golden_uses_the_old_velocity():  # NESTEROV-1, NESTEROV-3
    # step1 = -0.25*0 + 1.5*0.5*2 = 1.5, v1 = 0 - 0.5*2 = -1
    # step2 = -0.25*(-1) + 1.5*0.5*4 = 3.25, v2 = 0.5*(-1) - 0.5*4 = -2.5
    rule = Nesterov(eta=0.5, rho=0.5)
    assert [s.tolist() for s in steps(rule, [[2.0], [4.0]])] == [[1.5], [3.25]]
    assert final_state(rule, [[2.0], [4.0]]).velocity.tolist() == [-2.5]


def test_nesterov_torch_variant_equal_for_constant_eta():  # NESTEROV-2, NESTEROV-3
    # b1 = 2, step 0.5*(2 + 0.5*2) = 1.5;  b2 = 0.5*2 + 4 = 5, step 0.5*(4 + 0.5*5) = 3.25
    rule = Nesterov(eta=0.5, rho=0.5, variant="torch")
    assert [s.tolist() for s in steps(rule, [[2.0], [4.0]])] == [[1.5], [3.25]]
    assert final_state(rule, [[2.0], [4.0]]).velocity.tolist() == [5.0]


def test_nesterov_variants_differ_after_adjust():  # NESTEROV-2
    # normative: -0.25*(-2.5) + 1.5*0.25*8 = 3.625;  torch: b3 = 2.5 + 8 = 10.5,
    # step 0.25*(8 + 0.5*10.5) = 3.3125
    assert run_with_adjust(Nesterov(eta=0.5, rho=0.5)) == [3.625]
    assert run_with_adjust(Nesterov(eta=0.5, rho=0.5, variant="torch")) == [3.3125]
