"""The Adam relatives that keep a running maximum: AdaMax (infinity norm) and AMSGrad
(maximum of the second moment).

Source: FluxML/Optimisers.jl src/rules.jl (``AdaMax``, ``AMSGrad``); Kingma & Ba 2015,
https://arxiv.org/abs/1412.6980 (section 7.1); Reddi et al. 2018,
https://openreview.net/forum?id=ryQu7f-RZ.
Clauses: ADAMAX-1, ADAMAX-2, AMSGRAD-1 .. AMSGRAD-4.
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar, NamedTuple

import numpy as np

from .adam import BIAS_CORRECTION, BiasCorrected, next_powers, update_moments
from .base import NORMATIVE, Array, check_betas, check_nonnegative, eps_for, scaled_copy


class AdaMaxState(NamedTuple):
    """First moment, infinity-norm moment u, and the running product and step count of
    Adam (ADAM-2); only b1's power is used."""

    mu: Array
    u: Array
    beta_t: tuple[float, float]
    steps: int = 0


@dataclasses.dataclass(frozen=True)
class AdaMax(BiasCorrected):
    r"""AdaMax (ADAMAX-1):

    .. math::
        \mu \leftarrow \beta_1\mu + (1-\beta_1)g,\quad
        u \leftarrow \max(\beta_2 u, |g|),\quad
        \Delta = \frac{\eta}{1-\beta_1^t}\,\frac{\mu}{u + \epsilon}

    with :math:`\beta_1^t` as in Adam (ADAM-2).  Axis ``epsilon_placement="inside_max"``
    (presets "torch" and "optax", with "recompute" bias correction: torch ``Adamax``, optax
    ``adamax``) puts epsilon inside the maximum: :math:`u \leftarrow \max(\beta_2 u, |g| +
    \epsilon)`, :math:`\Delta = \eta/(1-\beta_1^t)\cdot\mu/u` (ADAMAX-2).
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-8.
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {
        "epsilon_placement": ("outside_max", "inside_max"),
        "bias_correction": BIAS_CORRECTION,
    }
    presets: ClassVar[dict[str, dict[str, str]]] = {
        "optimisers": {"bias_correction": "lagged"},
        "optimisers_jl": {"bias_correction": "lagged"},
        "torch": {"epsilon_placement": "inside_max", "bias_correction": "recompute"},
        "optax": {"epsilon_placement": "inside_max", "bias_correction": "recompute"},
    }

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdaMaxState:
        return AdaMaxState(np.zeros_like(x), np.zeros_like(x), self.initial_powers())

    def apply(self, state: AdaMaxState, x: Array, dx: Array) -> tuple[AdaMaxState, Array]:
        (b1, b2), b1t = self.beta, self.powers(state.beta_t, state.steps)[0]
        mu, u, eps = state.mu, state.u, eps_for(x, self.epsilon)
        mu *= b1
        mu += (1 - b1) * dx
        u *= b2
        magnitude = np.abs(dx, out=np.empty_like(dx))
        if self.axis("epsilon_placement") == "inside_max":
            magnitude += eps
            np.maximum(u, magnitude, out=u)
            denom = u
        else:
            np.maximum(u, magnitude, out=u)
            denom = np.add(u, eps, out=magnitude)
        step = scaled_copy(mu, self.eta / (1 - b1t))
        step /= denom
        return AdaMaxState(mu, u, next_powers(state.beta_t, self.beta), state.steps + 1), step


class AMSGradState(NamedTuple):
    """Moments mu and nu, the running maximum nu_max, and the running product and step
    count of Adam (ADAM-2), used when the variant bias-corrects (AMSGRAD-2)."""

    mu: Array
    nu: Array
    nu_max: Array
    beta_t: tuple[float, float]
    steps: int = 0


@dataclasses.dataclass(frozen=True)
class AMSGrad(BiasCorrected):
    r"""AMSGrad as Optimisers.jl writes it (AMSGRAD-1):

    .. math::
        \mu \leftarrow \beta_1\mu + (1-\beta_1)g,\quad
        \nu \leftarrow \beta_2\nu + (1-\beta_2)g^2,\quad
        \hat\nu \leftarrow \max(\hat\nu, \nu),\quad
        \Delta = \eta\,\frac{\mu}{\sqrt{\hat\nu} + \epsilon}

    with *no* bias correction (``bias_correction="none"``) and mu, nu, nu_max all starting
    at epsilon (``start="epsilon"``, AMSGRAD-2).  Axes (AMSGRAD-3, AMSGRAD-4):
    ``bias_correction`` as Adam's (ADAM-2), ``start="zero"``, and ``max_of``: "raw" takes
    the maximum over the raw nu,
    :math:`\Delta = \frac{\eta}{1-\beta_1^t}\frac{\mu}{\sqrt{\hat\nu}/\sqrt{1-\beta_2^t}+\epsilon}`;
    "corrected" over the bias-corrected one, :math:`\hat\nu \leftarrow \max(\hat\nu,
    \nu/(1-\beta_2^t))`, :math:`\Delta = \eta\,\frac{\mu/(1-\beta_1^t)}{\sqrt{\hat\nu}+\epsilon}`.
    Presets "torch" (torch ``Adam(amsgrad=True)``: zero, raw, recompute) and "optax" (optax
    ``amsgrad``: zero, corrected, recompute).  Defaults eta=0.001, beta=(0.9, 0.999),
    epsilon=1e-8.
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {
        "bias_correction": ("none", *BIAS_CORRECTION),
        "max_of": ("raw", "corrected"),
        "start": ("epsilon", "zero"),
    }
    presets: ClassVar[dict[str, dict[str, str]]] = {
        "optimisers": {},
        "optimisers_jl": {},
        "torch": {"bias_correction": "recompute", "start": "zero"},
        "optax": {"bias_correction": "recompute", "max_of": "corrected", "start": "zero"},
    }

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AMSGradState:
        full = np.full_like(x, self.epsilon if self.axis("start") == "epsilon" else 0.0)
        return AMSGradState(full, full.copy(), full.copy(), self.initial_powers())

    def apply(self, state: AMSGradState, x: Array, dx: Array) -> tuple[AMSGradState, Array]:
        corrected = self.axis("bias_correction") != "none"
        b1t, b2t = self.powers(state.beta_t, state.steps) if corrected else (0.0, 0.0)
        mu, nu, nu_max = state.mu, state.nu, state.nu_max
        scratch = update_moments(mu, nu, dx, self.beta)
        eps = eps_for(x, self.epsilon)
        if self.axis("max_of") == "corrected":
            np.maximum(nu_max, np.divide(nu, 1 - b2t, out=scratch), out=nu_max)
            denom = np.sqrt(nu_max, out=scratch)
        else:
            np.maximum(nu_max, nu, out=nu_max)
            denom = np.sqrt(nu_max, out=scratch)
            if corrected:
                denom /= math.sqrt(1 - b2t)
        denom += eps
        step = scaled_copy(mu, self.eta / (1 - b1t) if corrected else self.eta)
        step /= denom
        return state._replace(beta_t=next_powers(state.beta_t, self.beta),
                              steps=state.steps + 1), step
