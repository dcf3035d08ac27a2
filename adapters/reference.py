"""The reference adapter: optconf.reference driven through every update path.

It is the oracle the properties compare engines with, and the engine the suite checks
first: every property must pass on it (CONF-1).  Reference functions are looked up on their
modules at call time (``ref_state.update_``), never bound at import, so a built-in mutant
that patches a module global is seen here (CONF-7).
"""

from __future__ import annotations

import copy
import functools
import pickle
import warnings
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from optconf.reference import collect as ref_collect
from optconf.reference import expr as ref_expr
from optconf.reference import legacy as ref_legacy
from optconf.reference import state as ref_state
from optconf.reference import tree as ref_tree
from optconf.reference.rules.base import Rule

from .protocol import (
    CAPABILITIES,
    Adapter,
    Adjust,
    Checkpoint,
    EngineInfo,
    Freeze,
    Op,
    Outcome,
    PathName,
    Program,
    Step,
    Stopped,
    Thaw,
    Unsupported,
    flat_list_grads,
    flat_vector_grads,
    frozen_places,
    indices_under,
    path_entry,
    with_warnings,
)

#: ``EngineInfo.engine`` of the reference; the tolerance model holds it to bitwise equality
#: where paths compute the same arithmetic (TOL-2).
REFERENCE_ENGINE = "optconf.reference"


