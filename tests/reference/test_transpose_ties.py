"""Weights tied through a transpose, an autoencoder's ``W`` and ``W.T``: ``Transpose(W)`` is a
node whose child is ``W`` itself, so the tie is identity, and a cotangent given for the
transposed array counts transposed towards ``W`` (TREE-10, TIE-5, TREE-8)."""

import numpy as np
import pytest

from optconf.reference import (
    AliasError,
    ShapeError,
    Transpose,
    destructure,
    setup,
    trainables,
    trainables_with_paths,
    update,
    update_,
)
from optconf.reference.rules import ClipGrad, Descent, OptimiserChain


def autoencoder(rng: np.random.Generator) -> dict:
    w = rng.normal(size=(2, 3))
    return {"enc": w, "dec": Transpose(w), "b": rng.normal(size=3)}


def test_a_transpose_is_collected_as_its_parent_once():
    model = autoencoder(np.random.default_rng(0))
    ps = trainables(model)
    assert len(ps) == 2 and ps[0] is model["enc"]


def test_a_transpose_first_in_order_collects_its_parent_at_the_parent_path():
    w = np.ones((2, 3))
    [(path, array)] = trainables_with_paths({"dec": Transpose(w), "enc": w})
    assert array is w
    assert [(e.kind, e.key) for e in path] == [("key", "dec"), ("attr", "parent")]


def test_a_transpose_shares_its_parents_leaf():
    model = autoencoder(np.random.default_rng(0))
    state = setup(Descent(), model)
    assert state["dec"]["parent"] is state["enc"]


def test_numpys_own_transpose_view_is_still_an_alias():
    w = np.ones((2, 3))
    with pytest.raises(AliasError, match=r"Transpose\(w\)"):
        trainables({"enc": w, "dec": w.T})


def test_a_transposed_cotangent_is_transposed_and_summed_into_the_parent():
    rng = np.random.default_rng(1)
    model = autoencoder(rng)
    w0 = model["enc"].copy()
    g_enc, g_dec = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    update_(setup(Descent(0.1), model), model, {"enc": g_enc, "dec": g_dec, "b": None})
    np.testing.assert_array_equal(model["enc"], w0 - 0.1 * (g_enc + g_dec.T))
    assert model["dec"].parent is model["enc"]


def test_a_structural_gradient_at_a_transpose_is_the_parents_own():
    rng = np.random.default_rng(2)
    model = autoencoder(rng)
    w0 = model["enc"].copy()
    g_enc, g_parent = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    update_(setup(Descent(0.1), model), model, {"enc": g_enc, "dec": {"parent": g_parent}})
    np.testing.assert_array_equal(model["enc"], w0 - 0.1 * (g_enc + g_parent))


def test_the_rule_runs_once_on_the_sum_in_collection_order():
    # Optimisers.jl test/runtests.jl "transpose": the transposed field first, twice
    rng = np.random.default_rng(3)
    w = rng.normal(size=(2, 3))
    model = {"a": Transpose(w), "b": w, "c": Transpose(w)}
    ga, gb, gc = (rng.normal(size=s) * 20 for s in [(3, 2), (2, 3), (3, 2)])
    rule = OptimiserChain(ClipGrad(10.0), Descent(0.1))
    _, new = update(setup(rule, model), model, {"a": ga, "b": gb, "c": gc})
    np.testing.assert_array_equal(new["b"], w - 0.1 * np.clip(ga.T + gb + gc.T, -10, 10))
    assert new["a"].parent is new["b"] is new["c"].parent


def test_a_cotangent_of_the_wrong_shape_names_the_transpose_and_its_shape():
    model = autoencoder(np.random.default_rng(4))
    with pytest.raises(ShapeError, match=r"model\['dec'\]: .*shape \(2, 3\), the transpose "
                                         r"has \(3, 2\)"):
        update_(setup(Descent(), model), model, {"dec": np.ones((2, 3))})


def test_restructure_keeps_the_transpose_tied():
    model = autoencoder(np.random.default_rng(5))
    flat, re = destructure(model)
    rebuilt = re(flat * 2)
    assert isinstance(rebuilt["dec"], Transpose)
    assert rebuilt["dec"].parent is rebuilt["enc"]
    np.testing.assert_array_equal(rebuilt["enc"], model["enc"] * 2)


def test_a_transpose_of_something_else_is_refused():
    with pytest.raises(TypeError, match="Transpose takes an array"):
        Transpose([[1.0, 2.0]])
