"""The old implicit API, Flux.Optimise style: ``params``, ``Params``, ``Grads``, an optimiser
object that keeps its state inside, keyed by array identity, and ``update_`` / ``train_``.

Every public function and constructor here warns with DeprecationWarning naming its
replacement, at every call, before it checks or changes anything (DEP-1 .. DEP-3), then
delegates to the new API one array at a time, so the numbers are identical (DEP-4).
Methods of the returned objects (``len(ps)``, ``gs[x]``) are plain reads and do not warn.

>>> import warnings
>>> import numpy as np
>>> from optconf.reference.rules import Descent
>>> w = np.ones(2)
>>> with warnings.catch_warnings(record=True) as seen:
...     warnings.simplefilter("always")
...     ps = params({"a": w, "b": w})
...     opt = LegacyOptimiser(Descent(0.5))
...     update_(opt, ps, Grads(ps, [np.ones(2)]))
>>> w, [str(s.message).split(";")[0] for s in seen]
(array([0.5, 0.5]), ['params(model) is deprecated', 'LegacyOptimiser(rule) is deprecated', \
'Grads(params, grads) is deprecated', 'update_(opt, params, grads) is deprecated'])

Sources: FluxML/Flux.jl src/deprecations.jl, src/optimise/train.jl; FluxML/Zygote.jl
src/compiler/interface.jl (Params, Grads), src/lib/base.jl.  Clauses: DEP-1 .. DEP-10.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from . import state as new_api
from .collect import trainables
from .errors import NonFiniteLossError, TreeError
from .expr import Expr, gradient_through_trainables, reached, value_and_grad
from .grads import as_gradient
from .rules.base import Array, Rule
from .tree import Path, kind


def _deprecated(message: str) -> None:
    """Warn on behalf of the public function that called this one: stacklevel 3 is the
    line that called *it* (DEP-1 .. DEP-3)."""
    warnings.warn(message, DeprecationWarning, stacklevel=3)


def _check_param(x: object, where: str) -> Array:
    if not (isinstance(x, np.ndarray) and kind(x) == "param"):
        raise TypeError(
            f"{where}: {type(x).__qualname__} is not a parameter; the legacy API takes float "
            "arrays (clause DEP-6)"
        )
    return x


# ---------------------------------------------------------------------------- Params


class Params:
    """An ordered identity collection of parameter arrays: each array once, in the order
    first given, the arrays themselves (DEP-6).  Zygote's ``Params``."""

    _arrays: tuple[Array, ...]

    def __init__(self, arrays: Iterable[Array]) -> None:
        _deprecated(
            "Params(arrays) is deprecated; use a list of arrays, e.g. trainables(model)"
        )
        if isinstance(arrays, np.ndarray):  # Zygote #411: Params(x) split x into rows
            raise TypeError("Params takes an iterable of arrays; for one array x use Params([x])")
        self._arrays = _distinct([_check_param(x, "Params") for x in arrays])

    @classmethod
    def _of(cls, arrays: Sequence[Array]) -> Params:
        """Build without warning, for use inside this module."""
        made = object.__new__(cls)
        made._arrays = tuple(arrays)
        return made

    def __len__(self) -> int:
        return len(self._arrays)

    def __iter__(self) -> Iterator[Array]:
        return iter(self._arrays)

    def __getitem__(self, i: int) -> Array:
        return self._arrays[i]

    def __contains__(self, x: object) -> bool:
        return any(x is p for p in self._arrays)

    def __repr__(self) -> str:
        return f"Params([{', '.join(f'<array {p.shape}>' for p in self._arrays)}])"


def _distinct(arrays: Sequence[Array]) -> tuple[Array, ...]:
    seen: dict[int, Array] = {}
    for x in arrays:
        seen.setdefault(id(x), x)
    return tuple(seen.values())


def params(*models: object) -> Params:
    """The trainable arrays of ``models`` as :class:`Params`: exactly ``trainables``, same
    arrays, same order, each once (DEP-6).  Flux also collected integer arrays; optconf does
    not (spec decision 9)."""
    _deprecated("params(model) is deprecated; use trainables(model)")
    return Params._of(trainables(models))


# ----------------------------------------------------------------------------- Grads


