"""RMSProp, AdaGrad, AdaDelta: golden steps and epsilon placement (RMSPROP, ADAGRAD,
ADADELTA clauses)."""

import math

import numpy as np
import pytest

from optconf.reference import adjust, setup
from optconf.reference.rules import AdaDelta, AdaGrad, RMSProp

from .rules_support import GOLDEN, final_state, steps


def test_rmsprop_golden():  # RMSPROP-1
    # q1 = 0.5*4 = 2, step 0.5*2/sqrt(2);  q2 = 0.5*2 + 0.5*4 = 3, step 0.5*2/sqrt(3)
    got = steps(RMSProp(eta=0.5, rho=0.5, epsilon=0.0), [[2.0], [2.0]])
    np.testing.assert_allclose(np.concatenate(got), [0.7071067811865475, 0.5773502691896258],
                               **GOLDEN)


def test_rmsprop_centred_golden():  # RMSPROP-1
    # q1 = 2, l1 = 1: 1/sqrt(2 - 1) = 1;  q2 = 3, l2 = 0.5 + 1 = 1.5: 1/sqrt(3 - 2.25)
    got = steps(RMSProp(eta=0.5, rho=0.5, epsilon=0.0, centred=True), [[2.0], [2.0]])
    np.testing.assert_allclose(np.concatenate(got), [1.0, 1.1547005383792517], **GOLDEN)
    state = final_state(RMSProp(eta=0.5, rho=0.5, centred=True), [[2.0], [2.0]])
    assert (state.quad.tolist(), state.lin.tolist()) == ([3.0], [1.5])


def test_rmsprop_epsilon_outside_the_root():  # RMSPROP-2
    # 0.5*2/(sqrt(2) + 1) = sqrt(2) - 1; inside the root it would be 1/sqrt(3)
    got = steps(RMSProp(eta=0.5, rho=0.5, epsilon=1.0), [[2.0]])[0]
    np.testing.assert_allclose(got, [0.4142135623730951], **GOLDEN)


def test_rmsprop_plain_keeps_no_mean():  # RMSPROP-1
    assert final_state(RMSProp(), [[1.0]]).lin is None


def test_rmsprop_centred_cannot_be_adjusted():  # RMSPROP-3
    state = setup(RMSProp(), {"w": np.zeros(2)})
    with pytest.raises(TypeError, match="centred"):
        adjust(state, centred=True)


def test_adagrad_golden():  # ADAGRAD-1
    # acc = 0.75 + 0.25 = 1: 0.5/(1 + 0.75);  acc = 1 + 2.25 = 3.25: 1.5/(sqrt(3.25) + 0.75)
    got = steps(AdaGrad(eta=1.0, epsilon=0.75), [[0.5], [1.5]])
    np.testing.assert_allclose(np.concatenate(got), [0.2857142857142857, 0.5875957047806482],
                               **GOLDEN)


def test_adagrad_accumulator_starts_at_epsilon():  # ADAGRAD-2
    assert AdaGrad(epsilon=0.75).init(np.zeros(3)).acc.tolist() == [0.75] * 3
    assert final_state(AdaGrad(epsilon=0.75), [[0.5], [1.5]]).acc.tolist() == [3.25]


def test_adadelta_golden():  # ADADELTA-1, ADADELTA-2
    # a1 = 0.5*4 = 2: 2*sqrt(0 + 1)/sqrt(2 + 1) = 2/sqrt(3), d1 = 0.5*(4/3) = 2/3
    # a2 = 1 + 2 = 3: 2*sqrt(2/3 + 1)/sqrt(3 + 1) = sqrt(5/3), d2 = 1/3 + 0.5*(5/3) = 7/6
    rule = AdaDelta(rho=0.5, epsilon=1.0)
    got = steps(rule, [[2.0], [2.0]])
    np.testing.assert_allclose(np.concatenate(got), [2 / math.sqrt(3), math.sqrt(5 / 3)],
                               **GOLDEN)
    np.testing.assert_allclose(final_state(rule, [[2.0], [2.0]]).delta_acc, [7 / 6], **GOLDEN)


def test_adadelta_has_no_learning_rate():  # ADADELTA-1
    assert "eta" not in AdaDelta().hyperparameters()
