"""tinygrad's benchmark set-up: the adapter's ``nn.optim`` plan on ``Device.DEFAULT`` (set
with ``DEV``), gradients already in ``.grad``, the step wrapped in ``TinyJit`` as tinygrad
trains (without it each step re-schedules its kernels in Python, ~10x slower on CPU), and a
jitted copy kernel as the roofline.  ``TinyJit`` captures on its second call, so the
benchmark's warm-up steps compile and capture before anything is timed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from optconf.adapters.protocol import PathName
from optconf.adapters.tinygrad import EngineModel, TinygradAdapter, plan
from optconf.reference.rules.base import Rule

from ..protocol import BenchEngine, PreparedStep, check_via, no_path
from .common import case_arrays, copy_elements, model_tree


class TinygradPrepared(PreparedStep):
    def __init__(self, engine: Any, run: Callable[[], Any], params: list[Any],
                 nbytes: int) -> None:
        from tinygrad import TinyJit
        from tinygrad.helpers import NUM_CPU_THREADS

        self.engine, self.params, self.nbytes = engine, params, nbytes
        self.device = engine.device
        self.threads = NUM_CPU_THREADS.value if engine.device.startswith("CPU") else None
        self.run = TinyJit(run)
        half = copy_elements(nbytes, params[0].dtype.itemsize)
        self.src = engine.Tensor.ones(half, dtype=params[0].dtype).contiguous().realize()
        self.dst = engine.Tensor.zeros(half, dtype=params[0].dtype).contiguous().realize()
        self.copier = TinyJit(lambda: self.dst.assign(self.src + 0).realize())

    def step(self) -> None:
        with self.engine.Context(TRAINING=1):
            self.run()

    def sync(self) -> None:
        self.engine.tinygrad.Device[self.engine.device].synchronize()

    def copy(self) -> None:
        self.copier()

    def parameters(self) -> list[np.ndarray]:
        return [p.numpy().copy() for p in self.params]


def _nbytes(tensors: Sequence[Any]) -> int:
    return sum(t.numel() * t.dtype.itemsize for t in tensors)


def _state(opt: Any) -> list[Any]:
    """The optimiser's per-element state buffers (LAMB's m and v, SGD's momentum b)."""
    return [*getattr(opt, "m", []), *getattr(opt, "v", []), *getattr(opt, "b", [])]


class TinygradBench(BenchEngine):
    adapter: TinygradAdapter

    def __init__(self) -> None:
        super().__init__(TinygradAdapter())

    def prepare_step(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                     path: PathName, dtype: str) -> PreparedStep:
        """``structured``: one optimiser over ``get_parameters`` of the model tree;
        ``flat_list``: over the list; ``fused``: ``fused=True`` over it; ``per_array``: one
        optimiser per Tensor, stepped one after another; ``flat_vector``: one Tensor."""
        if path not in ("structured", "flat_list", "per_array", "fused", "flat_vector"):
            raise no_path("tinygrad", path)
        the_plan = plan(rule)
        engine = self.adapter.engine
        tdtype = engine.dtype(dtype)
        arrays, grad_arrays = case_arrays(shapes, dtype)
        if path == "flat_vector":
            arrays = [np.concatenate([a.ravel() for a in arrays])]
            grad_arrays = [np.concatenate([g.ravel() for g in grad_arrays])]
        built = EngineModel(engine, model_tree(arrays), tdtype)
        params = built.tensors
        for t, g in zip(params, grad_arrays, strict=True):
            t.grad = engine.tensor(g, tdtype, param=False)
        if path == "per_array":
            opts = [engine.optimizer(the_plan, [t]) for t in params]
        elif path == "structured":
            opts = [engine.optimizer(the_plan, engine.state.get_parameters(built.tree))]
        else:
            opts = [engine.optimizer(the_plan, params, fused=path == "fused")]

        def run() -> None:
            for opt in opts:
                opt.step()

        state = [t for opt in opts for t in _state(opt)]
        nbytes = 2 * _nbytes(params) + _nbytes(state)
        return TinygradPrepared(engine, run, params, nbytes)

    def prepare_gradient(self, shapes: Sequence[tuple[int, ...]], dtype: str,
                         via: str) -> PreparedStep:
        """``backward()`` of ``sum(p * p)`` over the Tensors (plain and trainables: tinygrad
        collects with ``get_parameters``, which returns those same Tensors), or over slices of
        one flat Tensor (destructure), jitted."""
        check_via(via)
        engine = self.adapter.engine
        tdtype = engine.dtype(dtype)
        arrays, _ = case_arrays(shapes, dtype)
        built = EngineModel(engine, model_tree(arrays), tdtype)
        if via == "trainables":
            params = engine.state.get_parameters(built.tree)
        elif via == "destructure":
            flat = engine.tensor(np.concatenate([a.ravel() for a in arrays]), tdtype)
            params = [flat]
        else:
            params = built.tensors

        def pieces() -> list[Any]:
            if via != "destructure":
                return params
            out, offset = [], 0
            for t in built.tensors:
                out.append(flat[offset:offset + t.numel()].reshape(t.shape))
                offset += t.numel()
            return out

        def run() -> Any:
            for p in params:
                p.grad = None
            loss = sum((x * x).sum() for x in pieces())
            loss.backward()
            return engine.Tensor.realize(*[p.grad for p in params])

        return TinygradPrepared(engine, run, params, 2 * _nbytes(params))
