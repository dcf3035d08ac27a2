"""Keras's benchmark set-up: the adapter's ``keras.optimizers`` plan over ``keras.Variable``
lists (a Layer tree's ``trainable_variables`` for ``structured``), gradients fixed, each step
one ``apply_gradients`` call as a custom training loop makes it, under ``floatx`` = the
case's dtype.  Keras has no autodiff of its own: the gradient benchmark differentiates with
the backend's (torch.autograd on the torch backend; other backends are unsupported).  The
roofline is ``Variable.assign`` of one buffer into another."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# keras as the adapter imports it, once it has chosen the backend (KERAS_BACKEND)
from optconf.adapters.keras import KerasAdapter, _floatx, _numpy, build, keras, ops, plan
from optconf.adapters.protocol import PathName, Unsupported
from optconf.reference.rules.base import Rule

from ..protocol import BenchEngine, PreparedStep, check_via, no_path
from .common import case_arrays, copy_elements, model_tree


def _nbytes(values: Sequence[Any]) -> int:
    return sum(int(np.prod(v.shape)) * np.dtype(keras.backend.standardize_dtype(v.dtype)).itemsize
               for v in values)


class KerasPrepared(PreparedStep):
    """``step`` runs ``run()`` under the case's floatx; ``sync`` reads one element back
    (the backend has finished everything before it); ``params`` are the stepped arrays."""

    def __init__(self, run: Callable[[], None], params: Callable[[], list[Any]], nbytes: int,
                 dtype: str) -> None:
        self.run, self.params, self.nbytes, self.dtype = run, params, nbytes, dtype
        self.device = str(getattr(ops.convert_to_tensor(0.0), "device", "cpu"))
        if keras.backend.backend() == "torch":
            import torch
            self.threads = torch.get_num_threads()
        half = copy_elements(nbytes, np.dtype(dtype).itemsize)
        self.src = keras.Variable(np.ones(half, dtype), dtype=dtype)
        self.dst = keras.Variable(np.zeros(half, dtype), dtype=dtype)

    def step(self) -> None:
        with _floatx(self.dtype):
            self.run()

    def sync(self) -> None:
        _numpy(ops.take(ops.convert_to_tensor(self.dst), [0]))

    def copy(self) -> None:
        self.dst.assign(self.src)

    def parameters(self) -> list[np.ndarray]:
        return [_numpy(p) for p in self.params()]


class KerasBench(BenchEngine):
    def __init__(self) -> None:
        super().__init__(KerasAdapter())

    def prepare_step(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                     path: PathName, dtype: str) -> PreparedStep:
        """``structured``: one optimiser over a Layer tree's ``trainable_variables``;
        ``flat_list``: over the list of Variables; ``per_array``: one optimiser per Variable;
        ``flat_vector``: one Variable."""
        if path not in ("structured", "flat_list", "per_array", "flat_vector"):
            raise no_path("keras", path)
        reason = self.adapter.supports(rule)
        if reason:
            raise Unsupported(reason)
        the_plan = plan(rule)
        arrays, grad_arrays = case_arrays(shapes, dtype)
        if path == "flat_vector":
            arrays = [np.concatenate([a.ravel() for a in arrays])]
            grad_arrays = [np.concatenate([g.ravel() for g in grad_arrays])]
        with _floatx(dtype):
            layer, variables = build(model_tree(arrays), dtype)
            held = layer.trainable_variables if path == "structured" else variables
            grads = [ops.convert_to_tensor(g, dtype=dtype) for g in grad_arrays]
            groups = [[v] for v in held] if path == "per_array" else [held]
            opts = [getattr(keras.optimizers, the_plan.optimiser)(**the_plan.kwargs)
                    for _ in groups]
            for opt, group in zip(opts, groups, strict=True):
                opt.build(group)
        index = {id(v): i for i, v in enumerate(variables)}

        def run() -> None:
            for opt, group in zip(opts, groups, strict=True):
                opt.apply_gradients([(grads[index[id(v)]], v) for v in group])

        nbytes = 2 * _nbytes(variables) + sum(_nbytes(o.variables) for o in opts)
        return KerasPrepared(run, lambda: variables, nbytes, dtype)

    def prepare_gradient(self, shapes: Sequence[tuple[int, ...]], dtype: str,
                         via: str) -> PreparedStep:
        """``torch.autograd.grad`` of ``sum(p * p)`` (written with ``keras.ops``) over the
        Variables' values (plain), over ``layer.trainable_variables`` (trainables) or over one
        flat tensor cut back into the arrays (destructure)."""
        check_via(via)
        if keras.backend.backend() != "torch":
            raise Unsupported("keras has no autodiff of its own; the gradient benchmark uses "
                              f"torch.autograd, not the {keras.backend.backend()} backend's")
        import torch

        arrays, _ = case_arrays(shapes, dtype)
        with _floatx(dtype):
            layer, variables = build(model_tree(arrays), dtype)
        held = layer.trainable_variables if via == "trainables" else variables
        values = [v.value for v in held]
        if via == "destructure":
            values = [torch.cat([v.reshape(-1) for v in values]).detach().requires_grad_(True)]
        ends = np.cumsum([a.size for a in arrays])

        def run() -> None:
            parts = values
            if via == "destructure":
                parts = [values[0][int(end) - a.size:int(end)]
                         for end, a in zip(ends, arrays, strict=True)]
            loss = sum(ops.sum(p * p) for p in parts)
            torch.autograd.grad(loss, values)

        return KerasPrepared(run, lambda: values, 2 * _nbytes(values), dtype)
