"""Adam, AdamW, NAdam, RAdam, OAdam, AdaBelief: golden steps, bookkeeping and variants
(ADAM, ADAMW, NADAM, RADAM, OADAM, ADABELIEF clauses).

Most goldens use eta = 0.5, beta = (0.5, 0.75), epsilon = 0 and the gradients g = [2, -1]
then [1, 1]: step 1 has m = [1, -0.5], v = [1, 0.25], bc1 = 0.5, bc2 = 0.25, so
m/bc1 = [2, -1], v/bc2 = [4, 1]; step 2 has m = [1, 0.25], v = [1, 0.4375], bc1 = 0.75,
bc2 = 0.4375.
"""

import math

import numpy as np
import pytest

from optconf.reference import setup, update_
from optconf.reference.rules import AdaBelief, Adam, AdamW, NAdam, OAdam, RAdam

from .rules_support import GOLDEN, final_state, steps

BETA = (0.5, 0.75)
GRADS = [[2.0, -1.0], [1.0, 1.0]]


def test_adam_golden():  # ADAM-1
    # step 1: 0.5*[2/2, -1/1];  step 2: 0.5*[(1/0.75)/sqrt(1/0.4375), (0.25/0.75)/1]
    got = steps(Adam(0.5, BETA, 0.0), GRADS)
    np.testing.assert_allclose(got, [[0.5, -0.5], [0.44095855184409843, 0.16666666666666666]],
                               **GOLDEN)


def test_adam_epsilon_after_bias_correction_outside_the_root():  # ADAM-3
    # 0.5*2/(sqrt(4) + 1) = 1/3; inside the root it would be 1/sqrt(5), before correction 1/2
    np.testing.assert_allclose(steps(Adam(0.5, BETA, 1.0), [[2.0]])[0], [1 / 3], **GOLDEN)


def test_adam_beta_powers_advance_on_zero_gradient_not_on_none():  # ADAM-2
    model = {"a": np.zeros(1), "b": np.zeros(1)}
    state = setup(Adam(0.5, BETA), model)
    assert state["a"].observed().beta_t == BETA
    update_(state, model, {"a": np.zeros(1), "b": None})
    assert state["a"].observed().beta_t == (0.25, 0.5625)
    assert state["b"].observed().beta_t == BETA


def test_adamw_coupled_and_decoupled_golden():  # ADAMW-1, ADAMW-2
    # Adam step at eta = 1: a = [1, -1]; x = [4, -2], lambda_ = 0.25
    # couple: 0.5*([1, -1] + 0.25*[4, -2]) = [1, -0.75];  not: 0.5*[1, -1] + [1, -0.5]
    x = [4.0, -2.0]
    coupled = AdamW(0.5, BETA, lambda_=0.25, epsilon=0.0)
    decoupled = AdamW(0.5, BETA, lambda_=0.25, epsilon=0.0, couple=False)
    assert steps(coupled, [[2.0, -1.0]], x=x)[0].tolist() == [1.0, -0.75]
    assert steps(decoupled, [[2.0, -1.0]], x=x)[0].tolist() == [1.5, -1.0]


def test_adamw_with_no_decay_is_adam():  # ADAMW-1
    np.testing.assert_array_equal(steps(AdamW(0.5, BETA, epsilon=0.0), GRADS),
                                  steps(Adam(0.5, BETA, 0.0), GRADS))


def test_adamw_floors_float16_epsilon_like_adam():  # ADAMW-3, RULE-7 (decision c)
    # g = 1e-4 in float16: g^2 underflows to 0, so the denominator is epsilon alone;
    # the floor makes it 1e-7 (finite step); Optimisers.jl's AdamW keeps 1e-8, 0 in float16
    with np.errstate(divide="ignore"):
        adam = steps(Adam(), [[1e-4]], dtype=np.float16)[0]
        adamw = steps(AdamW(), [[1e-4]], dtype=np.float16)[0]
        upstream = steps(AdamW(variant="optimisers"), [[1e-4]], dtype=np.float16)[0]
    assert np.isfinite(adamw).all() and np.isinf(upstream).all()
    np.testing.assert_array_equal(adamw, adam)


def test_adamw_zero_float16_gradient_leaves_the_parameter_unless_unfloored():  # ADAMW-3
    # a masked token's zero gradient: 0/(0 + 1e-7) = 0, but 0/(0 + 0) = nan upstream
    with np.errstate(invalid="ignore"):
        floored = steps(AdamW(), [[0.0]], dtype=np.float16)[0]
        upstream = steps(AdamW(variant="epsilon_floor=none"), [[0.0]], dtype=np.float16)[0]
    assert floored.tolist() == [0.0] and np.isnan(upstream).all()


