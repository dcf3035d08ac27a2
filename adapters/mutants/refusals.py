"""Mutants whose bug is a refusal or a warning left out, or an edge of a rule's bounds: the
cases a plain matching run never reaches (ADJ-3, CLIPNORM-3, STATE-5, TREE-6, RPROP-3)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from optconf.reference import state as ref_state
from optconf.reference import tree
from optconf.reference.rules import base, clip, compose, sign

from .base import Method, mutant, wrapped


def _known_only(original: Method) -> Method:
    """``adjusted`` that drops the names the rule does not have, as Optimisers.jl does."""
    def adjusted(self: Any, **changes: Any) -> Any:
        known = {k: v for k, v in changes.items() if k in self.hyperparameters()}
        return original(self, **known) if known else self
    return adjusted


@mutant("adjust_unknown_ignored",
        "adjust: a hyperparameter name the rule does not have is ignored silently instead "
        "of raising TypeError (Optimisers.jl's behaviour)", "ADJ-3", "CHAIN-3", "RMSPROP-3")
@contextmanager
def _unknown_ignored() -> Iterator[None]:
    with wrapped(base.Rule, "adjusted", _known_only), \
            wrapped(compose.OptimiserChain, "adjusted", _known_only):
        yield


@mutant("clip_nonfinite_silent",
        "ClipNorm and ClipGlobalNorm scale by a non-finite norm instead of raising "
        "(torch's error_if_nonfinite=False, optax)", "CLIPNORM-3", "CLIPGLOBALNORM-3")
@contextmanager
def _nonfinite_silent() -> Iterator[None]:
    with wrapped(clip, "check_finite", lambda _original: lambda *_args: None):
        yield


@mutant("setup_empty_silent",
        "setup on a model without parameters returns without the UserWarning", "STATE-5")
@contextmanager
def _empty_silent() -> Iterator[None]:
    def quiet(original: Method) -> Method:
        def setup(*args: Any, **kwargs: Any) -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return original(*args, **kwargs)
        return setup

    with wrapped(ref_state, "setup", quiet):
        yield


@mutant("complex_carried",
        "A complex array is carried through untouched instead of refused naming its path",
        "TREE-6")
@contextmanager
def _complex_carried() -> Iterator[None]:
    def kind(original: Method) -> Method:
        def classify(x: object, path: tree.Path = ()) -> Any:
            if isinstance(x, np.ndarray) and np.iscomplexobj(x):
                return "leaf"
            return original(x, path)
        return classify

    with wrapped(tree, "kind", kind):
        yield


@mutant("rprop_size_clamped",
        "Rprop clamps the step size into gamma on every step, also where prev*g = 0, so an "
        "eta outside gamma moves at once (torch's Rprop)", "RPROP-3")
@contextmanager
def _size_clamped() -> Iterator[None]:
    def clamped(original: Method) -> Method:
        def apply(self: Any, state: Any, x: Any, dx: Any) -> Any:
            np.clip(state[1], *self.gamma, out=state[1])
            return original(self, state, x, dx)
        return apply

    with wrapped(sign.Rprop, "apply", clamped):
        yield
