"""Every shipped mutant is live: on a tiny program chosen for its bug it answers differently
from the reference adapter, and once its call is over the reference is itself again."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from optconf.adapters import load as load_adapter
from optconf.adapters.mutants import MUTANTS, load
from optconf.adapters.protocol import (
    Adapter,
    Adjust,
    Checkpoint,
    Freeze,
    Program,
    Step,
    Stopped,
    Thaw,
)
from optconf.adapters.reference import ReferenceAdapter
from optconf.reference import expr, layer
from optconf.reference.rules import (
    AccumGrad,
    AdaGrad,
    Adam,
    AdamW,
    AMSGrad,
    ClipGrad,
    ClipNorm,
    Descent,
    Lion,
    MixedPrecision,
    Momentum,
    Nesterov,
    OptimiserChain,
    RMSProp,
    Rprop,
    WeightDecay,
)

REFERENCE = ReferenceAdapter()
W = np.array([[1.0, -2.0, 0.5], [0.3, 0.25, 2.0]])
G = np.array([[0.5, -1.0, 2.0], [0.1, 0.3, -0.2]])
V = np.array([0.4, -0.7])
GV = np.array([-0.3, 0.6])


@layer(trainable=("weight",))
@dataclasses.dataclass
class Scale:
    weight: np.ndarray
    running: np.ndarray


def model() -> dict[str, Any]:
    return {"w": W.copy(), "v": V.copy()}


def grads(scale: float = 1.0) -> dict[str, Any]:
    return {"w": scale * G, "v": scale * GV}


def tied() -> dict[str, Any]:
    shared = V.copy()
    return {"a": shared, "b": shared, "c": W.copy()}


def tied_grads() -> dict[str, Any]:
    return {"a": GV, "b": 2 * GV + 1, "c": G}


def trained(rule: Any, *ops: Any, path: str = "structured",
            of: Callable[[], Any] = model) -> Callable[[Adapter], Any]:
    """A probe: the outcome (model and states) of ``ops`` (default: two steps) on a fresh
    model."""
    program = Program(of(), rule, ops or (Step(grads()), Step(grads(-0.5))))

    def probe(adapter: Adapter) -> Any:
        outcome = adapter.run(program, path)
        return outcome.model, outcome.states

    return probe


def tie_kept(adapter: Adapter) -> bool:
    """A probe: whether a flat-vector update gives the shared array back as one object."""
    program = Program(tied(), Descent(), (Step(tied_grads()),))
    outcome = adapter.run(program, "flat_vector")
    return outcome.model["a"] is outcome.model["b"]


def warned(adapter: Adapter) -> Any:
    """A probe: the warnings (category, message, file, line) of a two-step legacy run."""
    program = Program(model(), Descent(0.1), (Step(grads()), Step(grads())))
    return [(w.category, w.message, w.filename, w.lineno)
            for w in adapter.run(program, "legacy").warnings]


def stopped_at_update(adapter: Adapter) -> Any:
    """A probe: the model and states a legacy run reports after its ``update_`` warning,
    made an error, stopped it (DEP-5)."""
    program = Program(model(), Descent(0.1), (Step(grads()),))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="update_", category=DeprecationWarning)
        with pytest.raises(Stopped) as caught:
            adapter.run(program, "legacy")
    return caught.value.outcome.model, caught.value.outcome.states


def failure(adapter: Adapter, program: Program) -> str:
    """A probe: the message of the error a bad program raises."""
    with pytest.raises(Exception) as caught:
        adapter.run(program, "structured")
    return str(caught.value)


def settled(program: Program) -> Callable[[Adapter], Any]:
    """A probe: the outcome of a structured run of ``program``, or the error it raises."""
    def probe(adapter: Adapter) -> Any:
        try:
            outcome = adapter.run(program, "structured")
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        return outcome.model, outcome.states, [w.category for w in outcome.warnings]

    return probe


#: Mutant -> a probe whose answer the bug changes.
PROBES: dict[str, Callable[[Adapter], Any]] = {
    "adam_eps_inside_sqrt": trained(Adam(epsilon=1e-3)),
    "adam_bias_correction_ahead": trained(Adam()),
    "adam_no_bias_correction": trained(Adam()),
    "amsgrad_max_of_corrected": trained(AMSGrad()),
    "adamw_decay_not_scaled_by_eta": trained(AdamW(lambda_=0.1)),
    "adamw_as_l2": trained(AdamW(lambda_=0.1)),
    "clip_norm_epsilon": trained(ClipNorm(omega=1.0), Step(grads())),
    "rprop_flip_not_forgotten": trained(Rprop(), Step(grads()), Step(grads(-1.0)),
                                        Step(grads())),
    "momentum_eta_outside": trained(Momentum(), Step(grads()), Adjust({"eta": 0.1}),
                                    Step(grads())),
    "nesterov_velocity_sign": trained(Nesterov()),
    "rmsprop_eps_inside_sqrt": trained(RMSProp(epsilon=1e-3)),
    "adagrad_accumulator_from_zero": trained(AdaGrad()),
    "lion_swapped_average": trained(Lion()),
    "weightdecay_doubled": trained(WeightDecay(0.1)),
    "clipnorm_global": trained(ClipNorm(omega=2.0), Step(grads())),
    "chain_reversed": trained(OptimiserChain(ClipGrad(0.1), Descent(0.5))),
    "accumgrad_sum": trained(AccumGrad(2)),
    "mixed_copy_at_parameter_dtype": trained(MixedPrecision(Descent(0.5))),
    "float16_floor_dropped": lambda adapter: np.isnan(adapter.run(Program(
        {"w": np.ones(2)}, Adam(epsilon=1e-8), (Step({"w": np.zeros(2)}),), "float16"),
        "structured").model["w"]).tolist(),
    "clipnorm_nan_norm_unscaled": lambda adapter: np.isnan(adapter.run(Program(
        model(), ClipNorm(throw=False), (Step({"w": np.where(G > 1, np.nan, G), "v": GV}),)),
        "structured").model["w"]).tolist(),
    "accumgrad_zero_step": trained(OptimiserChain(AccumGrad(2), Momentum()),
                                   *[Step(grads())] * 3),
    "gradient_shape_unchecked": lambda adapter: failure(adapter, Program(
        model(), Descent(), (Step({"w": np.zeros((2, 3, 2)), "v": GV}),))),
    "freeze_by_first_path": trained(Descent(), Freeze(("b",)), Step(tied_grads()), of=tied),
    "thaw_fresh_state": trained(Momentum(), Step(grads()), Freeze(("w",)), Thaw(("w",)),
                                Step(grads())),
    "dict_keys_sorted": lambda adapter: adapter.collect({"z": W, "a": V}, "float64"),
    "destructure_column_major": lambda adapter: adapter.destructure(model(), "float64"),
    "restructure_unties": tie_kept,
    "pullback_repeats_tied": lambda adapter: adapter.gradient(
        tied(), expr.Sum(expr.Param(0)), "float64", "trainables"),
    "layer_filter_ignored": lambda adapter: adapter.collect(Scale(W, V), "float64"),
    "carried_numbers_to_arrays": lambda adapter: adapter.collect({"w": W, "n": 0.5}, "float64"),
    "tie_applied_per_occurrence": trained(Adam(), Step(tied_grads()), of=tied),
    "tie_last_occurrence_wins": trained(Descent(), Step(tied_grads()), of=tied),
    "none_grad_as_zeros": trained(Momentum(), Step(grads()), Step({"w": None, "v": GV})),
    "zero_grad_skipped": trained(Adam(), Step(grads()), Step(grads(0.0))),
    "frozen_state_advances": trained(Momentum(), Freeze(("w",)), Step(grads())),
    "freeze_ignored": trained(Descent(), Freeze(("w",)), Step(grads())),
    "adjust_resets_state": trained(Momentum(), Step(grads()), Adjust({"rho": 0.5}),
                                   Step(grads())),
    "adjust_ignored": trained(Descent(), Adjust({"eta": 0.5}), Step(grads())),
    "float32_state": trained(Adam(), Step(grads())),
    "legacy_silent": warned,
    "legacy_wrong_stacklevel": warned,
    "legacy_warns_once": warned,
    "legacy_message_without_replacement": warned,
    "legacy_updates_before_warning": stopped_at_update,
    "legacy_none_grad_as_zeros": trained(Momentum(), Step(grads()), Step({"w": None, "v": GV}),
                                         path="legacy"),
    "legacy_state_by_position": trained(
        Momentum(), Step({"a": GV, "b": -GV}), Step({"a": None, "b": GV}), path="legacy",
        of=lambda: {"a": V.copy(), "b": -V.copy()}),
    "adjust_unknown_ignored": settled(Program(model(), Descent(), (Adjust({"etaa": 0.5}),))),
    "clip_nonfinite_silent": settled(Program(model(), ClipNorm(), (
        Step({"w": G, "v": np.array([np.inf, 0.0])}),))),
    "setup_empty_silent": settled(Program({"n": 1}, Descent(), (Step(None),))),
    "complex_carried": settled(Program({"w": W.copy(), "z": np.ones(2, complex)}, Descent(),
                                       (Step(None),))),
    "rprop_size_clamped": trained(Rprop(eta=1e-4, gamma=(1e-3, 50.0)), Step(grads())),
    "checkpoint_state_not_loaded": trained(Momentum(), Step(grads()), Checkpoint(),
                                           Step(grads())),
    "checkpoint_step_count_reset": trained(Adam(), Step(grads()), Checkpoint(),
                                           Step(grads())),
    "legacy_params_gradient_lost": lambda adapter: adapter.gradient(
        model(), expr.Sum(expr.Param(0)), "float64", "legacy"),
    "frozen_gradient_kept": lambda adapter: adapter.gradient(
        model(), expr.Sum(expr.Param(0)), "float64", "trainables", frozen=(("w",),)),
}


def fingerprint(x: Any) -> Any:
    """A comparable form of a probe's answer: arrays by dtype, shape and values, containers
    in their own order."""
    if isinstance(x, np.ndarray):
        return ("array", str(x.dtype), x.shape, x.tolist())
    if isinstance(x, dict):
        return ("dict", [(k, fingerprint(v)) for k, v in x.items()])
    if isinstance(x, list | tuple):
        return (type(x).__name__, [fingerprint(v) for v in x])
    if dataclasses.is_dataclass(x):
        return (type(x).__name__, fingerprint(vars(x)))
    return x


def test_every_mutant_has_a_probe() -> None:
    assert sorted(PROBES) == sorted(MUTANTS)


def test_there_are_enough_mutants_each_declaring_clauses() -> None:
    assert len(MUTANTS) >= 24
    assert all(m.clauses and m.description for m in MUTANTS.values())


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_answers_differently_then_restores_the_reference(name: str) -> None:
    probe = PROBES[name]
    before = fingerprint(probe(REFERENCE))
    assert fingerprint(probe(load(name))) != before
    assert fingerprint(probe(REFERENCE)) == before


@pytest.mark.parametrize("name", ["adam_eps_inside_sqrt", "tie_last_occurrence_wins"])
def test_loader_resolves_mutant_names_to_their_adapter(name: str) -> None:
    adapter = load_adapter(f"mutant:{name}")
    info = adapter.info()
    assert info.name == f"mutant:{name}"
    assert info.capabilities == REFERENCE.info().capabilities
    assert info.paths == REFERENCE.info().paths
