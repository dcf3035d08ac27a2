"""The details of ``adjust``: a positional eta is the keyword eta, old names are not aliases,
naming nothing is an error, and a failing ``adjust_`` changes no Leaf (ADJ-5 .. ADJ-7)."""

import numpy as np
import pytest

from optconf.reference import Leaf, adjust, adjust_, setup
from optconf.reference.rules import (
    AccumGrad,
    AdaDelta,
    Adam,
    ClipGlobalNorm,
    ClipGrad,
    ClipNorm,
    Descent,
    OptimiserChain,
    SignDecay,
    WeightDecay,
)

WITHOUT_ETA = [AdaDelta(), WeightDecay(), SignDecay(), ClipGrad(), ClipNorm(),
               ClipGlobalNorm(), AccumGrad(2), OptimiserChain(ClipNorm(), WeightDecay())]


@pytest.mark.parametrize("rule", WITHOUT_ETA, ids=repr)
def test_a_positional_eta_on_a_rule_without_eta_raises_naming_eta(rule):  # ADJ-5
    with pytest.raises(TypeError, match="no hyperparameter 'eta'"):
        adjust(rule, 0.1)


def test_a_positional_eta_on_a_state_raises_and_keeps_its_rule():  # ADJ-5, ADJ-7
    state = setup(AdaDelta(), {"w": np.ones(2)})
    with pytest.raises(TypeError, match="'eta'"):
        adjust_(state, 0.1)
    assert state["w"].rule == AdaDelta()


def test_a_positional_eta_changes_the_chain_members_that_have_one():  # ADJ-5, CHAIN-3
    chain = OptimiserChain(ClipNorm(1.0), Descent(0.1), WeightDecay())
    assert adjust(chain, 0.5) == OptimiserChain(ClipNorm(1.0), Descent(0.5), WeightDecay())


def test_gamma_is_not_an_alias_of_weight_decays_lambda():  # ADJ-6
    with pytest.raises(TypeError, match="no hyperparameter 'gamma'; valid names: lambda_"):
        adjust(WeightDecay(), gamma=0.1)


def test_adjust_naming_nothing_raises():  # ADJ-7
    state = setup(Adam(), {"w": np.ones(2)})
    with pytest.raises(TypeError, match="name at least one hyperparameter"):
        adjust_(state)


def test_a_failing_adjust_changes_no_leaf():  # ADJ-7
    x, y = np.ones(2), np.ones(1)
    state = [setup(Adam(0.01), x), setup(AdaDelta(), y)]  # rules of two kinds
    with pytest.raises(TypeError, match="AdaDelta has no hyperparameter 'eta'"):
        adjust_(state, 0.5)
    assert isinstance(state[0], Leaf) and state[0].rule == Adam(0.01)
