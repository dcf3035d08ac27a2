"""The torch adapter against the reference: rules over a few steps at float32 and float64
within the tolerance model, every update path, tied Parameters, frozen parameters and missing
gradients, collection order, gradients through collection, and the torch behaviours the
findings (docs/FINDINGS.md) rest on."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from optconf.adapters.protocol import Adjust, Freeze, Program, Step, Thaw  # noqa: E402
from optconf.adapters.reference import ReferenceAdapter  # noqa: E402
from optconf.adapters.torch import PATHS, TorchAdapter, _reloaded  # noqa: E402
from optconf.conformance.tolerance import bound  # noqa: E402
from optconf.reference import trainables  # noqa: E402
from optconf.reference.expr import Add, Dot, Param, Square, Sum  # noqa: E402
from optconf.reference.rules import (  # noqa: E402
    AdaGrad,
    Adam,
    AdamW,
    AMSGrad,
    ClipGlobalNorm,
    ClipGrad,
    ClipNorm,
    Lion,
    Momentum,
    Muon,
    NAdam,
    Nesterov,
    OptimiserChain,
    RAdam,
    RMSProp,
    Rprop,
    WeightDecay,
)

pytestmark = pytest.mark.engine("torch")

REFERENCE = ReferenceAdapter()
TORCH = TorchAdapter()


def tied_model(rng: np.random.Generator) -> dict:
    """``w`` at two places (one Parameter in two modules), a bias, carried values."""
    w = rng.normal(size=(2, 3))
    return {"w": w, "block": [{"b": rng.normal(size=3), "w": w}], "n": 3, "name": "m"}


def grads_for(rng: np.random.Generator) -> dict:
    return {"w": rng.normal(size=(2, 3)),
            "block": [{"b": rng.normal(size=3), "w": rng.normal(size=(2, 3))}]}


def program(rule, steps: int = 4, dtype: str = "float32", seed: int = 0, extra=()) -> Program:
    rng = np.random.default_rng(seed)
    model = tied_model(rng)
    ops = [Step(grads_for(rng)) for _ in range(steps)]
    return Program(model, rule, (*ops[:2], *extra, *ops[2:]), dtype)


def scales(prog: Program) -> tuple[float, float]:
    """(largest |x|, largest per-op change of x) on the reference trajectory (TOL-3, TOL-4)."""
    values = []
    for k in range(len(prog.ops) + 1):
        prefix = Program(prog.model, prog.rule, prog.ops[:k], "float64")
        values.append(np.concatenate([p.ravel() for p in
                                      trainables(REFERENCE.run(prefix, "structured").model)]))
    change = max(float(np.max(np.abs(b - a), initial=0.0)) for a, b in pairwise(values))
    return max(float(np.max(np.abs(v), initial=0.0)) for v in values), change


def max_error(got, want) -> float:
    pairs = zip(trainables(got), trainables(want), strict=True)
    return max(float(np.max(np.abs(np.asarray(g, np.float64) - w), initial=0.0))
               for g, w in pairs)


def allowed(prog: Program, path: str) -> float:
    steps = sum(isinstance(op, Step) for op in prog.ops)
    return bound("torch", prog.dtype, prog.rule, path, steps).allowed(*scales(prog))


RULES = [
    Adam(0.01, variant="torch"),
    Momentum(0.1, 0.9, variant="torch"),
    RMSProp(0.01, 0.9, 1e-8, centred=True),
    AdaGrad(0.1),
    AdamW(0.01, lambda_=0.1, variant="torch"),
    AMSGrad(0.01, variant="torch"),
    RAdam(0.01, variant="torch"),
    OptimiserChain(ClipGrad(0.5), WeightDecay(0.01), Adam(0.01, variant="torch")),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: type(r).__name__)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rule_matches_reference_within_tolerance(rule, dtype):
    prog = program(rule, dtype=dtype, extra=(Adjust({"eta": 0.005}),))
    want = REFERENCE.run(Program(prog.model, rule, prog.ops, "float64"), "structured")
    got = TORCH.run(prog, "structured")
    assert max_error(got.model, want.model) <= allowed(prog, "structured")


@pytest.mark.parametrize("path", PATHS)
def test_every_path_matches_reference(path):
    rule = Adam(0.01, variant="torch")
    prog = program(rule, dtype="float32")
    want = REFERENCE.run(Program(prog.model, rule, prog.ops, "float64"), "structured")
    got = TORCH.run(prog, path)
    assert max_error(got.model, want.model) <= allowed(prog, path)
    assert got.model["w"] is got.model["block"][0]["w"]  # TIE-3


def test_state_is_reported_in_reference_fields():
    prog = program(Adam(0.01, variant="torch"), dtype="float64")
    want = REFERENCE.run(prog, "structured").states
    got = TORCH.run(prog, "structured").states
    for mine, theirs in zip(got, want, strict=True):
        assert mine is not None and set(mine) == set(theirs)
        assert np.allclose(mine["mu"], theirs["mu"], rtol=0, atol=1e-15)
        assert np.allclose(mine["beta_t"], theirs["beta_t"], rtol=1e-15, atol=0)


def test_tied_parameter_gets_the_sum_once():
    """One Parameter in two modules: one update with the summed gradient (TIE-2)."""
    w = np.ones(2)
    model = {"a": w, "b": [w]}
    prog = Program(model, Momentum(0.5, 0.0, variant="torch"),
                   (Step({"a": np.array([1.0, 2.0]), "b": [np.array([3.0, 4.0])]}),), "float64")
    out = TORCH.run(prog, "structured")
    assert out.model["a"] is out.model["b"][0]
    assert np.array_equal(out.model["a"], [1 - 0.5 * 4, 1 - 0.5 * 6])


def test_frozen_parameter_and_state_untouched_then_thawed():
    """Freeze = requires_grad_(False) and no .grad: torch leaves the Parameter and its
    state alone; thawing resumes from that state (FRZ-1, FRZ-2)."""
    rule = Adam(0.01, variant="torch")
    prog = program(rule, dtype="float64",
                   extra=(Freeze(("block", 0, "b")), Step(grads_for(np.random.default_rng(2))),
                          Thaw(("block",))))
    out = TORCH.run(prog, "structured")
    want = REFERENCE.run(prog, "structured")
    assert max_error(out.model, want.model) <= allowed(prog, "structured")
    assert out.states[1]["beta_t"] == pytest.approx(want.states[1]["beta_t"], rel=1e-15)


def test_none_gradient_skips_and_zero_gradient_advances():
    """torch skips ``p.grad is None`` (UPD-5): no state is made; a zero grad makes one."""
    x, y = np.ones(2), np.ones(2)
    ops = (Step({"x": np.zeros(2), "y": None}),)
    prog = Program({"x": x, "y": y}, Adam(0.1, variant="torch"), ops, "float64")
    out = TORCH.run(prog, "flat_list")
    assert out.states[0]["beta_t"] == pytest.approx((0.9**2, 0.999**2))
    assert out.states[1] is None and np.array_equal(out.model["y"], y)


def test_collection_puts_a_modules_own_parameters_before_its_submodules():
    """torch visits module by module, each module's own Parameters first, so a parameter
    registered after a submodule comes before the submodule's (COLL-2 differs)."""
    inner, outer = np.zeros(2), np.ones(3)
    model = {"enc": {"w": inner}, "b": outer}
    assert [p.shape for p in TORCH.collect(model, "float64")] == [(3,), (2,)]
    assert [p.shape for p in REFERENCE.collect(model, "float64")] == [(2,), (3,)]
    flat_model = {"a": inner, "b": outer}  # no nesting: the orders agree
    assert np.array_equal(TORCH.destructure(flat_model, "float64"),
                          REFERENCE.destructure(flat_model, "float64"))


