"""Plain gradient descent and the two momentum rules.

Source: FluxML/Optimisers.jl src/rules.jl (``Descent``, ``Momentum``, ``Nesterov``).
Clauses: DESCENT-1, MOMENTUM-1, MOMENTUM-2, NESTEROV-1.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .base import Array, Rule, check_nonnegative, check_unit_interval


@dataclasses.dataclass(frozen=True)
class Descent(Rule):
    r"""Gradient descent, :math:`\Delta = \eta\, g` (DESCENT-1).  Default eta=0.1."""

    eta: float = 0.1

    def validate(self) -> None:
        check_nonnegative(self, "eta")

    def init(self, x: Array) -> None:
        return None

    def apply(self, state: None, x: Array, dx: Array) -> tuple[None, Array]:
        return None, self.eta * dx


class MomentumState(NamedTuple):
    velocity: Array


@dataclasses.dataclass(frozen=True)
class Momentum(Rule):
    r"""Classical momentum with the learning rate *inside* the velocity (MOMENTUM-1):
    :math:`v \leftarrow \rho v + \eta g`, :math:`\Delta = v`.  Defaults eta=0.01, rho=0.9.

    torch and optax keep eta outside the velocity; the two agree while eta is constant and
    differ once ``adjust`` changes it (MOMENTUM-2).
    """

    eta: float = 0.01
    rho: float = 0.9

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_unit_interval(self, "rho")

    def init(self, x: Array) -> MomentumState:
        return MomentumState(np.zeros_like(x))

    def apply(self, state: MomentumState, x: Array, dx: Array) -> tuple[MomentumState, Array]:
        v = state.velocity
        np.multiply(v, self.rho, out=v)
        v += self.eta * dx
        return state, v
