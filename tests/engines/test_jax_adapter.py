"""The JAX + optax adapter against the reference: rules over a few steps at float32 and
float64 within the tolerance model, every update path, ties (unsupported), static freezing,
missing gradients, adjust, collection order, gradients through collection, and the optax
behaviours the findings (docs/FINDINGS.md, section jax) rest on."""

from __future__ import annotations

import dataclasses
import warnings
from itertools import pairwise

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")

import jax.numpy as jnp  # noqa: E402

from optconf.adapters.jax import PATHS, JaxAdapter, _saved_and_loaded  # noqa: E402
from optconf.adapters.protocol import (  # noqa: E402
    Adjust,
    Freeze,
    Program,
    Step,
    Stopped,
    Thaw,
    Unsupported,
)
from optconf.adapters.reference import ReferenceAdapter  # noqa: E402
from optconf.conformance.tolerance import bound  # noqa: E402
from optconf.reference import trainables  # noqa: E402
from optconf.reference.expr import (  # noqa: E402
    Add,
    Dot,
    Param,
    Square,
    Sum,
    gradient_through_trainables,
    value_and_grad,
)
from optconf.reference.rules import (  # noqa: E402
    LAMB,
    LARS,
    AccumGrad,
    AdaBelief,
    AdaDelta,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    ClipGlobalNorm,
    ClipGrad,
    ClipNorm,
    Descent,
    Lion,
    Momentum,
    Muon,
    NAdam,
    Nesterov,
    OAdam,
    OptimiserChain,
    RAdam,
    RMSProp,
    Rprop,
    SignDecay,
    WeightDecay,
)

pytestmark = pytest.mark.engine("jax")

REFERENCE = ReferenceAdapter()
JAX = JaxAdapter()


def model_for(rng: np.random.Generator) -> dict:
    """Dict keys not in sorted order, a list, a tuple and carried values."""
    return {"w": rng.normal(size=(2, 3)), "block": [{"b": rng.normal(size=3)}, 7],
            "a": (rng.normal(size=2),), "name": "m"}


def grads_for(rng: np.random.Generator) -> dict:
    return {"w": rng.normal(size=(2, 3)), "block": [{"b": rng.normal(size=3)}, None],
            "a": (rng.normal(size=2),)}


def program(rule, steps: int = 4, dtype: str = "float32", seed: int = 0, extra=()) -> Program:
    rng = np.random.default_rng(seed)
    model = model_for(rng)
    ops = [Step(grads_for(rng)) for _ in range(steps)]
    return Program(model, rule, (*ops[:2], *extra, *ops[2:]), dtype)


def scales(prog: Program) -> tuple[float, float]:
    """(largest |x|, largest per-op change of x) on the reference trajectory (TOL-3, TOL-4)."""
    values = []
    for k in range(len(prog.ops) + 1):
        prefix = Program(prog.model, prog.rule, prog.ops[:k], "float64")
        values.append(np.concatenate([p.ravel() for p in
                                      trainables(REFERENCE.run(prefix, "structured").model)]))
    change = max(float(np.max(np.abs(b - a))) for a, b in pairwise(values))
    return max(float(np.max(np.abs(v))) for v in values), change


def max_error(got, want) -> float:
    pairs = zip(trainables(got), trainables(want), strict=True)
    return max(float(np.max(np.abs(np.asarray(g, np.float64) - w))) for g, w in pairs)


def test_outcome_keeps_the_program_dtype():
    """(UPD-6) parameters, state and collected arrays come back in the engine's dtype."""
    prog = program(Adam(0.01, variant="optax"), dtype="float32")
    got = JAX.run(prog, "structured")
    assert {p.dtype for p in trainables(got.model)} == {np.dtype(np.float32)}
    assert got.states[0]["mu"].dtype == np.float32
    assert JAX.collect(prog.model, "float32")[0].dtype == np.float32


def allowed(prog: Program, path: str) -> float:
    steps = sum(isinstance(op, Step) for op in prog.ops)
    return bound("jax+optax", prog.dtype, prog.rule, path, steps).allowed(*scales(prog))


def reference(prog: Program):
    return REFERENCE.run(Program(prog.model, prog.rule, prog.ops, "float64"), "structured")


