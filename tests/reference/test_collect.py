"""Collection and flat forms (COLL, FLAT, TIE, GRAD clauses)."""

import numpy as np
import pytest

from optconf.reference import (
    ShapeError,
    destructure,
    destructure_pullback,
    restructure_pullback,
    trainables,
    trainables_pullback,
)


def test_shared_array_is_collected_once_at_first_occurrence():  # COLL-2, TIE-1
    w, b = np.ones(2), np.zeros(3)
    assert [p is q for p, q in zip(trainables({"x": w, "y": b, "z": w}), [w, b], strict=True)] == [
        True,
        True,
    ]


def test_equal_values_are_not_a_tie():  # TIE-1
    assert len(trainables([np.ones(2), np.ones(2)])) == 2


def test_trainables_returns_the_arrays_themselves():  # COLL-3
    model = {"w": np.ones(2)}
    trainables(model)[0][0] = 5.0
    assert model["w"][0] == 5.0


def test_destructure_concatenates_in_c_order():  # FLAT-1
    flat, _ = destructure({"a": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": np.array([5.0])})
    np.testing.assert_array_equal(flat, [1, 2, 3, 4, 5])


def test_destructure_promotes_to_the_widest_float_and_restructure_casts_back():  # FLAT-2, FLAT-3
    model = {"h": np.ones(1, np.float16), "d": np.ones(1, np.float64)}
    flat, re = destructure(model)
    rebuilt = re(flat + 0.5)
    assert flat.dtype == np.float64
    assert rebuilt["h"].dtype == np.float16 and rebuilt["d"].dtype == np.float64


def test_restructure_keeps_ties_and_carried_values():  # FLAT-3, FLAT-5, TIE-3
    w, fn = np.ones(2), np.tanh
    flat, re = destructure({"a": w, "b": w, "f": fn, "n": 3})
    rebuilt = re(flat * 2)
    assert rebuilt["a"] is rebuilt["b"] and rebuilt["f"] is fn and rebuilt["n"] == 3
    np.testing.assert_array_equal(rebuilt["a"], [2.0, 2.0])
    assert rebuilt["a"] is not w


def test_wrong_flat_length_names_both_lengths():  # FLAT-4
    _, re = destructure([np.ones(3)])
    with pytest.raises(ShapeError, match=r"shape \(2,\), but the model has 3"):
        re(np.ones(2))


def test_pullback_puts_shared_cotangent_at_first_occurrence_only():  # GRAD-1, GRAD-2, GRAD-3
    w, b = np.ones(2), np.ones(1)
    tree = trainables_pullback({"x": w, "y": w, "z": b, "n": 1}, [np.full(2, 3.0), np.ones(1)])
    np.testing.assert_array_equal(tree["x"], [3.0, 3.0])
    assert tree["y"] is None and tree["n"] is None


def test_pullback_gives_none_at_frozen_paths():  # GRAD-3
    model = {"a": np.ones(1), "b": np.ones(1)}
    tree = trainables_pullback(model, [np.ones(1), np.ones(1)], frozen=lambda p: p[0].key == "a")
    assert tree["a"] is None and tree["b"] is not None


def test_seed_story_two_sum_of_first_collected_array():  # GRAD-1, GRAD-3 (seeds.md story 2)
    dense = {"weight": np.ones((3, 3)), "bias": np.zeros(3), "sigma": np.tanh}
    model = {"layers": (dense, sum)}
    d_list = [np.ones((3, 3)), np.zeros(3)]  # d/dps of sum(ps[0])
    tree = trainables_pullback(model, d_list)
    np.testing.assert_array_equal(tree["layers"][0]["weight"], np.ones((3, 3)))
    assert tree["layers"][0]["sigma"] is None and tree["layers"][1] is None


def test_destructure_pullback_matches_trainables_pullback():  # GRAD-1
    model = [np.ones(2), np.ones(3)]
    tree = destructure_pullback(model, np.arange(5.0))
    np.testing.assert_array_equal(tree[1], [2.0, 3.0, 4.0])


def test_restructure_pullback_sums_all_occurrences():  # GRAD-5
    # Flux #1826's case: 3*sum(m.x) + 13*sum(m.z) with x === z must give [16, 16, 0, 0]
    x, y = np.ones(2), np.ones(2)
    model = {"x": x, "y": y, "z": x}
    dflat = restructure_pullback(model, {"x": np.full(2, 3.0), "y": None, "z": np.full(2, 13.0)})
    np.testing.assert_array_equal(dflat, [16.0, 16.0, 0.0, 0.0])
