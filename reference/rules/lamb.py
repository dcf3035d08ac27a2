"""LAMB: Adam's bias-corrected ratio with decoupled weight decay, scaled per parameter array
by the trust ratio of LARS.

Source: You et al. 2020, "Large Batch Optimization for Deep Learning: Training BERT in 76
minutes", ICLR 2020, https://arxiv.org/abs/1904.00962, Algorithm 2 (LAMB) with the scaling
function phi the identity, as in its experiments.
Clauses: LAMB-1 .. LAMB-4.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np

from .adam import (
    BIAS_CORRECTION,
    AdamState,
    BiasCorrected,
    advanced,
    corrected_ratio,
    update_moments,
)
from .base import NORMATIVE, Array, check_betas, check_nonnegative, eps_for
from .lars import l2, trust_ratio


@dataclasses.dataclass(frozen=True)
class LAMB(BiasCorrected):
    r"""LAMB (LAMB-1), You et al. 2020, Algorithm 2: Adam's moments and bias corrections
    (ADAM-1, ADAM-2), then per array

    .. math::
        r = \frac{\hat m}{\sqrt{\hat v} + \epsilon} + \lambda x,\qquad
        \Delta = \eta\,\frac{\|x\|}{\|r\|}\,r

    with norms over the whole array and the ratio 1 where :math:`\|x\| = 0` or
    :math:`\|r\| = 0` (LAMB-2).  Per array, so not elementwise (RULE-4).  The state is Adam's
    (LAMB-3); epsilon has RULE-7's float16 floor.  The bias correction is Adam's
    ``bias_correction`` axis, "applied" normative (LAMB-4, DECISIONS.md D16); presets
    "tinygrad" ("applied": its ``LAMB`` multiplies ``b1_t *= b1`` before use), "optax"
    ("recompute": ``lamb`` is ``scale_by_adam``) and "optimisers" ("lagged").
    Defaults eta=0.001, beta=(0.9, 0.999), epsilon=1e-6, lambda_=0.
    """

    elementwise = False
    axes: ClassVar[dict[str, tuple[str, ...]]] = {"bias_correction": BIAS_CORRECTION}
    presets: ClassVar[dict[str, dict[str, str]]] = {
        "optimisers": {"bias_correction": "lagged"},
        "optimisers_jl": {"bias_correction": "lagged"},
        "optax": {"bias_correction": "recompute"},
        "tinygrad": {"bias_correction": "applied"},
    }

    eta: float = 0.001
    beta: tuple[float, float] = (0.9, 0.999)
    epsilon: float = 1e-6
    lambda_: float = 0.0
    variant: str = NORMATIVE

    def validate(self) -> None:
        check_nonnegative(self, "eta")
        check_betas(self)
        check_nonnegative(self, "epsilon")
        check_nonnegative(self, "lambda_")

    def init(self, x: Array) -> AdamState:
        return AdamState(np.zeros_like(x), np.zeros_like(x), self.initial_powers())

    def apply(self, state: AdamState, x: Array, dx: Array) -> tuple[AdamState, Array]:
        now = state._replace(beta_t=self.powers(state.beta_t, state.steps))
        scratch = update_moments(state.mu, state.nu, dx, self.beta)
        step = corrected_ratio(now, eps_for(x, self.epsilon), scratch)
        step += self.lambda_ * x
        x_norm, step_norm = l2(x), l2(step)
        step *= self.eta * trust_ratio(x_norm, step_norm, step_norm)
        return advanced(state, self.beta), step
