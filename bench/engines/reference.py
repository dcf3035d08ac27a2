"""The reference's benchmark set-up: ``optconf.reference`` stepping NumPy arrays in place
through ``structured``, ``flat_list``, ``per_array`` and ``flat_vector`` updates, and its
exact expression gradients.  The roofline is ``np.copyto``: one thread, as NumPy runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from optconf.adapters.protocol import PathName
from optconf.adapters.reference import ReferenceAdapter
from optconf.reference import expr as ref_expr
from optconf.reference import state as ref_state
from optconf.reference.rules.base import THREADS, Rule

from ..protocol import BenchEngine, PreparedStep, check_via, no_path
from .common import case_arrays, copy_elements, model_tree


def state_nbytes(state: Any) -> int:
    """Bytes of every array in a setup() tree, Leaf states included (a Leaf shared by
    several places counted once)."""
    seen: set[int] = set()

    def walk(x: Any) -> int:
        if id(x) in seen:
            return 0
        seen.add(id(x))
        if isinstance(x, np.ndarray):
            return x.nbytes
        if isinstance(x, ref_state.Leaf):
            return walk(x.state)
        if isinstance(x, dict):
            return sum(walk(v) for v in x.values())
        if isinstance(x, tuple | list):
            return sum(walk(v) for v in x)
        return 0

    return walk(state)


class NumpyPrepared(PreparedStep):
    """A NumPy callable on arrays prepared once, with an ``np.copyto`` roofline.  NumPy's
    element-wise loops run on one thread, but the reference's in-place Adam shares its
    blocks among ``THREADS`` of them, so the bound kernels run at that count too."""

    threads = THREADS

    def __init__(self, run: Callable[[], Any], params: list[np.ndarray], nbytes: int) -> None:
        self.run, self.params, self.nbytes = run, params, nbytes
        half = copy_elements(nbytes, params[0].itemsize)
        self.src = np.ones(half, params[0].dtype)
        self.dst = np.zeros(half, params[0].dtype)

    def step(self) -> None:
        self.run()

    def copy(self) -> None:
        np.copyto(self.dst, self.src)

    def parameters(self) -> list[np.ndarray]:
        return [p.copy() for p in self.params]


def _loss(n: int) -> ref_expr.Expr:
    """``sum(p_i * p_i)`` over ``n`` parameters, as an expression."""
    terms: list[ref_expr.Expr] = [ref_expr.Sum(ref_expr.Square(ref_expr.Param(i)))
                                  for i in range(n)]
    total = terms[0]
    for term in terms[1:]:
        total = ref_expr.Add(total, term)
    return total


class ReferenceBench(BenchEngine):
    def __init__(self) -> None:
        super().__init__(ReferenceAdapter())

    def prepare_step(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                     path: PathName, dtype: str) -> PreparedStep:
        params, grads = case_arrays(shapes, dtype)
        run: Callable[[], Any]
        if path == "structured":
            model, gtree = model_tree(params), model_tree(grads)
            state = ref_state.setup(rule, model)
            run = lambda: ref_state.update_(state, model, gtree)  # noqa: E731
        elif path == "flat_list":
            state = ref_state.setup(rule, params)
            run = lambda: ref_state.update_(state, params, grads)  # noqa: E731
        elif path == "per_array":
            state = [ref_state.setup(rule, p) for p in params]

            def run() -> None:
                for s, p, g in zip(state, params, grads, strict=True):
                    ref_state.update_(s, p, g)
        elif path == "flat_vector":
            params, grads = [np.concatenate([p.ravel() for p in params])], [np.concatenate(
                [g.ravel() for g in grads])]
            state = ref_state.setup(rule, params[0])
            run = lambda: ref_state.update_(state, params[0], grads[0])  # noqa: E731
        else:
            raise no_path("the reference", path)
        nbytes = sum(p.nbytes + g.nbytes for p, g in zip(params, grads, strict=True))
        return NumpyPrepared(run, params, nbytes + state_nbytes(state))

    def prepare_gradient(self, shapes: Sequence[tuple[int, ...]], dtype: str,
                         via: str) -> PreparedStep:
        """``value_and_grad`` over the arrays (plain), or ``gradient_through_trainables`` of the
        model, which adds the pullback onto the tree (EXPR-6)."""
        check_via(via)
        params, _ = case_arrays(shapes, dtype)
        loss, model = _loss(len(params)), model_tree(params)
        run: Callable[[], Any]
        if via == "plain":
            run = lambda: ref_expr.value_and_grad(loss, params)  # noqa: E731
        else:
            run = lambda: ref_expr.gradient_through_trainables(model, loss, via=via)  # noqa: E731
        return NumpyPrepared(run, params, 2 * sum(p.nbytes for p in params))
