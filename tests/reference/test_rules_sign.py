"""Lion and Rprop: golden steps and Lion's Optimisers.jl variant (LION, RPROP clauses)."""

import numpy as np

from optconf.reference.rules import Lion, Rprop

from .rules_support import GOLDEN, final_state, steps

LION = {"eta": 1.0, "beta": (0.5, 0.75)}
G1, G2 = [1.0, -2.0, 0.0], [-0.2, 0.4, 0.1]


def test_lion_paper_golden():  # LION-1, LION-2
    # c1 = 0.5*0 + 0.5*g1 = [0.5, -1, 0] -> [1, -1, 0];  m1 = 0.25*g1 = [0.25, -0.5, 0]
    # c2 = 0.5*m1 + 0.5*g2 = [0.025, -0.05, 0.05] -> [1, -1, 1]
    # m2 = 0.75*m1 + 0.25*g2 = [0.1375, -0.275, 0.025]
    rule = Lion(**LION)
    assert [s.tolist() for s in steps(rule, [G1, G2])] == [[1.0, -1.0, 0.0], [1.0, -1.0, 1.0]]
    np.testing.assert_allclose(final_state(rule, [G1, G2]).mu, [0.1375, -0.275, 0.025], **GOLDEN)


def test_lion_optimisers_variant_swaps_the_average():  # LION-3
    # m1 = 0.75*g1 = [0.75, -1.5, 0]: sign(0.25*g1 + 0.5*m1) = [1, -1, 0]
    # m2 = 0.75*g2 + 0.25*m1 = [0.0375, -0.075, 0.075]:
    #   sign(0.25*g2 + 0.5*m2) = sign([-0.03125, 0.0625, 0.0625]) = [-1, 1, 1]
    rule = Lion(**LION, variant="optimisers")
    assert [s.tolist() for s in steps(rule, [G1, G2])] == [[1.0, -1.0, 0.0], [-1.0, 1.0, 1.0]]
    np.testing.assert_allclose(final_state(rule, [G1, G2]).mu, [0.0375, -0.075, 0.075],
                               **GOLDEN)


RPROP = Rprop(eta=0.5, ell=(0.5, 2.0), gamma=(0.125, 1.5))


def test_rprop_golden():  # RPROP-1, RPROP-2
    # g1 = [1, 1, 1]: prev*g = 0, sizes stay 0.5: step [0.5, 0.5, 0.5]
    # g2 = [1, -1, 0]: products [1, -1, 0]: sizes [min(1, 1.5), max(0.25, 0.125), 0.5],
    #   prev [1, 0, 0] (the flip is forgotten): step [1, 0, 0]
    # g3 = [2, 3, -1]: products [2, 0, 0]: sizes [min(2, 1.5), 0.25, 0.5]: step [1.5, 0.25, -0.5]
    # g4 = [-1, 1, -1]: products [-2, 3, 1]: sizes [0.75, 0.5, 1]: prev [0, 1, -1]:
    #   step [0, 0.5, -1]
    grads = [[1.0, 1.0, 1.0], [1.0, -1.0, 0.0], [2.0, 3.0, -1.0], [-1.0, 1.0, -1.0]]
    assert [s.tolist() for s in steps(RPROP, grads)] == [
        [0.5, 0.5, 0.5], [1.0, 0.0, 0.0], [1.5, 0.25, -0.5], [0.0, 0.5, -1.0]]
    state = final_state(RPROP, grads)
    assert (state.prev.tolist(), state.step_size.tolist()) == ([0, 1, -1], [0.75, 0.5, 1.0])


def test_rprop_state_starts_at_zero_and_eta():  # RPROP-2
    state = RPROP.init(np.zeros(2))
    assert (state.prev.tolist(), state.step_size.tolist()) == ([0, 0], [0.5, 0.5])


def test_rprop_does_not_clamp_where_the_product_is_zero():  # RPROP-3
    # eta = 2 lies above gamma_max = 1.5; the first product is 0, so the size stays 2
    rule = Rprop(eta=2.0, ell=(0.5, 2.0), gamma=(0.125, 1.5))
    assert steps(rule, [[1.0]])[0].tolist() == [2.0]