@pytest.mark.parametrize("via", ["trainables", "destructure"])
def test_gradient_through_collection(via):
    model = tied_model(np.random.default_rng(1))
    loss = Add(Sum(Square(Param(0))), Dot(Param(1), Param(1)))
    got = TORCH.gradient(model, loss, "float64", via)
    want = REFERENCE.gradient(model, loss, "float64", via)
    assert np.allclose(got["w"], want["w"], rtol=1e-15, atol=0)
    assert np.allclose(got["block"][0]["b"], want["block"][0]["b"], rtol=1e-15, atol=0)
    assert got["block"][0]["w"] is None and got["n"] is None


def test_tied_gradient_goes_to_the_first_name_in_torch_order():
    """named_parameters() names a tie after its first place in torch's order, which is the
    root's own Parameter, not the earlier place inside a submodule (GRAD-2 differs)."""
    w = np.ones(2)
    model = {"enc": {"w": w}, "tie": w}
    got = TORCH.gradient(model, Sum(Param(0)), "float64", "trainables")
    assert got["enc"]["w"] is None and np.array_equal(got["tie"], [1.0, 1.0])


def test_supports_names_the_reason():
    assert "lr outside the velocity" in TORCH.supports(Momentum())
    assert "no Lion" in TORCH.supports(Lion())
    assert "eta=100.0 outside" in TORCH.supports(Rprop(100.0))
    assert TORCH.supports(OptimiserChain(ClipGlobalNorm(1.0), Adam(variant="torch"))) is None


