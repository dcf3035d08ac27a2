"""Adam and the rules built on its bias-corrected moments: AdamW, NAdam, RAdam, OAdam,
AdaBelief.

Source: FluxML/Optimisers.jl src/rules.jl (``Adam``, ``AdamW``, ``NAdam``, ``RAdam``,
``OAdam``, ``AdaBelief``) and the papers cited on each rule.
Clauses: ADAM-1 .. ADAM-3, ADAMW-1 .. ADAMW-3, NADAM-1 .. NADAM-3, RADAM-1 .. RADAM-3,
OADAM-1, OADAM-2, ADABELIEF-1, ADABELIEF-2.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import math
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .base import (
    NORMATIVE,
    Array,
    Rule,
    check_betas,
    check_flag,
    check_nonnegative,
    eps_for,
    for_each_block,
    scaled_copy,
)

#: The bias_correction axis (ADAM-2): the product of the betas applied, this step's included
#: (normative); Optimisers.jl's lagged product; ``1 - beta**t`` of the current beta.
BIAS_CORRECTION = ("applied", "lagged", "recompute")
#: The presets of a rule whose only axis is bias_correction, by engine (RULE-5, ADAM-2).
BIAS_PRESETS: dict[str, dict[str, str]] = {
    "optimisers": {"bias_correction": "lagged"},
    "optimisers_jl": {"bias_correction": "lagged"},
    "torch": {"bias_correction": "recompute"},
    "optax": {"bias_correction": "recompute"},
    "tinygrad": {"bias_correction": "applied"},
}


class AdamState(NamedTuple):
    """First and second moments, the running product of betas the variant keeps, and the
    number of applied steps (ADAM-2).  ``beta_t`` is the product of the betas of the applied
    steps, from (1, 1), for "applied" and "recompute", and Optimisers.jl's lagged power, from
    the setup beta, for "lagged"; only "recompute" reads ``steps``."""

    mu: Array
    nu: Array
    beta_t: tuple[float, float]
    steps: int = 0


def update_moments(mu: Array, nu: Array, dx: Array, beta: tuple[float, float],
                   scratch: Array | None = None) -> Array:
    """mu <- b1 mu + (1-b1) g;  nu <- b2 nu + (1-b2) g^2, in place (ADAM-1).  Returns
    ``scratch`` (a new array when None), an array shaped like ``dx`` that the caller may
    overwrite."""
    b1, b2 = beta
    scratch = np.multiply(dx, 1 - b1, out=np.empty_like(dx) if scratch is None else scratch)
    mu *= b1
    mu += scratch
    np.square(dx, out=scratch)
    scratch *= 1 - b2
    nu *= b2
    nu += scratch
    return scratch


def corrected_ratio(state: AdamState, epsilon: float, scratch: Array,
                    out: Array | None = None) -> Array:
    r""":math:`\hat\mu / (\sqrt{\hat\nu} + \epsilon)` with :math:`\hat\mu = \mu/(1-\beta_1^t)`,
    :math:`\hat\nu = \nu/(1-\beta_2^t)` (ADAM-1, ADAM-3), written into ``out`` (a new array
    when None), ``state.beta_t`` read as the powers this step divides by; ``scratch`` is
    overwritten."""
    b1t, b2t = state.beta_t
    denom = np.divide(state.nu, 1 - b2t, out=scratch)
    np.sqrt(denom, out=denom)
    denom += epsilon
    ratio = np.divide(state.mu, 1 - b1t, out=np.empty_like(state.mu) if out is None else out)
    ratio /= denom
    return ratio


def next_powers(beta_t: tuple[float, float], beta: tuple[float, float]) -> tuple[float, float]:
    """A running product of betas moved on one step, ``beta_t * beta`` (ADAM-2)."""
    return beta_t[0] * beta[0], beta_t[1] * beta[1]


def step_powers(how: str, beta_t: tuple[float, float], steps: int,
                beta: tuple[float, float]) -> tuple[float, float]:
    """The (b1^t, b2^t) the coming step divides by, after ``steps`` applied steps with the
    running product ``beta_t``, when the rule's beta is now ``beta`` (ADAM-2): "applied"
    multiplies in this step's beta first; "lagged" uses the kept product as it is;
    "recompute" takes ``beta**t``."""
    if how == "recompute":
        t = steps + 1
        return beta[0] ** t, beta[1] ** t
    if how == "applied":
        return next_powers(beta_t, beta)
    return beta_t


def advanced(state: AdamState, beta: tuple[float, float]) -> AdamState:
    """The same moments with the running product and the step count moved on (ADAM-2)."""
    return state._replace(beta_t=next_powers(state.beta_t, beta), steps=state.steps + 1)


@functools.cache
def _record_type(name: str, fields: tuple[str, ...]) -> Any:
    """A NamedTuple type ``name`` with ``fields``: a state as it is shown (TOL-7)."""
    return collections.namedtuple(name, fields)


class BiasCorrected(Rule):
    """A rule that divides its moments by ``1 - beta**t``: it has the ``bias_correction``
    axis and shows its state with ``beta_t`` the powers the coming step divides by
    (ADAM-2, ADAM-4, TOL-7)."""

    beta: tuple[float, float]

    def initial_powers(self) -> tuple[float, float]:
        """The running product before any step: the setup beta for "lagged" (as
        Optimisers.jl's ``init``), else the empty product (ADAM-2)."""
        return (1.0, 1.0) if self.axis("bias_correction") in ("applied", "recompute") \
            else self.beta

    def powers(self, beta_t: tuple[float, float], steps: int) -> tuple[float, float]:
        """The (b1^t, b2^t) this step divides by (ADAM-2)."""
        return step_powers(self.axis("bias_correction"), beta_t, steps, self.beta)

    def observed(self, state: Any) -> Any:
        """The state with ``beta_t`` the powers the coming step divides by if the rule is
        not adjusted first, and without the step count, which engines keep their own way
        (ADAM-4, TOL-7)."""
        fields = state._asdict()
        steps = fields.pop("steps", None)
        fields["beta_t"] = self.powers(state.beta_t, state.t - 1 if steps is None else steps)
        return _record_type(type(state).__name__, tuple(fields))(**fields)


@dataclasses.dataclass(frozen=True)
class Adam(BiasCorrected):
    r"""Adam (ADAM-1), Kingma & Ba 2015, https://arxiv.org/abs/1412.6980:

    .. math::
        \mu \leftarrow \beta_1\mu + (1-\beta_1)g,\quad
        \nu \leftarrow \beta_2\nu + (1-\beta_2)g^2,\quad
        \Delta = \eta\,\frac{\mu/(1-\beta_1^t)}{\sqrt{\nu/(1-\beta_2^t)} + \epsilon}

    Epsilon is added *outside* the root, after bias-correcting nu (ADAM-3), as in
    Optimisers.jl and torch.  :math:`\beta^t` is the product of the betas actually applied,
    this step's included (ADAM-2); the ``bias_correction`` axis names the other forms
    (presets "optimisers": "lagged", "torch"/"optax": "recompute").
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-8.
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {"bias_correction": BIAS_CORRECTION}
    presets: ClassVar[dict[str, dict[str, str]]] = BIAS_PRESETS

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    in_place: ClassVar[bool] = True

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.initial_powers())

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        now = state._replace(beta_t=self.powers(state.beta_t, state.steps))
        return advanced(state, self.beta), self._step(now, dx, eps_for(x, self.epsilon))

    def apply_(self, state: AdamState, x: Array, dx: Array) -> AdamState:
        """:meth:`apply`'s step block by block, each block's step subtracted from its part of
        ``x`` at once (RULE-1)."""
        now = state._replace(beta_t=self.powers(state.beta_t, state.steps))
        eps = eps_for(x, self.epsilon)

        def step(mu: Array, nu: Array, g: Array, part: Array, scratch: Array,
                 out: Array) -> None:
            part -= self._step(now._replace(mu=mu, nu=nu), g, eps, scratch, out)

        for_each_block(step, state.mu, state.nu, dx, x, scratch=(dx.dtype, state.mu.dtype))
        return advanced(state, self.beta)

    def _step(self, now: AdamState, dx: Array, epsilon: float, scratch: Array | None = None,
              out: Array | None = None) -> Array:
        """The moments moved on in place and the step, in ``out`` (a new array when None);
        ``scratch`` (shaped like ``dx``) is overwritten (ADAM-1, ADAM-3)."""
        scratch = update_moments(now.mu, now.nu, dx, self.beta, scratch)
        step = corrected_ratio(now, epsilon, scratch, out)
        step *= self.eta
        return step


@dataclasses.dataclass(frozen=True)
class AdamW(BiasCorrected):
    r"""Adam with weight decay (ADAMW-1), Loshchilov & Hutter 2019,
    https://arxiv.org/abs/1711.05101.  With :math:`a` the Adam step for eta = 1:

    .. math::
        \text{couple:}\ \Delta = \eta\,(a + \lambda x),\qquad
        \text{not couple:}\ \Delta = \eta\,a + \lambda x

    ``couple=True`` (the default since Optimisers.jl 0.4) is torch ``AdamW`` and optax
    ``adamw``; ``couple=False`` does not scale the decay by eta (ADAMW-2).  Epsilon has
    Adam's float16 floor (RULE-7, ADAMW-3); axis ``epsilon_floor="none"`` (in the preset
    "optimisers") uses it as given, as Optimisers.jl 0.4 does.  Bias correction as Adam
    (ADAM-2).  Defaults eta=0.001, beta=(0.9, 0.999), lambda_=0, epsilon=1e-8, couple=True.
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {"bias_correction": BIAS_CORRECTION,
                                                  "epsilon_floor": ("float16", "none")}
    presets: ClassVar[dict[str, dict[str, str]]] = BIAS_PRESETS | {
        name: {"bias_correction": "lagged", "epsilon_floor": "none"}
        for name in ("optimisers", "optimisers_jl")}

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    lambda_: float = 0.0
    epsilon: float = 1e-8
    couple: bool = True
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "lambda_")
        check_nonnegative(self, "epsilon")
        check_flag(self, "couple")

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.initial_powers())

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        now = state._replace(beta_t=self.powers(state.beta_t, state.steps))
        eps = self.epsilon if self.axis("epsilon_floor") == "none" else eps_for(x, self.epsilon)
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        step = corrected_ratio(now, eps, scratch)
        decay = np.multiply(x, self.lambda_, out=scratch)
        if self.couple:
            step += decay
            step *= self.eta
        else:
            step *= self.eta
            step += decay
        return advanced(state, self.beta), step