SUPPORTED = [
    Descent(0.1), Momentum(0.05, 0.9), Momentum(0.05, 0.9, variant="torch"),
    Nesterov(0.05, 0.9), Nesterov(0.05, 0.9, variant="torch"), RMSProp(0.01),
    RMSProp(0.01, centred=True), Adam(0.01, variant="optax"),
    AdamW(0.01, lambda_=0.1, variant="optax"),
    AdamW(0.01, lambda_=0.1, couple=False, variant="optax"), NAdam(0.01, variant="optax"),
    RAdam(0.01, variant="optax"), AMSGrad(0.01, variant="optax"),
    AdaMax(0.01, variant="torch"), AdaBelief(0.01, variant="optax"), AdaDelta(0.9), Lion(0.01),
    OptimiserChain(WeightDecay(0.1), ClipGrad(0.5), Adam(0.01, variant="optax")),
    OptimiserChain(ClipGlobalNorm(1.0), Descent(0.1)),
    OptimiserChain(AccumGrad(2), Adam(0.01, variant="optax")),
]


def accumulates(rule) -> bool:
    return isinstance(rule, OptimiserChain) and isinstance(rule.rules[0], AccumGrad)


# AccumGrad at float64 is test_multisteps_accumulates_float64_gradients_in_float32's case
@pytest.mark.parametrize(("rule", "dtype"), [
    (rule, dtype) for dtype in ("float32", "float64") for rule in SUPPORTED
    if not (dtype == "float64" and accumulates(rule))], ids=repr)
def test_rule_matches_reference_within_tolerance(rule, dtype):
    """(RULE-1) optax's chains give the reference's parameters and state within TOL-1..5."""
    prog = program(rule, dtype=dtype)
    got, want = JAX.run(prog, "structured"), reference(prog)
    assert max_error(got.model, want.model) <= allowed(prog, "structured")
    for mine, theirs in zip(got.states, want.states, strict=True):
        assert (mine is None) == accumulates(rule), "only AccumGrad's state has no counterpart"
        for key, value in (mine or {}).items():
            if isinstance(value, np.ndarray):
                assert np.allclose(value, theirs[key], rtol=1e-3, atol=1e-6), key


@pytest.mark.parametrize("path", PATHS)
def test_every_path_agrees_with_reference(path):
    """(UPD-4, FLAT-6) structured, flat list, one state per array and ravel_pytree's flat
    vector all give the reference's update."""
    prog = program(OptimiserChain(WeightDecay(0.01), Adam(0.01, variant="optax")), steps=5)
    assert max_error(JAX.run(prog, path).model, reference(prog).model) <= allowed(prog, path)


def test_model_comes_back_with_carried_values():
    """(TREE-3, TREE-7) carried values and the model's containers survive the run."""
    prog = program(Descent(0.1))
    got = JAX.run(prog, "structured").model
    assert got["name"] == "m" and got["block"][1] == 7 and isinstance(got["a"], tuple)
    assert list(got) == ["w", "block", "a", "name"]


def test_per_array_clip_norm_is_clip_by_global_norm_of_one_array():
    """(CLIPNORM-1, CLIPNORM-2) ClipNorm maps to clip_by_global_norm only with one optax
    state per array; over a whole tree optax clips globally, so it is refused there."""
    prog = program(OptimiserChain(ClipNorm(0.5), Descent(0.1)), dtype="float64")
    assert max_error(JAX.run(prog, "per_array").model, reference(prog).model) <= allowed(
        prog, "per_array")
    for path in ("structured", "flat_list", "flat_vector"):
        with pytest.raises(Unsupported):
            JAX.run(prog, path)


# --------------------------------------------------------------------- ties


def tied(rng: np.random.Generator) -> dict:
    w = rng.normal(size=3)
    return {"x": w, "y": [w]}


def test_ties_are_unsupported_everywhere():
    """(TIE-1) pytree leaves are values: a tied model cannot be built, so every verb says
    unsupported instead of silently untying."""
    model = tied(np.random.default_rng(0))
    with pytest.raises(Unsupported, match="tie"):
        JAX.run(Program(model, Descent(), (Step({"x": np.ones(3)}),)), "structured")
    with pytest.raises(Unsupported):
        JAX.collect(model, "float64")
    with pytest.raises(Unsupported):
        JAX.gradient(model, Sum(Param(0)), "float64", "trainables")
    assert "shared" not in JAX.info().capabilities


