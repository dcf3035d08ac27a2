"""Mutants whose bug is in how an update walks the state: shared arrays, None and zero
gradients, freezing, adjusting, the state's dtype."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import numpy as np

from optconf.adapters import reference as ref_adapter
from optconf.reference import grads as ref_grads
from optconf.reference import state as ref_state
from optconf.reference.errors import TreeError
from optconf.reference.tree import Occurrence, first_occurrences, mirror, occurrences

from .base import Method, mutant, swapped, wrapped

# ----------------------------------------------------------------------------- shared arrays


@mutant("tie_applied_per_occurrence",
        "Shared arrays: the rule is applied once per occurrence, to that occurrence's "
        "gradient, instead of once to their sum", "TIE-2")
@contextmanager
def _per_occurrence() -> Iterator[None]:
    def per_occurrence(original: Method) -> Method:
        def update_(state: Any, model: Any, grads: object, **form: Any) -> tuple[Any, Any]:
            for round_grads in _occurrence_rounds(model, grads, **form):
                original(state, model, round_grads, **form)
            return state, model
        return update_

    with wrapped(ref_state, "update_", per_occurrence):
        yield


def _occurrence_rounds(model: Any, grads: object, form: str = "auto") -> list[object]:
    """Gradient trees holding only the k-th occurrence of each array, k = 0, 1, ...; a flat
    gradient form has no occurrences and is one round."""
    try:
        if form not in ("auto", "tree"):
            raise TreeError(f"a {form} gradient")
        pairs = ref_grads.per_occurrence(model, grads)
    except TreeError:
        return [grads]
    rank: dict[Any, int] = {}
    seen: Counter[int] = Counter()
    for occ, _ in pairs:
        rank[occ.path] = seen[occ.position]
        seen[occ.position] += 1
    given = {occ.path: g for occ, g in pairs}
    return [mirror(model, lambda path, _x, k=k: given[path] if rank[path] == k else None)
            for k in range(max(seen.values(), default=1))]


@mutant("tie_last_occurrence_wins",
        "Shared arrays: each occurrence's gradient overwrites the last one's instead of "
        "adding to it", "TIE-2")
@contextmanager
def _last_wins() -> Iterator[None]:
    def sum_tree(n: int, pairs: list[tuple[Occurrence, Any]]) -> list[Any]:
        total: list[Any] = [None] * n
        for occ, g in pairs:
            if g is not None:
                total[occ.position] = g
        return total

    with wrapped(ref_grads, "_sum_tree", lambda _original: sum_tree):
        yield


# ------------------------------------------------------------------ None and zero gradients


def _gradients(rewrite: Method) -> Method:
    """Wrap ``summed`` as seen by ``update_``, rewriting each (parameter, gradient) pair."""
    def wrapper(original: Method) -> Method:
        def summed(model: object, grads: object, *form: Any) -> list[Any]:
            params = [occ.array for occ in first_occurrences(occurrences(model))]
            return [rewrite(x, g)
                    for x, g in zip(params, original(model, grads, *form), strict=True)]
        return summed
    return wrapper


@mutant("none_grad_as_zeros",
        "A None gradient is treated as zeros: the rule runs and its state advances", "UPD-5")
@contextmanager
def _none_as_zeros() -> Iterator[None]:
    rewrite = _gradients(lambda x, g: np.zeros_like(x) if g is None else g)
    with swapped(ref_state, "summed", rewrite(ref_state.summed)):
        yield


@mutant("zero_grad_skipped",
        "An all-zero gradient is skipped like None, so the state does not advance", "UPD-5")
@contextmanager
def _zero_skipped() -> Iterator[None]:
    rewrite = _gradients(lambda x, g: None if g is not None and not g.any() else g)
    with swapped(ref_state, "summed", rewrite(ref_state.summed)):
        yield


# ---------------------------------------------------------------------------- freezing


@mutant("frozen_state_advances",
        "Freezing skips the parameter's update but still runs the rule, so its state moves",
        "FRZ-1")
@contextmanager
def _frozen_state_advances() -> Iterator[None]:
    def advancing(original: Method) -> Method:
        def update_(state: Any, model: Any, grads: object, **form: Any) -> tuple[Any, Any]:
            leaves = ref_state.leaves_for(state, model)
            params = [occ.array for occ in first_occurrences(occurrences(model))]
            gradients = ref_state.summed(model, grads, *form.values())
            for leaf, x, g in zip(leaves, params, gradients, strict=True):
                if leaf.frozen and g is not None:
                    leaf.state, _ = leaf.rule.apply(leaf.state, x, g)
            return original(state, model, grads, **form)
        return update_

    with wrapped(ref_state, "update_", advancing):
        yield


@mutant("freeze_ignored",
        "freeze_ has no effect (like requires_grad=False set after the optimiser captured the "
        "parameters): frozen arrays keep training", "FRZ-1")
@contextmanager
def _freeze_ignored() -> Iterator[None]:
    with wrapped(ref_state, "freeze_", lambda _original: lambda state, *keys: None):
        yield


@mutant("freeze_by_first_path",
        "Freezing goes by path (a mask over collected parameters): a shared array selected at "
        "a later place only is not frozen", "TIE-4")
@contextmanager
def _freeze_by_first_path() -> Iterator[None]:
    def by_path(original: Method) -> Method:
        def freeze_(state: Any, *keys: Any) -> None:
            first: dict[int, tuple[Any, ...]] = {}
            for path, leaf in _leaf_paths(state, ()):
                first.setdefault(id(leaf), path)
            for leaf in _distinct_leaves(ref_state._select(state, keys)):
                if first[id(leaf)][: len(keys)] == keys:
                    leaf.frozen = True
        return freeze_

    with wrapped(ref_state, "freeze_", by_path):
        yield


def _leaf_paths(tree: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every Leaf of a state tree with its key path, in tree order."""
    if isinstance(tree, ref_state.Leaf):
        yield path, tree
    elif isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaf_paths(value, (*path, key))
    elif isinstance(tree, list | tuple):
        for index, value in enumerate(tree):
            yield from _leaf_paths(value, (*path, index))


