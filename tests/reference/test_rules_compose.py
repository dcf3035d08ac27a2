"""OptimiserChain and AccumGrad (CHAIN, ACCUMGRAD clauses)."""

import numpy as np
import pytest

from optconf.reference import setup, update_
from optconf.reference.rules import (
    AccumGrad,
    Adam,
    ClipGrad,
    Descent,
    Momentum,
    OptimiserChain,
    WeightDecay,
)

from .rules_support import GOLDEN, final_state, steps


def test_chain_clips_before_discounting():  # CHAIN-1
    # Optimisers.jl's OptimiserChain docstring (src/rules.jl): [0.3, 1, 7] -> [0.03, 0.1, 0.1]
    got = steps(OptimiserChain(ClipGrad(1.0), Descent(0.1)), [[0.3, 1.0, 7.0]])[0]
    np.testing.assert_allclose(got, [0.03, 0.1, 0.1], **GOLDEN)


def test_empty_chain_is_the_identity():  # CHAIN-1
    assert steps(OptimiserChain(), [[0.5, -2.0]])[0].tolist() == [0.5, -2.0]


def test_chain_state_is_the_members_states():  # CHAIN-1
    state = OptimiserChain(Descent(), Momentum()).init(np.zeros(2))
    assert state[0] is None and state[1].velocity.tolist() == [0.0, 0.0]


def test_accum_grad_chain_as_in_the_optimisers_docstring():  # ACCUMGRAD-1, CHAIN-1
    # Optimisers.jl's AccumGrad docstring (src/rules.jl): x = 1 - 0.1*((33 + 0)/2 + 0.01*1)
    # = -0.651, y = 2 - 0.1*((0 + 444)/2 + 0.01*2) = -20.202; unchanged after the first step
    model = {"x": np.array([1.0]), "y": np.array([2.0])}
    state = setup(OptimiserChain(AccumGrad(2), WeightDecay(0.01), Descent(0.1)), model)
    update_(state, model, {"x": np.array([33.0]), "y": np.array([0.0])})
    assert (model["x"].tolist(), model["y"].tolist()) == ([1.0], [2.0])
    update_(state, model, {"x": np.array([0.0]), "y": np.array([444.0])})
    np.testing.assert_allclose([model["x"][0], model["y"][0]], [-0.651, -20.202], **GOLDEN)


def test_none_mid_chain_stops_the_later_members():  # CHAIN-2, RULE-3
    # Momentum(1, 0.5) before AccumGrad(2) runs every step: v = 2, then 0.5*2 + 4 = 5;
    # AccumGrad returns None at step 1 (the second Momentum untouched), then
    # (2 + 5)/2 = 3.5, which Momentum(0.5, 0.5) turns into 0.5*3.5
    chain = OptimiserChain(Momentum(1.0, 0.5), AccumGrad(2), Momentum(0.5, 0.5))
    got = steps(chain, [[2.0], [4.0]])
    assert got[0] is None and got[1].tolist() == [1.75]
    after_one = final_state(chain, [[2.0]])
    assert after_one[0].velocity.tolist() == [2.0] and after_one[2].velocity.tolist() == [0.0]


def test_chain_adjust_reaches_every_member_with_the_name():  # CHAIN-3
    chain = OptimiserChain(ClipGrad(1.0), Adam(0.1), Descent(0.2))
    assert chain.adjusted(eta=0.5) == OptimiserChain(ClipGrad(1.0), Adam(0.5), Descent(0.5))
    assert chain.adjusted(delta=2.0, beta=(0.5, 0.5)) == OptimiserChain(
        ClipGrad(2.0), Adam(0.1, (0.5, 0.5)), Descent(0.2))
    with pytest.raises(TypeError, match="rho"):
        chain.adjusted(rho=0.5)


def test_chain_needs_rules():  # CHAIN-1
    with pytest.raises(TypeError, match="not a rule"):
        OptimiserChain(Descent(), 0.1)


def test_accum_grad_returns_the_mean_every_n_steps():  # ACCUMGRAD-1, ACCUMGRAD-2
    # 1/4 + 2/4 + 3/4 + 6/4 = 3; then 4/4 * 4 = 4 (the sum restarts)
    got = steps(AccumGrad(4), [[1.0], [2.0], [3.0], [6.0], [4.0], [4.0], [4.0], [4.0]])
    assert got[:3] == [None] * 3 and got[3].tolist() == [3.0]
    assert got[4:7] == [None] * 3 and got[7].tolist() == [4.0]


def test_accum_grad_state_counts_from_one():  # ACCUMGRAD-2
    assert AccumGrad(3).init(np.zeros(1)).counter == 1
    state = final_state(AccumGrad(3), [[1.5], [3.0]])
    assert (state.acc.tolist(), state.counter) == ([1.5], 3)


def test_accum_grad_of_one_is_the_identity():  # ACCUMGRAD-1
    assert [s.tolist() for s in steps(AccumGrad(1), [[2.0], [-1.0]])] == [[2.0], [-1.0]]