class Grads:
    """Gradients keyed by parameter identity, one per array of a :class:`Params`; None means
    no gradient.  Built from the Params and a list aligned with it, or a mapping from
    ``id(array)`` to gradient (absent ids are None).  Zygote's ``Grads`` (DEP-4)."""

    params: Params
    _by_id: dict[int, Array | None]

    def __init__(
        self, ps: Params, grads: Sequence[Array | None] | Mapping[int, Array | None]
    ) -> None:
        _deprecated(
            "Grads(params, grads) is deprecated; use update_(state, model, grads) with a tree, a "
            "list aligned with trainables(model) or a flat vector"
        )
        if not isinstance(ps, Params):
            raise TypeError(f"Grads: expected Params, got {type(ps).__qualname__}")
        if isinstance(grads, Mapping):
            unknown = set(grads) - {id(p) for p in ps}
            if unknown:
                raise KeyError(f"Grads: ids {sorted(unknown)} are not arrays of these Params")
            grads = [grads.get(id(p)) for p in ps]
        if len(grads) != len(ps):
            raise TreeError(f"Grads: {len(grads)} gradients for {len(ps)} parameters")
        self.params = ps
        self._by_id = {
            id(p): None if g is None else as_gradient(g, (), p)
            for p, g in zip(ps, grads, strict=True)
        }

    @classmethod
    def _of(cls, ps: Params, grads: Sequence[Array | None]) -> Grads:
        """Build without warning or casting, for use inside this module."""
        made = object.__new__(cls)
        made.params = ps
        made._by_id = {id(p): g for p, g in zip(ps, grads, strict=True)}
        return made

    def __getitem__(self, x: Array) -> Array | None:
        if x not in self.params:
            raise KeyError(
                f"Grads has no entry for this array of shape {getattr(x, 'shape', '?')}; build "
                "Grads from the same Params you update (clause DEP-7)"
            )
        return self._by_id[id(x)]

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"Grads({sum(g is not None for g in self._by_id.values())} of {len(self)} set)"


def gradient(loss: Expr, ps: Params) -> Grads:
    """The implicit gradient of ``loss`` (``Param(i)`` is ``ps[i]``): a :class:`Grads`,
    None for a parameter the loss does not reach (DEP-8, EXPR-5)."""
    _deprecated(
        "gradient(loss, params) is deprecated; use gradient_through_trainables(model, loss)"
    )
    if not isinstance(ps, Params):
        raise TypeError(f"gradient: expected Params, got {type(ps).__qualname__}")
    return _gradient(loss, ps)


def _gradient(loss: Expr, ps: Params) -> Grads:
    return _value_and_gradient(loss, ps)[1]


def _value_and_gradient(loss: Expr, ps: Params) -> tuple[float, Grads]:
    value, grads = value_and_grad(loss, list(ps))
    used = reached(loss)
    return value, Grads._of(ps, [g if i in used else None for i, g in enumerate(grads)])


def gradient_through_params(
    model: object, loss: Expr, *, frozen: Callable[[Path], bool] | None = None
) -> Any:
    """The explicit gradient of ``model -> loss(params(model))``, shaped like the model.
    Collecting through ``params`` is differentiable (Zygote's ``push!(::IdSet)``
    pullback) and, since ``params`` is ``trainables``, gives the same tree: each array's
    cotangent at its first occurrence, None elsewhere (DEP-8, GRAD-2)."""
    _deprecated(
        "differentiating through params(model) is deprecated; use "
        "gradient_through_trainables(model, loss)"
    )
    return gradient_through_trainables(model, loss, via="trainables", frozen=frozen)


# ---------------------------------------------------------------------- the optimiser


class LegacyOptimiser:
    """An optimiser object holding its state inside, keyed by array identity: the state of
    an array is made on its first gradient (DEP-9).  Flux.Optimise's ``IdDict`` state."""

    rule: Rule
    _leaves: dict[int, tuple[Array, new_api.Leaf]]

    def __init__(self, rule: Rule) -> None:
        _deprecated("LegacyOptimiser(rule) is deprecated; use state = setup(rule, model)")
        if not isinstance(rule, Rule):
            raise TypeError(f"LegacyOptimiser: {rule!r} is not an optimisation rule")
        self.rule = rule
        self._leaves = {}  # id -> (the array, kept alive so its id stays unique; its Leaf)

    def leaf(self, x: Array) -> new_api.Leaf | None:
        """The state kept for ``x``, or None before ``x``'s first gradient (DEP-9)."""
        entry = self._leaves.get(id(x))
        return None if entry is None else entry[1]

    def _leaf_for(self, x: Array) -> new_api.Leaf:
        if self.leaf(x) is None:
            self._leaves[id(x)] = (x, new_api.setup(self.rule, x))
        return self._leaves[id(x)][1]


