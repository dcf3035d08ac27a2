"""Muon: momentum orthogonalised by a quintic Newton-Schulz iteration, per parameter matrix.

Source: Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural networks",
https://kellerjordan.github.io/posts/muon/ (Algorithm 1 and its ``newtonschulz5``); the
shape scaling from Keller Jordan's code, https://github.com/KellerJordan/Muon (``muon.py``).
Clauses: MUON-1 .. MUON-5.
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
    check_flag,
    check_nonnegative,
    check_unit_interval,
    eps_for,
    scaled_copy,
)
from .lars import l2

#: The quintic's coefficients (a, b, c), chosen to maximise its slope at zero (MUON-2).
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def matrix_view(a: Array) -> Array:
    """``a`` as the matrix Muon orthogonalises, ``a.reshape(a.shape[0], -1)``: a matrix as it
    is, a higher-rank array flattened over all but its first axis, a vector as a column, a
    0-d array as 1x1 (MUON-3).  ``a`` must not be empty."""
    return a.reshape(a.shape[0] if a.ndim else 1, -1)


def newton_schulz(m: Array, steps: int, coefficients: tuple[float, float, float],
                  epsilon: float) -> Array:
    r"""The orthogonalisation of MUON-2: on the wide form of ``m`` (transposed when it has
    more rows than columns), :math:`X_0 = M/(\|M\|_F + \epsilon)`, then ``steps`` times
    :math:`A = XX^T`, :math:`X \leftarrow aX + (bA + cA^2)X`; transposed back."""
    a, b, c = coefficients
    tall = m.shape[0] > m.shape[1]
    x = (m.T if tall else m) / (l2(m) + epsilon)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * (gram @ gram)) @ x
    return x.T if tall else x


def shape_scale(scale: str, rows: int, cols: int) -> float:
    """The step's factor for a ``rows`` x ``cols`` matrix view (MUON-4): 1 for the paper
    (``"none"``), ``sqrt(max(1, rows/cols))`` for ``"rows"``, ``sqrt(max(1, cols/rows))``
    for ``"cols"``."""
    if scale == "rows":
        return math.sqrt(max(1.0, rows / cols))
    if scale == "cols":
        return math.sqrt(max(1.0, cols / rows))
    return 1.0


class MuonState(NamedTuple):
    """The momentum buffer, a plain gradient sum starting at zero (MUON-1)."""

    buffer: Array


@dataclasses.dataclass(frozen=True)
class Muon(Rule):
    r"""Muon (MUON-1), Jordan et al. 2024, Algorithm 1, with the blog code's options:

    .. math::
        B \leftarrow \rho B + g,\qquad
        U = \begin{cases} g + \rho B & \text{nesterov} \\ B & \text{else}\end{cases},\qquad
        \Delta = \eta\,\big(s\,\mathrm{NS}(U) + \lambda x\big)

    with NS the Newton-Schulz iteration of MUON-2 (``steps`` iterations of the quintic with
    ``coefficients``, after dividing by the Frobenius norm plus ``epsilon``), applied to the
    matrix view of MUON-3, and :math:`\lambda` decoupled weight decay, scaled by eta and
    not orthogonalised (MUON-5).  ``s`` is 1 in the normative variant; the axis
    ``shape_scale`` (RULE-5) is ``"none"``, ``"rows"`` (preset ``"torch"``) or ``"cols"``
    (preset ``"optax"``), scaling by the matrix's shape (MUON-4).  Per array, so not elementwise
    (RULE-4).  An empty array gets a zero step.  Defaults eta=0.02, rho=0.95,
    nesterov=False, lambda_=0, epsilon=1e-7, steps=5, coefficients=(3.4445, -4.7750, 2.0315).
    """

    elementwise = False
    axes: ClassVar[Mapping[str, tuple[str, ...]]] = {"shape_scale": ("none", "rows", "cols")}
    presets: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "torch": {"shape_scale": "rows"}, "optax": {"shape_scale": "cols"}}

    eta: float = 0.02
    rho: float = 0.95
    nesterov: bool = False
    lambda_: float = 0.0
    epsilon: float = 1e-7
    steps: int = 5
    coefficients: tuple[float, float, float] = NS_COEFFICIENTS
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_unit_interval(self, "rho")
        check_flag(self, "nesterov")
        check_nonnegative(self, "lambda_")
        check_nonnegative(self, "epsilon")
        if not (isinstance(self.steps, int) and not isinstance(self.steps, bool)
                and self.steps >= 0):
            raise ValueError(f"Muon: steps={self.steps!r} must be an int >= 0")
        if not (isinstance(self.coefficients, tuple) and len(self.coefficients) == 3
                and all(isinstance(c, int | float) and math.isfinite(c)
                        for c in self.coefficients)):
            raise ValueError(f"Muon: coefficients={self.coefficients!r} must be three "
                             "finite numbers (a, b, c)")

    def init(self, x: Array) -> MuonState:
        return MuonState(np.zeros_like(x))

    def apply(self, state: MuonState, x: Array, dx: Array) -> tuple[MuonState, Array]:
        buffer = state.buffer
        buffer *= self.rho
        buffer += dx
        if x.size == 0:
            return state, np.zeros_like(x)
        update = dx + self.rho * buffer if self.nesterov else buffer
        matrix = matrix_view(update)
        ortho = newton_schulz(matrix, self.steps, self.coefficients,
                              eps_for(x, self.epsilon))
        ortho *= shape_scale(self.axis("shape_scale"), *matrix.shape)
        step = ortho.reshape(x.shape).astype(x.dtype, copy=False)
        step += scaled_copy(x, self.lambda_)
        step *= self.eta
        return state, step
