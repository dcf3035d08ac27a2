"""Gradient clipping: by value (ClipGrad), by each array's norm (ClipNorm) and by the norm
over all arrays of the update (ClipGlobalNorm).  Chained before a rule.

Source: FluxML/Optimisers.jl src/rules.jl (``ClipGrad``, ``ClipNorm``); torch
``torch.nn.utils.clip_grad_norm_`` and optax ``clip_by_global_norm`` for ClipGlobalNorm.
Clauses: CLIPGRAD-1, CLIPNORM-1 .. CLIPNORM-3, CLIPGLOBALNORM-1 .. CLIPGLOBALNORM-3.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .base import (
    Array,
    GlobalApply,
    Rule,
    check_flag,
    check_nonnegative,
    run_alone,
    scaled_copy,
)


@dataclasses.dataclass(frozen=True)
class ClipGrad(Rule):
    r""":math:`\Delta = \mathrm{clamp}(g, -\delta, \delta)` elementwise (CLIPGRAD-1).
    Default delta=10."""

    delta: float = 10.0

    def validate(self) -> None:
        check_nonnegative(self, "delta")

    def init(self, x: Array) -> None:
        return None

    def apply(self, state: None, x: Array, dx: Array) -> tuple[None, Array]:
        return None, np.clip(dx, -self.delta, self.delta, out=np.empty_like(dx))


def scaled(dx: Array, norm: float, omega: float) -> Array:
    r""":math:`g\,\min(\omega/n, 1)`, with no epsilon; a zero norm leaves g as it is, also
    for omega = 0, where Optimisers.jl's 0/0 gives NaN (CLIPNORM-1, CLIPGLOBALNORM-1)."""
    return scaled_copy(dx, 1.0 if norm == 0 else min(omega / norm, 1.0))


def check_finite(rule: ClipNorm | ClipGlobalNorm, norm: float, what: str) -> None:
    """Refuse to clip by a non-finite norm unless ``throw=False`` (CLIPNORM-3)."""
    if rule.throw and not math.isfinite(norm):
        raise ValueError(
            f"{type(rule).__name__}: {what} is {norm}; the gradient holds inf or nan "
            "(clause CLIPNORM-3); pass throw=False to scale by it anyway"
        )


@dataclasses.dataclass(frozen=True)
class ClipNorm(Rule):
    r"""Scale each gradient *array* whose p-norm exceeds omega down to omega (CLIPNORM-1):
    :math:`\Delta = g\,\min(\omega/\|g\|_p, 1)`, the norm taken over the whole array in
    float64 (like Optimisers.jl's rescaled ``norm``, it does not overflow for a finite float16
    gradient), so this rule is not elementwise: splitting an array changes the result
    (CLIPNORM-2).  A non-finite norm raises ValueError unless ``throw=False`` (CLIPNORM-3).
    Defaults omega=10, p=2, throw=True.
    """

    elementwise = False

    omega: float = 10.0
    p: float = 2.0
    throw: bool = True

    def validate(self) -> None:
        check_nonnegative(self, "omega")
        if not (isinstance(self.p, int | float) and self.p > 0):
            raise ValueError(f"ClipNorm: p={self.p!r} must be > 0 (math.inf allowed)")
        check_flag(self, "throw")

    def init(self, x: Array) -> None:
        return None

    def apply(self, state: None, x: Array, dx: Array) -> tuple[None, Array]:
        flat = dx.reshape(-1).astype(np.float64, copy=False)  # float16 squares overflow at 256
        norm = float(np.linalg.norm(flat, ord=self.p)) if dx.size else 0.0
        check_finite(self, norm, f"the {self.p}-norm of an array of shape {x.shape}")
        return None, scaled(dx, norm, self.omega)


@dataclasses.dataclass(frozen=True)
class ClipGlobalNorm(Rule):
    r"""Scale *all* gradient arrays of an update by one factor,
    :math:`\min(\omega/\|g\|_2, 1)` with :math:`\|g\|_2` the L2 norm over every array the
    update applies this rule to (CLIPGLOBALNORM-1); the norm is exact, with no epsilon.
    Splitting or merging arrays does not change it, so this rule is elementwise in the sense
    of RULE-4 (CLIPGLOBALNORM-2).  It is driven through :meth:`apply_global` (RULE-8);
    :meth:`apply` on one array treats that array as the whole model.  A non-finite norm raises
    ValueError unless ``throw=False`` (CLIPGLOBALNORM-3).  Defaults omega=10, throw=True.
    """

    omega: float = 10.0
    throw: bool = True

    def validate(self) -> None:
        check_nonnegative(self, "omega")
        check_flag(self, "throw")

    @property
    def needs_global(self) -> bool:
        return True

    def init(self, x: Array) -> None:
        return None

    def apply_global(self, state: None, x: Array, dx: Array) -> GlobalApply:
        flat = dx.reshape(-1).astype(np.float64, copy=False)
        norm = yield float(np.dot(flat, flat))
        check_finite(self, norm, "the global L2 norm of the gradient")
        return None, scaled(dx, norm, self.omega)

    def apply(self, state: None, x: Array, dx: Array) -> tuple[None, Array]:
        _, step = run_alone(self.apply_global(state, x, dx))
        assert step is not None
        return None, step
