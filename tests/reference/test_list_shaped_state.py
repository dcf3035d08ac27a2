"""The seed's explicit pattern: a bare array as a model, a state set up on the list
``trainables(model)``, one array updated through its own Leaf, and how all of it agrees with
the model-shaped state, ties and freezing included (STATE-6, STATE-7, UPD-10, UPD-11)."""

import copy

import numpy as np
import pytest

from optconf.reference import Leaf, TreeError, freeze_, setup, trainables, update_
from optconf.reference.grads import summed
from optconf.reference.rules import (
    LARS,
    AccumGrad,
    Adam,
    ClipGlobalNorm,
    ClipNorm,
    Momentum,
    OptimiserChain,
    Rule,
)

#: Elementwise, per-array (RULE-4) and stateful rules; none needs the global norm.
PER_ARRAY_RULES: list[Rule] = [
    Adam(), Momentum(), ClipNorm(1.0), LARS(), OptimiserChain(AccumGrad(2), Adam())
]


def tied_model(rng: np.random.Generator) -> dict:
    """``w`` at two places, in different containers, plus an untied vector and a carried int."""
    w = rng.normal(size=(2, 3))
    return {"enc": {"w": w, "b": rng.normal(size=3)}, "dec": [w], "n": 7}


def gradient_tree(rng: np.random.Generator) -> dict:
    return {"enc": {"w": rng.normal(size=(2, 3)), "b": rng.normal(size=3)},
            "dec": [rng.normal(size=(2, 3))]}


def test_setup_on_a_bare_array_is_its_leaf():
    x = np.ones(3)
    state = setup(Adam(), x)
    assert isinstance(state, Leaf)
    assert state.state.mu.shape == x.shape


def test_update_on_a_bare_array_writes_it_in_place():
    x = np.ones(2)
    state = setup(Momentum(0.5, 0.0), x)
    same_state, same_x = update_(state, x, np.full(2, 2.0))
    assert same_x is x and same_state is state
    np.testing.assert_array_equal(x, [0.0, 0.0])  # 1 - 0.5 * 2


def test_a_none_gradient_leaves_a_leaf_and_its_array_alone():
    x = np.ones(2)
    state = setup(Adam(), x)
    update_(state, x, None)
    np.testing.assert_array_equal(x, [1.0, 1.0])
    assert state.state.steps == 0


def test_setup_on_trainables_gives_one_unshared_leaf_per_distinct_array():
    model = tied_model(np.random.default_rng(0))
    model_state = setup(Adam(), model)
    list_state = setup(Adam(), trainables(model))
    assert len(list_state) == 2  # w once, b once
    assert all(isinstance(leaf, Leaf) for leaf in list_state)
    assert list_state[0] is not list_state[1]
    assert model_state["enc"]["w"] is model_state["dec"][0]


def run_model_shaped(rule, model, grads):
    state = setup(rule, model)
    for g in grads:
        update_(state, model, g)
    return trainables(model), [state["enc"]["w"].state, state["enc"]["b"].state]


def run_list_shaped(rule, model, grads):
    ps = trainables(model)
    state = setup(rule, ps)
    for g in grads:
        update_(state, ps, summed(model, g))
    return ps, [leaf.state for leaf in state]


def run_leaf_by_leaf(rule, model, grads):
    ps = trainables(model)
    state = setup(rule, ps)
    for g in grads:
        for leaf, p, gi in zip(state, ps, summed(model, g), strict=True):
            update_(leaf, p, gi)
    return ps, [leaf.state for leaf in state]


def numbers(state) -> list[np.ndarray]:
    """Every array and number in rule states (lists, tuples, NamedTuples opened), in order."""
    if isinstance(state, tuple | list):
        return [part for member in state for part in numbers(member)]
    return [np.asarray(state)]


def assert_same_params_and_states(expected, got):
    (e_params, e_states), (g_params, g_states) = expected, got
    for e, g in zip(e_params, g_params, strict=True):
        np.testing.assert_array_equal(g, e)
    for e, g in zip(numbers(e_states), numbers(g_states), strict=True):
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("rule", [*PER_ARRAY_RULES, ClipGlobalNorm(0.5)], ids=repr)
def test_list_shaped_state_equals_the_model_shaped_one_with_ties_bit_for_bit(rule):
    rng = np.random.default_rng(1)
    model = tied_model(rng)
    grads = [gradient_tree(rng) for _ in range(4)]
    expected = run_model_shaped(rule, copy.deepcopy(model), grads)
    assert_same_params_and_states(expected, run_list_shaped(rule, copy.deepcopy(model), grads))


@pytest.mark.parametrize("rule", PER_ARRAY_RULES, ids=repr)
def test_leaf_by_leaf_updates_equal_the_model_shaped_one_for_rules_without_global_norm(rule):
    rng = np.random.default_rng(2)
    model = tied_model(rng)
    grads = [gradient_tree(rng) for _ in range(4)]
    expected = run_model_shaped(rule, copy.deepcopy(model), grads)
    assert_same_params_and_states(expected, run_leaf_by_leaf(rule, copy.deepcopy(model), grads))


def test_leaf_by_leaf_clips_each_array_by_its_own_norm_under_a_global_norm_rule():
    model = {"a": np.zeros(1), "b": np.zeros(1)}
    grads = {"a": np.array([3.0]), "b": np.array([4.0])}
    together = run_list_shaped(ClipGlobalNorm(1.0), copy.deepcopy(model), [grads])[0]
    one_by_one = run_leaf_by_leaf(ClipGlobalNorm(1.0), copy.deepcopy(model), [grads])[0]
    np.testing.assert_allclose([p[0] for p in together], [-0.6, -0.8], rtol=1e-15)
    np.testing.assert_array_equal([p[0] for p in one_by_one], [-1.0, -1.0])


def test_freezing_a_list_entry_freezes_the_tied_array_as_the_model_state_does():
    rng = np.random.default_rng(3)
    model = tied_model(rng)
    grads = [gradient_tree(rng) for _ in range(2)]
    by_model, by_list = copy.deepcopy(model), copy.deepcopy(model)
    model_state, list_state = setup(Adam(), by_model), setup(Adam(), trainables(by_list))
    freeze_(model_state, "dec", 0)
    freeze_(list_state, 0)
    for g in grads:
        update_(model_state, by_model, g)
        update_(list_state, trainables(by_list), summed(by_list, g))
    np.testing.assert_array_equal(by_model["enc"]["w"], model["enc"]["w"])
    for e, g in zip(trainables(by_model), trainables(by_list), strict=True):
        np.testing.assert_array_equal(g, e)


def test_a_list_shaped_state_is_not_a_state_for_the_model():  # STATE-7, ERR-2
    model = tied_model(np.random.default_rng(4))
    list_state = setup(Adam(), trainables(model))
    with pytest.raises(TreeError, match=r"model\['enc'\]: the state tree has no entry here"):
        update_(list_state, model, gradient_tree(np.random.default_rng(5)))