def test_torch_optimiser_ignores_requires_grad():
    """Freezing in torch belongs to autograd: a frozen Parameter that still holds a .grad is
    updated by step() (the adapter's freeze therefore also withholds the gradient)."""
    p = torch.nn.Parameter(torch.ones(2))
    p.requires_grad_(False)
    p.grad = torch.ones(2)
    torch.optim.SGD([p], lr=0.5).step()
    assert p.tolist() == [0.5, 0.5]


def test_nadam_bias_correction_is_float32_for_float64_parameters():
    """torch NAdam keeps mu_product in float32 (the default dtype), so float64 runs carry
    float32 rounding (NADAM-3 at float64)."""
    rule = NAdam(0.01, variant="optax")
    prog = program(rule, dtype="float64")
    want = REFERENCE.run(prog, "structured")
    got = TORCH.run(prog, "structured")
    error = max_error(got.model, want.model)
    assert error > 100 * allowed(prog, "structured")
    assert error <= allowed(Program(prog.model, rule, prog.ops, "float32"), "structured")


def test_global_clip_norm_adds_one_millionth_to_the_norm():
    """clip_grad_norm_ scales by max_norm / (norm + 1e-6) (CLIPGLOBALNORM-1 differs)."""
    rule = OptimiserChain(ClipGlobalNorm(1.0), Momentum(1.0, 0.0, variant="torch"))
    prog = Program({"x": np.zeros(2)}, rule, (Step({"x": np.array([3.0, 4.0])}),), "float64")
    got = TORCH.run(prog, "structured").model["x"]
    assert np.allclose(got, -np.array([3.0, 4.0]) / (5 + 1e-6), rtol=1e-15, atol=0)


def test_nesterov_without_momentum_runs_as_plain_sgd():
    """torch refuses SGD(nesterov=True, momentum=0); the formula is then plain SGD."""
    prog = program(Nesterov(0.1, 0.0, variant="torch"), dtype="float64")
    want = REFERENCE.run(prog, "structured")
    assert max_error(TORCH.run(prog, "structured").model, want.model) <= allowed(
        prog, "structured")


@pytest.mark.parametrize("rule", [OptimiserChain(ClipGrad(0.5), Adam(0.1, variant="torch")),
                                  OptimiserChain(ClipNorm(0.5, float("inf")),
                                                 Adam(0.1, variant="torch"))],
                         ids=["ClipGrad", "ClipNorm-inf"])
def test_clipping_nothing_is_a_no_op(rule):
    """No gradient at all, and a zero-size array: torch's clip utilities raise there, the
    adapter clips nothing, as the reference does."""
    model = {"w": np.ones(2), "empty": np.zeros(0)}
    ops = (Step({"w": None, "empty": None}), Step({"w": np.array([3.0, -4.0]),
                                                   "empty": np.zeros(0)}))
    prog = Program(model, rule, ops, "float64")
    want = REFERENCE.run(prog, "structured")
    assert max_error(TORCH.run(prog, "structured").model, want.model) <= allowed(
        prog, "structured")


