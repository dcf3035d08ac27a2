"""One check the engine tests share: an adapter's run against the float64 reference within
the tolerance model (TOL-1 .. TOL-4)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from optconf.adapters.protocol import Adapter, Outcome, PathName, Program, Step
from optconf.adapters.reference import ReferenceAdapter
from optconf.conformance.tolerance import bound
from optconf.reference import trainables

REFERENCE = ReferenceAdapter()


def reference_run(prog: Program) -> Outcome:
    """The reference's float64 structured run of ``prog``."""
    return REFERENCE.run(Program(prog.model, prog.rule, prog.ops, "float64"), "structured")


def _scales(prog: Program) -> tuple[float, float]:
    """(largest |x|, largest per-op change of x) on the reference trajectory (TOL-3)."""
    values = []
    for k in range(len(prog.ops) + 1):
        model = reference_run(Program(prog.model, prog.rule, prog.ops[:k])).model
        values.append(np.concatenate([p.ravel() for p in trainables(model)] or [np.zeros(0)]))
    change = max(float(np.max(np.abs(b - a), initial=0.0)) for a, b in pairwise(values))
    return max(float(np.max(np.abs(v), initial=0.0)) for v in values), change


def error_and_allowed(engine: str, adapter: Adapter, prog: Program,
                      path: PathName) -> tuple[float, float]:
    """The largest parameter error of ``adapter``'s run through ``path`` against the
    reference, and what the tolerance model allows ``engine`` there."""
    got, want = adapter.run(prog, path).model, reference_run(prog).model
    error = max(float(np.max(np.abs(np.asarray(g, np.float64) - w), initial=0.0))
                for g, w in zip(trainables(got), trainables(want), strict=True))
    steps = sum(isinstance(op, Step) for op in prog.ops)
    return error, bound(engine, prog.dtype, prog.rule, path, steps).allowed(*_scales(prog))
