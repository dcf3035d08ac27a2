"""The tinygrad adapter against the reference: rules over a few steps at float32 within the
tolerance model, shared Tensors, frozen parameters and missing gradients, collection order,
gradients through collection, and the engine quirks the findings rest on."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

pytest.importorskip("tinygrad")

from optconf.adapters.protocol import (
    Adjust,
    Checkpoint,
    Freeze,
    Program,
    Step,
    Thaw,
    Unsupported,
)
from optconf.adapters.reference import ReferenceAdapter
from optconf.adapters.tinygrad import CLANG_HINT, TinygradAdapter, plan
from optconf.conformance.tolerance import bound
from optconf.reference import trainables
from optconf.reference.expr import Add as Plus
from optconf.reference.expr import Const, Dot, Mul, Param, Square, Sum
from optconf.reference.rules import LAMB, LARS, Adam, Descent, Momentum, Muon
from optconf.reference.rules.adam import AdamW
from optconf.reference.rules.compose import OptimiserChain
from optconf.reference.rules.decay import WeightDecay
from optconf.reference.rules.descent import Nesterov

pytestmark = pytest.mark.engine("tinygrad")

REFERENCE = ReferenceAdapter()
STEPS = 3


@pytest.fixture(scope="module")
def tiny() -> TinygradAdapter:
    return TinygradAdapter()


def tied_model(rng: np.random.Generator) -> dict:
    """``w`` shared by two places, a bias, a carried integer and a carried string."""
    w = rng.normal(size=(2, 3))
    return {"w": w, "block": [{"b": rng.normal(size=3), "w": w}], "n": 3, "name": "m"}


def grads_for(model: dict, rng: np.random.Generator) -> dict:
    return {"w": rng.normal(size=(2, 3)),
            "block": [{"b": rng.normal(size=3), "w": rng.normal(size=(2, 3))}],
            "n": None, "name": None}


def program(rule, ops_grads: int = STEPS, dtype: str = "float32", seed: int = 0) -> Program:
    rng = np.random.default_rng(seed)
    model = tied_model(rng)
    ops = [Step(grads_for(model, rng)) for _ in range(ops_grads)]
    ops.insert(2, Adjust({"eta": rule_eta(rule) / 2}))
    return Program(model, rule, tuple(ops), dtype)


def rule_eta(rule) -> float:
    return rule.rules[-1].eta if hasattr(rule, "rules") else rule.eta


def scales(prog: Program) -> tuple[float, float]:
    """(largest |x|, largest per-op change of x) on the reference trajectory (TOL-3, TOL-4)."""
    values = []
    for k in range(len(prog.ops) + 1):
        prefix = Program(prog.model, prog.rule, prog.ops[:k], "float64")
        values.append(np.concatenate([p.ravel() for p in
                                      trainables(REFERENCE.run(prefix, "structured").model)]))
    change = max(np.max(np.abs(b - a)) for a, b in itertools.pairwise(values))
    return max(np.max(np.abs(v)) for v in values), float(change)


def max_error(got: dict, want: dict) -> float:
    pairs = zip(trainables(got), trainables(want), strict=True)
    return max(float(np.max(np.abs(g.astype(np.float64) - w))) for g, w in pairs)


RULES = [
    Descent(0.1),
    Momentum(0.1, 0.9),
    Nesterov(0.1, 0.9, variant="torch"),
    Adam(0.01),
    AdamW(0.01, lambda_=0.1),
    OptimiserChain(WeightDecay(0.1), Nesterov(0.1, 0.9)),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: type(r).__name__)
@pytest.mark.parametrize("path", ["structured", "flat_list", "per_array", "fused", "flat_vector"])
def test_rule_matches_reference_within_tolerance(tiny, rule, path):
    prog = program(rule)
    got = tiny.run(prog, path)
    want = REFERENCE.run(Program(prog.model, rule, prog.ops, "float64"), "structured")
    allowed = bound("tinygrad", "float32", rule, path, STEPS).allowed(*scales(prog))
    assert max_error(got.model, want.model) <= allowed
    assert got.model["block"][0]["w"] is got.model["w"]
    assert (got.model["n"], got.model["name"]) == (3, "m")
    for mine, theirs in zip(got.states, want.states, strict=True):
        assert set(mine) == set(theirs)


def test_adam_state_maps_onto_mu_nu_beta_t(tiny):
    prog = program(Adam(0.01))
    got = tiny.run(prog, "flat_list").states
    want = REFERENCE.run(Program(prog.model, prog.rule, prog.ops, "float64"), "flat_list").states
    for mine, theirs in zip(got, want, strict=True):
        np.testing.assert_array_equal(mine["mu"].shape, theirs["mu"].shape)
        # b^t is a float32 running product in tinygrad: one rounding per step (TOL-7)
        assert mine["beta_t"] == pytest.approx(theirs["beta_t"], rel=STEPS * 2 ** -23)


def test_shared_tensor_is_listed_twice_but_optimised_once(tiny):
    model = tied_model(np.random.default_rng(1))
    collected = tiny.collect(model, "float32")
    assert len(collected) == 3 and len(trainables(model)) == 2
    flat = tiny.destructure(model, "float32")
    assert flat.size == sum(p.size for p in trainables(model))


@pytest.mark.parametrize("path", ["per_array"])
def test_frozen_and_missing_gradients_leave_parameter_and_state(tiny, path):
    rng = np.random.default_rng(2)
    model = tied_model(rng)
    g1, g2 = grads_for(model, rng), grads_for(model, rng)
    g2["block"][0]["b"] = None
    ops = (Step(g1), Freeze(("w",)), Step(g1), Thaw(("w",)), Step(g2))
    prog = Program(model, Momentum(0.1, 0.9), ops, "float32")
    got = tiny.run(prog, path)
    want = REFERENCE.run(Program(model, prog.rule, ops, "float64"), "structured")
    allowed = bound("tinygrad", "float32", prog.rule, path, 2).allowed(*scales(prog))
    assert max_error(got.model, want.model) <= allowed


@pytest.mark.parametrize("path", ["structured", "flat_list", "fused"])
def test_one_optimiser_cannot_skip_a_parameter(tiny, path):
    rng = np.random.default_rng(3)
    model = tied_model(rng)
    grads = grads_for(model, rng)
    grads["block"][0]["b"] = None
    with pytest.raises(Unsupported, match="unwrap"):
        tiny.run(Program(model, Descent(0.1), (Step(grads),), "float32"), path)


def test_freeze_and_none_grad_are_declared_on_exactly_the_paths_that_skip(tiny):
    """per_array leaves a frozen parameter's optimiser unstepped; every other path holds
    several parameters in one Optimizer, which cannot skip one (TG4), and refuses."""
    info = tiny.info()
    assert not {"freeze", "none_grad"} & info.capabilities
    rng = np.random.default_rng(4)
    model = tied_model(rng)
    prog = Program(model, Descent(0.1), (Freeze(("w",)), Step(grads_for(model, rng))),
                   "float32")
    for path in info.paths:
        declared = {"freeze", "none_grad"} <= info.capabilities_on(path)
        try:
            tiny.run(prog, path)
        except Unsupported:
            assert not declared, path
        else:
            assert declared, path
    assert [p for p in info.paths if "freeze" in info.capabilities_on(p)] == ["per_array"]


def test_collection_order_is_depth_first_in_container_order(tiny):
    a, b, c = (np.full(1, float(i)) for i in range(3))
    model = {"z": a, "y": [b, {"x": c}]}
    assert [p.item() for p in tiny.collect(model, "float32")] == [0.0, 1.0, 2.0]


def test_gradient_through_collection_sums_a_shared_tensor_once(tiny):
    rng = np.random.default_rng(4)
    model = tied_model(rng)
    c = rng.normal(size=(2, 3))
    loss = Plus(Sum(Mul(Param(0), Const(c))), Dot(Param(1), Param(1)))
    for via in ("trainables", "destructure"):
        got = tiny.gradient(model, loss, "float64", via)
        np.testing.assert_array_equal(got["w"], c)  # exact: d/dw sum(w*c) = c
        assert got["block"][0]["w"] is None
        np.testing.assert_array_equal(got["block"][0]["b"], 2 * model["block"][0]["b"])


def test_unreached_parameter_has_no_gradient_through_trainables(tiny):
    model = {"a": np.ones(2), "b": np.ones(3)}
    got = tiny.gradient(model, Sum(Square(Param(0))), "float32", "trainables")
    assert got["b"] is None
    np.testing.assert_array_equal(got["a"], np.full(2, 2.0, np.float32))


def test_a_frozen_tensor_read_through_detach_still_gets_a_zero_gradient(tiny):
    """TG15: tinygrad has no requires_grad; backward() fills .grad for a detached Tensor the
    loss reads (zeros), where GRAD-3 says None; a Tensor the loss does not read gets None."""
    model = {"a": np.ones(2), "b": np.ones(3), "c": np.ones(1)}
    loss = Plus(Sum(Square(Param(0))), Sum(Square(Param(1))))
    got = tiny.gradient(model, loss, "float32", "trainables", frozen=(("b",), ("c",)))
    np.testing.assert_array_equal(got["a"], np.full(2, 2.0, np.float32))
    np.testing.assert_array_equal(got["b"], np.zeros(3, np.float32))
    assert got["c"] is None


@pytest.mark.parametrize("path", ["structured", "per_array", "flat_vector"])
def test_weight_decay_alone_is_sgd_at_lr_one(tiny, path):
    """WEIGHTDECAY-1's step g + l x is SGD(lr=1, weight_decay=l)'s, an adjusted l included."""
    rng = np.random.default_rng(2)
    model = tied_model(rng)
    ops = [Step(grads_for(model, rng)) for _ in range(STEPS)]
    ops.insert(2, Adjust({"lambda_": 0.05}))
    prog = Program(model, WeightDecay(0.1), tuple(ops), "float32")
    got = tiny.run(prog, path)
    want = REFERENCE.run(dataclasses.replace(prog, dtype="float64"), "structured")
    allowed = bound("tinygrad", "float32", prog.rule, path, STEPS).allowed(*scales(prog))
    assert max_error(got.model, want.model) <= allowed


def test_rules_without_a_tinygrad_optimiser_are_refused_with_a_reason(tiny):
    assert "couple=false" in tiny.supports(AdamW(couple=False))
    assert "chain" in tiny.supports(OptimiserChain(WeightDecay(0.1), Adam()))
    assert tiny.supports(OptimiserChain(WeightDecay(0.1), Momentum())) is None


def test_missing_clang_says_how_to_fix_it(monkeypatch):
    from tinygrad.helpers import Context

    import optconf.adapters.tinygrad as adapter

    monkeypatch.setattr(adapter.shutil, "which", lambda _name: None)
    with Context(DEV="CPU"), pytest.raises(RuntimeError) as caught:
        TinygradAdapter()
    assert str(caught.value) == CLANG_HINT


def test_float64_descent_uses_a_float32_learning_rate(tiny):
    """Finding: Optimizer.lr is a float32 Tensor whatever the parameters' dtype."""
    model = {"x": np.ones(1)}
    prog = Program(model, Descent(0.1), (Step({"x": np.ones(1)}),), "float64")
    assert tiny.run(prog, "flat_list").model["x"][0] == 1 - float(np.float32(0.1))


