"""The comparison helpers: one failure format, bitwise and bounded comparisons, structure,
carried values and ties (CONF-5)."""

from __future__ import annotations

import numpy as np
import pytest

from optconf.adapters.protocol import Program, Step
from optconf.conformance.asserts import (
    Context,
    assert_close,
    assert_equal,
    assert_structure,
    assert_ties,
    case_data,
)
from optconf.conformance.deviation import Deviation
from optconf.reference.rules import Adam

CTX = Context("torch", "flat_list", "float32", 4)


def test_message_format() -> None:
    with pytest.raises(Deviation) as caught:
        assert_close("adam.mu[model['enc'].w]", np.array([0.0, 0.0, 0.0, 0.25]),
                     np.array([0.0, 0.0, 0.0, 0.5]), allowed=1e-6, clause="ADAM-1", ctx=CTX)
    error = caught.value
    assert error.message == (
        "adam.mu[model['enc'].w][3]=0.25, but should be 0.5 [adapter=torch, path=flat_list, "
        "step=4, dtype=float32, observed=0.25, allowed=1e-06]")
    assert (error.clause, error.observed, error.allowed) == ("ADAM-1", 0.25, 1e-6)
    assert error.case["path"] == "flat_list" and error.case["step"] == 4


def test_exact_means_bitwise() -> None:
    x = np.array([1.0, 2.0])
    assert_close("x", x, x.copy(), allowed=0.0, clause="FLAT-6", ctx=CTX)
    with pytest.raises(Deviation, match=r"x\[1\]"):
        assert_close("x", np.array([1.0, np.nextafter(2.0, 3.0)]), x, allowed=0.0,
                     clause="FLAT-6", ctx=CTX)


def test_within_bound_passes_and_beyond_fails() -> None:
    want = np.ones((2, 2))
    assert_close("w", want + 1e-7, want, allowed=1e-6, clause="UPD-1", ctx=CTX)
    with pytest.raises(Deviation, match=r"w\[1, 0\]") as caught:
        assert_close("w", want + np.array([[0, 0], [1e-5, 0]]), want, allowed=1e-6,
                     clause="UPD-1", ctx=CTX)
    assert caught.value.observed == pytest.approx(1e-5)


def test_dtype_shape_and_nan() -> None:
    want = np.zeros(2)
    with pytest.raises(Deviation, match=r"dtype=float64, but should be float32"):
        assert_close("x", want, want, allowed=1.0, clause="UPD-6", ctx=CTX, dtype="float32")
    with pytest.raises(Deviation, match=r"shape=\(3,\), but should be \(2,\)"):
        assert_close("x", np.zeros(3), want, allowed=1.0, clause="UPD-1", ctx=CTX)
    with pytest.raises(Deviation) as caught:
        assert_close("x", np.array([np.nan, 0.0]), want, allowed=1.0, clause="UPD-1", ctx=CTX)
    assert caught.value.observed == np.inf
    with pytest.raises(ValueError, match="NaN"):
        assert_close("x", want, np.array([np.nan, 0.0]), allowed=1.0, clause="UPD-1", ctx=CTX)


def test_integers_none_and_scalars_are_exact() -> None:
    assert_close("acc.counter", 2, 2, allowed=1.0, clause="TOL-7", ctx=CTX)
    with pytest.raises(Deviation):
        assert_close("acc.counter", 3, 2, allowed=1.0, clause="TOL-7", ctx=CTX)
    with pytest.raises(Deviation):
        assert_close("rms.lin", np.zeros(1), None, allowed=1.0, clause="TOL-7", ctx=CTX)
    assert_close("adam.beta_t", (0.81, 0.998), (0.81, 0.998001), allowed=1e-5,
                 clause="TOL-7", ctx=CTX)


def test_structure_checks_containers_and_carried_values() -> None:
    w = np.ones(2)
    model = {"a": (w, 3), "f": "relu", "i": np.arange(2)}
    assert_structure({"a": (w * 2, 3), "f": "relu", "i": np.arange(2)}, model,
                     clause="TREE-7", carried_clause="TREE-3", ctx=CTX)
    with pytest.raises(Deviation, match=r"type\(model\['a'\]\)=list") as caught:
        assert_structure({"a": [w, 3], "f": "relu", "i": np.arange(2)}, model,
                         clause="TREE-7", carried_clause="TREE-3", ctx=CTX)
    assert caught.value.clause == "TREE-7"
    with pytest.raises(Deviation) as caught:
        assert_structure({"a": (w, 3.0), "f": "relu", "i": np.arange(2)}, model,
                         clause="TREE-7", carried_clause="TREE-3", ctx=CTX)
    assert caught.value.clause == "TREE-3"
    with pytest.raises(Deviation):
        assert_structure({"a": (w, 3), "f": "relu", "i": np.arange(2.0)}, model,
                         clause="TREE-7", carried_clause="TREE-3", ctx=CTX)


def test_ties_broken_or_made_are_caught() -> None:
    w, v = np.ones(2), np.zeros(2)
    assert_ties([w, w, v], [w, w, v], clause="TIE-3", ctx=CTX)
    with pytest.raises(Deviation, match="ties differ"):
        assert_ties([w, w.copy(), v], [w, w, v], clause="TIE-3", ctx=CTX)
    with pytest.raises(Deviation, match="ties differ"):
        assert_ties([w, w, w], [w, w, v], clause="TIE-3", ctx=CTX)


def test_case_data_is_plain_and_keeps_the_program() -> None:
    program = Program({"w": np.ones(2)}, Adam(), (Step({"w": np.zeros(2)}),))
    case = case_data(program, variant="torch")
    assert case["program"] is program
    assert case["rule"] == repr(Adam())
    assert case["ops"] == [{"op": "step", "grads": {"w": {"__array__": [0.0, 0.0],
                                                          "dtype": "float64"}}}]
    assert case["variant"] == "torch"


def test_assert_equal_compares_type_and_value() -> None:
    assert_equal("n", 3, 3, clause="TREE-3", ctx=CTX)
    with pytest.raises(Deviation, match="n=True, but should be 1"):
        assert_equal("n", True, 1, clause="TREE-3", ctx=CTX)
