"""Adam and the rules built on its bias-corrected moments: AdamW, NAdam, RAdam, OAdam,
AdaBelief.

Source: FluxML/Optimisers.jl src/rules.jl (``Adam``, ``AdamW``, ``NAdam``, ``RAdam``,
``OAdam``, ``AdaBelief``) and the papers cited on each rule.
Clauses: ADAM-1 .. ADAM-3, ADAMW-1 .. ADAMW-3, NADAM-1 .. NADAM-3, RADAM-1 .. RADAM-3,
OADAM-1, OADAM-2, ADABELIEF-1, ADABELIEF-2.
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar, NamedTuple

import numpy as np

from .base import (
    Array,
    Rule,
    check_betas,
    check_flag,
    check_nonnegative,
    eps_for,
    scaled_copy,
)


class AdamState(NamedTuple):
    """First and second moments, and (b1^t, b2^t) for the next step t: it starts at beta and
    is multiplied by beta after each applied step (ADAM-2)."""

    mu: Array
    nu: Array
    beta_t: tuple[float, float]


def update_moments(mu: Array, nu: Array, dx: Array, beta: tuple[float, float]) -> Array:
    """mu <- b1 mu + (1-b1) g;  nu <- b2 nu + (1-b2) g^2, in place (ADAM-1).  Returns a
    scratch array shaped like ``dx`` that the caller may overwrite."""
    b1, b2 = beta
    scratch = scaled_copy(dx, 1 - b1)
    mu *= b1
    mu += scratch
    np.square(dx, out=scratch)
    scratch *= 1 - b2
    nu *= b2
    nu += scratch
    return scratch


def corrected_ratio(state: AdamState, epsilon: float, scratch: Array) -> Array:
    r""":math:`\hat\mu / (\sqrt{\hat\nu} + \epsilon)` with :math:`\hat\mu = \mu/(1-\beta_1^t)`,
    :math:`\hat\nu = \nu/(1-\beta_2^t)` (ADAM-1, ADAM-3), as a new array; ``scratch`` is
    overwritten."""
    b1t, b2t = state.beta_t
    denom = np.divide(state.nu, 1 - b2t, out=scratch)
    np.sqrt(denom, out=denom)
    denom += epsilon
    ratio = np.divide(state.mu, 1 - b1t, out=np.empty_like(state.mu))
    ratio /= denom
    return ratio


def next_powers(beta_t: tuple[float, float], beta: tuple[float, float]) -> tuple[float, float]:
    """(b1^t, b2^t) moved on one step: multiplied by beta after each applied step (ADAM-2)."""
    return beta_t[0] * beta[0], beta_t[1] * beta[1]


def advanced(state: AdamState, beta: tuple[float, float]) -> AdamState:
    """The same moments with (b1^t, b2^t) moved on one step (ADAM-2)."""
    return state._replace(beta_t=next_powers(state.beta_t, beta))


@dataclasses.dataclass(frozen=True)
class Adam(Rule):
    r"""Adam (ADAM-1), Kingma & Ba 2015, https://arxiv.org/abs/1412.6980:

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
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        step = corrected_ratio(state, eps_for(x, self.epsilon), scratch)
        step *= self.eta
        return advanced(state, self.beta), step


@dataclasses.dataclass(frozen=True)
class AdamW(Rule):
    r"""Adam with weight decay (ADAMW-1), Loshchilov & Hutter 2019,
    https://arxiv.org/abs/1711.05101.  With :math:`a` the Adam step for eta = 1:

    .. math::
        \text{couple:}\ \Delta = \eta\,(a + \lambda x),\qquad
        \text{not couple:}\ \Delta = \eta\,a + \lambda x

    ``couple=True`` (the default since Optimisers.jl 0.4) is torch ``AdamW`` and optax
    ``adamw``; ``couple=False`` does not scale the decay by eta (ADAMW-2).  As in
    Optimisers.jl, epsilon is used as given, without the float16 floor (ADAMW-3).
    Defaults eta=0.001, beta=(0.9, 0.999), lambda_=0, epsilon=1e-8, couple=True.
    """

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    lambda_: float = 0.0
    epsilon: float = 1e-8
    couple: bool = True

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "lambda_")
        check_nonnegative(self, "epsilon")
        check_flag(self, "couple")

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.beta)

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        step = corrected_ratio(state, self.epsilon, scratch)
        decay = np.multiply(x, self.lambda_, out=scratch)
        if self.couple:
            step += decay
            step *= self.eta
        else:
            step *= self.eta
            step += decay
        return advanced(state, self.beta), step


@dataclasses.dataclass(frozen=True)
class NAdam(Rule):
    r"""Nesterov-accelerated Adam (NADAM-1), Dozat 2016,
    https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ (Algorithm 2):

    .. math::
        \Delta = \eta\,\frac{\beta_1\mu/(1-\beta_1\beta_1^t) + (1-\beta_1)g/(1-\beta_1^t)}
                            {\sqrt{\beta_2\nu/(1-\beta_2^t)} + \epsilon}

    with mu, nu and the beta powers kept as in Adam (ADAM-1, ADAM-2).  The normative form
    keeps the paper's extra :math:`\beta_2` inside the root, as Optimisers.jl does (NADAM-2).
    Variant ``"optax"`` drops it, as optax ``nadam`` and torch ``NAdam`` with a
    momentum_decay so large that its schedule is constant at beta1 (NADAM-3).
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-8.
    """

    variants: ClassVar[tuple[str, ...]] = ("optimisers", "optax")

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    variant: str = "optimisers"

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.beta)

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        (b1, b2), (b1t, b2t) = self.beta, state.beta_t
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        nu_scale = (b2 if self.variant == "optimisers" else 1.0) / (1 - b2t)
        denom = np.multiply(state.nu, nu_scale, out=scratch)
        np.sqrt(denom, out=denom)
        denom += eps_for(x, self.epsilon)
        step = scaled_copy(state.mu, b1 / (1 - b1 * b1t))
        step += ((1 - b1) / (1 - b1t)) * dx
        step /= denom
        step *= self.eta
        return advanced(state, self.beta), step