@pytest.mark.parametrize("path", ["fused", "per_array"])
def test_repro_source_replays_with_tinygrad_alone(tiny, path):
    from optconf.conformance.repro import flat_op

    rng = np.random.default_rng(5)
    model = tied_model(rng)
    prog = Program(model, Adam(0.01), (Step(grads_for(model, rng)),) * 2, "float32")
    scope = {"np": np, "PARAMS": trainables(model), "DTYPE": "float32",
             "OPS": [flat_op(model, op) for op in prog.ops]}
    exec(tiny.repro_source(prog, path), scope)
    for got, want in zip(scope["GOT"], trainables(tiny.run(prog, path).model), strict=True):
        np.testing.assert_array_equal(got, want)


def test_engine_cannot_update_a_0d_tensor_so_the_adapter_holds_it_as_1d(tiny):
    """Finding: tinygrad's optimisers fail on 0-d Tensors (lr has shape (1,)); the adapter
    holds a 0-d parameter as shape (1,) and gives it back 0-d."""
    from tinygrad import Tensor
    from tinygrad.helpers import Context
    from tinygrad.nn import optim

    x = Tensor(np.array(1.0, np.float32)).contiguous().realize()
    opt = optim.SGD([x], lr=0.1)
    x.grad = Tensor(np.array(1.0, np.float32))
    with Context(TRAINING=1), pytest.raises(ValueError, match="broadcast"):
        opt.step()
    got = tiny.run(Program(np.array(1.0), Descent(0.5), (Step(np.array(1.0)),), "float32"),
                   "flat_list")
    assert got.model.shape == () and got.model == np.float32(0.5)


