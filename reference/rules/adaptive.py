"""Per-element step sizes from accumulated squared gradients: RMSProp, AdaGrad, AdaDelta.

Source: FluxML/Optimisers.jl src/rules.jl (``RMSProp``, ``AdaGrad``, ``AdaDelta``);
Tieleman & Hinton 2012 (lecture 6.5); Graves 2013, https://arxiv.org/abs/1308.0850 (centred);
Duchi et al. 2011, https://jmlr.org/papers/v12/duchi11a.html; Zeiler 2012,
https://arxiv.org/abs/1212.5701.
Clauses: RMSPROP-1 .. RMSPROP-3, ADAGRAD-1, ADAGRAD-2, ADADELTA-1, ADADELTA-2.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .base import (
    Array,
    Rule,
    check_flag,
    check_nonnegative,
    check_unit_interval,
    eps_for,
    scaled_copy,
)


class RMSPropState(NamedTuple):
    """Mean square ``quad`` and, when centred, mean ``lin`` (else None); both start at zero."""

    quad: Array
    lin: Array | None


@dataclasses.dataclass(frozen=True)
class RMSProp(Rule):
    r"""RMSProp (RMSPROP-1), plain or centred:

    .. math::
        q \leftarrow \rho q + (1-\rho)g^2,\quad
        [\ell \leftarrow \rho\ell + (1-\rho)g],\quad
        \Delta = \frac{\eta\, g}{\sqrt{q - \ell^2} + \epsilon}

    with :math:`\ell = 0` unless ``centred``; epsilon *outside* the root and no bias
    correction (RMSPROP-2).  ``centred`` is fixed at construction: ``adjust`` cannot change
    it, since the two forms keep different state (RMSPROP-3).
    Defaults eta=0.001, rho=0.9, epsilon=1e-8, centred=False.
    """

    eta: float = 0.001
    rho: float = 0.9
    epsilon: float = 1e-8
    centred: bool = False

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_unit_interval(self, "rho")
        check_nonnegative(self, "epsilon")
        check_flag(self, "centred")

    def hyperparameters(self) -> tuple[str, ...]:
        return tuple(name for name in super().hyperparameters() if name != "centred")

    def init(self, x: Array) -> RMSPropState:
        return RMSPropState(np.zeros_like(x), np.zeros_like(x) if self.centred else None)

    def apply(self, state: RMSPropState, x: Array, dx: Array) -> tuple[RMSPropState, Array]:
        rho, (quad, lin) = self.rho, state
        denom = np.square(dx, out=np.empty_like(dx))
        denom *= 1 - rho
        quad *= rho
        quad += denom
        if lin is None:
            np.sqrt(quad, out=denom)
        else:
            lin *= rho
            lin += (1 - rho) * dx
            np.square(lin, out=denom)
            np.subtract(quad, denom, out=denom)
            np.sqrt(denom, out=denom)
        denom += eps_for(x, self.epsilon)
        step = scaled_copy(dx, self.eta)
        step /= denom
        return state, step


class AdaGradState(NamedTuple):
    """The sum of squared gradients, starting at epsilon (ADAGRAD-2)."""

    acc: Array


@dataclasses.dataclass(frozen=True)
class AdaGrad(Rule):
    r"""AdaGrad (ADAGRAD-1):
    :math:`a \leftarrow a + g^2`, :math:`\Delta = \eta\, g/(\sqrt{a} + \epsilon)`, with the
    accumulator starting at epsilon, not zero, as in Optimisers.jl (ADAGRAD-2).
    Defaults eta=0.1, epsilon=1e-8.
    """

    eta: float = 0.1
    epsilon: float = 1e-8

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdaGradState:
        return AdaGradState(np.full_like(x, self.epsilon))

    def apply(self, state: AdaGradState, x: Array, dx: Array) -> tuple[AdaGradState, Array]:
        acc, denom = state.acc, np.square(dx, out=np.empty_like(dx))
        acc += denom
        np.sqrt(acc, out=denom)
        denom += eps_for(x, self.epsilon)
        step = scaled_copy(dx, self.eta)
        step /= denom
        return state, step


class AdaDeltaState(NamedTuple):
    """Mean squared gradient ``acc`` and mean squared step ``delta_acc``, both from zero."""

    acc: Array
    delta_acc: Array


@dataclasses.dataclass(frozen=True)
class AdaDelta(Rule):
    r"""AdaDelta (ADADELTA-1), which has no learning rate:

    .. math::
        a \leftarrow \rho a + (1-\rho)g^2,\quad
        \Delta = g\,\frac{\sqrt{d + \epsilon}}{\sqrt{a + \epsilon}},\quad
        d \leftarrow \rho d + (1-\rho)\Delta^2

    with epsilon *inside* both roots and the step using the *old* d (ADADELTA-2).
    Defaults rho=0.9, epsilon=1e-8.
    """

    rho: float = 0.9
    epsilon: float = 1e-8

    def validate(self) -> None:
        check_unit_interval(self, "rho")
        check_nonnegative(self, "epsilon")

    def init(self, x: Array) -> AdaDeltaState:
        return AdaDeltaState(np.zeros_like(x), np.zeros_like(x))

    def apply(self, state: AdaDeltaState, x: Array, dx: Array) -> tuple[AdaDeltaState, Array]:
        rho, eps, (acc, delta_acc) = self.rho, eps_for(x, self.epsilon), state
        scratch = np.square(dx, out=np.empty_like(dx))
        scratch *= 1 - rho
        acc *= rho
        acc += scratch
        step = np.add(delta_acc, eps, out=np.empty_like(delta_acc))
        np.sqrt(step, out=step)
        step *= dx
        np.add(acc, eps, out=scratch)
        np.sqrt(scratch, out=scratch)
        step /= scratch
        np.square(step, out=scratch)
        scratch *= 1 - rho
        delta_acc *= rho
        delta_acc += scratch
        return state, step