class ReferenceAdapter(Adapter):
    """optconf.reference through ``structured``, ``flat_list``, ``per_array``, ``flat_vector``
    and ``legacy`` updates, at float64 or float32, and float16 where the epsilon floor is
    checked (RULE-7)."""

    protocol_version = 1

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="reference",
            engine=REFERENCE_ENGINE,
            version=_release(),
            device="cpu",
            dtypes=("float64", "float32", "float16"),
            capabilities=CAPABILITIES,
            paths=tuple(PATHS),
            notes="NumPy; the same code at float32 is a float32 engine for the tolerance model",
        )

    def run(self, program: Program, path: PathName) -> Outcome:
        """Run ``program`` through ``path``.  Warnings are recorded, each call's own, except
        that a DeprecationWarning the caller has made an error is raised (DEP-5)."""
        drive = path_entry(PATHS, path, "the reference")
        return with_warnings(
            lambda: drive(program.rule, engine_model(program.model, program.dtype), program.ops),
            always=not _deprecation_is_error())

    def trajectory(self, program: Program) -> list[Outcome]:
        """The structured run's outcome before the first op and after each op (copies);
        the tolerance model reads its magnitudes from it (TOL-3)."""
        model = engine_model(program.model, program.dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [copy.deepcopy(outcome)
                    for outcome in _structured_steps(program.rule, model, program.ops)]

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        return [p.copy() for p in ref_collect.trainables(engine_model(model, dtype))]

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        flat, _ = ref_collect.destructure(engine_model(model, dtype))
        return flat

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        """Through ``trainables`` / ``destructure`` (EXPR-6) or the legacy ``params``
        (DEP-8, its warning recorded away); the parameters under ``frozen`` get None
        (GRAD-3)."""
        engine = engine_model(model, dtype)
        if frozen:
            return ref_expr.gradient_through_trainables(
                engine, loss, frozen=frozen_places(model, frozen, via))
        if via == "legacy":
            with warnings.catch_warnings():
                if not _deprecation_is_error():
                    warnings.simplefilter("ignore", DeprecationWarning)
                return ref_legacy.gradient_through_params(engine, loss)
        return ref_expr.gradient_through_trainables(engine, loss, via=via)


# ------------------------------------------------------------------- the model an engine sees


@functools.cache
def _release() -> str:
    try:
        return version("optconf")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "checkout"


def engine_model(model: Any, dtype: str) -> Any:
    """A deep copy of ``model`` with every parameter cast to ``dtype``; ties survive (TIE-3)."""
    return ref_tree.map_params(lambda _path, x: x.astype(dtype), copy.deepcopy(model))


def _deprecation_is_error() -> bool:
    """Whether the innermost filter for a bare DeprecationWarning says ``error``."""
    for action, message, category, module, _ in warnings.filters:
        if issubclass(DeprecationWarning, category) and message is None and module is None:
            return action == "error"
    return False


def state_record(state: Any) -> dict[str, Any]:
    """A rule state as a flat dict of its NamedTuple fields (copied); nested states (chains)
    get dotted keys such as ``1.mu``; a rule without state gives ``{}``."""
    record: dict[str, Any] = {}
    for key, value in _fields(state, ""):
        record[key] = value.copy() if isinstance(value, np.ndarray) else copy.deepcopy(value)
    return record


def _fields(state: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if state is None:
        return
    if hasattr(state, "_asdict"):
        for name, value in state._asdict().items():
            if _is_state(value):
                yield from _fields(value, f"{prefix}{name}.")
            else:
                yield f"{prefix}{name}", value
    elif _is_state(state):
        for i, sub in enumerate(state):
            yield from _fields(sub, f"{prefix}{i}.")
    else:
        yield prefix.rstrip(".") or "state", state


def _is_state(value: Any) -> bool:
    """A nested rule state: a NamedTuple, or a tuple/list holding one (a chain's states)."""
    if hasattr(value, "_asdict"):
        return True
    return isinstance(value, tuple | list) and any(
        sub is None or hasattr(sub, "_asdict") or isinstance(sub, tuple | list) for sub in value
    )


# ------------------------------------------------------------------------------ the paths


Driver = Callable[[Rule, Any, tuple[Op, ...]], Outcome]


def _structured_steps(rule: Rule, model: Any, ops: tuple[Op, ...]) -> Iterator[Outcome]:
    """The outcome before the ops and after each one (the same model object each time)."""
    state = ref_state.setup(rule, model)
    leaves = ref_state.leaves_for(state, model)
    yield Outcome(model, [state_record(leaf.observed()) for leaf in leaves])
    for op in ops:
        if isinstance(op, Step):
            ref_state.update_(state, model, op.grads)
        elif isinstance(op, Freeze):
            ref_state.freeze_(state, *op.keys)
        elif isinstance(op, Thaw):
            ref_state.thaw_(state, *op.keys)
        elif isinstance(op, Adjust):
            ref_state.adjust_(state, **op.changes)
        elif isinstance(op, Checkpoint):
            state = _saved_and_loaded(state)
            leaves = ref_state.leaves_for(state, model)
        yield Outcome(model, [state_record(leaf.observed()) for leaf in leaves])


def _structured(rule: Rule, model: Any, ops: tuple[Op, ...]) -> Outcome:
    *_, last = _structured_steps(rule, model, ops)
    return last


def _saved_and_loaded(state: Any) -> Any:
    """``state`` written with pickle and read back: a Checkpoint (STATE-8, SHARD-4).  One
    dump keeps a shared Leaf shared (STATE-3)."""
    return pickle.loads(pickle.dumps(state))


def _on_leaves(leaves: list[Any], model: Any, op: Op) -> None:
    """Freeze, thaw or adjust a list of per-array Leaves the way the structured path would,
    or save and load them back (Checkpoint)."""
    if isinstance(op, Checkpoint):
        leaves[:] = _saved_and_loaded(leaves)
    elif isinstance(op, Freeze | Thaw):
        toggle = ref_state.freeze_ if isinstance(op, Freeze) else ref_state.thaw_
        for index in sorted(indices_under(model, op.keys)):
            toggle(leaves[index])
    elif isinstance(op, Adjust):
        ref_state.adjust_(leaves, **op.changes)


def _flat_list(rule: Rule, model: Any, ops: tuple[Op, ...]) -> Outcome:
    params = ref_collect.trainables(model)
    state = ref_state.setup(rule, params)
    for op in ops:
        if isinstance(op, Step):
            ref_state.update_(state, params, flat_list_grads(model, op.grads))
        else:
            _on_leaves(state, model, op)
    return Outcome(model, [state_record(leaf.observed()) for leaf in state])


def _per_array(rule: Rule, model: Any, ops: tuple[Op, ...]) -> Outcome:
    if rule.needs_global:
        raise Unsupported(
            f"{rule!r} needs the norm over every array of an update, which one optimiser per "
            "array cannot see (RULE-8)"
        )
    params = ref_collect.trainables(model)
    states = [ref_state.setup(rule, p) for p in params]
    for op in ops:
        if isinstance(op, Step):
            for s, p, g in zip(states, params, flat_list_grads(model, op.grads), strict=True):
                ref_state.update_(s, p, g)
        else:
            _on_leaves(states, model, op)
    return Outcome(model, [state_record(leaf.observed()) for leaf in states])


def _flat_vector(rule: Rule, model: Any, ops: tuple[Op, ...]) -> Outcome:
    if not rule.elementwise:
        raise Unsupported(
            f"{rule!r} works per array, so one state over the flat vector is a different "
            "computation: flat == structured is not claimed for it (RULE-4)"
        )
    flat, _ = ref_collect.destructure(model)
    state = ref_state.setup(rule, flat)
    everything = indices_under(model, ())
    for op in ops:
        if isinstance(op, Step):
            if all(g is None for g in flat_list_grads(model, op.grads)):
                continue  # nothing to step: a flat-vector engine gets no gradient at all
            ref_state.update_(state, flat, flat_vector_grads(model, op.grads))
        elif isinstance(op, Adjust):
            ref_state.adjust_(state, **op.changes)
        elif isinstance(op, Checkpoint):
            state = _saved_and_loaded(state)
        elif indices_under(model, op.keys) not in (set(), everything):
            raise Unsupported("one state over the flat vector cannot freeze part of the model")
        elif indices_under(model, op.keys):
            (ref_state.freeze_ if isinstance(op, Freeze) else ref_state.thaw_)(state)
    new_model = ref_collect.restructure(model, flat)
    return Outcome(new_model, _split_state(model, state_record(state.observed())))


def _split_state(model: Any, record: dict[str, Any]) -> list[dict[str, Any] | None]:
    """Cut each flat state field back into one piece per parameter; scalars are shared."""
    params = ref_collect.trainables(model)
    total = sum(p.size for p in params)
    states: list[dict[str, Any]] = [{} for _ in params]
    for key, value in record.items():
        pieces = (
            ref_collect.split_flat(model, value)
            if isinstance(value, np.ndarray) and value.shape == (total,)
            else [value] * len(params)
        )
        for entry, piece in zip(states, pieces, strict=True):
            entry[key] = piece
    return list(states)


def _legacy(rule: Rule, model: Any, ops: tuple[Op, ...]) -> Outcome:
    """``params``, a ``LegacyOptimiser`` and ``update_(opt, ps, Grads(ps, gs))`` per step;
    each call warns (DEP-1).  A DeprecationWarning made an error stops the run with the
    model and states as the raising call left them (Stopped, DEP-5).  The old API has no
    freeze, thaw or adjust, and updates one array at a time, so a global-norm rule cannot be
    expressed (RULE-8)."""
    if not all(isinstance(op, Step) for op in ops):
        raise Unsupported("the legacy API has no freeze, thaw or adjust, and no checkpoint "
                          "is taken of it here")
    if rule.needs_global:
        raise Unsupported(f"the legacy update_ goes one array at a time; {rule!r} needs all")
    opt = None
    try:
        ps = ref_legacy.params(model)
        opt = ref_legacy.LegacyOptimiser(rule)
        for step in (op for op in ops if isinstance(op, Step)):
            ref_legacy.update_(opt, ps,
                               ref_legacy.Grads(ps, flat_list_grads(model, step.grads)))
    except DeprecationWarning as error:
        raise Stopped(error, _legacy_outcome(rule, model, opt)) from error
    return _legacy_outcome(rule, model, opt)


def _legacy_outcome(rule: Rule, model: Any, opt: ref_legacy.LegacyOptimiser | None) -> Outcome:
    """The model and each array's state in the legacy optimiser; an array that never had
    a gradient has no state yet, so its initial one is reported (DEP-9)."""
    params = ref_collect.trainables(model)
    leaves = [None if opt is None else opt.leaf(p) for p in params]
    return Outcome(model, [state_record(rule.observed(rule.init(p)) if leaf is None
                                        else leaf.observed())
                           for p, leaf in zip(params, leaves, strict=True)])


#: One function per update path (docs/ADAPTERS.md: every adapter has this table).
PATHS: dict[PathName, Driver] = {
    "structured": _structured,
    "flat_list": _flat_list,
    "per_array": _per_array,
    "flat_vector": _flat_vector,
    "legacy": _legacy,
}
