"""The Keras adapter against the reference: rules over a few steps within the tolerance
model on every update path, tied Variables, frozen Variables and missing gradients,
collection order, and the Keras behaviours the findings (docs/FINDINGS.md, K1-K5) rest on."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip("keras", reason="keras or its backend is not installed "
                                    "(pip install 'optconf[keras]')")

import keras

from optconf.adapters.keras import PATHS, KerasAdapter, _floatx, _numpy, _reload
from optconf.adapters.protocol import Adjust, Freeze, Program, Step, Thaw, Unsupported
from optconf.adapters.reference import ReferenceAdapter
from optconf.reference import trainables
from optconf.reference.expr import Add, Dot, Param, Square, Sum, Tanh
from optconf.reference.rules import (
    AccumGrad,
    AdaDelta,
    Adam,
    AdaMax,
    ClipGlobalNorm,
    ClipGrad,
    Descent,
    Lion,
    Momentum,
    NAdam,
    Nesterov,
    OptimiserChain,
    WeightDecay,
)

from .reference_check import error_and_allowed, reference_run

pytestmark = pytest.mark.engine("keras")

KERAS = KerasAdapter()


def tied_model(rng: np.random.Generator) -> dict:
    """``w`` at two places (one Variable in two Layers), a bias, carried values."""
    w = rng.normal(size=(2, 3))
    return {"w": w, "block": [{"b": rng.normal(size=3), "w": w}], "n": 3}


def grads(rng: np.random.Generator) -> dict:
    return {"w": rng.normal(size=(2, 3)),
            "block": [{"b": rng.normal(size=3), "w": rng.normal(size=(2, 3))}]}


def program(rule, dtype: str = "float64", steps: int = 4, extra=()) -> Program:
    rng = np.random.default_rng(0)
    start, ops = tied_model(rng), [Step(grads(rng)) for _ in range(steps)]
    return Program(start, rule, (*ops[:2], *extra, *ops[2:]), dtype)


#: Rules Keras runs faithfully, each with an adjustment made between steps 2 and 3.
FAITHFUL = [
    (Descent(0.1), {"eta": 0.05}),
    (Momentum(0.1, 0.9), {"eta": 0.05, "rho": 0.5}),
    (Nesterov(0.1, 0.9), {"eta": 0.05}),
    (AdaDelta(0.9, 1e-6), {"rho": 0.5}),
    (AdaMax(0.01, (0.9, 0.999), 1e-8), {"eta": 0.05}),
    (Lion(0.01, (0.9, 0.99)), {"eta": 0.05}),
    (OptimiserChain(ClipGrad(0.5), WeightDecay(0.01), Descent(0.1)), {"eta": 0.05}),
    (OptimiserChain(AccumGrad(2), Momentum(0.1, 0.9)), {"eta": 0.05}),
]


@pytest.mark.parametrize(("rule", "changes"), FAITHFUL, ids=lambda r: type(r).__name__)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_faithful_rules_match_reference_on_every_path(rule, changes, path, dtype):
    """float64 included: the run sets floatx, so the learning rate Variable is float64."""
    prog = program(rule, dtype, extra=(Adjust(changes),))
    error, allowed = error_and_allowed("keras", KERAS, prog, path)
    assert error <= allowed


def test_info_names_the_backend():
    assert "backend torch" in KERAS.info().version


def test_tied_variable_gets_the_sum_once():
    """One Variable in two Layers: one update with the summed gradient (TIE-2)."""
    w = np.ones(2)
    prog = Program({"a": w, "b": [w]}, Descent(0.5),
                   (Step({"a": np.array([1.0, 2.0]), "b": [np.array([3.0, 4.0])]}),), "float64")
    out = KERAS.run(prog, "structured")
    assert out.model["a"] is out.model["b"][0]
    assert np.array_equal(out.model["a"], [1 - 0.5 * 4, 1 - 0.5 * 6])


@pytest.mark.parametrize("path", ["structured", "flat_list", "per_array"])
def test_frozen_variable_untouched_then_thawed(path):
    extra = (Freeze(("block", 0, "b")), Step(grads(np.random.default_rng(1))),
             Thaw(("block", 0, "b")))
    error, allowed = error_and_allowed("keras", KERAS, program(Momentum(0.1, 0.9),
                                                               extra=extra), path)
    assert error <= allowed


def test_adam_adds_epsilon_to_the_uncorrected_root():
    """K1: one step of size 1e-6 with eps=1e-7 moves 0.24 where Adam moves 0.909."""
    prog = Program({"x": np.zeros(1)}, Adam(1.0, epsilon=1e-7),
                   (Step({"x": np.array([1e-6])}),), "float64")
    assert KERAS.run(prog, "structured").model["x"][0] == pytest.approx(
        -np.sqrt(1e-3) * 1e-6 / (np.sqrt(1e-3) * 1e-6 + 1e-7), rel=1e-12)
    assert reference_run(prog).model["x"][0] == pytest.approx(-1 / 1.1, rel=1e-12)


def test_global_clip_scale_is_float32_under_float64():
    """K3: keras' type promotion turns the float64 clip scale into float32."""
    prog = Program({"x": np.zeros(2)}, OptimiserChain(ClipGlobalNorm(2.0), Descent(1.0)),
                   (Step({"x": np.array([3.0, 4.0])}),), "float64")
    got = KERAS.run(prog, "structured").model["x"]
    scale = 2.0 * float(np.float32(1 / 5))  # min(1/norm, 1/clip) rounded to float32
    assert got == pytest.approx([-3 * scale, -4 * scale], rel=1e-15)
    assert abs(got[0] + 1.2) > 1e-8


