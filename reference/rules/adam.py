"""Adam.

Source: FluxML/Optimisers.jl src/rules.jl (``Adam``); Kingma & Ba 2015,
https://arxiv.org/abs/1412.6980.  Clauses: ADAM-1, ADAM-2, ADAM-3.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .base import Array, Rule, check_betas, check_nonnegative, eps_for


class AdamState(NamedTuple):
    """First and second moments, and (b1^t, b2^t) for the next step t: it starts at beta and
    is multiplied by beta after each applied step (ADAM-2)."""

    mu: Array
    nu: Array
    beta_t: tuple[float, float]


def update_moments(state_mu: Array, state_nu: Array, dx: Array, beta: tuple[float, float]) -> None:
    """mu <- b1 mu + (1-b1) g;  nu <- b2 nu + (1-b2) g^2, in place (ADAM-1)."""
    b1, b2 = beta
    state_mu *= b1
    state_mu += (1 - b1) * dx
    state_nu *= b2
    state_nu += (1 - b2) * np.square(dx)


@dataclasses.dataclass(frozen=True)
class Adam(Rule):
    r"""Adam (ADAM-1):

    .. math::
        \mu \leftarrow \beta_1\mu + (1-\beta_1)g,\quad
        \nu \leftarrow \beta_2\nu + (1-\beta_2)g^2,\quad
        \Delta = \eta\,\frac{\mu/(1-\beta_1^t)}{\sqrt{\nu/(1-\beta_2^t)} + \epsilon}

    Epsilon is added *outside* the root, after bias-correcting nu (ADAM-3), as in
    Optimisers.jl and torch.  Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-8.
    """

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.beta)

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        b1t, b2t = state.beta_t
        update_moments(state.mu, state.nu, dx, self.beta)
        denom = state.nu / (1 - b2t)
        np.sqrt(denom, out=denom)
        denom += eps_for(x, self.epsilon)
        step = state.mu / (1 - b1t)
        step /= denom
        step *= self.eta
        return AdamState(state.mu, state.nu, (b1t * self.beta[0], b2t * self.beta[1])), step
