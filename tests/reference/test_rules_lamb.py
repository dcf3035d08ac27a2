"""LAMB (LAMB-1 .. LAMB-4): Adam's ratio plus decoupled decay, scaled per array by
||x|| / ||r||, ratio 1 at zero norms; Adam's bias_correction axis."""

import math

import numpy as np

from optconf.reference import adjust_, setup, update_
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
    rule = LAMB(beta=(0.5, 0.75))
    state = final_state(rule, [[2.0, -4.0]])
    assert state.mu.tolist() == [1.0, -2.0] and state.nu.tolist() == [1.0, 4.0]
    assert rule.observed(state).beta_t == (0.25, 0.5625)
    assert not LAMB.elementwise


def lamb_steps(how: str, *, adjust_before: int) -> list[list[float]]:
    """Four steps of LAMB(0.1, (0.9, 0.999), 0, lambda_=0.5) in bias-correction form ``how``
    on x = [3, 4], gradients [0.3, -0.2], [0.1, 0.4], ..., beta set to (0.5, 0.9) just
    before step ``adjust_before`` (1-based; 0: never)."""
    model = {"x": np.array([3.0, 4.0])}
    state = setup(LAMB(0.1, (0.9, 0.999), 0.0, 0.5, variant=f"bias_correction={how}"), model)
    out = []
    for t, g in enumerate([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.3, 0.3]], start=1):
        if t == adjust_before:
            adjust_(state, beta=(0.5, 0.9))
        before = model["x"].copy()
        update_(state, model, {"x": np.array(g)})
        out.append((before - model["x"]).tolist())
    return out


def test_bias_correction_is_adams_axis_applied_normative():  # LAMB-4, ADAM-2, RULE-5
    assert LAMB.axes["bias_correction"] == ("applied", "lagged", "recompute")
    assert LAMB().axis("bias_correction") == "applied"
    assert LAMB(variant="tinygrad").axis("bias_correction") == "applied"
    assert LAMB(variant="optax").axis("bias_correction") == "recompute"
    assert LAMB(variant="optimisers").axis("bias_correction") == "lagged"


def test_constant_beta_applied_equals_lagged_bit_for_bit():  # LAMB-4
    # the running product from (1, 1) times this step's beta is the same float product as
    # the lagged one from beta read before the step's factor
    applied = lamb_steps("applied", adjust_before=0)
    assert applied == lamb_steps("lagged", adjust_before=0)
    np.testing.assert_allclose(lamb_steps("recompute", adjust_before=0), applied, **GOLDEN)


def test_the_three_forms_differ_after_a_mid_run_adjust():  # LAMB-4, ADJ-2
    # the decay lambda_*x does not scale with the bias correction, so the trust ratio does
    # not cancel it
    got = {how: lamb_steps(how, adjust_before=3) for how in ("applied", "lagged", "recompute")}
    assert got["applied"][:2] == got["lagged"][:2] == got["recompute"][:2]
    assert len({str(steps[2:]) for steps in got.values()}) == 3


def test_applied_after_adjust_divides_by_the_product_of_the_betas_applied():  # LAMB-4
    # step 3 after two steps at (0.9, 0.999) and one at (0.5, 0.9): b^t = (0.405, 0.8982009)
    model, rule = {"x": np.array([3.0, 4.0])}, LAMB(0.1, (0.9, 0.999), 0.0, 0.5)
    state = setup(rule, model)
    m, v = np.zeros(2), np.zeros(2)
    for t, g in enumerate([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]], start=1):
        b1, b2 = (0.9, 0.999) if t < 3 else (0.5, 0.9)
        m, v = b1 * m + (1 - b1) * np.array(g), b2 * v + (1 - b2) * np.square(g)
        if t == 3:
            adjust_(state, beta=(0.5, 0.9))
            x = model["x"].copy()
        update_(state, model, {"x": np.array(g)})
    r = (m / (1 - 0.9 * 0.9 * 0.5)) / np.sqrt(v / (1 - 0.999 * 0.999 * 0.9)) + 0.5 * x
    want = 0.1 * np.linalg.norm(x) / np.linalg.norm(r) * r
    np.testing.assert_allclose(x - model["x"], want, **GOLDEN)