@dataclasses.dataclass(frozen=True)
class NAdam(BiasCorrected):
    r"""Nesterov-accelerated Adam (NADAM-1), Dozat 2016,
    https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ (Algorithm 2):

    .. math::
        \Delta = \eta\,\frac{\beta_1\mu/(1-\beta_1\beta_1^t) + (1-\beta_1)g/(1-\beta_1^t)}
                            {\sqrt{\beta_2\nu/(1-\beta_2^t)} + \epsilon}

    with mu, nu and the beta powers kept as in Adam (ADAM-1, ADAM-2); the look-ahead power
    :math:`\beta_1\beta_1^t` is this step's power times the current beta1.  The normative
    form keeps the paper's extra :math:`\beta_2` inside the root, as Optimisers.jl does
    (NADAM-2); axis ``extra_beta2="dropped"`` (preset "optax") drops it, as optax ``nadam``
    and torch ``NAdam`` with a momentum_decay so large that its schedule is constant at
    beta1 (NADAM-3).  Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-8.
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {"extra_beta2": ("kept", "dropped"),
                                                  "bias_correction": BIAS_CORRECTION}
    presets: ClassVar[dict[str, dict[str, str]]] = {
        "optimisers": {"bias_correction": "lagged"},
        "optimisers_jl": {"bias_correction": "lagged"},
        "optax": {"extra_beta2": "dropped", "bias_correction": "recompute"},
    }

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.initial_powers())

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        (b1, b2), (b1t, b2t) = self.beta, self.powers(state.beta_t, state.steps)
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        nu_scale = (b2 if self.axis("extra_beta2") == "kept" else 1.0) / (1 - b2t)
        denom = np.multiply(state.nu, nu_scale, out=scratch)
        np.sqrt(denom, out=denom)
        denom += eps_for(x, self.epsilon)
        step = scaled_copy(state.mu, b1 / (1 - b1 * b1t))
        step += ((1 - b1) / (1 - b1t)) * dx
        step /= denom
        step *= self.eta
        return advanced(state, self.beta), step


class RAdamState(NamedTuple):
    """Adam's moments and running product of betas (ADAM-2), and the step number t,
    starting at 1 (RADAM-1)."""

    mu: Array
    nu: Array
    beta_t: tuple[float, float]
    t: int


@dataclasses.dataclass(frozen=True)
class RAdam(BiasCorrected):
    r"""Rectified Adam (RADAM-1), Liu et al. 2020, https://arxiv.org/abs/1908.03265:

    .. math::
        \rho_\infty = \frac{2}{1-\beta_2} - 1,\quad
        \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t},\quad
        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}

    With mu, nu as in Adam, the step is :math:`\eta\, r_t\, \hat\mu/(\sqrt{\hat\nu}+\epsilon)`
    when the variance is tractable and :math:`\eta\,\hat\mu` otherwise; :math:`\beta_2^t` is
    this step's power (ADAM-2) and :math:`\rho_\infty` uses the current beta2.  Tractable
    means :math:`\rho_t > 4` for the normative form, as Optimisers.jl (RADAM-2).  Axes
    (RADAM-3): ``rectify_when`` ("rho>4", "rho>5", "rho>=5") and ``epsilon_root``:
    "corrected" adds epsilon to the root of the corrected nu, "raw" to the root of the
    *uncorrected* nu, :math:`\eta\, r_t\,\hat\mu\sqrt{1-\beta_2^t}/(\sqrt{\nu}+\epsilon)`.
    Presets: "torch" (rho>5, raw, recompute), "optax" (rho>=5, corrected, recompute).
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-8.
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {
        "rectify_when": ("rho>4", "rho>5", "rho>=5"),
        "epsilon_root": ("corrected", "raw"),
        "bias_correction": BIAS_CORRECTION,
    }
    presets: ClassVar[dict[str, dict[str, str]]] = {
        "optimisers": {"bias_correction": "lagged"},
        "optimisers_jl": {"bias_correction": "lagged"},
        "torch": {"rectify_when": "rho>5", "epsilon_root": "raw",
                  "bias_correction": "recompute"},
        "optax": {"rectify_when": "rho>=5", "bias_correction": "recompute"},
    }

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-8
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> RAdamState:
        return RAdamState(np.zeros_like(x), np.zeros_like(x), self.initial_powers(), 1)

    def tractable(self, rho: float) -> bool:
        """Whether step t's variance estimate is used (RADAM-2, RADAM-3)."""
        when = self.axis("rectify_when")
        if when == "rho>4":
            return rho > 4
        return rho > 5 if when == "rho>5" else rho >= 5

    def apply(self, state: RAdamState, x: Array, dx: Array) -> tuple[RAdamState, Array]:
        b2 = self.beta[1]
        b1t, b2t = self.powers(state.beta_t, state.t - 1)
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * state.t * b2t / (1 - b2t)
        step = np.divide(state.mu, 1 - b1t, out=np.empty_like(state.mu))
        if self.tractable(rho):
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            eps = eps_for(x, self.epsilon)
            if self.axis("epsilon_root") == "raw":
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
    """Adam's moments, running product and step count (ADAM-2), and the previous step's
    Adam term (OADAM-2)."""

    mu: Array
    nu: Array
    beta_t: tuple[float, float]
    term: Array
    steps: int = 0


