"""Gradients of losses over collected parameters, pulled back onto the model (EXPR-5,
EXPR-6, GRAD-1 .. GRAD-4), and updates with them."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optconf.reference import (
    destructure,
    layer,
    setup,
    trainables,
    update_,
)
from optconf.reference.expr import (
    Add,
    Const,
    Dot,
    Index,
    MatMul,
    Mul,
    Param,
    Sum,
    Tanh,
    gradient_through_trainables,
    reached,
    value_and_grad,
)
from optconf.reference.rules import Adam, Momentum
from optconf.reference.state import leaves_for

from .test_expr import random_loss


@dataclasses.dataclass
class Dense:
    weight: np.ndarray
    bias: np.ndarray
    sigma: object = np.tanh


@layer(trainable=("weight",))
class Scale:
    def __init__(self, weight, offset):
        self.weight, self.offset = weight, offset


def chain_dense_sum(rng):
    """Flux's ``Chain(Dense(3 => 3), sum)``."""
    return [Dense(rng.normal(size=(3, 3)), rng.normal(size=3)), sum]


def tied_dict(rng):
    a = rng.normal(size=(2, 3))
    return {"enc": a, "b": rng.normal(size=3), "dec": a, "n": 3}


def same_layer_twice(rng):
    d = Dense(rng.normal(size=(2, 2)), rng.normal(size=2))
    return (d, [Scale(rng.normal(size=2), rng.normal(size=2)), d])


MODELS = [chain_dense_sum, tied_dict, same_layer_twice]


# --------------------------------------------------------------------- the seed case


def test_sum_of_the_first_trainable_gives_ones_there_and_none_elsewhere():  # EXPR-6, DEP-8
    model = chain_dense_sum(np.random.default_rng(0))
    grad = gradient_through_trainables(model, Sum(Param(0)))
    assert grad[1] is None and grad[0]["bias"] is None and grad[0]["sigma"] is None
    np.testing.assert_array_equal(grad[0]["weight"], np.ones((3, 3)))


def test_shared_array_gets_the_sum_of_all_uses_at_its_first_occurrence():  # EXPR-4, GRAD-2
    a = np.ones(2)
    model = {"x": a, "z": a}
    loss = Add(Mul(Const(3.0), Sum(Param(0))), Mul(Const(13.0), Sum(Param(0))))
    grad = gradient_through_trainables(model, loss)
    assert grad["z"] is None
    np.testing.assert_array_equal(grad["x"], [16.0, 16.0])


def test_unreached_parameters_are_none_through_trainables_and_zeros_through_destructure():
    # EXPR-5
    model = tied_dict(np.random.default_rng(1))
    loss = Sum(Tanh(Param(1)))
    listed = gradient_through_trainables(model, loss, via="trainables")
    flat = gradient_through_trainables(model, loss, via="destructure")
    assert listed["enc"] is None and listed["dec"] is None and flat["dec"] is None
    np.testing.assert_array_equal(flat["enc"], np.zeros((2, 3)))
    np.testing.assert_array_equal(flat["b"], listed["b"])


def test_the_loss_reads_the_destructured_vector_cut_into_arrays():  # EXPR-6, GRAD-1
    model = same_layer_twice(np.random.default_rng(2))
    loss = Dot(Index(Param(0), 1), Const([1.0, 2.0]))
    flat, _ = destructure(model)
    grad = gradient_through_trainables(model, loss, via="destructure")
    np.testing.assert_array_equal(grad[0]["weight"], [[0.0, 0.0], [1.0, 2.0]])
    assert grad[1][1] == {"weight": None, "bias": None, "sigma": None}  # second occurrence
    assert flat.size == sum(p.size for p in trainables(model))


def test_frozen_parameters_get_none():  # GRAD-3
    model = tied_dict(np.random.default_rng(3))
    grad = gradient_through_trainables(
        model, Add(Sum(Param(0)), Sum(Param(1))), frozen=lambda path: path[0].key == "b"
    )
    assert grad["b"] is None and grad["enc"] is not None


def test_carried_values_and_non_trainable_fields_get_none():  # GRAD-3
    model = same_layer_twice(np.random.default_rng(4))
    loss = Sum(MatMul(Param(0), Param(2)))
    grad = gradient_through_trainables(model, loss)
    assert grad[1][0] == {"weight": grad[1][0]["weight"], "offset": None}
    assert grad[0]["sigma"] is None


def test_unknown_via_is_an_error():  # EXPR-6
    with pytest.raises(ValueError, match=r"via='legacy'"):
        gradient_through_trainables({"w": np.ones(1)}, Sum(Param(0)), via="legacy")  # type: ignore[arg-type]


# ---------------------------------------------- update with the tree == with the list


def flat_cotangents(model, loss, via):
    """What the engine hands its optimiser in flat form: one cotangent per trainable (None
    where the loss does not reach it), or the dense flat vector."""
    _, grads = value_and_grad(loss, trainables(model))
    if via == "destructure":
        return np.concatenate([g.ravel() for g in grads])
    return [g if i in reached(loss) else None for i, g in enumerate(grads)]


def assert_same_state(state_a, model_a, state_b, model_b):
    for p, q in zip(trainables(model_a), trainables(model_b), strict=True):
        assert np.array_equal(p, q)
    for la, lb in zip(leaves_for(state_a, model_a), leaves_for(state_b, model_b), strict=True):
        for sa, sb in zip(la.state, lb.state, strict=True):
            assert np.array_equal(sa, sb)


@settings(max_examples=60, deadline=None)
@given(
    make=st.sampled_from(MODELS),
    rule=st.sampled_from([Adam(eta=0.01), Momentum(eta=0.1, rho=0.8)]),
    via=st.sampled_from(["trainables", "destructure"]),
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 4),
)
def test_update_with_pulled_back_tree_equals_update_with_flat_gradient(
    make, rule, via, seed, steps
):  # GRAD-4, EXPR-6
    tree_model, flat_model = make(np.random.default_rng(seed)), make(np.random.default_rng(seed))
    loss = random_loss(np.random.default_rng([seed, 1]), [p.shape for p in trainables(tree_model)])
    # the flat side is Flux's answer for a list of gradients: state for trainables(model)
    flat_params = trainables(flat_model)
    tree_state, flat_state = setup(rule, tree_model), setup(rule, flat_params)
    for _ in range(steps):  # each step differentiates at the current parameters
        update_(tree_state, tree_model, gradient_through_trainables(tree_model, loss, via=via))
        update_(flat_state, flat_params, flat_cotangents(flat_model, loss, via))
    assert_same_state(tree_state, tree_model, flat_state, flat_params)
