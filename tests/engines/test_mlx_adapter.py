"""The MLX adapter against the reference: rules over a few steps within the tolerance model
on every update path, frozen parameters and missing gradients, collection and gradients
through collection, and the MLX behaviours the findings (docs/FINDINGS.md, M1-M6) rest on."""

from __future__ import annotations

import numpy as np
import pytest

mx = pytest.importorskip("mlx.core", reason="mlx is not installed (pip install 'optconf[mlx]')")
optim = pytest.importorskip("mlx.optimizers")

from optconf.adapters.mlx import PATHS, MlxAdapter, _reload, plan  # noqa: E402
from optconf.adapters.protocol import (  # noqa: E402
    Adjust,
    Checkpoint,
    Freeze,
    Program,
    Step,
    Thaw,
    Unsupported,
)
from optconf.reference import trainables  # noqa: E402
from optconf.reference.expr import Add, Dot, Param, Square, Sum  # noqa: E402
from optconf.reference.rules import (  # noqa: E402
    AdaDelta,
    AdaGrad,
    Adam,
    AdamW,
    ClipGlobalNorm,
    ClipGrad,
    Descent,
    Lion,
    Momentum,
    Nesterov,
    OptimiserChain,
    RMSProp,
    WeightDecay,
)

from .reference_check import error_and_allowed, reference_run  # noqa: E402

pytestmark = pytest.mark.engine("mlx")

MLX = MlxAdapter()


def model(rng: np.random.Generator) -> dict:
    return {"w": rng.normal(size=(2, 3)), "block": [{"b": rng.normal(size=3)}], "n": 3}


def grads(rng: np.random.Generator) -> dict:
    return {"w": rng.normal(size=(2, 3)), "block": [{"b": rng.normal(size=3)}]}


def program(rule, dtype: str = "float32", steps: int = 4, extra=()) -> Program:
    rng = np.random.default_rng(0)
    start, ops = model(rng), [Step(grads(rng)) for _ in range(steps)]
    return Program(start, rule, (*ops[:2], *extra, *ops[2:]), dtype)


#: Rules MLX runs faithfully, each with an adjustment made between steps 2 and 3.
FAITHFUL = [
    (Descent(0.1), {"eta": 0.05}),
    (Momentum(0.1, 0.9, variant="torch"), {"eta": 0.05, "rho": 0.5}),
    (Nesterov(0.1, 0.9, variant="torch"), {"eta": 0.05}),
    (RMSProp(0.01, 0.9, 1e-8), {"rho": 0.5}),
    (AdaDelta(0.9, 1e-6), {"rho": 0.5}),
    (Lion(0.01, (0.9, 0.99)), {"eta": 0.05}),
    (OptimiserChain(WeightDecay(0.01), Momentum(0.1, 0.5, variant="torch")), {"eta": 0.05}),
    (OptimiserChain(ClipGrad(0.5), Descent(0.1)), {"delta": 0.2}),
]


@pytest.mark.parametrize(("rule", "changes"), FAITHFUL, ids=lambda r: type(r).__name__)
@pytest.mark.parametrize("path", PATHS)
def test_faithful_rules_match_reference_on_every_path_at_float64(rule, changes, path):
    """float64 included: the learning rate goes in as a float64 array (M1's workaround)."""
    prog = program(rule, "float64", extra=(Adjust(changes),))
    error, allowed = error_and_allowed("mlx", MLX, prog, path)
    assert error <= allowed


@pytest.mark.parametrize("rule", [Adam(0.01), AdamW(0.01, lambda_=0.1)], ids=repr)
def test_adam_matches_reference_at_float32(rule):
    error, allowed = error_and_allowed("mlx", MLX, program(rule), "structured")
    assert error <= allowed


def test_adam_bias_correction_is_float32_under_float64():
    """M1: b**step with a uint64 step is float32, so float64 Adam is float32-close only."""
    prog = program(Adam(0.1, epsilon=0.0), "float64")
    error, allowed = error_and_allowed("mlx", MLX, prog, "structured")
    assert 1e3 * allowed < error < 1e-5


def test_adagrad_accumulator_starts_at_zero():
    """M2: mlx Adagrad's state is the plain sum of squares; AdaGrad's starts at epsilon."""
    prog = program(AdaGrad(0.1, epsilon=0.01), "float64", steps=1)
    got, want = MLX.run(prog, "structured").states[0], reference_run(prog).states[0]
    assert np.allclose(got["acc"] + 0.01, want["acc"], rtol=1e-12)


def test_a_parameter_without_gradient_is_left_alone():
    """UPD-5 on the Module tree: the array without gradient is not in the update."""
    start = {"a": np.ones(2), "b": np.ones(1)}
    prog = Program(start, Momentum(0.1, 0.9, variant="torch"),
                   (Step({"a": np.ones(2), "b": None}),) * 2, "float64")
    out = MLX.run(prog, "structured")
    assert np.array_equal(out.model["b"], [1.0]) and out.model["a"][0] < 1.0


def test_one_step_count_for_every_parameter():
    """M3: b's first step is bias-corrected with the optimiser's count 2, not its own 1."""
    start = {"a": np.zeros(1), "b": np.zeros(1)}
    ops = (Step({"a": np.ones(1), "b": None}), Step({"a": np.ones(1), "b": np.ones(1)}))
    prog = Program(start, Adam(0.1, epsilon=0.0), ops, "float64")
    b = float(MLX.run(prog, "structured").model["b"][0])
    assert b == pytest.approx(-0.1 * np.sqrt(1 + 0.999) / (1 + 0.9), rel=1e-4)  # M1: float32
    assert float(reference_run(prog).model["b"][0]) == pytest.approx(-0.1, rel=1e-12)


