"""Rules made of rules: OptimiserChain (members applied in turn) and AccumGrad (a mean over n
steps).

Source: FluxML/Optimisers.jl src/rules.jl (``OptimiserChain``, ``AccumGrad``).
Clauses: CHAIN-1 .. CHAIN-4, ACCUMGRAD-1, ACCUMGRAD-2.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np

from .base import Applied, Array, GlobalApply, Rule, check_adjustable, read_only, run_alone


@dataclasses.dataclass(frozen=True, init=False)
class OptimiserChain(Rule):
    """Apply ``rules`` in turn, each to the step of the one before; the first sees the
    gradient (CHAIN-1).  ``OptimiserChain()`` is the identity, ``Descent(1)``.  The state is a
    tuple of the members' states.  A member returning None ends the chain for that step: the
    later members are not called and their state is unchanged (CHAIN-2).

    >>> from optconf.reference.rules import ClipGrad, Descent
    >>> chain = OptimiserChain(ClipGrad(1.0), Descent(0.1))
    >>> chain.apply(chain.init(np.zeros(3)), np.zeros(3), np.array([0.3, 1, 7]))[1]
    array([0.03, 0.1 , 0.1 ])
    """

    rules: tuple[Rule, ...]

    def __init__(self, *rules: Rule) -> None:
        object.__setattr__(self, "rules", rules)
        self.__post_init__()

    def validate(self) -> None:
        for rule in self.rules:
            if not isinstance(rule, Rule):
                raise TypeError(f"OptimiserChain: {rule!r} is not a rule (clause CHAIN-1)")
            if rule.writes_param:
                raise ValueError(
                    f"OptimiserChain: {type(rule).__name__} writes the parameter itself, so it "
                    "must wrap the whole chain, not be inside it (clause MIXED-3)"
                )

    @property
    def elementwise(self) -> bool:  # type: ignore[override]
        """Elementwise when every member is (RULE-4)."""
        return all(rule.elementwise for rule in self.rules)

    @property
    def needs_global(self) -> bool:
        return any(rule.needs_global for rule in self.rules)

    def hyperparameters(self) -> tuple[str, ...]:
        """Every member's names, each once (CHAIN-3)."""
        return tuple(dict.fromkeys(n for rule in self.rules for n in rule.hyperparameters()))

    def adjusted(self, **changes: Any) -> OptimiserChain:
        """Each name changed in every member that has it; a name no member has raises
        TypeError, as for a single rule (CHAIN-3, ADJ-3)."""
        check_adjustable(self, changes)
        return OptimiserChain(*(
            rule.adjusted(**mine) if (mine := {k: v for k, v in changes.items()
                                               if k in rule.hyperparameters()}) else rule
            for rule in self.rules
        ))

    def init(self, x: Array) -> tuple[Any, ...]:
        return tuple(rule.init(x) for rule in self.rules)

    def observed(self, state: tuple[Any, ...]) -> tuple[Any, ...]:
        """Each member's state as that member shows it (TOL-7)."""
        return tuple(rule.observed(s) for rule, s in zip(self.rules, state, strict=True))

    def apply_global(self, state: tuple[Any, ...], x: Array, dx: Array) -> GlobalApply:
        """Members in turn; members needing the global norm take part in its rounds (CHAIN-4,
        RULE-8).  Each member sees a read-only step (RULE-2)."""
        states = list(state)
        step: Array | None = dx
        for index, rule in enumerate(self.rules):
            if step is None:
                break  # CHAIN-2
            if rule.needs_global:
                states[index], step = yield from rule.apply_global(states[index], x,
                                                                   read_only(step))
            else:
                states[index], step = rule.apply(states[index], x, read_only(step))
        return tuple(states), step

    def apply(self, state: tuple[Any, ...], x: Array, dx: Array) -> Applied:
        return run_alone(self.apply_global(state, x, dx))

    def __repr__(self) -> str:
        return f"OptimiserChain({', '.join(map(repr, self.rules))})"


class AccumGradState(NamedTuple):
    """The running mean and the number of the next gradient, 1 .. n (ACCUMGRAD-2)."""

    acc: Array
    counter: int


@dataclasses.dataclass(frozen=True)
class AccumGrad(Rule):
    r"""Accumulate n gradients (ACCUMGRAD-1): steps 1 .. n-1 return None (no update), step n
    returns their mean :math:`\frac1n\sum g_i` and starts again.  The mean is accumulated as
    :math:`\sum g_i/n` (ACCUMGRAD-2).  Put it first in a chain:
    ``OptimiserChain(AccumGrad(n), rule)`` applies ``rule`` to the mean every n steps.
    """

    n: int

    def validate(self) -> None:
        if not (isinstance(self.n, int) and not isinstance(self.n, bool) and self.n >= 1):
            raise ValueError(f"AccumGrad: n={self.n!r} must be an int >= 1")

    def init(self, x: Array) -> AccumGradState:
        return AccumGradState(np.zeros_like(x), 1)

    def apply(self, state: AccumGradState, x: Array, dx: Array) -> Applied:
        acc, counter = state
        if counter == 1:
            np.divide(dx, self.n, out=acc)
        else:
            acc += dx / self.n
        if counter == self.n:
            return AccumGradState(acc, 1), acc
        return AccumGradState(acc, counter + 1), None