@mutant("thaw_fresh_state",
        "Thawing starts the thawed arrays from fresh state (torch: unfrozen layers added back "
        "as a new param group)", "FRZ-2")
@contextmanager
def _thaw_fresh_state() -> Iterator[None]:
    def fresh(original: Method) -> Method:
        def thaw_(state: Any, *keys: Any) -> None:
            for leaf in _distinct_leaves(ref_state._select(state, keys)):
                if leaf.frozen:
                    _reset(leaf)
            original(state, *keys)
        return thaw_

    with wrapped(ref_state, "thaw_", fresh):
        yield


# ------------------------------------------------------------------------------ adjusting


@mutant("adjust_resets_state",
        "adjust rebuilds the optimiser: the new hyperparameters come with fresh state",
        "ADJ-2")
@contextmanager
def _adjust_resets() -> Iterator[None]:
    def resetting(original: Method) -> Method:
        def adjust_(state: Any, eta: float | None = None, **changes: Any) -> None:
            original(state, eta, **changes)
            for leaf in _distinct_leaves(state):
                _reset(leaf)
        return adjust_

    with wrapped(ref_state, "adjust_", resetting):
        yield


def _distinct_leaves(tree: Any) -> list[ref_state.Leaf]:
    return list({id(leaf): leaf for leaf in ref_state._leaves_under(tree)}.values())


def _reset(leaf: ref_state.Leaf) -> None:
    """Give ``leaf`` its rule's initial state again (a stateless rule keeps None)."""
    template = _first_array(leaf.state)
    if template is not None:
        leaf.state = leaf.rule.init(np.zeros_like(template))


def _first_array(state: Any) -> np.ndarray | None:
    """An array of a rule state (its shape is the parameter's), or None for no state."""
    if isinstance(state, np.ndarray):
        return state
    if isinstance(state, tuple):
        for item in state:
            found = _first_array(item)
            if found is not None:
                return found
    return None


@mutant("adjust_ignored",
        "adjust changes nothing (torch: the new lr written to defaults, not param_groups)",
        "ADJ-1")
@contextmanager
def _adjust_ignored() -> Iterator[None]:
    with wrapped(ref_state, "adjust_", lambda _original: lambda state, *a, **kw: None):
        yield


@mutant("checkpoint_state_not_loaded",
        "A checkpoint keeps the parameters but the resumed optimiser starts afresh, its "
        "state not loaded (moments, step count and accumulation lost)", "STATE-8")
def _checkpoint_state_not_loaded() -> AbstractContextManager[None]:
    return _checkpoint_loading(_reset)


@mutant("checkpoint_step_count_reset",
        "A checkpoint loads the moments but not the step count or beta powers (a state "
        "dict saved without torch's 'step'): the resumed optimiser bias-corrects as if it "
        "were starting", "STATE-8")
def _checkpoint_step_count_reset() -> AbstractContextManager[None]:
    def recount(leaf: ref_state.Leaf) -> None:
        template = _first_array(leaf.state)
        if template is not None:
            leaf.state = _counts_from(leaf.state, leaf.rule.init(np.zeros_like(template)))

    return _checkpoint_loading(recount)


def _checkpoint_loading(change: Callable[[ref_state.Leaf], None]
                        ) -> AbstractContextManager[None]:
    """The reference adapter's checkpoint with ``change`` made to each loaded Leaf."""
    def changing(original: Method) -> Method:
        def saved_and_loaded(state: Any) -> Any:
            loaded = original(state)
            for leaf in _distinct_leaves(loaded):
                change(leaf)
            return loaded
        return saved_and_loaded

    return wrapped(ref_adapter, "_saved_and_loaded", changing)


def _counts_from(state: Any, fresh: Any) -> Any:
    """``state`` with its arrays kept and everything else (counts, beta powers) ``fresh``'s."""
    if isinstance(state, np.ndarray):
        return state
    if isinstance(state, tuple):
        parts = [_counts_from(s, f) for s, f in zip(state, fresh, strict=True)]
        return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)
    return fresh


# --------------------------------------------------------------------------------- dtype


@mutant("float32_state",
        "Optimiser state kept in float32 for float64 parameters", "STATE-2", "UPD-6")
@contextmanager
def _float32_state() -> Iterator[None]:
    def narrowing(original: Method) -> Method:
        def setup(rule: Any, model: object) -> Any:
            tree = original(rule, model)
            for leaf in _distinct_leaves(tree):
                leaf.state = _float32(leaf.state)
            return tree
        return setup

    with wrapped(ref_state, "setup", narrowing):
        yield


def _float32(state: Any) -> Any:
    """``state`` with every float64 array narrowed to float32 (nested tuples too)."""
    if isinstance(state, np.ndarray) and state.dtype == np.float64:
        return state.astype(np.float32)
    if isinstance(state, tuple):
        items = [_float32(item) for item in state]
        return type(state)(*items) if hasattr(state, "_fields") else tuple(items)
    return state