def test_one_leaf_used_twice_gets_the_summed_gradient():
    """(EXPR-4, TIE-2) what JAX can do instead of a tie: one leaf read twice by the loss
    gets the sum of both uses' gradients from jax.grad."""
    rng = np.random.default_rng(1)
    model = {"w": rng.normal(size=3), "v": rng.normal(size=3)}
    loss = Add(Dot(Param(0), Param(1)), Sum(Square(Param(0))))
    got = JAX.gradient(model, loss, "float64", "trainables")
    _, (want_w, want_v) = value_and_grad(loss, trainables(model))
    np.testing.assert_allclose(got["w"], want_w, rtol=1e-14)
    np.testing.assert_allclose(got["v"], want_v, rtol=1e-14)


# ------------------------------------------------------------- freeze, None, adjust


def test_freeze_before_the_first_step_is_exact_and_drops_state():
    """(FRZ-1, FRZ-3) selective_transform with the mask from the start: the frozen arrays
    stay, the others follow the reference; optax keeps no state for a frozen array."""
    rng = np.random.default_rng(2)
    model = model_for(rng)
    ops = (Freeze(("block",)), *(Step(grads_for(rng)) for _ in range(3)))
    prog = Program(model, Adam(0.01, variant="optax"), ops, "float64")
    for path in ("structured", "flat_list", "per_array"):
        got = JAX.run(prog, path)
        assert max_error(got.model, reference(prog).model) <= allowed(prog, path)
        assert got.states[1] is None and got.states[0] is not None


def test_freezing_mid_run_is_unsupported():
    """(FRZ-2) optax's freeze masks are static: a mask changing between steps needs a new
    optimiser state, so the adapter does not declare the freeze capability."""
    prog = program(Adam(0.01, variant="optax"), extra=(Freeze(("w",)),))
    with pytest.raises(Unsupported, match="static"):
        JAX.run(prog, "structured")
    thawed = program(Adam(0.01, variant="optax"), extra=(Freeze(("w",)), Thaw(("w",))))
    assert max_error(JAX.run(thawed, "structured").model, reference(thawed).model) <= \
        allowed(thawed, "structured")
    assert "freeze" not in JAX.info().capabilities


def test_optax_freeze_after_the_optimiser_still_advances_its_state():
    """(FRZ-1) finding: chaining ``optax.freeze(mask)`` after an optimiser zeroes the frozen
    update but the optimiser's moments for that array still move."""
    params = {"a": jnp.ones(2), "b": jnp.ones(2)}
    grads = {"a": jnp.full(2, 0.5), "b": jnp.full(2, 0.5)}
    tx = optax.chain(optax.adam(0.1), optax.freeze({"a": True, "b": False}))
    updates, state = tx.update(grads, tx.init(params), params)
    assert float(jnp.abs(updates["a"]).max()) == 0.0
    assert float(state[0][0].mu["a"][0]) == pytest.approx(0.05)


def test_missing_gradient_is_unsupported_and_zeros_advance_state():
    """(UPD-5) optax has no None gradient inside an update: the adapter refuses one, and the
    zeros a user must pass instead advance Adam's count and decay its moments.  With one
    optax state per array, the array's optimiser is just not called: exact."""
    rng = np.random.default_rng(3)
    model = {"a": rng.normal(size=2), "b": rng.normal(size=2)}
    prog = Program(model, Adam(0.01, variant="optax"), (Step({"a": np.ones(2), "b": np.ones(2)}),
                                       Step({"a": np.ones(2), "b": None}), Step(None)),
                   "float64")
    for path in ("structured", "flat_list", "flat_vector"):
        with pytest.raises(Unsupported, match="None"):
            JAX.run(prog, path)
    assert max_error(JAX.run(prog, "per_array").model, reference(prog).model) <= allowed(
        prog, "per_array")
    tx = optax.adam(0.1)
    state = tx.init(jnp.zeros(2))
    _, state = tx.update(jnp.ones(2), state)
    _, state = tx.update(jnp.zeros(2), state)
    assert int(state[0].count) == 2 and float(state[0].mu[0]) == pytest.approx(0.09)
    assert "none_grad" not in JAX.info().capabilities


