"""LARS (LARS-1 .. LARS-4): the paper's trust ratio, its zero cases, the velocity, and the
"trust_norm=update" variant of optax."""

import numpy as np
import pytest

from optconf.reference.rules import LARS

from .rules_support import GOLDEN, final_state, steps

X = [3.0, 4.0]  # ||x|| = 5


def test_ratio_divides_by_gradient_norm_plus_decayed_parameter_norm():  # LARS-1
    # g ⟂ x, ||g|| = 5; lambda = 0.75: ratio = 0.875*5 / (5 + 0.75*5) = 0.5
    # step = 1 * 0.5 * (g + 0.75 x) = 0.5 * [6.25, 0]
    rule = LARS(eta=1.0, rho=0.5, lambda_=0.75, trust=0.875)
    assert steps(rule, [[4.0, -3.0]], x=X)[0].tolist() == [3.125, 0.0]


def test_update_norm_variant_divides_by_the_norm_of_the_decayed_gradient():  # LARS-4
    # ||g + 0.75 x|| = ||[6.25, 0]|| = 6.25: ratio = 0.875*5/6.25 = 0.7; step 0.7*[6.25, 0]
    rule = LARS(eta=1.0, rho=0.5, lambda_=0.75, trust=0.875, variant="trust_norm=update")
    np.testing.assert_allclose(steps(rule, [[4.0, -3.0]], x=X)[0], [4.375, 0.0], **GOLDEN)


def test_velocity_holds_eta_and_the_ratio():  # LARS-1, LARS-3
    # each step adds 0.5 * 2 * [1.35, 1.8] (ratio 0.9*5/(1 + 0.25*5) = 2); v2 = 0.5 v1 + that
    rule = LARS(eta=0.5, rho=0.5, lambda_=0.25, trust=0.9)
    got = steps(rule, [[0.6, 0.8], [0.6, 0.8]], x=X)
    np.testing.assert_allclose(got, [[1.35, 1.8], [2.025, 2.7]], **GOLDEN)


def test_velocity_starts_at_zero():  # LARS-3
    assert final_state(LARS(), [[0.0, 0.0]]).velocity.tolist() == [0.0, 0.0]


def test_zero_parameter_has_ratio_one():  # LARS-2
    # the paper's ratio would be 0 and a zero array would never move
    assert steps(LARS(eta=0.5, trust=0.001), [[2.0, 4.0]])[0].tolist() == [1.0, 2.0]


@pytest.mark.parametrize(("variant", "want"), [
    ("normative", [0.75, 1.0]),     # ratio 1: 0.5 * (0 + 0.5 x)
    ("trust_norm=update", [0.375, 0.5]),  # ratio 0.25*5/||0.5 x|| = 0.5
])
def test_zero_gradient_keeps_the_decay_step(variant, want):  # LARS-2, LARS-4
    rule = LARS(eta=0.5, lambda_=0.5, trust=0.25, variant=variant)
    assert steps(rule, [[0.0, 0.0]], x=X)[0].tolist() == want


def test_lars_is_per_array_and_refuses_a_zero_trust_coefficient():  # LARS-1
    assert not LARS.elementwise
    with pytest.raises(ValueError, match="trust"):
        LARS(trust=0.0)
