"""AdaMax and AMSGrad: golden steps and the torch / optax variants (ADAMAX, AMSGRAD
clauses).  eta = 0.5, beta = (0.5, 0.75) throughout."""

import numpy as np

from optconf.reference.rules import AdaMax, AMSGrad

from .rules_support import GOLDEN, final_state, steps

BETA = (0.5, 0.75)


def test_adamax_golden():  # ADAMAX-1
    # g1 = [2, -1]: m = [1, -0.5], u = [2, 1]: 0.5/0.5*[1/2, -0.5/1] = [0.5, -0.5]
    # g2 = [1, 1]: m = [1, 0.25], u = max([1.5, 0.75], [1, 1]) = [1.5, 1]:
    #   0.5/0.75*[1/1.5, 0.25/1] = [4/9, 1/6]
    got = steps(AdaMax(0.5, BETA, 0.0), [[2.0, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(got, [[0.5, -0.5], [4 / 9, 1 / 6]], **GOLDEN)


def test_adamax_torch_variant_puts_epsilon_inside_the_max():  # ADAMAX-2
    # epsilon 0.5, g = 2 then 1.  normative: u = 2 then max(1.5, 1) = 1.5:
    #   1*1/(2 + 0.5) = 0.4, then (0.5/0.75)*1/(1.5 + 0.5) = 1/3
    # torch: u = 2.5 then max(1.875, 1.5) = 1.875: 1/2.5 = 0.4, then (0.5/0.75)/1.875
    normative = steps(AdaMax(0.5, BETA, 0.5), [[2.0], [1.0]])
    torch = steps(AdaMax(0.5, BETA, 0.5, variant="torch"), [[2.0], [1.0]])
    np.testing.assert_allclose(np.concatenate(normative), [0.4, 1 / 3], **GOLDEN)
    np.testing.assert_allclose(np.concatenate(torch), [0.4, 0.35555555555555557], **GOLDEN)


GRADS = [[2.0], [1.0], [0.0]]  # m = 1, 1, 0.5;  v = 1, 1, 0.75


def test_amsgrad_golden_without_bias_correction():  # AMSGRAD-1
    # vmax = 1, 1, 1: 0.5*1/1, 0.5*1/1, 0.5*0.5/1 (the maximum keeps v = 1 at step 3)
    got = steps(AMSGrad(0.5, BETA, 0.0), GRADS)
    assert [s.tolist() for s in got] == [[0.5], [0.5], [0.25]]


def test_amsgrad_state_starts_at_epsilon():  # AMSGRAD-2
    state = AMSGrad(epsilon=0.25).init(np.zeros(2))
    assert [a.tolist() for a in state[:3]] == [[0.25, 0.25]] * 3
    assert state.beta_t == AMSGrad().beta


def test_amsgrad_torch_variant_maximum_over_raw_v():  # AMSGRAD-3
    # vmax = 1, 1, 1; step = 0.5/bc1 * m/(sqrt(vmax)/sqrt(bc2)):
    # 1*1/(1/0.5), (0.5/0.75)*1*sqrt(0.4375), (0.5/0.875)*0.5*sqrt(0.578125)
    rule = AMSGrad(0.5, BETA, 0.0, variant="torch")
    assert rule.init(np.zeros(1)).nu_max.tolist() == [0.0]
    np.testing.assert_allclose(np.concatenate(steps(rule, GRADS)),
                               [0.5, 0.44095855184409843, 0.2172415189392221], **GOLDEN)


def test_amsgrad_optax_variant_maximum_over_corrected_v():  # AMSGRAD-4
    # v/bc2 = 4, 2.2857, 1.2973, so vmax = 4 throughout; step = 0.5*(m/bc1)/2:
    # 0.5*2/2, 0.5*(1/0.75)/2, 0.5*(0.5/0.875)/2
    rule = AMSGrad(0.5, BETA, 0.0, variant="optax")
    np.testing.assert_allclose(np.concatenate(steps(rule, GRADS)),
                               [0.5, 1 / 3, 0.14285714285714285], **GOLDEN)
    assert final_state(rule, GRADS).nu_max.tolist() == [4.0]