@pytest.mark.parametrize("path", ["structured", "flat_list", "per_array"])
def test_frozen_parameter_untouched_then_thawed(path):
    rule = Momentum(0.1, 0.9, variant="torch")
    prog = program(rule, "float64", extra=(Freeze(("block",)), Step(grads(np.random.default_rng(
        1))), Thaw(("block",))))
    out = MLX.run(prog, path)
    assert out.states[1] is not None
    error, allowed = error_and_allowed("mlx", MLX, prog, path)
    assert error <= allowed


def test_momentum_zero_keeps_no_velocity():
    """M4: SGD(momentum=0) leaves v at zero, where the torch-variant velocity is g."""
    prog = program(Momentum(0.1, 0.0, variant="torch"), "float64", steps=1)
    assert not np.any(MLX.run(prog, "structured").states[0]["velocity"])
    assert np.any(reference_run(prog).states[0]["velocity"])


def test_global_clip_scales_by_norm_plus_one_millionth():
    """M5: clip_grad_norm divides by norm + 1e-6."""
    prog = Program({"w": np.zeros(2)}, OptimiserChain(ClipGlobalNorm(1.0), Descent(1.0)),
                   (Step({"w": np.array([3.0, 4.0])}),), "float64")
    assert MLX.run(prog, "structured").model["w"] == pytest.approx(
        [-3 / (5 + 1e-6), -4 / (5 + 1e-6)], rel=1e-12)


def test_a_tie_is_unsupported():
    w = np.ones(2)
    with pytest.raises(Unsupported, match="TIE-1"):
        MLX.run(Program({"a": w, "b": [w]}, Descent(), (), "float64"), "structured")


def test_collection_is_tree_flatten_order():
    start = model(np.random.default_rng(0))
    got = MLX.collect(start, "float64")
    assert all(np.array_equal(g, w) for g, w in zip(got, trainables(start), strict=True))
    assert np.array_equal(MLX.destructure(start, "float64"),
                          np.concatenate([p.ravel() for p in trainables(start)]))


@pytest.mark.parametrize("via", ["trainables", "destructure"])
def test_gradient_through_collection(via):
    start = model(np.random.default_rng(0))
    loss = Sum(Square(Param(0))) if via == "trainables" else Dot(Param(0), Param(0))
    got = MLX.gradient(start, loss, "float64", via)
    assert np.allclose(got["w"], 2 * start["w"], rtol=1e-15)
    assert not np.any(got["block"][0]["b"])  # M6: zeros, not None


def test_a_frozen_array_gets_no_gradient_while_the_loss_reads_it():
    """Module.freeze leaves the array out of trainable_parameters (GRAD-3); with every
    array frozen nn.value_and_grad would raise, and no gradient is taken (M6)."""
    start = model(np.random.default_rng(1))
    loss = Add(Dot(Param(0), Param(0)), Sum(Square(Param(1))))
    got = MLX.gradient(start, loss, "float64", "trainables", frozen=(("block",),))
    assert got["block"][0]["b"] is None
    np.testing.assert_allclose(got["w"], 2 * start["w"], rtol=1e-6)
    everything = MLX.gradient(start, loss, "float64", "trainables", frozen=((),))
    assert everything["w"] is None and everything["block"][0]["b"] is None


@pytest.mark.parametrize("path", PATHS)
def test_a_float32_checkpoint_resumes_the_run_bit_for_bit(path):
    """STATE-8: optimizer.state written with mx.save_safetensors and given to a fresh
    optimiser, after a learning-rate change: as without it."""
    rng = np.random.default_rng(16)
    start = model(rng)
    steps = [Step(grads(rng)) for _ in range(3)]
    plain = Program(start, Adam(0.1, variant="optimisers"),
                    (steps[0], Adjust({"eta": 0.05}), *steps[1:]), "float32")
    saved = Program(start, plain.rule, (*plain.ops[:2], Checkpoint(), *plain.ops[2:]),
                    "float32")
    want, got = MLX.run(plain, path), MLX.run(saved, path)
    for a, b in zip(trainables(got.model), trainables(want.model), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_reloaded_optimiser_is_a_fresh_one_holding_the_saved_state():
    """The reload behind a Checkpoint: a new state dict with equal arrays, step included."""
    opt = optim.Adam(learning_rate=0.1)
    params = {"w": mx.array([1.0, -2.0])}
    opt.init(params)
    opt.update(params, {"w": mx.array([0.5, 1.0])})
    before = opt.state
    _reload(opt, plan(Adam(0.1, variant="optimisers")), mx.float32)
    assert opt.state is not before and int(opt.state["step"]) == 1
    assert np.array_equal(np.array(opt.state["w"]["v"]), np.array(before["w"]["v"]))


def test_a_float64_state_cannot_be_written():
    """M7: mx.save_safetensors refuses float64 arrays."""
    start = model(np.random.default_rng(17))
    program = Program(start, Adam(0.1, variant="optimisers"),
                      (Step(grads(np.random.default_rng(18))), Checkpoint()), "float64")
    with pytest.raises(RuntimeError, match="invalid dtype"):
        MLX.run(program, "structured")