def _check_mixing(opt: object, x: object, dx: object) -> None:
    """Mixing the implicit and explicit styles is an error that names the fix (DEP-7)."""
    if not isinstance(opt, LegacyOptimiser):
        raise TypeError(
            f"legacy update_ needs a LegacyOptimiser, got {type(opt).__qualname__}; with the "
            "new API use state = setup(rule, model); update_(state, model, grads)"
        )
    if isinstance(x, Params) and not isinstance(dx, Grads):
        raise TypeError(
            f"can't mix implicit Params with explicit gradients ({type(dx).__qualname__}); "
            "use Grads(params, grads), or update_(setup(rule, model), model, grads)"
        )
    if isinstance(dx, Grads) and not isinstance(x, Params):
        raise TypeError("Grads go with Params: call update_(opt, params, grads)")
    if not isinstance(x, Params):
        _check_param(x, "update_")


def update_(opt: LegacyOptimiser, x: Array | Params, dx: Array | Grads) -> None:
    """One step in place: ``update_(opt, x, dx)`` for one array, or
    ``update_(opt, ps, gs)`` for every array of ``ps`` whose gradient is not None (DEP-4).
    All checks run before anything changes (DEP-5)."""
    if isinstance(x, Params):
        _deprecated(
            "update_(opt, params, grads) is deprecated; use "
            "update_(setup(rule, model), model, grads)"
        )
    else:
        _deprecated(
            "update_(opt, x, dx) is deprecated; use state = setup(rule, x); "
            "update_(state, x, dx)"
        )
    _check_mixing(opt, x, dx)
    pairs = list(zip(x, (dx[p] for p in x), strict=True)) if isinstance(x, Params) else [(x, dx)]
    _update_pairs(opt, pairs)


def _update_pairs(opt: LegacyOptimiser, pairs: Sequence[tuple[Array, Any]]) -> None:
    checked = [(x, as_gradient(g, (), x)) for x, g in pairs if g is not None]
    for x, _ in checked:
        if not x.flags.writeable:
            raise TreeError("update_: a parameter is read-only (clause UPD-2)")
    # one update over the list, so a rule's error leaves every array as it was (UPD-8)
    new_api.update_([opt._leaf_for(x) for x, _ in checked], [x for x, _ in checked],
                    [g for _, g in checked], form="tree")


def train_(
    loss: Callable[[Any], Expr], ps: Params, data: Iterable[Any], opt: LegacyOptimiser
) -> None:
    """For each item ``d`` of ``data``: ``update_(opt, ps, gradient(loss(d), ps))`` (DEP-4).
    An explicit rule in place of the optimiser object is an error (DEP-7).  A loss that is
    not finite skips that item's update and raises :class:`NonFiniteLossError`, leaving the
    parameters and state as the earlier items left them (DEP-10)."""
    _deprecated(
        "train_(loss, params, data, opt) is deprecated; use state = setup(rule, model) and, "
        "per batch, update_(state, model, gradient_through_trainables(model, loss))"
    )
    if not isinstance(opt, LegacyOptimiser):
        raise TypeError(
            f"can't mix implicit Params with {type(opt).__qualname__}; train_ needs a "
            "LegacyOptimiser, a rule needs state = setup(rule, model) and the new update_"
        )
    if not isinstance(ps, Params):
        raise TypeError(
            f"train_ takes Params, got {type(ps).__qualname__}; for a model use the new API"
        )
    for item, d in enumerate(data):
        value, gs = _value_and_gradient(loss(d), ps)
        if not math.isfinite(value):
            raise NonFiniteLossError(
                f"train_: loss is {value} on data item {item} (counted from 0), stopping "
                "training; this item's update was skipped (clause DEP-10)"
            )
        _update_pairs(opt, [(p, gs[p]) for p in ps])


__all__ = [
    "Grads",
    "LegacyOptimiser",
    "Params",
    "gradient",
    "gradient_through_params",
    "params",
    "train_",
    "update_",
]
