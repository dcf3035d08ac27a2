"""Regularisers that add a function of the parameter to the gradient: WeightDecay (L2) and
SignDecay (L1).  Chained before a rule, as ``OptimiserChain(WeightDecay(l), rule)``.

Source: FluxML/Optimisers.jl src/rules.jl (``WeightDecay``, ``SignDecay``).
Clauses: WEIGHTDECAY-1, SIGNDECAY-1.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Array, Rule, check_nonnegative, scaled_copy


@dataclasses.dataclass(frozen=True)
class WeightDecay(Rule):
    r""":math:`\Delta = g + \lambda x`, the gradient of :math:`\tfrac{\lambda}{2}\|x\|^2`
    added, not scaled by any learning rate (WEIGHTDECAY-1).  Default lambda_=5e-4
    (``lambda`` in Optimisers.jl; ``lambda`` is a Python keyword)."""

    lambda_: float = 5e-4

    def validate(self) -> None:
        check_nonnegative(self, "lambda_")

    def init(self, x: Array) -> None:
        return None

    def apply(self, state: None, x: Array, dx: Array) -> tuple[None, Array]:
        step = scaled_copy(x, self.lambda_)
        step += dx
        return None, step


@dataclasses.dataclass(frozen=True)
class SignDecay(Rule):
    r""":math:`\Delta = g + \lambda\,\mathrm{sign}(x)`, the (sub)gradient of
    :math:`\lambda\|x\|_1` with sign(0) = 0 (SIGNDECAY-1).  Default lambda_=1e-3."""

    lambda_: float = 1e-3

    def validate(self) -> None:
        check_nonnegative(self, "lambda_")

    def init(self, x: Array) -> None:
        return None

    def apply(self, state: None, x: Array, dx: Array) -> tuple[None, Array]:
        step = np.sign(x, out=np.empty_like(x))
        step *= self.lambda_
        step += dx
        return None, step
