"""Optimiser state and updates: ``setup``, ``update`` / ``update_``, ``freeze_`` / ``thaw_``,
``adjust`` / ``adjust_``.

Source: FluxML/Optimisers.jl src/interface.jl, src/adjust.jl.  Clauses: STATE-1 .. STATE-7,
UPD-1 .. UPD-11, TIE-1 .. TIE-4, FRZ-1 .. FRZ-4, ADJ-1 .. ADJ-7.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from .errors import TreeError
from .grads import GradForm, summed
from .rules.base import Array, FailedCall, Rule, apply_rules, copied, read_only
from .tree import Occurrence, Path, first_occurrences, mirror, occurrences, path_str


@dataclasses.dataclass(eq=False)
class Leaf:
    """The optimiser state of one distinct parameter: its rule, the rule's state and
    whether it is frozen (STATE-2).  Shared arrays share one Leaf object (TIE-1)."""

    rule: Rule
    state: Any
    frozen: bool = False

    def observed(self) -> Any:
        """The state as an engine's is compared with it (TOL-7, ADAM-2)."""
        return self.rule.observed(self.state)


def setup(rule: Rule, model: object) -> Any:
    """A state tree shaped like ``model`` with one :class:`Leaf` per distinct parameter,
    the same Leaf object at every occurrence of a shared array, and None elsewhere
    (STATE-1 .. STATE-4).  Warns when the model has no parameters (STATE-5).  A bare array
    gets its Leaf itself (STATE-6); the list ``trainables(model)`` gets one Leaf per distinct
    array, a list-shaped state (STATE-7).

    >>> import numpy as np
    >>> from optconf.reference.rules import Descent
    >>> w = np.zeros(2)
    >>> state = setup(Descent(), {"a": w, "b": w, "n": 1})
    >>> state["a"] is state["b"], state["n"]
    (True, None)
    """
    if not isinstance(rule, Rule):
        raise TypeError(
            f"setup: {rule!r} is not an optimisation rule; pass an instance such as "
            "optconf.reference.rules.Adam() (clause ERR-4)"
        )
    if not occurrences(model):  # also validates the tree: cycles, aliases, leaf types
        warnings.warn("setup found no trainable parameters in this model", UserWarning,
                      stacklevel=2)
    leaves: dict[int, Leaf] = {}

    def leaf_for(_path: Path, x: Array) -> Leaf:
        if id(x) not in leaves:
            leaves[id(x)] = Leaf(rule, rule.init(x))
        return leaves[id(x)]

    return mirror(model, leaf_for)


