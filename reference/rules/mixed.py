"""MixedPrecision: another rule run on a higher-precision copy of the parameter, which the
parameter is then written from.

Source: FluxML/Optimisers.jl src/rules.jl:864-927 (``MixedPrecision``), after Micikevicius
et al. 2017, "Mixed Precision Training".  Clauses: MIXED-1 .. MIXED-4, RULE-2.

The suite draws it like every rule in ``rules.__all__``; its state arrays have the
precision's dtype, not the parameter's (MIXED-1), which the comparison of state dtypes takes
from the reference's own ``init`` (STATE-2).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .base import Applied, Array, GlobalApply, Rule, read_only, run_alone

#: The precisions the copy may be kept at (MIXED-1).
PRECISIONS = ("float16", "float32", "float64")


class MixedPrecisionState(NamedTuple):
    """The copy of the parameter at the rule's precision, and the inner rule's state, made
    for that copy (MIXED-1)."""

    xT: Array
    inner: Any


@dataclasses.dataclass(frozen=True)
class MixedPrecision(Rule):
    """Run ``rule`` on a copy of each parameter kept at ``precision`` (float32 by default)
    and write the parameter from the copy (MIXED-1, MIXED-2).  The one rule that writes ``x``
    itself (RULE-2); it wraps a whole chain and cannot sit inside one (MIXED-3).  ``adjust``
    changes the inner rule's hyperparameters; the precision is fixed (MIXED-4).

    >>> from optconf.reference.rules import Descent
    >>> x = np.array([1.0], dtype=np.float16)
    >>> rule = MixedPrecision(Descent(1e-4))
    >>> state = rule.init(x)
    >>> for _ in range(10):  # each step alone is below float16's resolution at 1.0
    ...     state, step = rule.apply(state, x, np.ones(1, dtype=np.float16))
    >>> step, x, state.xT.dtype
    (None, array([0.999], dtype=float16), dtype('float32'))
    """

    writes_param: ClassVar[bool] = True

    rule: Rule
    precision: str = "float32"

    def validate(self) -> None:
        if not isinstance(self.rule, Rule):
            raise TypeError(f"MixedPrecision: {self.rule!r} is not a rule (clause MIXED-1)")
        if self.precision not in PRECISIONS:
            raise ValueError(f"MixedPrecision: precision={self.precision!r} must be one of "
                             f"{', '.join(PRECISIONS)} (clause MIXED-1)")

    @property
    def elementwise(self) -> bool:  # type: ignore[override]
        """As the inner rule: the copy is made and written back element by element (RULE-4)."""
        return self.rule.elementwise

    @property
    def needs_global(self) -> bool:
        return self.rule.needs_global

    def hyperparameters(self) -> tuple[str, ...]:
        """The inner rule's names; the precision is not a hyperparameter (MIXED-4)."""
        return self.rule.hyperparameters()

    def adjusted(self, **changes: Any) -> MixedPrecision:
        """The inner rule adjusted, the precision kept; unknown names raise as the inner
        rule's do (MIXED-4, ADJ-3)."""
        return MixedPrecision(self.rule.adjusted(**changes), self.precision)

    def init(self, x: Array) -> MixedPrecisionState:
        xT = x.astype(self.precision)
        return MixedPrecisionState(xT, self.rule.init(xT))

    def observed(self, state: MixedPrecisionState) -> MixedPrecisionState:
        return MixedPrecisionState(state.xT, self.rule.observed(state.inner))

    def apply_global(self, state: MixedPrecisionState, x: Array, dx: Array) -> GlobalApply:
        """The inner rule on the copy, with the gradient cast to the copy's precision; the
        copy moves by its step; then ``x`` is written from the copy and the step is None, or,
        for a read-only ``x``, the step ``x - copy`` in ``x``'s dtype (MIXED-2)."""
        g = read_only(dx.astype(self.precision))
        if self.rule.needs_global:
            inner, step = yield from self.rule.apply_global(state.inner, state.xT, g)
        else:
            inner, step = self.rule.apply(state.inner, state.xT, g)
        xT = state.xT if step is None else (state.xT - step).astype(self.precision)
        new_state = MixedPrecisionState(xT, inner)
        if not x.flags.writeable:
            return new_state, (x - xT).astype(x.dtype)
        np.copyto(x, xT, casting="same_kind")
        return new_state, None

    def apply(self, state: MixedPrecisionState, x: Array, dx: Array) -> Applied:
        return run_alone(self.apply_global(state, x, dx))

    def __repr__(self) -> str:
        return f"MixedPrecision({self.rule!r}, precision={self.precision!r})"