def test_adjusting_beta_uses_the_new_beta_to_the_power_t():
    """torch's bias correction after a beta change is 1 - b_new**t: Adam(variant="torch"),
    not the normative running product of the betas applied (ADAM-2; FINDINGS T2)."""
    ops = (Step({"x": np.ones(1)}), Step({"x": np.ones(1)}), Adjust({"beta": (0.5, 0.9)}),
           Step({"x": np.ones(1)}))
    prog = Program({"x": np.zeros(1)}, Adam(0.1, variant="torch"), ops, "float64")
    got, want = TORCH.run(prog, "structured"), REFERENCE.run(prog, "structured")
    normative = REFERENCE.run(dataclasses.replace(prog, rule=Adam(0.1)), "structured")
    assert got.states[0]["beta_t"] == pytest.approx((0.5**4, 0.9**4), rel=1e-15)
    assert max_error(got.model, want.model) <= allowed(prog, "structured")
    assert max_error(got.model, normative.model) > 1e3 * allowed(prog, "structured")


@pytest.mark.parametrize("rule", [OptimiserChain(ClipGrad(0.05), ClipNorm(0.5),
                                                 Adam(0.1, variant="torch")),
                                  OptimiserChain(ClipGlobalNorm(0.5), Momentum(0.1, 0.9,
                                                                               "torch"))],
                         ids=["ClipGrad-ClipNorm-Adam", "ClipGlobalNorm-Momentum"])
def test_repro_source_replays_clips_freezing_and_adjust_with_torch_alone(rule):
    from optconf.conformance.repro import flat_op

    prog = program(rule, extra=(Freeze(("block",)), Adjust({"eta": 0.05})))
    scope = {"np": np, "PARAMS": trainables(prog.model), "DTYPE": "float32",
             "OPS": [flat_op(prog.model, op) for op in prog.ops]}
    exec(TORCH.repro_source(prog, "flat_list"), scope)
    for got, want in zip(scope["GOT"], trainables(TORCH.run(prog, "flat_list").model),
                         strict=True):
        np.testing.assert_array_equal(got, want)


def test_legacy_path_gives_the_structured_numbers_bitwise():
    """Gradients through the deprecated ``stateless.functional_call`` are the ones assigned
    directly, ties summed: parameters and state bit for bit (DEP-4; the DEP property stops
    at DEP-1 on torch, FINDINGS T8)."""
    prog = program(Adam(0.01, variant="torch"), dtype="float64")
    legacy, structured = TORCH.run(prog, "legacy"), TORCH.run(prog, "structured")
    for got, want in zip(trainables(legacy.model), trainables(structured.model), strict=True):
        assert np.array_equal(got, want)
    for got, want in zip(legacy.states, structured.states, strict=True):
        assert got is not None and want is not None
        assert all(np.array_equal(got[k], want[k]) for k in ("mu", "nu"))


def test_legacy_path_warns_future_warning_at_the_adapter_line_every_step():
    """torch's deprecated functional_call warns FutureWarning, not DeprecationWarning
    (DEP-1 differs, FINDINGS T8), once per step, at the calling line (DEP-2 holds)."""
    prog = program(Momentum(0.1, 0.9, variant="torch"), steps=3)
    seen = TORCH.run(prog, "legacy").warnings
    assert [w.category for w in seen] == ["FutureWarning"] * 3
    assert all(w.filename.endswith("adapters/torch.py") for w in seen)
    assert "torch.func.functional_call" in seen[0].message


def test_gradient_through_the_deprecated_functional_call_equals_trainables():
    """``via="legacy"``: autograd through stateless.functional_call gives the gradient
    through the module's Parameters (DEP-8)."""
    model = tied_model(np.random.default_rng(3))
    loss = Add(Sum(Square(Param(0))), Sum(Param(1)))
    legacy = TORCH.gradient(model, loss, "float64", "legacy")
    plain = TORCH.gradient(model, loss, "float64", "trainables")
    assert np.array_equal(legacy["w"], plain["w"])
    assert np.array_equal(legacy["block"][0]["b"], plain["block"][0]["b"])


def muon_program(dtype: str = "float64") -> Program:
    rng = np.random.default_rng(4)
    model = {"w": rng.normal(size=(3, 4)), "v": rng.normal(size=(5, 2))}
    ops = tuple(Step({"w": rng.normal(size=(3, 4)), "v": rng.normal(size=(5, 2))})
                for _ in range(3))
    return Program(model, Muon(0.02, nesterov=True, lambda_=0.1, variant="torch"), ops, dtype)


