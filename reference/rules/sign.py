"""Rules whose step depends on gradient signs: Lion and Rprop.

Source: FluxML/Optimisers.jl src/rules.jl (``Lion``, ``Rprop``); Chen et al. 2023,
https://arxiv.org/abs/2302.06675 (Algorithm 2); Riedmiller & Braun 1993,
https://ieeexplore.ieee.org/document/298623.
Clauses: LION-1 .. LION-3, RPROP-1 .. RPROP-3.
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar, NamedTuple

import numpy as np

from .base import NORMATIVE, Array, Rule, check_betas, check_nonnegative, scaled_copy


class LionState(NamedTuple):
    """The momentum, starting at zero."""

    mu: Array


@dataclasses.dataclass(frozen=True)
class Lion(Rule):
    r"""Lion as in the paper (LION-1), normative by the project's decision:

    .. math::
        c = \beta_1\mu + (1-\beta_1)g,\quad \Delta = \eta\,\mathrm{sign}(c),\quad
        \mu \leftarrow \beta_2\mu + (1-\beta_2)g

    (LION-2).  Axis ``average="swapped"`` (preset "optimisers") is Optimisers.jl as
    written, which swaps the weights of the moving average and reads the *new* momentum:
    :math:`\mu \leftarrow \beta_2 g + (1-\beta_2)\mu`,
    :math:`\Delta = \eta\,\mathrm{sign}((\beta_2-\beta_1)g + \beta_1\mu)` (LION-3).
    Defaults eta=0.001, beta=(0.9, 0.999).
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {"average": ("paper", "swapped")}
    presets: ClassVar[dict[str, dict[str, str]]] = {
        "paper": {"average": "paper"},
        "optax": {"average": "paper"},
        "optimisers": {"average": "swapped"},
        "optimisers_jl": {"average": "swapped"},
    }

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)

    def init(self, x: Array) -> LionState:
        return LionState(np.zeros_like(x))

    def apply(self, state: LionState, x: Array, dx: Array) -> tuple[LionState, Array]:
        (b1, b2), mu = self.beta, state.mu
        if self.axis("average") == "swapped":
            mu *= 1 - b2
            mu += b2 * dx
            step = scaled_copy(dx, b2 - b1)
            step += b1 * mu
        else:
            step = scaled_copy(dx, 1 - b1)
            step += b1 * mu
            mu *= b2
            mu += (1 - b2) * dx
        np.sign(step, out=step)
        step *= self.eta
        return state, step


class RpropState(NamedTuple):
    """The previous gradient (zero where its sign flipped) and the per-element step size,
    starting at zero and at eta (RPROP-2)."""

    prev: Array
    step_size: Array


@dataclasses.dataclass(frozen=True)
class Rprop(Rule):
    r"""Rprop (RPROP-1).  With :math:`s = g_{\text{prev}}\, g` elementwise:

    .. math::
        \eta_i \leftarrow \begin{cases}
            \min(\eta_i\ell_+, \Gamma_{\max}) & s > 0\\
            \max(\eta_i\ell_-, \Gamma_{\min}) & s < 0\\
            \eta_i & s = 0 \end{cases},\quad
        g_{\text{prev}} \leftarrow \begin{cases} 0 & s < 0\\ g & \text{else}\end{cases},\quad
        \Delta = \eta_i\,\mathrm{sign}(g_{\text{prev}})

    so a sign flip makes no step there and forgets the gradient (RPROP-2).  Where s = 0 the
    step size is not clamped (RPROP-3).  ``ell = (ell_minus, ell_plus)``,
    ``gamma = (gamma_min, gamma_max)``.  Defaults eta=0.001, ell=(0.5, 1.2),
    gamma=(1e-6, 50.0).
    """

    eta: float = 0.001
    ell: tuple[float, float] = (0.5, 1.2)
    gamma: tuple[float, float] = (1e-6, 50.0)

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        name = type(self).__name__
        if not (_is_pair(self.ell) and 0 < self.ell[0] <= 1 <= self.ell[1]):
            raise ValueError(f"{name}: ell={self.ell!r} must be a pair with 0 < ell[0] <= 1 "
                             "<= ell[1], both finite")
        if not (_is_pair(self.gamma) and 0 <= self.gamma[0] <= self.gamma[1]):
            raise ValueError(f"{name}: gamma={self.gamma!r} must be a pair with 0 <= gamma[0] "
                             "<= gamma[1], both finite")

    def init(self, x: Array) -> RpropState:
        return RpropState(np.zeros_like(x), np.full_like(x, self.eta))

    def apply(self, state: RpropState, x: Array, dx: Array) -> tuple[RpropState, Array]:
        (ell_minus, ell_plus), (gamma_min, gamma_max) = self.ell, self.gamma
        prev, size = state
        product = np.multiply(prev, dx, out=np.empty_like(prev))
        grow, shrink = product > 0, product < 0
        np.multiply(size, ell_plus, out=size, where=grow)
        np.minimum(size, gamma_max, out=size, where=grow)
        np.multiply(size, ell_minus, out=size, where=shrink)
        np.maximum(size, gamma_min, out=size, where=shrink)
        np.copyto(prev, dx)
        np.copyto(prev, 0, where=shrink)
        step = np.sign(prev, out=product)
        step *= size
        return state, step


def _is_pair(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 2
            and all(isinstance(v, int | float) and math.isfinite(v) for v in value))