def test_float64_is_declared_only_on_request(tiny, monkeypatch):
    assert tiny.info().dtypes == ("float32",)
    monkeypatch.setenv("OPTCONF_TINYGRAD_FLOAT64", "1")
    assert tiny.info().dtypes == ("float32", "float64")


def test_float64_momentum_crashes_in_the_engine(tiny):
    """Finding: LARS assigns a float64 update into its float32 momentum buffer."""
    prog = Program({"x": np.ones(1)}, Momentum(0.1, 0.9), (Step({"x": np.ones(1)}),), "float64")
    with pytest.raises(RuntimeError, match="assign dtype mismatch"):
        tiny.run(prog, "flat_list")


def test_sgd_without_momentum_exposes_no_velocity(tiny):
    prog = Program({"x": np.ones(2)}, Momentum(0.1, 0.0), (Step({"x": np.ones(2)}),), "float32")
    got = tiny.run(prog, "per_array")
    assert got.states == [None] and got.model["x"][0] == np.float32(0.9)


def test_legacy_training_switch_was_removed_without_a_warning(tiny):
    """Older tinygrad's ``with Tensor.train(): opt.step()`` raises AttributeError in 0.14,
    and no DeprecationWarning came first (DEP-1 differs, FINDINGS TG10)."""
    with pytest.raises(AttributeError, match="train"):
        tiny.run(program(Descent(0.1)), "legacy")


