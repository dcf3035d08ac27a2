"""What a rule is: a frozen record of hyperparameters plus ``init`` and ``apply``.

A rule never holds buffers.  ``init(x)`` builds the state for one parameter array;
``apply(state, x, dx)`` returns ``(new_state, step)`` and the caller subtracts the step,
``x <- x - step`` (clause RULE-1).  ``apply`` may update the state's arrays in place and
must not write to ``x`` or ``dx`` (RULE-2).  A step of ``None`` means "no update this call"
(AccumGrad, RULE-3).

Clauses: RULE-1 .. RULE-6.
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating[Any]]


@dataclasses.dataclass(frozen=True)
class Rule(ABC):
    """Base class of every optimisation rule.

    ``elementwise`` says whether splitting or concatenating parameter arrays can change the
    result (RULE-4): True for every rule except the per-array ones (ClipNorm).
    ``variants`` lists the named variants a rule offers; the first is normative (RULE-5).
    """

    elementwise: ClassVar[bool] = True
    variants: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def init(self, x: Array) -> Any:
        """The state for parameter ``x`` before any step."""

    @abstractmethod
    def apply(self, state: Any, x: Array, dx: Array) -> tuple[Any, Array | None]:
        """One step: ``(new_state, step)``; the caller does ``x -= step``."""

    def hyperparameters(self) -> tuple[str, ...]:
        """Names ``adjust`` may change (ADJ-1); a rule's variant is fixed at construction."""
        return tuple(f.name for f in dataclasses.fields(self) if f.name != "variant")

    def adjusted(self, **changes: Any) -> Rule:
        """This rule with some hyperparameters changed, validated again (ADJ-1, ADJ-3)."""
        if not changes:
            raise TypeError(f"adjust: name at least one hyperparameter of {type(self).__name__}")
        valid = self.hyperparameters()
        unknown = sorted(set(changes) - set(valid))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} has no hyperparameter {unknown[0]!r}; valid names: "
                f"{', '.join(valid)} (clause ADJ-3)"
            )
        return dataclasses.replace(self, **changes)

    def __post_init__(self) -> None:
        variant = getattr(self, "variant", None)
        if variant is not None and variant not in self.variants:
            raise ValueError(
                f"{type(self).__name__}: variant={variant!r} is not one of {self.variants} "
                "(clause RULE-5)"
            )
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming a hyperparameter outside its valid range (RULE-6)."""


def check_nonnegative(rule: Rule, name: str) -> None:
    """``name`` must be a finite number >= 0 (RULE-6)."""
    value = getattr(rule, name)
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{type(rule).__name__}: {name}={value!r} must be finite and >= 0")


def check_positive(rule: Rule, name: str) -> None:
    """``name`` must be a finite number > 0 (RULE-6)."""
    value = getattr(rule, name)
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{type(rule).__name__}: {name}={value!r} must be finite and > 0")


def check_unit_interval(rule: Rule, name: str, value: float | None = None) -> None:
    """A decay rate must lie in [0, 1) (RULE-6).  ``value`` checks one member of a tuple."""
    value = getattr(rule, name) if value is None else value
    if not (isinstance(value, int | float) and 0 <= value < 1):
        raise ValueError(f"{type(rule).__name__}: {name}={value!r} must lie in [0, 1)")


def check_betas(rule: Rule, name: str = "beta") -> None:
    """A pair of decay rates, each in [0, 1) (RULE-6)."""
    pair = getattr(rule, name)
    if not (isinstance(pair, tuple) and len(pair) == 2):
        raise ValueError(f"{type(rule).__name__}: {name}={pair!r} must be a pair (b1, b2)")
    for b in pair:
        check_unit_interval(rule, name, b)


def eps_for(x: Array, epsilon: float) -> float:
    """Epsilon as used at ``x``'s dtype: float16 floors it at 1e-7 unless it is 0, so it
    does not round to zero (Optimisers.jl ``_eps``, src/utils.jl; RULE-7)."""
    if x.dtype == np.float16 and epsilon != 0:
        return max(epsilon, 1e-7)
    return epsilon
