"""Mutants whose bug is in the deprecated surface: the warning's presence, place, repetition
and message, and the legacy update's handling of None."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from optconf.reference import legacy, tree

from .base import Method, mutant, wrapped


@mutant("legacy_silent",
        "The legacy API works but never warns, so a warning made an error stops nothing",
        "DEP-1", "DEP-5")
@contextmanager
def _silent() -> Iterator[None]:
    with wrapped(legacy, "_deprecated", lambda _original: lambda message: None):
        yield


@mutant("legacy_wrong_stacklevel",
        "Legacy warnings point at optconf's own line (stacklevel one short), not the caller's",
        "DEP-2")
@contextmanager
def _wrong_stacklevel() -> Iterator[None]:
    def deprecated(message: str) -> None:
        warnings.warn(message, DeprecationWarning, stacklevel=2)

    with wrapped(legacy, "_deprecated", lambda _original: deprecated):
        yield


@mutant("legacy_warns_once",
        "Each legacy warning is given once and then muted (Flux's maxlog=1), not at every call",
        "DEP-1")
@contextmanager
def _warns_once() -> Iterator[None]:
    given: set[str] = set()

    def deprecated(message: str) -> None:
        if message not in given:
            given.add(message)
            warnings.warn(message, DeprecationWarning, stacklevel=3)

    with wrapped(legacy, "_deprecated", lambda _original: deprecated):
        yield


@mutant("legacy_message_without_replacement",
        "Legacy warnings say what is deprecated but not what to use instead", "DEP-3")
@contextmanager
def _message_without_replacement() -> Iterator[None]:
    def deprecated(message: str) -> None:
        warnings.warn(message.split(";")[0], DeprecationWarning, stacklevel=3)

    with wrapped(legacy, "_deprecated", lambda _original: deprecated):
        yield


@mutant("legacy_none_grad_as_zeros",
        "The legacy Params update gives an array whose gradient is None a zero gradient "
        "instead of skipping it, so its state advances", "DEP-4")
@contextmanager
def _none_as_zeros() -> Iterator[None]:
    def zeros_for_none(original: Method) -> Method:
        return lambda opt, pairs: original(
            opt, [(x, np.zeros_like(x) if g is None else g) for x, g in pairs])

    with wrapped(legacy, "_update_pairs", zeros_for_none):
        yield


@mutant("legacy_updates_before_warning",
        "The legacy update_ updates the arrays and the optimiser first and warns after, so a "
        "warning made an error raises with the step already taken", "DEP-5")
@contextmanager
def _updates_before_warning() -> Iterator[None]:
    def late_warning(original: Method) -> Method:
        def update_(opt: legacy.LegacyOptimiser, x: Any, dx: Any) -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                original(opt, x, dx)
            legacy._deprecated("update_(opt, params, grads) is deprecated; use "
                               "update_(setup(rule, model), model, grads)")
        return update_

    with wrapped(legacy, "update_", late_warning):
        yield


@mutant("legacy_params_gradient_lost",
        "Differentiating through params(model) gives no gradient: the collected set is not "
        "differentiable, so every parameter gets None (Zygote's gradient through "
        "Flux.params, the seed's second story)", "DEP-8")
@contextmanager
def _params_gradient_lost() -> Iterator[None]:
    def lost(original: Method) -> Method:
        def gradient_through_params(model: object, loss: Any, **kw: Any) -> Any:
            original(model, loss, **kw)  # warns as before
            return tree.mirror(model, lambda _path, _x: None)
        return gradient_through_params

    with wrapped(legacy, "gradient_through_params", lost):
        yield



@mutant("legacy_state_by_position",
        "The legacy optimiser keys its state by an array's position among those with a "
        "gradient this step, not by its identity (checking only that the shapes agree, as "
        "torch's load_state_dict does): a step that skips one array hands the next one its "
        "neighbour's state", "DEP-4", "DEP-9")
@contextmanager
def _state_by_position() -> Iterator[None]:
    def by_position(original: Method) -> Method:
        def update_pairs(opt: legacy.LegacyOptimiser, pairs: Any) -> None:
            given = [x for x, g in pairs if g is not None]
            slots = getattr(opt, "_slots", {})
            opt._slots = slots
            for position, x in enumerate(given):  # the state of position i goes to x
                if position in slots and slots[position][0] == x.shape:
                    opt._leaves[id(x)] = (x, slots[position][1])
            original(opt, pairs)
            for position, x in enumerate(given):
                slots[position] = (x.shape, opt._leaves[id(x)][1])
        return update_pairs

    with wrapped(legacy, "_update_pairs", by_position):
        yield