@pytest.mark.parametrize("variant", ["optimisers", "torch"])
def test_adjust_mid_run_keeps_state_and_follows_the_variant(variant):
    """(ADJ-1, ADJ-2, MOMENTUM-2) inject_hyperparams changes eta and keeps the velocity; the
    normative chain (scale, trace) and optax.sgd's (trace, scale) differ after it exactly as
    the two variants do."""
    prog = program(Momentum(0.05, 0.9, variant=variant), steps=5, dtype="float64",
                   extra=(Adjust({"eta": 0.2}),))
    got = JAX.run(prog, "structured")
    assert max_error(got.model, reference(prog).model) <= allowed(prog, "structured")
    np.testing.assert_allclose(got.states[0]["velocity"], reference(prog).states[0]["velocity"],
                               rtol=1e-12)


def test_adjust_beta_recomputes_the_bias_correction_from_the_new_beta():
    """(ADJ-2, ADAM-2) optax bias-corrects with b^t of the *current* beta,
    Adam(variant="optax"); the normative reference keeps the running product of the betas
    in force at each step, so adjusting beta mid-run moves the two apart."""
    prog = program(Adam(0.01, variant="optax"), steps=4, dtype="float64",
                   extra=(Adjust({"beta": (0.5, 0.9)}),))
    got = JAX.run(prog, "structured").model
    normative = reference(dataclasses.replace(prog, rule=Adam(0.01)))
    assert max_error(got, reference(prog).model) <= allowed(prog, "structured")
    assert max_error(got, normative.model) > 100 * allowed(prog, "structured")


def test_adjust_of_a_flag_is_unsupported_and_unknown_names_raise():
    """(ADJ-1, ADJ-3) flags are static arguments of optax transforms."""
    with pytest.raises(Unsupported, match="couple"):
        JAX.run(program(AdamW(0.01, variant="optax"), extra=(Adjust({"couple": False}),)),
                "structured")
    with pytest.raises(TypeError, match="gamma"):
        JAX.run(program(Adam(0.01, variant="optax"), extra=(Adjust({"gamma": 1.0}),)), "structured")


# ----------------------------------------------------------- collection, autodiff


def test_collection_order_is_jax_order_with_sorted_dict_keys():
    """(COLL-2, FLAT-1) finding: jax.tree.leaves and ravel_pytree sort dict keys, so a dict
    built as {w, block, a} collects as a, block, w."""
    model = model_for(np.random.default_rng(4))
    ref = trainables(model)
    got = JAX.collect(model, "float64")
    assert [g.shape for g in got] == [ref[2].shape, ref[1].shape, ref[0].shape]
    np.testing.assert_array_equal(JAX.destructure(model, "float64"),
                                  np.concatenate([ref[2], ref[1], ref[0].ravel()]))


@pytest.mark.parametrize("via", ["trainables", "destructure"])
def test_gradient_through_collection_matches_the_pullback(via):
    """(GRAD-1, GRAD-2) jax.grad of a loss over the collected leaves (or the ravelled
    vector) lands on the reference's paths; an unreached parameter gets zeros, where the
    reference's trainables pullback says None (EXPR-5)."""
    model = model_for(np.random.default_rng(5))
    loss = Add(Dot(Param(0), Param(0)), Sum(Square(Param(1))))
    got = JAX.gradient(model, loss, "float64", via)
    want = gradient_through_trainables(model, loss, via=via)
    np.testing.assert_allclose(got["w"], want["w"], rtol=1e-14)
    np.testing.assert_allclose(got["block"][0]["b"], want["block"][0]["b"], rtol=1e-14)
    assert got["name"] is None and got["block"][1] is None
    np.testing.assert_array_equal(got["a"][0], np.zeros(2))
    assert (want["a"][0] is None) == (via == "trainables")


# ------------------------------------------------------------ what optax refuses


@pytest.mark.parametrize("rule", [OAdam(), AdaGrad(), SignDecay(), NAdam(), RAdam(),
                                  AMSGrad(), AdaMax(), Lion(variant="optimisers"),
                                  ClipNorm(p=1.0), OptimiserChain(ClipGrad(), AdaGrad())],
                         ids=repr)
def test_rules_without_an_exact_optax_form_are_refused_with_a_reason(rule):
    """(RULE-5) eps placement, first-step cases and variants optax does not implement."""
    reason = JAX.supports(rule)
    assert reason
    with pytest.raises(Unsupported):
        JAX.run(program(rule), "structured")