def test_nadam_golden_with_the_extra_beta2():  # NADAM-1, NADAM-2
    # step 1: (0.5*1/(1 - 0.25) + 0.5*2/0.5) / sqrt(0.75*1/0.25) * 0.5
    # step 2 (g = 1): (0.5*1/(1 - 0.125) + 0.5*1/0.75) / sqrt(0.75*1/0.4375) * 0.5
    got = steps(NAdam(0.5, BETA, 0.0), [[2.0], [1.0]])
    np.testing.assert_allclose(np.concatenate(got), [0.769800358919501, 0.4728054288446502],
                               **GOLDEN)


def test_nadam_optax_variant_drops_the_extra_beta2():  # NADAM-3
    # the same numerators over sqrt(1/0.25) = 2 and sqrt(1/0.4375)
    got = steps(NAdam(0.5, BETA, 0.0, variant="optax"), [[2.0], [1.0]])
    np.testing.assert_allclose(np.concatenate(got), [0.6666666666666666, 0.4094615124266629],
                               **GOLDEN)


# RAdam with default betas, g = 1 throughout, eta = 1, epsilon = 0: m/bc1 = v/bc2 = 1, so an
# unrectified step is 1 and a rectified one is r_t.  rho_t = 1, 2.0, 3.0, 3.997, 4.996, 5.994
# for t = 1..6 (RADAM-2); r_5 = 0.017311503166315034, r_6 = 0.02582111280185855, from
# r = sqrt((rho-4)(rho-2)rho_inf/((rho_inf-4)(rho_inf-2)rho)), rho_inf = 1999.
R5, R6 = 0.017311503166315034, 0.02582111280185855


@pytest.mark.parametrize(("variant", "step5"), [("optimisers", R5), ("torch", 1.0),
                                                ("optax", 1.0)])
def test_radam_rectifies_from_the_threshold(variant, step5):  # RADAM-1, RADAM-2, RADAM-3
    got = np.concatenate(steps(RAdam(1.0, epsilon=0.0, variant=variant), [[1.0]] * 6))
    np.testing.assert_allclose(got, [1.0, 1.0, 1.0, 1.0, step5, R6], **GOLDEN)


def test_radam_counts_steps_from_one():  # RADAM-1
    assert RAdam().init(np.zeros(1)).t == 1
    assert final_state(RAdam(), [[1.0]] * 3).t == 4


def test_radam_torch_adds_epsilon_to_the_uncorrected_root():  # RADAM-3
    # t = 6, epsilon = 0.5, v = bc2: normative r/(1 + 0.5); torch r*sqrt(bc2)/(sqrt(bc2) + 0.5)
    bc2 = 1 - 0.999**6
    normative = steps(RAdam(1.0, epsilon=0.5), [[1.0]] * 6)[-1]
    torch = steps(RAdam(1.0, epsilon=0.5, variant="torch"), [[1.0]] * 6)[-1]
    np.testing.assert_allclose(normative, [R6 / 1.5], **GOLDEN)
    np.testing.assert_allclose(torch, [R6 * math.sqrt(bc2) / (math.sqrt(bc2) + 0.5)], **GOLDEN)


def test_oadam_golden():  # OADAM-1, OADAM-2
    # Adam steps a1 = [0.5, -0.5], a2 = [0.44095855184409843, 1/6] (test_adam_golden);
    # step 1 = 2*a1 - 0, step 2 = 2*a2 - a1
    got = steps(OAdam(0.5, BETA, 0.0), GRADS)
    np.testing.assert_allclose(got, [[1.0, -1.0], [0.38191710368819687, 0.8333333333333333]],
                               **GOLDEN)


def test_adabelief_golden_uses_the_new_mean():  # ADABELIEF-1, ADABELIEF-2
    # g = 2: m = 1, s = 0.25*(2 - 1)^2 = 0.25: 0.5*(1/0.5)/sqrt(0.25/0.25) = 1
    # g = 1: m = 1, s = 0.75*0.25 + 0.25*0 = 0.1875: 0.5*(1/0.75)/sqrt(0.1875/0.4375)
    got = steps(AdaBelief(0.5, BETA, 0.0), [[2.0], [1.0]])
    np.testing.assert_allclose(np.concatenate(got), [1.0, 1.0183501544346312], **GOLDEN)


def test_adabelief_epsilon_in_the_state_and_outside_the_root():  # ADABELIEF-2
    # s = 0.25 + 0.25 = 0.5, s/bc2 = 2: 0.5*2/(sqrt(2) + 0.25)
    rule = AdaBelief(0.5, BETA, 0.25)
    np.testing.assert_allclose(steps(rule, [[2.0]])[0], [0.6008844192893393], **GOLDEN)
    assert final_state(rule, [[2.0]]).nu.tolist() == [0.5]
