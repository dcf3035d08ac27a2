"""The Adam relatives that keep a running maximum: AdaMax (infinity norm) and AMSGrad
(maximum of the second moment).

Source: FluxML/Optimisers.jl src/rules.jl (``AdaMax``, ``AMSGrad``); Kingma & Ba 2015,
https://arxiv.org/abs/1412.6980 (section 7.1); Reddi et al. 2018,
https://openreview.net/forum?id=ryQu7f-RZ.
Clauses: ADAMAX-1, ADAMAX-2, AMSGRAD-1 .. AMSGRAD-4.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple

import numpy as np

from .adam import next_powers, update_moments
from .base import Array, Rule, check_betas, check_nonnegative, eps_for, scaled_copy


class AdaMaxState(NamedTuple):
    """First moment, infinity-norm moment u, and (b1^t, b2^t) as in Adam (ADAM-2)."""

    mu: Array
    u: Array
    beta_t: tuple[float, float]


@dataclasses.dataclass(frozen=True)
class AdaMax(Rule):
    r"""AdaMax (ADAMAX-1):

    .. math::
        \mu \leftarrow \beta_1\mu + (1-\beta_1)g,\quad
        u \leftarrow \max(\beta_2 u, |g|),\quad
        \Delta = \frac{\eta}{1-\beta_1^t}\,\frac{\mu}{u + \epsilon}

    Variant ``"torch"`` (torch ``Adamax``, and optax ``adamax`` alike) puts epsilon inside
    the maximum: :math:`u \leftarrow \max(\beta_2 u, |g| + \epsilon)`,
    :math:`\Delta = \eta/(1-\beta_1^t)\cdot\mu/u` (ADAMAX-2).
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-8.
    """

    variants: ClassVar[tuple[str, ...]] = ("optimisers", "torch")

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    variant: str = "optimisers"

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdaMaxState:
        return AdaMaxState(np.zeros_like(x), np.zeros_like(x), self.beta)

    def apply(self, state: AdaMaxState, x: Array, dx: Array) -> tuple[AdaMaxState, Array]:
        (b1, b2), b1t = self.beta, state.beta_t[0]
        mu, u, eps = state.mu, state.u, eps_for(x, self.epsilon)
        mu *= b1
        mu += (1 - b1) * dx
        u *= b2
        magnitude = np.abs(dx, out=np.empty_like(dx))
        if self.variant == "torch":
            magnitude += eps
            np.maximum(u, magnitude, out=u)
            denom = u
        else:
            np.maximum(u, magnitude, out=u)
            denom = np.add(u, eps, out=magnitude)
        step = scaled_copy(mu, self.eta / (1 - b1t))
        step /= denom
        return AdaMaxState(mu, u, next_powers(state.beta_t, self.beta)), step


class AMSGradState(NamedTuple):
    """Moments mu and nu, the running maximum nu_max, and (b1^t, b2^t) as in Adam, used by
    the bias-corrected variants only (AMSGRAD-2)."""

    mu: Array
    nu: Array
    nu_max: Array
    beta_t: tuple[float, float]


@dataclasses.dataclass(frozen=True)
class AMSGrad(Rule):
    r"""AMSGrad as Optimisers.jl writes it (AMSGRAD-1):

    .. math::
        \mu \leftarrow \beta_1\mu + (1-\beta_1)g,\quad
        \nu \leftarrow \beta_2\nu + (1-\beta_2)g^2,\quad
        \hat\nu \leftarrow \max(\hat\nu, \nu),\quad
        \Delta = \eta\,\frac{\mu}{\sqrt{\hat\nu} + \epsilon}

    with *no* bias correction and mu, nu, nu_max all starting at epsilon (AMSGRAD-2).
    Variants start at zero and bias-correct (AMSGRAD-3): ``"torch"`` (torch
    ``Adam(amsgrad=True)``) takes the maximum over the raw nu,
    :math:`\Delta = \frac{\eta}{1-\beta_1^t}\frac{\mu}{\sqrt{\hat\nu}/\sqrt{1-\beta_2^t}+\epsilon}`;
    ``"optax"`` (optax ``amsgrad``) over the bias-corrected one,
    :math:`\hat\nu \leftarrow \max(\hat\nu, \nu/(1-\beta_2^t))`,
    :math:`\Delta = \eta\,\frac{\mu/(1-\beta_1^t)}{\sqrt{\hat\nu}+\epsilon}` (AMSGRAD-4).
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-8.
    """

    variants: ClassVar[tuple[str, ...]] = ("optimisers", "torch", "optax")

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    variant: str = "optimisers"

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AMSGradState:
        start = self.epsilon if self.variant == "optimisers" else 0.0
        full = np.full_like(x, start)
        return AMSGradState(full, full.copy(), full.copy(), self.beta)

    def apply(self, state: AMSGradState, x: Array, dx: Array) -> tuple[AMSGradState, Array]:
        b1t, b2t = state.beta_t
        mu, nu, nu_max = state.mu, state.nu, state.nu_max
        scratch = update_moments(mu, nu, dx, self.beta)
        eps = eps_for(x, self.epsilon)
        if self.variant == "optax":
            np.maximum(nu_max, np.divide(nu, 1 - b2t, out=scratch), out=nu_max)
        else:
            np.maximum(nu_max, nu, out=nu_max)
        denom = np.sqrt(nu_max, out=scratch)
        if self.variant == "torch":
            denom /= np.sqrt(1 - b2t)
        denom += eps
        lr = self.eta if self.variant == "optimisers" else self.eta / (1 - b1t)
        step = scaled_copy(mu, lr)
        step /= denom
        return state._replace(beta_t=next_powers(state.beta_t, self.beta)), step