@dataclasses.dataclass(frozen=True)
class OAdam(BiasCorrected):
    r"""Optimistic Adam (OADAM-1), Daskalakis et al. 2018, https://arxiv.org/abs/1711.00141:
    with :math:`a_t = \eta\,\hat\mu/(\sqrt{\hat\nu}+\epsilon)` the Adam step,
    :math:`\Delta = 2a_t - a_{t-1}`, :math:`a_0 = 0` (OADAM-2); bias correction as Adam
    (ADAM-2).  Defaults eta=0.001, beta=(0.5, 0.9), epsilon=1e-8.
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {"bias_correction": BIAS_CORRECTION}
    presets: ClassVar[dict[str, dict[str, str]]] = {
        name: {"bias_correction": "lagged"} for name in ("optimisers", "optimisers_jl")}

    eta: float = 0.001
    beta: tuple[float, float] = (0.5, 0.9)
    epsilon: float = 1e-8
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> OAdamState:
        return OAdamState(np.zeros_like(x), np.zeros_like(x), self.initial_powers(),
                          np.zeros_like(x))

    def apply(self, state: OAdamState, x: Array, dx: Array) -> tuple[OAdamState, Array]:
        now = AdamState(state.mu, state.nu, self.powers(state.beta_t, state.steps))
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        term = corrected_ratio(now, eps_for(x, self.epsilon), scratch)
        term *= self.eta
        step = np.multiply(term, 2, out=scratch)
        step -= state.term
        return OAdamState(state.mu, state.nu, next_powers(state.beta_t, self.beta), term,
                          state.steps + 1), step


@dataclasses.dataclass(frozen=True)
class AdaBelief(BiasCorrected):
    r"""AdaBelief (ADABELIEF-1), Zhuang et al. 2020, https://arxiv.org/abs/2010.07468:

    .. math::
        \mu \leftarrow \beta_1\mu + (1-\beta_1)g,\quad
        s \leftarrow \beta_2 s + (1-\beta_2)(g-\mu)^2 + \epsilon,\quad
        \Delta = \eta\,\frac{\mu/(1-\beta_1^t)}{\sqrt{s/(1-\beta_2^t)} + \epsilon}

    with the *new* mu in :math:`g-\mu`, and epsilon both added to the state s and outside the
    root (ADABELIEF-2); bias correction as Adam (ADAM-2).  The state is an
    :class:`AdamState` whose ``nu`` holds s.
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-16.
    """

    axes: ClassVar[dict[str, tuple[str, ...]]] = {"bias_correction": BIAS_CORRECTION}
    presets: ClassVar[dict[str, dict[str, str]]] = {
        "optimisers": {"bias_correction": "lagged"},
        "optimisers_jl": {"bias_correction": "lagged"},
        "optax": {"bias_correction": "recompute"},
    }

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-16
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.initial_powers())

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        (b1, b2), eps = self.beta, eps_for(x, self.epsilon)
        now = state._replace(beta_t=self.powers(state.beta_t, state.steps))
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
        step = corrected_ratio(now, eps, scratch)
        step *= self.eta
        return advanced(state, self.beta), step
