"""Plain gradient descent and the two momentum rules.

Source: FluxML/Optimisers.jl src/rules.jl (``Descent``, ``Momentum``, ``Nesterov``);
Sutskever et al. 2013, https://proceedings.mlr.press/v28/sutskever13.html.
Clauses: DESCENT-1, MOMENTUM-1 .. MOMENTUM-3, NESTEROV-1 .. NESTEROV-3.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple

import numpy as np

from .base import NORMATIVE, Array, Rule, check_nonnegative, check_unit_interval, scaled_copy

#: Where the learning rate sits (MOMENTUM-2, NESTEROV-2): inside the velocity (Optimisers.jl,
#: normative) or outside it (torch, optax).
LR_PLACEMENT: dict[str, tuple[str, ...]] = {"lr_placement": ("inside", "outside")}
LR_PRESETS: dict[str, dict[str, str]] = {
    "optimisers": {"lr_placement": "inside"},
    "optimisers_jl": {"lr_placement": "inside"},
    "torch": {"lr_placement": "outside"},
    "optax": {"lr_placement": "outside"},
}


@dataclasses.dataclass(frozen=True)
class Descent(Rule):
    r"""Gradient descent, :math:`\Delta = \eta\, g` (DESCENT-1).  Default eta=0.1."""

    eta: float = 0.1

    def validate(self) -> None:
        check_nonnegative(self, "eta")

    def init(self, x: Array) -> None:
        return None

    def apply(self, state: None, x: Array, dx: Array) -> tuple[None, Array]:
        return None, scaled_copy(dx, self.eta)


class MomentumState(NamedTuple):
    """The velocity: eta-scaled for the normative form, a plain gradient sum with
    ``lr_placement="outside"``."""

    velocity: Array


@dataclasses.dataclass(frozen=True)
class Momentum(Rule):
    r"""Classical momentum with the learning rate *inside* the velocity (MOMENTUM-1):
    :math:`v \leftarrow \rho v + \eta g`, :math:`\Delta = v`.  Defaults eta=0.01, rho=0.9.

    Axis ``lr_placement="outside"`` (presets "torch", "optax") keeps eta outside the
    velocity, as torch ``SGD(momentum=rho)`` and optax ``sgd(momentum=rho)`` do:
    :math:`b \leftarrow \rho b + g`, :math:`\Delta = \eta b`.
    The two agree while eta is constant and differ once ``adjust`` changes it (MOMENTUM-2).
    The velocity starts at zero (MOMENTUM-3).
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = LR_PLACEMENT
    presets: ClassVar[dict[str, dict[str, str]]] = LR_PRESETS

    eta: float = 0.01
    rho: float = 0.9
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_unit_interval(self, "rho")

    def init(self, x: Array) -> MomentumState:
        return MomentumState(np.zeros_like(x))

    def apply(self, state: MomentumState, x: Array, dx: Array) -> tuple[MomentumState, Array]:
        v = state.velocity
        v *= self.rho
        if self.axis("lr_placement") == "outside":
            v += dx
            return state, scaled_copy(v, self.eta)
        v += self.eta * dx
        return state, v


class NesterovState(NamedTuple):
    """The velocity: ``-eta`` times a gradient sum for the normative form (it points
    downhill, as in Optimisers.jl), the plain gradient sum with ``lr_placement="outside"``."""

    velocity: Array


@dataclasses.dataclass(frozen=True)
class Nesterov(Rule):
    r"""Nesterov momentum as Optimisers.jl writes it (NESTEROV-1):

    .. math::
        \Delta = -\rho^2 v + (1+\rho)\,\eta g,\qquad v \leftarrow \rho v - \eta g

    with the step computed from the *old* velocity.  Defaults eta=0.001, rho=0.9.

    Axis ``lr_placement="outside"`` (presets "torch", "optax") keeps eta outside the
    velocity, as torch ``SGD(nesterov=True)`` and optax ``sgd(nesterov=True)``:
    :math:`b \leftarrow \rho b + g`, :math:`\Delta = \eta (g + \rho b)`; equal for constant
    eta (NESTEROV-2).  The velocity
    starts at zero (NESTEROV-3).
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = LR_PLACEMENT
    presets: ClassVar[dict[str, dict[str, str]]] = LR_PRESETS

    eta: float = 0.001
    rho: float = 0.9
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_unit_interval(self, "rho")

    def init(self, x: Array) -> NesterovState:
        return NesterovState(np.zeros_like(x))

    def apply(self, state: NesterovState, x: Array, dx: Array) -> tuple[NesterovState, Array]:
        v, rho, eta = state.velocity, self.rho, self.eta
        if self.axis("lr_placement") == "outside":
            v *= rho
            v += dx
            step = scaled_copy(v, rho)
            step += dx
            step *= eta
            return state, step
        step = scaled_copy(v, -rho * rho)
        step += ((1 + rho) * eta) * dx
        v *= rho
        v -= eta * dx
        return state, step
