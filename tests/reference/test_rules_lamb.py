"""LAMB (LAMB-1 .. LAMB-3): Adam's ratio plus decoupled decay, scaled per array by
||x|| / ||r||, ratio 1 at zero norms."""

import math

import numpy as np

from optconf.reference.rules import LAMB

from .rules_support import GOLDEN, final_state, steps

RULE = LAMB(eta=0.1, beta=(0.5, 0.75), epsilon=0.0, lambda_=0.5)


def test_first_step_scales_adam_ratio_plus_decay_by_the_trust_ratio():  # LAMB-1
    # mhat = g, vhat = g^2: Adam ratio = sign(g) = [1, -1]; r = [1, -1] + 0.5*[3, 4] = [2.5, 1]
    # step = 0.1 * (5 / ||r||) * r
    got = steps(RULE, [[2.0, -4.0]], x=[3.0, 4.0])[0]
    np.testing.assert_allclose(got, [0.1 * 5 / math.sqrt(7.25) * c for c in (2.5, 1.0)],
                               **GOLDEN)


def test_second_step_uses_bias_corrected_moments():  # LAMB-1
    # m = [0.5, 1], v = [0.75, 7]; bc1 = 0.75, bc2 = 0.4375
    mhat = [0.5 / 0.75, 1.0 / 0.75]
    vhat = [0.75 / 0.4375, 7.0 / 0.4375]
    r = [m / math.sqrt(v) + 0.5 * x for m, v, x in zip(mhat, vhat, (3.0, 4.0), strict=True)]
    ratio = 5 / math.hypot(*r)
    got = steps(RULE, [[2.0, -4.0], [0.0, 4.0]], x=[3.0, 4.0])[1]
    np.testing.assert_allclose(got, [0.1 * ratio * c for c in r], **GOLDEN)


def test_zero_parameter_has_ratio_one():  # LAMB-2
    # x = 0: step = eta * sign(g) at t = 1 with epsilon 0
    assert steps(RULE, [[2.0, -4.0]])[0].tolist() == [0.1, -0.1]


def test_zero_update_stays_zero():  # LAMB-2
    assert steps(LAMB(lambda_=0.0), [[0.0, 0.0]], x=[3.0, 4.0])[0].tolist() == [0.0, 0.0]


def test_state_is_adams():  # LAMB-3
    state = final_state(LAMB(beta=(0.5, 0.75)), [[2.0, -4.0]])
    assert state.mu.tolist() == [1.0, -2.0] and state.nu.tolist() == [1.0, 4.0]
    assert state.beta_t == (0.25, 0.5625)
    assert not LAMB.elementwise