def test_one_iteration_count_for_every_variable():
    """K4: b's first step is bias-corrected with the optimiser's count 2, not its own 1."""
    ops = (Step({"a": np.ones(1), "b": None}), Step({"a": np.ones(1), "b": np.ones(1)}))
    prog = Program({"a": np.zeros(1), "b": np.zeros(1)}, Adam(0.1, epsilon=0.0), ops,
                   "float64")
    assert KERAS.run(prog, "flat_list").model["b"][0] == pytest.approx(
        -0.1 * np.sqrt(1 + 0.999) / (1 + 0.9), rel=1e-12)


def test_collection_puts_a_layers_own_variables_before_its_sublayers():
    """K5: Layer.weights yields own Variables, then each sub-Layer's."""
    start = {"inner": {"a": np.zeros(1)}, "own": np.ones(2)}
    got = KERAS.collect(start, "float64")
    assert [g.shape for g in got] == [(2,), (1,)]
    assert [p.shape for p in trainables(start)] == [(1,), (2,)]


def test_nadam_is_refused_with_the_reason():
    assert "0.96" in KERAS.supports(NAdam())
    with pytest.raises(Unsupported, match="NADAM-3"):
        KERAS.run(program(NAdam()), "structured")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_through_collection_sums_a_tied_variables_uses_once(dtype):
    """The loss in keras.ops, differentiated by torch.autograd over the Variables: the tied
    ``w`` (used through both of its places) gets the sum of its uses at its first place, the
    bias the loss does not reach gets None (GRAD-1, GRAD-2, EXPR-4, EXPR-5)."""
    model = tied_model(np.random.default_rng(2))
    loss = Add(Sum(Tanh(Param(0))), Dot(Param(0), Param(0)))
    got = KERAS.gradient(model, loss, dtype, "trainables")
    want = ReferenceAdapter().gradient(model, loss, "float64", "trainables")
    rounding = 1e-6 if dtype == "float32" else 1e-14  # of the largest element
    np.testing.assert_allclose(got["w"], want["w"], rtol=0,
                               atol=rounding * np.abs(want["w"]).max())
    assert got["block"][0]["w"] is None and got["block"][0]["b"] is None and got["n"] is None


def test_the_legacy_collection_is_keras3s_own():
    """DEP-8: Keras 2 collected trainable_weights as Keras 3 does; nothing warns."""
    model = tied_model(np.random.default_rng(5))
    loss = Add(Sum(Square(Param(0))), Dot(Param(1), Param(1)))
    legacy = KERAS.gradient(model, loss, "float64", "legacy")
    plain = KERAS.gradient(model, loss, "float64", "trainables")
    np.testing.assert_array_equal(legacy["w"], plain["w"])
    np.testing.assert_array_equal(legacy["block"][0]["b"], plain["block"][0]["b"])


def test_gradient_through_a_flat_vector_is_refused_with_the_reason():
    with pytest.raises(Unsupported, match="no flat-vector view"):
        KERAS.gradient(tied_model(np.random.default_rng(3)), Sum(Square(Param(1))),
                       "float64", "destructure")


def test_a_frozen_variable_gets_no_gradient_while_the_loss_reads_it():
    """trainable = False leaves the Variable out of trainable_variables (GRAD-3)."""
    model = tied_model(np.random.default_rng(4))
    loss = Add(Sum(Square(Param(0))), Dot(Param(1), Param(1)))
    got = KERAS.gradient(model, loss, "float64", "trainables", frozen=(("w",),))
    assert got["w"] is None and got["block"][0]["w"] is None
    np.testing.assert_allclose(got["block"][0]["b"], 2 * model["block"][0]["b"], rtol=1e-15)


def test_the_legacy_path_passes_keras2s_decay_which_keras3_ignores_with_a_user_warning():
    """K6: the optimiser built with decay=0.0 steps as the flat list does; Keras warns a
    UserWarning at its own line, once per optimiser, not a DeprecationWarning."""
    prog = program(Momentum(0.1, 0.9))
    legacy, flat = KERAS.run(prog, "legacy"), KERAS.run(prog, "flat_list")
    for got, want in zip(trainables(legacy.model), trainables(flat.model), strict=True):
        np.testing.assert_array_equal(got, want)
    decay = [w for w in legacy.warnings if "decay" in w.message]
    assert [(w.category, w.filename.endswith("base_optimizer.py")) for w in decay] == [
        ("UserWarning", True)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_reloaded_optimiser_is_a_fresh_one_that_steps_as_the_original(dtype):
    """STATE-8: save_own_variables through np.savez, from_config(get_config()), build and
    load_own_variables: new Variables holding the saved values, and the same next step."""
    with _floatx(dtype):
        variables = [keras.Variable(np.array([1.0, -2.0]), dtype=dtype) for _ in range(2)]
        opts = [keras.optimizers.Adam(learning_rate=0.1) for _ in variables]
        for opt, v in zip(opts, variables, strict=True):
            opt.build([v])
            gradient = keras.ops.convert_to_tensor(np.array([0.5, -1.5]), dtype=dtype)
            opt.apply_gradients([(gradient, v)])
        moment = opts[1].variables[2]
        _reload(opts[1], [variables[1]])
        assert opts[1].variables[2] is not moment and int(opts[1].iterations) == 1
        for opt, v in zip(opts, variables, strict=True):
            opt.apply_gradients([(keras.ops.convert_to_tensor(np.array([0.25, 2.0]), dtype=dtype),
                                  v)])
        np.testing.assert_array_equal(_numpy(variables[0]), _numpy(variables[1]))