def test_oadam_first_step_differs():
    """(OADAM-2) finding: optax's optimistic gradient takes the first previous update to be
    the current one, so optax's step 1 is half of OAdam's 2*a_1."""
    tx = optax.chain(optax.scale_by_adam(0.5, 0.9), optax.scale_by_optimistic_gradient(1.0, 1.0))
    g = jnp.asarray([0.3, -2.0])
    first, _ = tx.update(g, tx.init(jnp.zeros(2)))
    adam, _ = optax.scale_by_adam(0.5, 0.9).update(g, optax.scale_by_adam(0.5, 0.9).init(g))
    np.testing.assert_allclose(first, adam)


def test_adagrad_puts_eps_inside_the_root():
    """(ADAGRAD-1) finding: optax.adagrad's first step is g/sqrt(acc0 + g^2 + eps), not
    g/(sqrt(eps + g^2) + eps) with the accumulator starting at eps."""
    eps, g = 1e-3, jnp.asarray([1e-3])
    tx = optax.scale_by_rss(initial_accumulator_value=eps, eps=eps)
    got, _ = tx.update(g, tx.init(g))
    normative = 1e-3 / (np.sqrt(eps + 1e-6) + eps)
    assert abs(float(got[0]) - normative) > 1e-3


# ----------------------------------------------------------------- optax quirks


def test_rprop_steps_one_update_late():
    """(RPROP-1) finding (optax PR #1725): scale_by_rprop returns the previous step's
    update, so the first step does not move and every later one lags."""
    prog = program(Rprop(0.01), steps=1, dtype="float64")
    got = JAX.run(prog, "structured").model
    assert max_error(got, Program(prog.model, None, (), "float64").model) == 0.0
    assert max_error(reference(prog).model, prog.model) == pytest.approx(0.01)


def test_multisteps_accumulates_float64_gradients_in_float32():
    """(ACCUMGRAD-2) finding: optax.MultiSteps' accumulator_dtype defaults to float32, so
    AccumGrad on float64 parameters rounds the mean to float32."""
    prog = program(OptimiserChain(AccumGrad(2), Descent(1.0)), steps=2, dtype="float64")
    error = max_error(JAX.run(prog, "structured").model, reference(prog).model)
    assert error > 1e3 * allowed(prog, "structured")
    assert error < 1e-6


def test_float32_bias_correction_depends_on_jax_enable_x64():
    """(ADAM-1, TOL-1) finding: optax computes 1 - b2**t in JAX's default float type; with
    x64 off (the default) that is float32, and Adam's first float32 step is ~6.7e-6 off in
    relative terms, against a correctly rounded step with x64 on."""
    g = jnp.asarray(np.linspace(0.3, -0.7, 5), jnp.float32)
    exact = np.asarray(g, np.float64) / (np.abs(np.asarray(g, np.float64)) + 1e-8)

    def first_step() -> np.ndarray:
        tx = optax.scale_by_adam(0.9, 0.999, 1e-8)
        update, _ = tx.update(g, tx.init(g))
        return np.asarray(update, np.float64)

    with jax.enable_x64(False):
        off = np.max(np.abs(first_step() - exact))
    with jax.enable_x64(True):
        on = np.max(np.abs(first_step() - exact))
    assert off > 1e-6 > 1e-7 > on


def test_jit_gives_what_eager_gives():
    """Compiling the step with jax.jit changes nothing beyond rounding."""
    prog = program(Adam(0.01, variant="optax"), steps=3)
    eager = JaxAdapter(jit=False).run(prog, "structured")
    assert max_error(eager.model, JAX.run(prog, "structured").model) <= allowed(
        prog, "structured")


def test_info_declares_variants_and_paths():
    info = JAX.info()
    assert info.dtypes[0] == "float32" and info.paths == tuple(PATHS)
    assert info.variants["AMSGrad"] == "optax" and info.variants["AdaMax"] == "torch"


def test_legacy_path_gives_the_flat_list_numbers_bitwise():
    """Updates added with the deprecated ``tree_add_scalar_mul(params, 1.0, updates)`` are
    ``apply_updates``'s, bit for bit (DEP-4)."""
    prog = program(Adam(0.01, variant="optax"), dtype="float64")
    legacy, flat = JAX.run(prog, "legacy"), JAX.run(prog, "flat_list")
    for got, want in zip(trainables(legacy.model), trainables(flat.model), strict=True):
        assert np.array_equal(got, want)


