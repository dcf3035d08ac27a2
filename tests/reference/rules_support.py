"""Helpers for the rule tests (tests/reference/test_rules_*.py).

Golden values are written as literals computed by hand (or by scalar arithmetic written
apart from the reference), with the arithmetic in a comment.  Where every operation is exact
in binary floating point the tests compare with ``==``; elsewhere with :data:`GOLDEN`, a
relative 1e-12: a handful of float64 operations, each correctly rounded, cannot drift further.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from optconf.reference.rules import Rule

GOLDEN: dict[str, Any] = {"rtol": 1e-12, "atol": 0.0}


def frozen_array(values: Any, dtype: Any = np.float64) -> np.ndarray:
    """A read-only float array, so a rule writing into it fails loudly (RULE-2)."""
    a = np.array(values, dtype=dtype)
    a.flags.writeable = False
    return a


def steps(rule: Rule, grads: Sequence[Any], x: Any = None, dtype: Any = np.float64) -> list[Any]:
    """The steps ``rule`` returns for ``grads`` in turn, from a fresh state, at a fixed,
    read-only parameter ``x`` (zeros by default); a None step stays None."""
    first = frozen_array(grads[0], dtype)
    param = frozen_array(np.zeros_like(first) if x is None else x, dtype)
    state = rule.init(param)
    out = []
    for g in grads:
        state, step = rule.apply(state, param, frozen_array(g, dtype))
        out.append(None if step is None else np.array(step))
    return out


def final_state(rule: Rule, grads: Sequence[Any]) -> Any:
    """The rule's state after ``grads`` at a zero parameter."""
    param = frozen_array(np.zeros_like(np.asarray(grads[0], dtype=np.float64)))
    state = rule.init(param)
    for g in grads:
        state, _ = rule.apply(state, param, frozen_array(g))
    return state
