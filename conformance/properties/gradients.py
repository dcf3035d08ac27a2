"""Gradients through collection: the engine's gradient of a loss over the collected
parameters is the reference's exact one, placed as the reference places it, and updating
with it equals updating with the true gradient (GRAD-1 .. GRAD-4, EXPR-5)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import (
    Adapter,
    EngineInfo,
    PathName,
    Program,
    Step,
    frozen_places,
    frozen_positions,
)
from optconf.reference import expr as ref_expr
from optconf.reference import grads as ref_grads
from optconf.reference import tree as ref_tree
from optconf.reference.collect import trainables, trainables_with_paths
from optconf.reference.rules import Descent

from .. import tolerance
from ..asserts import Context, assert_close, case_data, fail
from ..catalog import rules as rule_strategy
from ..profiles import Profile
from ..strategies import losses, models, subtree_keys, tied
from .common import Clauses, assert_outcome, context, dtypes, expected, explore, model_drawing
from .registry import CaseId, prop

Drawn = tuple[Any, ref_expr.Expr, str, str]


def _cases(adapter: Adapter, vias: list[str]) -> st.SearchStrategy[Drawn]:
    shared = "shared" in adapter.info().capabilities

    def with_model(dtype: str) -> st.SearchStrategy[Drawn]:
        drawn = models(dtype=dtype, **model_drawing(adapter))
        if shared:  # half the models tie their first array, so GRAD-2 is always exercised
            drawn = st.one_of(drawn, drawn.filter(trainables).map(tied))
        return drawn.flatmap(lambda m: st.tuples(
            st.just(m), losses(m), st.just(dtype), st.sampled_from(vias)))

    return dtypes(adapter).flatmap(with_model)


#: Key paths of the subtrees frozen before differentiating (GRAD-3), as Freeze names them.
Keys = tuple[tuple[Any, ...], ...]


def true_gradient(model: Any, loss: ref_expr.Expr, via: str, frozen: Keys = ()) -> Any:
    """The reference's structured gradient, None at the parameters under ``frozen``; legacy
    ``params`` collects as ``trainables`` does (DEP-8)."""
    return ref_expr.gradient_through_trainables(
        model, loss, via="destructure" if via == "destructure" else "trainables",
        frozen=frozen_places(model, frozen) if frozen else None)


def _scale(want: np.ndarray | None, param: np.ndarray) -> float:
    values = [np.abs(param).max(initial=0.0)]
    if want is not None:
        values.append(np.abs(want).max(initial=0.0))
    return float(max(values))


def _check_gradient(adapter: Adapter, drawn: Drawn, frozen: Keys = ()) -> None:
    model, loss, dtype, via = drawn
    info = adapter.info()
    ctx = Context(info.name, None, dtype, None,
                  case_data(model=model, loss=loss, via=via, dtype=dtype, frozen=frozen))
    got = (adapter.gradient(model, loss, dtype, via, frozen=frozen) if frozen
           else adapter.gradient(model, loss, dtype, via))
    want = true_gradient(model, loss, via, frozen)
    firsts = trainables_with_paths(model)
    places = np.bincount([o.position for o in ref_tree.occurrences(model)],
                         minlength=len(firsts))
    still = frozen_positions(model, frozen)

    def clause(position: int, otherwise: str) -> str:
        return "GRAD-3" if position in still else otherwise

    # per distinct array the places sum to the true gradient, once for a shared array
    for i, ((path, param), g, w) in enumerate(zip(firsts, ref_grads.summed(model, got),
                                                  ref_grads.summed(model, want), strict=True)):
        allowed = tolerance.gradient_allowed(info.engine, dtype, _scale(w, param))
        zeros = np.zeros(param.shape)
        assert_close(f"sum of grad[{ref_tree.path_str(path)}]",
                     zeros if g is None else np.asarray(g, np.float64),
                     zeros if w is None else w, allowed=allowed,
                     clause=clause(i, "GRAD-2" if places[i] > 1 else "GRAD-1"), ctx=ctx)
    # GRAD-2, GRAD-3, EXPR-5: what sits at each place
    first_paths = {path for path, _ in firsts}
    for (occ, g), (_, w) in zip(ref_grads.per_occurrence(model, got),
                                ref_grads.per_occurrence(model, want), strict=True):
        if (g is None) != (w is None):
            fail(f"grad[{ref_tree.path_str(occ.path)}]={'None' if g is None else 'an array'}"
                 f", but should be {'None' if w is None else 'an array'}",
                 clause=clause(occ.position,
                               "EXPR-5" if occ.path in first_paths else "GRAD-2"), ctx=ctx)


@prop("GRAD-1", "GRAD-2", "GRAD-3", "GRAD-5", "EXPR-4", "EXPR-5", "EXPR-6", requires=("gradient",))
def check_through_collection(adapter: Adapter, profile: Profile, seed: int,
                             case: CaseId) -> None:
    """The engine's gradient of a random loss over ``trainables``, and over ``destructure``
    and legacy ``params`` where the adapter declares them: per distinct array the positions
    sum to the exact gradient (GRAD-1), a shared array's gradient sits at its first place
    with None at the others (GRAD-2), an unreached array gets None through a list and zeros
    through the flat vector (EXPR-5)."""
    explore(_cases(adapter, routes(adapter)), lambda drawn: _check_gradient(adapter, drawn),
            profile, seed)


@prop("GRAD-3", requires=("gradient", "frozen_gradient"))
def check_through_collection_frozen(adapter: Adapter, profile: Profile, seed: int,
                          case: CaseId) -> None:
    """The engine's gradient through ``trainables`` with one or two subtrees frozen its own
    way first: every parameter with a place under them gets None, a tied one at all its
    places, while the loss still reads it; the others get the exact gradient (GRAD-3)."""
    def with_frozen(drawn: Drawn) -> st.SearchStrategy[tuple[Drawn, Keys]]:
        keys = st.lists(subtree_keys(drawn[0]), min_size=1, max_size=2, unique=True)
        return st.tuples(st.just(drawn), keys.map(tuple))

    strategy = _cases(adapter, ["trainables"]).filter(
        lambda drawn: trainables(drawn[0])).flatmap(with_frozen)
    explore(strategy, lambda pair: _check_gradient(adapter, *pair), profile, seed)


def routes(adapter: Adapter) -> list[str]:
    """The collections a gradient is taken through: ``trainables`` always, ``destructure``
    and ``legacy`` only where the adapter declares that capability (EXPR-6, DEP-8)."""
    declared = adapter.info().capabilities
    return ["trainables", *(via for via in ("destructure", "legacy") if via in declared)]


@prop("GRAD-4", requires=("gradient",))
def check_update_with_pulled_back(adapter: Adapter, profile: Profile, seed: int,
                                  case: CaseId) -> None:
    """Two Descent steps with the engine's own gradient tree (through ``trainables``) give
    the parameters of two steps with the true gradient counted once (GRAD-4), on the first
    path that takes a gradient with None in it (a loss leaves most drawn parameters
    unreached, EXPR-5), structured where it does."""
    path = _path_taking_none(adapter.info())

    def test(drawn: tuple[Drawn, Descent]) -> None:
        (model, loss, dtype, _), rule = drawn
        got = adapter.gradient(model, loss, dtype, "trainables")
        engine_program = Program(model, rule, (Step(got), Step(got)), dtype)
        true_tree = true_gradient(model, loss, "trainables")
        true_program = Program(model, rule, (Step(true_tree), Step(true_tree)), dtype)
        want = expected(true_program)
        engine = adapter.info().engine
        # two Descent steps carry the engine's gradient error times eta each (TOL-8)
        scale = max([_scale(g, p) for (_, p), g in zip(
            trainables_with_paths(model), ref_grads.summed(model, true_tree), strict=True)],
            default=0.0)
        grad_error = tolerance.gradient_allowed(engine, dtype, scale)
        bound = dataclasses.replace(tolerance.bound(engine, dtype, rule, path, 2),
                                    extra=2 * rule.eta * grad_error)
        assert_outcome(adapter.run(engine_program, path), want, program=true_program,
                       bound=bound, ctx=context(adapter, engine_program, path),
                       clauses=Clauses("GRAD-4"), states=False)

    strategy = st.tuples(_cases(adapter, ["trainables"]), rule_strategy("Descent"))
    explore(strategy, test, profile, seed)


def _path_taking_none(info: EngineInfo) -> PathName:
    """The first of ``info``'s paths with the ``none_grad`` capability, structured first;
    structured (or the first path) when none has it."""
    paths = sorted(info.paths, key=lambda p: p != "structured")
    return next((p for p in paths if "none_grad" in info.capabilities_on(p)), paths[0])