def test_legacy_path_warns_at_the_adapter_line_naming_another_function():
    """optax's deprecated ``tree_add_scalar_mul`` warns DeprecationWarning at every access,
    at the calling line (DEP-1, DEP-2), but its message names ``tree_scalar_mul`` and
    ``tree_scale`` (FINDINGS J11)."""
    seen = JAX.run(program(Descent(0.1), steps=3), "legacy").warnings
    assert [w.category for w in seen] == ["DeprecationWarning"] * 3
    assert all(w.filename.endswith("adapters/jax.py") for w in seen)
    assert seen[0].message.startswith("optax.tree_utils.tree_scalar_mul is deprecated")


def test_legacy_run_raises_the_deprecation_made_an_error():
    """With DeprecationWarning an error, the legacy run stops at the first step and reports
    the caller's objects as the raise left them (DEP-5, protocol Stopped)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(Stopped) as stop:
            JAX.run(program(Descent(0.1)), "legacy")
    assert isinstance(stop.value.error, DeprecationWarning)


@pytest.mark.parametrize("rule", [LARS(0.1, 0.9, 0.01, 0.02, variant="optax"),
                                  LAMB(0.01, lambda_=0.01, variant="optax")],
                         ids=lambda r: type(r).__name__)
@pytest.mark.parametrize("path", ["structured", "per_array"])
def test_lars_and_lamb_are_optax_transforms_exactly(rule, path):
    """optax lars is LARS(variant="optax") (LARS-4), optax lamb is LAMB(variant="optax")
    (LAMB-1, LAMB-4): float64 parameters and state to rounding."""
    prog = program(rule, dtype="float64")
    got, want = JAX.run(prog, path), REFERENCE.run(prog, "structured")
    assert max_error(got.model, want.model) < 1e-14
    for mine, theirs in zip(got.states, want.states, strict=True):
        for key, value in mine.items():
            assert np.allclose(value, theirs[key], rtol=1e-12, atol=1e-15)


def test_muon_is_the_reference_up_to_where_eps_meets_its_rescaled_buffer():
    """optax's Muon branch is Muon(variant="optax"): the buffer to rounding, the float64
    steps about 1e-9 apart (FINDINGS J12); Nesterov Muon is refused."""
    rng = np.random.default_rng(0)
    model = {"w": rng.normal(size=(3, 4)), "v": rng.normal(size=(5, 2))}
    ops = tuple(Step({"w": rng.normal(size=(3, 4)), "v": rng.normal(size=(5, 2))})
                for _ in range(3))
    prog = Program(model, Muon(0.02, lambda_=0.1, variant="optax"), ops, "float64")
    got, want = JAX.run(prog, "flat_list"), REFERENCE.run(prog, "structured")
    assert 1e-12 < max_error(got.model, want.model) < 1e-7
    for mine, theirs in zip(got.states, want.states, strict=True):
        assert np.allclose(mine["buffer"], theirs["buffer"], rtol=1e-13, atol=0)
    assert JAX.supports(Muon(nesterov=True, variant="optax")) is not None


def test_frozen_leaves_are_closed_over_and_get_no_gradient():
    """jax.grad over the leaves not frozen, the frozen ones constants of the loss (GRAD-3);
    an unreached leaf that is not frozen still gets zeros (J3)."""
    model = model_for(np.random.default_rng(7))
    loss = Add(Dot(Param(0), Param(0)), Sum(Square(Param(1))))
    got = JAX.gradient(model, loss, "float64", "trainables", frozen=(("w",),))
    assert got["w"] is None
    np.testing.assert_allclose(got["block"][0]["b"], 2 * model["block"][0]["b"], rtol=1e-14)
    np.testing.assert_array_equal(got["a"][0], np.zeros(2))


def test_a_checkpointed_optax_state_is_new_arrays_in_the_same_structure():
    """STATE-8: the state's leaves through np.savez, read back into its structure: new
    device arrays, equal values and dtypes (the step count's int32 included), and the
    injected hyperparameters kept."""
    tx = optax.inject_hyperparams(optax.adam)(learning_rate=0.1)
    params = {"w": jnp.array([1.0, -2.0])}
    state = tx.init(params)
    _, state = tx.update({"w": jnp.array([0.5, 1.5])}, state, params)
    restored = _saved_and_loaded(state)
    assert jax.tree.structure(restored) == jax.tree.structure(state)
    for new, old in zip(jax.tree.leaves(restored), jax.tree.leaves(state), strict=True):
        assert new is not old and new.dtype == old.dtype
        np.testing.assert_array_equal(np.asarray(new), np.asarray(old))