def _state_at(state: object, path: Path) -> object:
    node = state
    for depth, elem in enumerate(path):
        try:
            node = node[elem.key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            raise TreeError(
                f"{path_str(path[: depth + 1])}: the state tree has no entry here; was it made "
                "by setup() for this model? (clause ERR-2)"
            ) from None
    return node


def leaves_for(state: object, model: object, occs: list[Occurrence] | None = None
               ) -> list[Leaf]:
    """The Leaf of each distinct parameter, in collection order, checking that every
    occurrence of a shared array points at the same Leaf (TIE-1, ERR-2).  ``occs``: the
    model's occurrences, when the caller collected them."""
    occs = occurrences(model) if occs is None else occs
    found: list[Leaf] = []
    for occ in first_occurrences(occs):
        leaf = _state_at(state, occ.path)
        if not isinstance(leaf, Leaf):
            raise TreeError(
                f"{path_str(occ.path)}: expected optimiser state (a Leaf from setup), found "
                f"{type(leaf).__qualname__} (clause ERR-2)"
            )
        found.append(leaf)
    for occ in occs:
        if _state_at(state, occ.path) is not found[occ.position]:
            raise TreeError(
                f"{path_str(occ.path)}: this array is shared, but its state here is not the "
                "state of its first occurrence; call setup() again after tying (clause TIE-1)"
            )
    return found


def update_(
    state: Any, model: Any, grads: object, *, form: GradForm = "auto"
) -> tuple[Any, Any]:
    """Apply one step in place and return ``(state, model)`` (UPD-1, UPD-2).

    ``grads`` is a tree, a flat list or a flat vector; ``form`` says which, or ``"auto"``
    works it out and refuses an ambiguous list (UPD-4).  Each distinct parameter
    with a gradient and not frozen gets its rule applied once, to the sum of its
    gradients (TIE-2), and is updated in place, ``x -= step``.  Every check runs before
    anything is mutated, and the update is atomic: the rules run on copies of their states
    and nothing is written unless every one of them succeeds; an error a rule raises names
    the first offending parameter's path (UPD-8).  ``state`` may be one Leaf and ``model``
    its array (UPD-10); a list-shaped state with ``trainables(model)`` and one summed gradient
    per array updates as the model-shaped state would (UPD-11).
    """
    occs = occurrences(model)  # collected once: the state, the gradients and the update
    leaves = leaves_for(state, model, occs)
    firsts = first_occurrences(occs)
    gradients = summed(model, grads, form, occs)
    for occ, g in zip(firsts, gradients, strict=True):
        if g is not None and not occ.array.flags.writeable:
            raise TreeError(
                f"{path_str(occ.path)}: parameter is read-only; update_ writes in place, use "
                "update() to get new arrays (clause UPD-2)"
            )
    # UPD-5, FRZ-1: no rule call, state and parameter unchanged without a gradient or frozen
    active = [(leaf, occ, g) for leaf, occ, g in zip(leaves, firsts, gradients, strict=True)
              if g is not None and not leaf.frozen]
    # UPD-8: IEEE arithmetic, no floating-point warning (one made an error would stop a step)
    with np.errstate(all="ignore"):
        if all(leaf.rule.runs_in_place for leaf, _, _ in active):
            _update_in_place(active)
            return state, model
        results = _applied(active)
    for index, new_state, new_x in results:  # UPD-8: all succeeded, now commit
        leaf, occ, _ = active[index]
        leaf.state = new_state
        if new_x is not None:
            np.copyto(occ.array, new_x)
    return state, model


def _update_in_place(active: list[tuple[Leaf, Occurrence, Array]]) -> None:
    """Each parameter and state written directly by its rule's in-place step, the same bits
    as the general path (RULE-1): such a step cannot fail once the checks have passed, so
    the update is atomic without copying the states (UPD-8)."""
    for leaf, occ, g in active:
        leaf.state = leaf.rule.apply_(leaf.state, occ.array, read_only(g))


def _applied(active: list[tuple[Leaf, Occurrence, Array]]
             ) -> list[tuple[int, Any, Array | None]]:
    """Each rule applied to a copy of its state (UPD-8): ``(index, new state, new value of
    the parameter or None)``, nothing written yet; a rule's error names its parameter."""
    # RULE-2: rules must not write into the gradient; RULE-8: global-norm rules run in rounds;
    # MIXED-2: a rule that writes x writes a working copy, committed with everything else
    xs = [occ.array.copy() if leaf.rule.writes_param else occ.array for leaf, occ, _ in active]
    calls = ((leaf.rule, copied(leaf.state), x, read_only(g))
             for (leaf, _, g), x in zip(active, xs, strict=True))
    try:
        return [(index, new_state, _new_value(active[index][0].rule, xs[index], step))
                for index, new_state, step in apply_rules(calls)]
    except FailedCall as failed:
        raise _naming(failed.error, active[failed.index][1].path) from None


def _new_value(rule: Rule, x: Array, step: Array | None) -> Array | None:
    """What the parameter becomes: ``x - step`` (RULE-1); for a None step, unchanged (None,
    RULE-3), or the working copy a rule that writes ``x`` wrote (MIXED-2)."""
    if step is not None:
        return x - step
    return x if rule.writes_param else None


def _naming(error: Exception, path: Path) -> Exception:
    """``error`` with the offending parameter's path in front of its message (UPD-8)."""
    if error.args and isinstance(error.args[0], str):
        error.args = (f"{path_str(path)}: {error.args[0]}", *error.args[1:])
    else:
        error.add_note(f"raised for the parameter at {path_str(path)} (clause UPD-8)")
    return error


def update(
    state: Any, model: Any, grads: object, *, form: GradForm = "auto"
) -> tuple[Any, Any]:
    """Like :func:`update_` but on copies: the caller's state and model are untouched
    (UPD-3); ties between arrays, and between the state's Leaves, survive the copy (TIE-3)."""
    state_copy, model_copy = copy.deepcopy((state, model))
    return update_(state_copy, model_copy, grads, form=form)


# ------------------------------------------------------------------------- freeze, thaw


def _leaves_under(tree: object) -> Iterator[Leaf]:
    if isinstance(tree, np.ndarray):
        raise TypeError(
            "freeze_/thaw_/adjust_ take the state tree returned by setup(), not the model's "
            "arrays (clause FRZ-4)"
        )
    if isinstance(tree, Leaf):
        yield tree
    elif isinstance(tree, dict):
        for value in tree.values():
            yield from _leaves_under(value)
    elif isinstance(tree, list | tuple):
        for value in tree:
            yield from _leaves_under(value)


def _select(state: object, keys: tuple[Any, ...]) -> object:
    node = state
    for depth, key in enumerate(keys):
        try:
            node = node[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            selected = list(keys[: depth + 1])
            raise TreeError(f"state{selected}: no such entry (clause FRZ-3)") from None
    return node


def freeze_(state: object, *keys: Any) -> None:
    """Freeze every Leaf under ``state[keys[0]][keys[1]]...``: frozen parameters and their
    state are left untouched by updates (FRZ-1 .. FRZ-3).  Freezing one occurrence of a
    shared array freezes it everywhere, since the Leaf is shared (TIE-4)."""
    for leaf in _leaves_under(_select(state, keys)):
        leaf.frozen = True


def thaw_(state: object, *keys: Any) -> None:
    """Undo :func:`freeze_` under the selected subtree (FRZ-2)."""
    for leaf in _leaves_under(_select(state, keys)):
        leaf.frozen = False


# ------------------------------------------------------------------------------- adjust


def adjust_(state: object, eta: float | None = None, **changes: Any) -> None:
    """Change hyperparameters of every rule in ``state`` in place, keeping the rules' state
    (momenta, step counts) as it is (ADJ-1, ADJ-2).  ``eta`` may be given positionally and is
    then the keyword ``eta`` (ADJ-5).  An unknown name, an alias such as WeightDecay's
    ``gamma`` (ADJ-6), or no name at all raises TypeError; every new rule is made before any
    Leaf changes, so an error leaves every Leaf as it was (ADJ-3, ADJ-7)."""
    if eta is not None:
        changes["eta"] = eta
    leaves = list({id(leaf): leaf for leaf in _leaves_under(state)}.values())
    new_rules = [leaf.rule.adjusted(**changes) for leaf in leaves]
    for leaf, rule in zip(leaves, new_rules, strict=True):
        leaf.rule = rule


def adjust(state: Any, eta: float | None = None, **changes: Any) -> Any:
    """:func:`adjust_` on a copy; a Rule given directly returns the adjusted rule (ADJ-4)."""
    if isinstance(state, Rule):
        return state.adjusted(**({"eta": eta} if eta is not None else {}), **changes)
    state_copy = copy.deepcopy(state)
    adjust_(state_copy, eta, **changes)
    return state_copy