class RAdamState(NamedTuple):
    """Adam's moments and beta powers, and the step number t, starting at 1 (RADAM-1)."""

    mu: Array
    nu: Array
    beta_t: tuple[float, float]
    t: int


@dataclasses.dataclass(frozen=True)
class RAdam(Rule):
    r"""Rectified Adam (RADAM-1), Liu et al. 2020, https://arxiv.org/abs/1908.03265:

    .. math::
        \rho_\infty = \frac{2}{1-\beta_2} - 1,\quad
        \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t},\quad
        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}

    With mu, nu as in Adam, the step is :math:`\eta\, r_t\, \hat\mu/(\sqrt{\hat\nu}+\epsilon)`
    when the variance is tractable and :math:`\eta\,\hat\mu` otherwise.  Tractable means
    :math:`\rho_t > 4` for the normative form, as Optimisers.jl (RADAM-2).  Variants
    (RADAM-3): ``"torch"``: :math:`\rho_t > 5` and epsilon added to the root of the
    *uncorrected* nu, :math:`\eta\, r_t\,\hat\mu\sqrt{1-\beta_2^t}/(\sqrt{\nu}+\epsilon)`;
    ``"optax"``: :math:`\rho_t \ge 5`, epsilon as the normative form.
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

    def init(self, x: Array) -> RAdamState:
        return RAdamState(np.zeros_like(x), np.zeros_like(x), self.beta, 1)

    def tractable(self, rho: float) -> bool:
        """Whether step t's variance estimate is used (RADAM-2, RADAM-3)."""
        if self.variant == "optimisers":
            return rho > 4
        return rho > 5 if self.variant == "torch" else rho >= 5

    def apply(self, state: RAdamState, x: Array, dx: Array) -> tuple[RAdamState, Array]:
        b2 = self.beta[1]
        b1t, b2t = state.beta_t
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * state.t * b2t / (1 - b2t)
        step = np.divide(state.mu, 1 - b1t, out=np.empty_like(state.mu))
        if self.tractable(rho):
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            eps = eps_for(x, self.epsilon)
            if self.variant == "torch":
                denom = np.sqrt(state.nu, out=scratch)
                denom += eps
                step *= math.sqrt(1 - b2t)
            else:
                denom = np.divide(state.nu, 1 - b2t, out=scratch)
                np.sqrt(denom, out=denom)
                denom += eps
            step /= denom
            step *= r
        step *= self.eta
        beta_t = next_powers(state.beta_t, self.beta)
        return RAdamState(state.mu, state.nu, beta_t, state.t + 1), step


class OAdamState(NamedTuple):
    """Adam's moments and beta powers, and the previous step's Adam term (OADAM-2)."""

    mu: Array
    nu: Array
    beta_t: tuple[float, float]
    term: Array


@dataclasses.dataclass(frozen=True)
class OAdam(Rule):
    r"""Optimistic Adam (OADAM-1), Daskalakis et al. 2018, https://arxiv.org/abs/1711.00141:
    with :math:`a_t = \eta\,\hat\mu/(\sqrt{\hat\nu}+\epsilon)` the Adam step,
    :math:`\Delta = 2a_t - a_{t-1}`, :math:`a_0 = 0` (OADAM-2).
    Defaults eta=0.001, beta=(0.5, 0.9), epsilon=1e-8.
    """

    eta: float = 0.001
    beta: tuple[float, float] = (0.5, 0.9)
    epsilon: float = 1e-8

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> OAdamState:
        return OAdamState(np.zeros_like(x), np.zeros_like(x), self.beta, np.zeros_like(x))

    def apply(self, state: OAdamState, x: Array, dx: Array) -> tuple[OAdamState, Array]:
        moments = AdamState(state.mu, state.nu, state.beta_t)
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        term = corrected_ratio(moments, eps_for(x, self.epsilon), scratch)
        term *= self.eta
        step = np.multiply(term, 2, out=scratch)
        step -= state.term
        return OAdamState(state.mu, state.nu, next_powers(state.beta_t, self.beta), term), step


@dataclasses.dataclass(frozen=True)
class AdaBelief(Rule):
    r"""AdaBelief (ADABELIEF-1), Zhuang et al. 2020, https://arxiv.org/abs/2010.07468:

    .. math::
        \mu \leftarrow \beta_1\mu + (1-\beta_1)g,\quad
        s \leftarrow \beta_2 s + (1-\beta_2)(g-\mu)^2 + \epsilon,\quad
        \Delta = \eta\,\frac{\mu/(1-\beta_1^t)}{\sqrt{s/(1-\beta_2^t)} + \epsilon}

    with the *new* mu in :math:`g-\mu`, and epsilon both added to the state s and outside the
    root (ADABELIEF-2).  The state is an :class:`AdamState` whose ``nu`` holds s.
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-16.
    """

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-16

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.beta)

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        (b1, b2), eps = self.beta, eps_for(x, self.epsilon)
        mu, s = state.mu, state.nu
        scratch = scaled_copy(dx, 1 - b1)
        mu *= b1
        mu += scratch
        np.subtract(dx, mu, out=scratch)
        np.square(scratch, out=scratch)
        scratch *= 1 - b2
        s *= b2
        s += scratch
        s += eps
        step = corrected_ratio(state, eps, scratch)
        step *= self.eta
        return advanced(state, self.beta), step
