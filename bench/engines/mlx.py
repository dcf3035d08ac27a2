"""MLX's benchmark set-up: the adapter's ``mlx.optimizers`` plan over MLX arrays on the
default device, gradients fixed, each step ``optimizer.update`` / ``apply_gradients`` as a
training loop calls it; MLX is lazy, so ``sync`` is ``mx.eval`` of the results, and the
engine's own copy is ``src + 0``, evaluated on every call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mlx.core as mx
import numpy as np

from optconf.adapters.mlx import MlxAdapter, build, clipped, make_optimiser, named_parameters, plan
from optconf.adapters.protocol import PathName, Unsupported
from optconf.reference.rules.base import Rule

from ..protocol import BenchEngine, PreparedStep, check_via, no_path
from .common import case_arrays, copy_elements, model_tree


def _nbytes(tree: Any) -> int:
    return sum(a.nbytes for _, a in named_parameters(tree) if isinstance(a, mx.array))


class MlxPrepared(PreparedStep):
    """``step`` runs ``run()``; ``sync`` evaluates what ``live()`` returns (the parameters
    and state the step wrote) and the copy's destination."""

    def __init__(self, run: Callable[[], None], live: Callable[[], Any],
                 params: Callable[[], list[Any]], nbytes: int, dtype: Any) -> None:
        self.run, self.live, self.params, self.nbytes = run, live, params, nbytes
        self.device = str(mx.default_device()).lower()
        half = copy_elements(nbytes, dtype.size)
        self.src, self.dst = mx.ones(half, dtype=dtype), mx.zeros(half, dtype=dtype)
        mx.eval(self.src, self.dst)

    def step(self) -> None:
        self.run()

    def sync(self) -> None:
        mx.eval(self.live(), self.dst)

    def copy(self) -> None:
        # evaluated here: MLX is lazy, and a copy replaced before ``sync`` never runs
        self.dst = self.src + 0
        mx.eval(self.dst)

    def parameters(self) -> list[np.ndarray]:
        return [np.array(p, copy=True) for p in self.params()]


class MlxBench(BenchEngine):
    def __init__(self) -> None:
        super().__init__(MlxAdapter())

    def prepare_step(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                     path: PathName, dtype: str) -> PreparedStep:
        """``structured``: ``optimizer.update(module, grads)`` over the Module tree;
        ``flat_list``: ``apply_gradients`` over the flat dict of named arrays; ``per_array``: one
        optimiser per array; ``flat_vector``: one array."""
        if path not in ("structured", "flat_list", "per_array", "flat_vector"):
            raise no_path("mlx", path)
        reason = self.adapter.supports(rule)
        if reason:
            raise Unsupported(reason)
        the_plan, mdtype = plan(rule), getattr(mx, dtype)
        arrays, grad_arrays = case_arrays(shapes, dtype)
        if path == "flat_vector":
            arrays = [np.concatenate([a.ravel() for a in arrays])]
            grad_arrays = [np.concatenate([g.ravel() for g in grad_arrays])]
        module, _ = build(model_tree(arrays), mdtype)
        names = [name for name, _ in named_parameters(module)]
        grads = {n: mx.array(g, dtype=mdtype) for n, g in zip(names, grad_arrays, strict=True)}
        trees = ([{n: module[n]} for n in names] if path == "per_array"
                 else [module if path == "structured" else dict(named_parameters(module))])
        opts = [make_optimiser(the_plan, mdtype) for _ in trees]
        for opt, tree in zip(opts, trees, strict=True):
            opt.init(tree)

        def run() -> None:
            for i, (opt, tree) in enumerate(zip(opts, trees, strict=True)):
                g = clipped({n: grads[n] for n in tree}, the_plan.clips)
                if path == "structured":
                    opt.update(module, g)
                else:
                    trees[i] = opt.apply_gradients(g, tree)

        def params() -> list[Any]:
            return [t[n] for t in trees for n in t]

        nbytes = _nbytes(trees) + _nbytes(grads) + sum(_nbytes(o.state) for o in opts)
        return MlxPrepared(run, lambda: (trees, [o.state for o in opts]), params, nbytes, mdtype)

    def prepare_gradient(self, shapes: Sequence[tuple[int, ...]], dtype: str,
                         via: str) -> PreparedStep:
        """``mx.grad`` of ``sum(p * p)`` over a list of arrays (plain), over
        ``module.trainable_parameters()`` (trainables) or over one flat array cut back into the
        arrays inside the loss (destructure)."""
        check_via(via)
        mdtype = getattr(mx, dtype)
        arrays, _ = case_arrays(shapes, dtype)
        module, _ = build(model_tree(arrays), mdtype)
        values: Any = [module[n] for n, _ in named_parameters(module)]
        if via == "trainables":
            values = module.trainable_parameters()
        elif via == "destructure":
            values = mx.concatenate([a.reshape(-1) for a in values])
        ends = np.cumsum([a.size for a in arrays])

        def loss(x: Any) -> Any:
            if via == "destructure":
                x = [x[int(end) - a.size:int(end)] for end, a in zip(ends, arrays, strict=True)]
            return sum((mx.sum(p * p) for _, p in named_parameters(x)), mx.array(0, mdtype))

        grad = mx.grad(loss)
        out: list[Any] = [values]

        def run() -> None:
            out[0] = grad(values)

        return MlxPrepared(run, lambda: out[0], lambda: [values] if via == "destructure" else
                           [p for _, p in named_parameters(values)], 2 * _nbytes(values), mdtype)
