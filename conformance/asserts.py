"""Comparison helpers with one failure format (CONF-5)::

    adam.mu[model['enc'].w][3]=0.25, but should be 0.5 [adapter=torch, path=flat_list,
    step=4, dtype=float32, observed=0.25, allowed=1.2e-06]

Every helper raises :class:`~optconf.conformance.deviation.Deviation` with the clause, the
observed error, the tolerance model's bound and a ``case`` dict describing the
counterexample as plain data (plus the live ``program`` for replay).

>>> ctx = Context(adapter="demo", path="structured", dtype="float64")
>>> assert_close("x", np.array([1.0]), np.array([1.5]), allowed=0.0, clause="UPD-1", ctx=ctx)
Traceback (most recent call last):
...
optconf.conformance.deviation.Deviation: x[0]=1.0, but should be 1.5 [adapter=demo, \
path=structured, dtype=float64, observed=0.5, allowed=0.0]
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from optconf.adapters.protocol import Adjust, Checkpoint, Freeze, Op, Program, Step
from optconf.adapters.reference import state_record
from optconf.reference import tree as ref_tree
from optconf.reference.expr import Expr
from optconf.reference.rules.base import Rule

from .deviation import Deviation
from .report.jsonable import jsonable
from .strategies import features
from .tolerance import bitwise_mismatch


@dataclasses.dataclass(frozen=True)
class Context:
    """Where a comparison happens: adapter name, update path, dtype, the step reached (None
    when not a stepped run) and the counterexample as data (see :func:`case_data`)."""

    adapter: str
    path: str | None
    dtype: str
    step: int | None = None
    case: dict[str, Any] = dataclasses.field(default_factory=dict)

    def at_step(self, step: int) -> Context:
        return dataclasses.replace(self, step=step)

    def tag(self, observed: float | None, allowed: float | None) -> str:
        parts = [f"adapter={self.adapter}"]
        if self.path is not None:
            parts.append(f"path={self.path}")
        if self.step is not None:
            parts.append(f"step={self.step}")
        parts.append(f"dtype={self.dtype}")
        if observed is not None:
            parts.append(f"observed={observed!r}")
        if allowed is not None:
            parts.append(f"allowed={allowed!r}")
        return f"[{', '.join(parts)}]"


def fail(
    what: str, *, clause: str, ctx: Context,
    observed: float | None = None, allowed: float | None = None,
) -> NoReturn:
    """Raise the Deviation for ``what`` (``<label>=<got>, but should be <expected>``)."""
    raise Deviation(
        f"{what} {ctx.tag(observed, allowed)}",
        clause=clause, observed=observed, allowed=allowed,
        case={**ctx.case, "path": ctx.path, "dtype": ctx.dtype, "step": ctx.step},
    )


def case_data(program: Program | None = None, *, loss: Expr | None = None,
              **extra: Any) -> dict[str, Any]:
    """A counterexample as plain data: the model (arrays as nested lists), the rule's repr,
    the ops as dicts, the live ``program`` for exact replay, the loss's repr and how to find
    the ``features`` it has (``strategies.features``, which expectations select by; found
    by the Deviation, since most examples pass); ``extra`` is added."""
    model = program.model if program is not None else extra.get("model")
    data: dict[str, Any] = {"features": functools.partial(features, model, program, loss)
                            if model is not None else set}
    if loss is not None:
        data["loss"] = repr(loss)
    if program is not None:
        data |= {"program": program, "model": jsonable(program.model),
                 "rule": repr(program.rule), "ops": [op_data(op) for op in program.ops],
                 "rules": [repr(r) for r in rules_in_force(program)]}
    return data | {key: jsonable(value) for key, value in extra.items()}


def rules_in_force(program: Program) -> list[Rule]:
    """The drawn rule, then each rule the program's Adjust ops make of it, in order; an
    adjustment the rule refuses (ADJ-3) ends the list."""
    found = [program.rule]
    for op in program.ops:
        if isinstance(op, Adjust):
            try:
                found.append(found[-1].adjusted(**op.changes))
            except (TypeError, ValueError):
                break
    return found


def op_data(op: Op) -> dict[str, Any]:
    """One op as a dict: ``{"op": "step", "grads": ...}``, ``{"op": "freeze", "keys": [...]}``."""
    if isinstance(op, Step):
        return {"op": "step", "grads": jsonable(op.grads)}
    if isinstance(op, Adjust):
        return {"op": "adjust", "changes": jsonable(dict(op.changes))}
    if isinstance(op, Checkpoint):
        return {"op": "checkpoint", "into": op.into}
    return {"op": "freeze" if isinstance(op, Freeze) else "thaw", "keys": list(op.keys)}


# ------------------------------------------------------------------------------- values


def _index(shape: tuple[int, ...], flat_index: int) -> str:
    if not shape:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat_index, shape)) + "]"


def assert_close(
    label: str, actual: Any, expected: Any, *, allowed: float, clause: str, ctx: Context,
    dtype: str | None = None,
) -> None:
    """``actual`` equals ``expected`` within ``allowed`` (max absolute error over elements);
    ``allowed == 0`` means bitwise, a zero's sign aside (TOL-10).  ``dtype``: the dtype
    ``actual`` must have.  Integers, bools, strings and None are compared exactly.  A NaN in
    ``expected`` is refused (ValueError): the strategies must not produce it (TOL-1)."""
    if expected is None or isinstance(expected, bool | int | np.integer | str):
        if type(actual) is not type(expected) or actual != expected:
            fail(f"{label}={actual!r}, but should be {expected!r}", clause=clause, ctx=ctx)
        return
    got, want = np.asarray(actual), np.asarray(expected)
    if np.isnan(want).any():
        raise ValueError(f"{label}: the reference value contains NaN; fix the strategy")
    if got.shape != want.shape:
        fail(f"{label}.shape={got.shape}, but should be {want.shape}", clause=clause, ctx=ctx)
    if dtype is not None and got.dtype != np.dtype(dtype):
        fail(f"{label}.dtype={got.dtype}, but should be {dtype}", clause=clause, ctx=ctx)
    if not np.issubdtype(got.dtype, np.floating) and not np.issubdtype(got.dtype, np.integer):
        fail(f"{label}={actual!r}, but should be {expected!r}", clause=clause, ctx=ctx)
    if allowed == 0.0 and got.dtype == want.dtype:
        mismatch = bitwise_mismatch(got.ravel(), want.ravel())
        if not mismatch.any():
            return
        worst = int(np.argmax(mismatch))
        error = np.abs(got.astype(np.float64) - want.astype(np.float64)).ravel()
    else:
        error = np.abs(got.astype(np.float64) - want.astype(np.float64)).ravel()
        error[np.isnan(error)] = np.inf
        if error.size == 0 or error.max() <= allowed:
            return
        worst = int(np.argmax(error))
    where = _index(want.shape, worst)
    fail(
        f"{label}{where}={got.ravel()[worst].item()!r}, but should be "
        f"{want.ravel()[worst].item()!r}",
        clause=clause, ctx=ctx, observed=float(error[worst]), allowed=allowed,
    )


def assert_equal(label: str, actual: Any, expected: Any, *, clause: str, ctx: Context) -> None:
    """Same type and equal value; arrays: same dtype, shape and elements."""
    if isinstance(expected, np.ndarray):
        same = (isinstance(actual, np.ndarray) and actual.dtype == expected.dtype
                and actual.shape == expected.shape and bool(np.array_equal(actual, expected)))
    else:
        same = type(actual) is type(expected) and bool(actual == expected)
    if not same:
        fail(f"{label}={actual!r}, but should be {expected!r}", clause=clause, ctx=ctx)


def state_dtypes(rule: Rule, dtype: str) -> dict[str, np.dtype[Any]]:
    """The dtype of each array field of ``rule``'s state for a parameter of ``dtype``, as
    the reference's ``init`` makes it: the parameter's own (STATE-2), but a MixedPrecision's
    copy and inner state at its precision (MIXED-1).  A field that ``init`` leaves None has
    no entry.

    >>> from optconf.reference.rules import Adam, MixedPrecision
    >>> {k: str(v) for k, v in state_dtypes(MixedPrecision(Adam()), "float64").items()}
    {'xT': 'float32', 'inner.mu': 'float32', 'inner.nu': 'float32'}
    """
    record = state_record(rule.observed(rule.init(np.zeros((2, 2), dtype=dtype))))
    return {key: value.dtype for key, value in record.items() if isinstance(value, np.ndarray)}


# ------------------------------------------------------------------------------ trees


def assert_structure(actual: Any, expected: Any, *, clause: str, carried_clause: str,
                     ctx: Context) -> None:
    """``actual`` has ``expected``'s containers (types, keys, lengths) and a parameter where
    it has one (``clause``), and every carried value and non-trainable field equal in value
    and type (``carried_clause``).  Parameter values are compared elsewhere."""

    Check = Callable[[Any], None]

    def at_param(path: ref_tree.Path, _e: Any) -> Check:
        def check(a: Any) -> None:
            if not (isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating)):
                fail(f"{ref_tree.path_str(path)}={a!r}, but should be a float array",
                     clause=clause, ctx=ctx)
        return check

    def at_carried(path: ref_tree.Path, e: Any) -> Check:
        return lambda a: assert_equal(ref_tree.path_str(path), a, e, clause=carried_clause,
                                      ctx=ctx)

    def at_node(path: ref_tree.Path, e: Any, node_kind: ref_tree.Kind,
                kids: list[tuple[ref_tree.PathElem, Check]]) -> Check:
        def check(a: Any) -> None:  # top down: the first difference is the one reported
            label = ref_tree.path_str(path)
            if type(a) is not type(e):
                fail(f"type({label})={type(a).__qualname__}, but should be "
                     f"{type(e).__qualname__}", clause=clause, ctx=ctx)
            a_kids = ref_tree.children(a, node_kind)
            if [elem for elem, _ in a_kids] != [elem for elem, _ in kids]:
                fail(f"{label} has children {[str(k) for k, _ in a_kids]}, but should have "
                     f"{[str(k) for k, _ in kids]}", clause=clause, ctx=ctx)
            for (_, a_kid), (_, kid) in zip(a_kids, kids, strict=True):
                kid(a_kid)
        return check

    ref_tree.fold(expected, at_param, at_node, at_carried)(actual)


def assert_ties(actual: Any, expected: Any, *, clause: str, ctx: Context) -> None:
    """Every occurrence in ``actual`` is the same object as the first occurrence of the
    same parameter in ``expected``'s pattern: shared arrays stay one object, distinct
    arrays stay distinct (TIE-3)."""
    want = ref_tree.occurrences(expected)
    got = ref_tree.occurrences(actual)
    for g, w in zip(got, want, strict=True):
        if g.position != w.position:
            first = ref_tree.path_str(want[[o.position for o in want].index(w.position)].path)
            what = (f"{ref_tree.path_str(w.path)} is {first}" if w.position < g.position
                    else f"{ref_tree.path_str(w.path)} is a distinct array")
            fail(f"ties differ: {what}, but the engine gave a different pattern",
                 clause=clause, ctx=ctx)
