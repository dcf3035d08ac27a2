"""LARS: momentum SGD with a layer-wise trust ratio, one per parameter array.

Source: You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional Networks",
https://arxiv.org/abs/1708.03888, eq. (6) and Algorithm 1.
Clauses: LARS-1 .. LARS-4.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import ClassVar, NamedTuple

import numpy as np

from .base import (
    NORMATIVE,
    Array,
    Rule,
    check_nonnegative,
    check_positive,
    check_unit_interval,
    scaled_copy,
)


def l2(a: Array) -> float:
    """The L2 norm of a whole array, summed in float64 (LARS-1, LAMB-1)."""
    flat = a.reshape(-1).astype(np.float64, copy=False)
    return math.sqrt(float(np.dot(flat, flat)))


def trust_ratio(x_norm: float, other_norm: float, denominator: float,
                coefficient: float = 1.0) -> float:
    """``coefficient * x_norm / denominator``, or 1 where ``x_norm`` or ``other_norm`` (the
    gradient's or the update's norm) is zero: an array at zero is not frozen by its ratio,
    and an array with nothing to scale keeps its step (LARS-2, LAMB-2)."""
    if x_norm == 0 or other_norm == 0:
        return 1.0
    return coefficient * x_norm / denominator


class LARSState(NamedTuple):
    """The velocity, learning rate and trust ratio inside, starting at zero (LARS-3)."""

    velocity: Array


@dataclasses.dataclass(frozen=True)
class LARS(Rule):
    r"""LARS (LARS-1), You et al. 2017, Algorithm 1 with a constant learning rate: per array,

    .. math::
        \lambda = \tau\,\frac{\|x\|}{\|g\| + \beta\|x\|},\qquad
        v \leftarrow \rho v + \eta\,\lambda\,(g + \beta x),\qquad \Delta = v

    with :math:`\tau` the trust coefficient (the paper's :math:`\eta`), :math:`\beta` the weight
    decay, norms over the whole array; :math:`\lambda = 1` where :math:`\|x\| = 0` or
    :math:`\|g\| = 0` (LARS-2).  Per array, so not elementwise (RULE-4).  The variant axis
    ``trust_norm`` (RULE-5) is ``"gradient"`` (normative) or ``"update"`` (preset ``"optax"``),
    which divides by the norm of the decayed gradient instead,
    :math:`\lambda = \tau\|x\|/\|g + \beta x\|` (1 where either norm is 0), as optax ``lars``
    (LARS-4).  Defaults eta=0.001, rho=0.9, lambda_=1e-4, trust=0.001.
    """

    elementwise = False
    axes: ClassVar[Mapping[str, tuple[str, ...]]] = {"trust_norm": ("gradient", "update")}
    presets: ClassVar[Mapping[str, Mapping[str, str]]] = {"optax": {"trust_norm": "update"}}

    eta: float = 0.001
    rho: float = 0.9
    lambda_: float = 1e-4
    trust: float = 0.001
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_unit_interval(self, "rho")
        check_nonnegative(self, "lambda_")
        check_positive(self, "trust")

    def init(self, x: Array) -> LARSState:
        return LARSState(np.zeros_like(x))

    def apply(self, state: LARSState, x: Array, dx: Array) -> tuple[LARSState, Array]:
        decayed = scaled_copy(x, self.lambda_)
        decayed += dx
        x_norm = l2(x)
        if self.axis("trust_norm") == "update":
            update_norm = l2(decayed)
            ratio = trust_ratio(x_norm, update_norm, update_norm, self.trust)
        else:
            grad_norm = l2(dx)
            ratio = trust_ratio(x_norm, grad_norm, grad_norm + self.lambda_ * x_norm, self.trust)
        v = state.velocity
        v *= self.rho
        decayed *= self.eta * ratio
        v += decayed
        return state, v