PER_ARRAY_RULES = [LARS(0.1, 0.9, 0.01, 0.02), LAMB(0.01, lambda_=0.01),
                   Muon(0.02, nesterov=True, lambda_=0.1)]


@pytest.mark.parametrize("rule", PER_ARRAY_RULES, ids=lambda r: type(r).__name__)
@pytest.mark.parametrize("path", ["structured", "flat_list", "per_array"])
def test_lars_lamb_muon_match_reference_within_tolerance(tiny, rule, path):
    """tinygrad's LARS (classic, paper trust ratio), LAMB (adam=False) and Muon (no shape
    scaling) are the normative rules (LARS-1, LAMB-1, MUON-1)."""
    prog = program(rule)
    got = tiny.run(prog, path)
    want = REFERENCE.run(Program(prog.model, rule, prog.ops, "float64"), "structured")
    allowed = bound("tinygrad", "float32", rule, path, STEPS).allowed(*scales(prog))
    assert max_error(got.model, want.model) <= allowed


@pytest.mark.parametrize("path", ["fused", "flat_vector"])
def test_per_array_rules_are_refused_on_one_buffer(tiny, path):
    """fused=True and the flat vector make one array of all parameters (RULE-4)."""
    with pytest.raises(Unsupported, match="RULE-4"):
        tiny.run(program(LAMB(0.01)), path)


def test_muon_crashes_on_an_empty_parameter(tiny):
    """reshape(0, -1) of an empty update raises (FINDINGS TG11)."""
    prog = Program({"e": np.zeros(0)}, Muon(0.02), (Step({"e": np.zeros(0)}),), "float32")
    with pytest.raises(ZeroDivisionError):
        tiny.run(prog, "flat_list")