def test_muon_buffer_is_the_reference_sum_but_newton_schulz_runs_in_bfloat16():
    """torch Muon's moving-average buffer over (1 - momentum) is the reference's buffer to
    float64 rounding; its steps are off by bfloat16 Newton-Schulz, far beyond the float64
    tolerance (MUON-2, FINDINGS T9)."""
    prog = muon_program()
    got, want = TORCH.run(prog, "flat_list"), REFERENCE.run(prog, "structured")
    for mine, theirs in zip(got.states, want.states, strict=True):
        assert mine is not None
        assert np.allclose(mine["buffer"], theirs["buffer"], rtol=1e-13, atol=0)
    assert 1e-5 < max_error(got.model, want.model) < 1e-2


def test_muon_refuses_a_parameter_that_is_not_a_matrix():
    """torch.optim.Muon raises ValueError for a vector (MUON-3, FINDINGS T9)."""
    prog = Program({"b": np.ones(3)}, Muon(variant="torch"), (Step({"b": np.ones(3)}),),
                   "float64")
    with pytest.raises(ValueError, match="2D"):
        TORCH.run(prog, "flat_list")


def test_a_declared_variant_applies_to_the_default_chains_members():
    """natural_rule puts each member of the default chain in the variant the engine
    declares for its class (RULE-5): with Adam declared "torch", the chain's Adam is."""
    from optconf.conformance.cases import natural_rule

    info = dataclasses.replace(TORCH.info(), variants={"Adam": "torch"})
    chain = natural_rule(info, "OptimiserChain")
    assert chain.rules[-1] == Adam(variant="torch")
    assert natural_rule(TORCH.info(), "OptimiserChain").rules[-1] == Adam(variant="torch")


def test_a_frozen_parameter_gets_no_gradient_while_the_loss_reads_it():
    """requires_grad_(False) on the frozen Parameter (GRAD-3): freezing the tie at its second
    place freezes the one Parameter; the bias still gets its gradient."""
    model = tied_model(np.random.default_rng(6))
    loss = Add(Sum(Square(Param(0))), Dot(Param(1), Param(1)))
    got = TORCH.gradient(model, loss, "float64", "trainables", frozen=(("block", 0, "w"),))
    assert got["w"] is None and got["block"][0]["w"] is None
    np.testing.assert_array_equal(got["block"][0]["b"], 2 * model["block"][0]["b"])
    everything = TORCH.gradient(model, loss, "float64", "trainables", frozen=((),))
    assert everything["w"] is None and everything["block"][0]["b"] is None


@pytest.mark.parametrize("flags", [{}, {"foreach": True}, {"fused": True}])
def test_a_reloaded_optimiser_is_a_fresh_one_that_steps_as_the_original(flags):
    """STATE-8: _reloaded saves state_dict through torch.save, builds a new optimiser over
    the same Parameters and loads it; after an lr change and two steps, both go on alike."""
    params = [torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))]
    opt = torch.optim.Adam(params, lr=0.1, **flags)
    for g in (0.5, -1.5):
        params[0].grad = torch.tensor([g, 2 * g], dtype=torch.float64)
        opt.step()
    opt.param_groups[0]["lr"] = 0.05
    fresh = _reloaded(opt)
    assert fresh is not opt and fresh.param_groups[0]["lr"] == 0.05
    state, loaded = opt.state[params[0]], fresh.state[params[0]]
    assert state is not loaded and torch.equal(state["exp_avg_sq"], loaded["exp_avg_sq"])
    assert float(loaded["step"]) == 2.0
    # the fresh optimiser takes over a copy of the Parameter, so that both can step
    twin = torch.nn.Parameter(params[0].detach().clone())
    fresh.param_groups[0]["params"] = [twin]
    fresh.state[twin] = fresh.state.pop(params[0])
    for p, o in ((params[0], opt), (twin, fresh)):
        p.grad = torch.tensor([0.25, -0.75], dtype=torch.float64)
        o.step()
    assert torch.equal(params[0], twin)