def test_momentum_raised_from_zero_mid_run_is_tinygrads_index_error(tiny):
    """Finding TG14: the adapter sets momentum on the live optimiser as a user would; one
    built with momentum 0 has no buffer to index, and tinygrad raises IndexError."""
    ops = (Step({"w": np.ones(2)}), Adjust({"rho": 0.9}), Step({"w": np.ones(2)}))
    with pytest.raises(IndexError):
        tiny.run(Program({"w": np.zeros(2)}, Momentum(0.1, 0.0), ops, "float32"), "flat_list")


def test_momentum_lowered_to_zero_mid_run_steps_plain_descent(tiny):
    ops = (Step({"w": np.ones(2)}), Adjust({"rho": 0.0}), Step({"w": np.ones(2)}))
    prog = Program({"w": np.zeros(2)}, Momentum(0.1, 0.9), ops, "float32")
    got = tiny.run(prog, "flat_list")
    want = ReferenceAdapter().run(dataclasses.replace(prog, dtype="float64"), "structured")
    np.testing.assert_allclose(got.model["w"], want.model["w"], rtol=1e-6)


#: Each path with a stateful rule, LAMB (per array, RULE-4) where one buffer is not refused.
CHECKPOINTED = [(rule, path) for path in ("structured", "flat_list", "per_array", "fused",
                                          "flat_vector")
                for rule in (Momentum(0.1, 0.5), Adam(0.1), LAMB())
                if not (isinstance(rule, LAMB) and path in ("fused", "flat_vector"))]


@pytest.mark.parametrize(("rule", "path"), CHECKPOINTED,
                         ids=[f"{type(r).__name__}-{p}" for r, p in CHECKPOINTED])
def test_a_checkpoint_resumes_the_run_bit_for_bit(tiny, rule, path):
    """STATE-8: safe_save(get_state_dict(opt)), a fresh optimiser from the same factory
    (SGD builds a LARS) loaded with load_state_dict, after an lr change: as without it."""
    rng = np.random.default_rng(16)
    model = tied_model(rng)
    steps = [Step(grads_for(model, rng)) for _ in range(STEPS)]
    plain = Program(model, rule, (steps[0], Adjust({"eta": 0.05}), *steps[1:]), "float32")
    saved = dataclasses.replace(plain, ops=(*plain.ops[:2], Checkpoint(), *plain.ops[2:]))
    want, got = tiny.run(plain, path), tiny.run(saved, path)
    for a, b in zip(trainables(got.model), trainables(want.model), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [sorted(s) for s in got.states] == [sorted(s) for s in want.states]


def test_a_reloaded_optimiser_has_fresh_buffers_holding_the_saved_values(tiny):
    """The reload behind a Checkpoint replaces every state Tensor (a fresh optimiser's)
    and loads the saved values into them, the step counts b1_t and b2_t included."""
    engine, the_plan = tiny.engine, plan(Adam(0.1))
    param = engine.tensor(np.array([1.0, -2.0]), engine.dtype("float32"))
    opt = engine.optimizer(the_plan, [param])
    for g in (0.5, -1.5):
        param.grad = engine.const(np.array([g, 2 * g]), engine.dtype("float32"))
        engine.step(opt)
    m, b1_t = opt.m[0], opt.b1_t
    saved = m.numpy(), b1_t.numpy()
    engine.reload(opt, the_plan)
    assert opt.m[0] is not m and opt.b1_t is not b1_t
    np.testing.assert_array_equal(opt.m[0].numpy(), saved[0])
    np.testing.assert_array_equal(opt.b1_t.numpy(), saved[1])


def test_an_optimiser_over_an_empty_parameter_cannot_be_saved(tiny):
    """TG16: safe_save raises on the zero-size Tensors of its state."""
    model = {"w": np.ones(2), "e": np.ones((2, 0))}
    program = Program(model, Adam(0.1), (Step({"w": np.ones(2), "e": np.ones((2, 0))}),
                                          Checkpoint()), "float32")
    with pytest.raises(AssertionError):
        tiny.run(program, "flat_list")
