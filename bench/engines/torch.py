"""PyTorch's benchmark set-up: ``torch.optim`` on the adapter's device through every path
the adapter runs, gradients already in ``.grad``, and ``Tensor.copy_`` as the roofline (the
same intra-op threads as the step; a device copy on CUDA)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parameters_to_vector

from optconf.adapters.protocol import PathName, Unsupported
from optconf.adapters.torch import DEVICE_VARIABLE, FUSED, TorchAdapter, build, plan
from optconf.reference.rules.base import Rule

from ..protocol import BenchEngine, PreparedStep, check_via, no_path
from .common import case_arrays, copy_elements, model_tree


def bench_device(adapter: TorchAdapter) -> torch.device:
    """The adapter's device, except that with ``OPTCONF_TORCH_DEVICE`` unset a CUDA GPU is
    used when there is one, so ``optconf bench`` is the same command on a GPU machine."""
    if DEVICE_VARIABLE not in os.environ and torch.cuda.is_available():
        return torch.device("cuda")
    return adapter.device


def _tensor(a: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a)).to(device)


class TorchPrepared(PreparedStep):
    def __init__(self, run: Callable[[], Any], params: list[torch.Tensor], nbytes: int,
                 device: torch.device) -> None:
        self.run, self.params, self.nbytes, self.on = run, params, nbytes, device
        self.device = str(device)
        self.threads = torch.get_num_threads() if device.type == "cpu" else None
        half = copy_elements(nbytes, params[0].element_size())
        self.src = torch.ones(half, dtype=params[0].dtype, device=device)
        self.dst = torch.zeros(half, dtype=params[0].dtype, device=device)

    def step(self) -> None:
        self.run()

    def sync(self) -> None:
        if self.on.type == "cuda":
            torch.cuda.synchronize(self.on)

    def copy(self) -> None:
        self.dst.copy_(self.src)

    def parameters(self) -> list[np.ndarray]:
        return [p.detach().cpu().numpy().copy() for p in self.params]

    def device_memory(self) -> int | None:
        if self.on.type != "cuda":
            return None
        return int(torch.cuda.max_memory_allocated(self.on))


def _nbytes(tensors: Sequence[Any]) -> int:
    return sum(t.numel() * t.element_size() for t in tensors if isinstance(t, torch.Tensor))


def _optimisers(rule: Rule, path: PathName, params: list[nn.Parameter],
                module: nn.Module | None) -> list[torch.optim.Optimizer]:
    the_plan = plan(rule)
    if the_plan.clips:
        raise Unsupported("the benchmark times optimiser steps; clipping is not one")
    cls, kwargs = getattr(torch.optim, the_plan.optimiser), dict(the_plan.kwargs)
    if path in ("foreach", "fused"):
        if path == "fused" and the_plan.optimiser not in FUSED:
            raise Unsupported(f"torch.optim.{the_plan.optimiser} has no fused implementation")
        kwargs[path] = True
    if path == "per_array":
        return [cls([p], **kwargs) for p in params]
    return [cls(module.parameters() if module is not None else params, **kwargs)]


def _working_set(run: Callable[[], None], params: list[nn.Parameter],
                 opts: list[torch.optim.Optimizer]) -> int:
    """Bytes of parameters, gradients and state.  torch.optim creates state at the first
    step, so take one, count, then put the parameters back and drop the state: the
    prepared step starts from step 0 like every other engine's."""
    before = [p.detach().clone() for p in params]
    run()
    state = [t for opt in opts for s in opt.state.values() for t in s.values()]
    nbytes = 2 * _nbytes(params) + _nbytes(state)
    with torch.no_grad():
        for p, b in zip(params, before, strict=True):
            p.copy_(b)
    for opt in opts:
        opt.state.clear()
    return nbytes


class TorchBench(BenchEngine):
    adapter: TorchAdapter

    def __init__(self) -> None:
        super().__init__(TorchAdapter())

    def prepare_step(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                     path: PathName, dtype: str) -> PreparedStep:
        """``structured``: the adapter's module tree, ``optimiser(module.parameters())`` with
        torch's default implementation; ``flat_list``: the same over a list; ``per_array``:
        one optimiser per Parameter; ``flat_vector``: one Parameter; ``foreach`` / ``fused``:
        those implementations over the list."""
        device = bench_device(self.adapter)
        if path not in ("structured", "flat_list", "per_array", "flat_vector", "foreach", "fused"):
            raise no_path("torch", path)
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        arrays, grad_arrays = case_arrays(shapes, dtype)
        module = None
        if path == "structured":
            module = build(model_tree(arrays), getattr(torch, dtype), device).module
            params = list(module.parameters())
        elif path == "flat_vector":
            params = [nn.Parameter(_tensor(np.concatenate([a.ravel() for a in arrays]), device))]
            grad_arrays = [np.concatenate([g.ravel() for g in grad_arrays])]
        else:
            params = [nn.Parameter(_tensor(a, device)) for a in arrays]
        for p, g in zip(params, grad_arrays, strict=True):
            p.grad = _tensor(g, device).view_as(p)
        opts = _optimisers(rule, path, params, module)

        def run() -> None:
            for opt in opts:
                opt.step()

        return TorchPrepared(run, list(params), _working_set(run, params, opts), device)

    def prepare_sharded(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                        path: PathName, dtype: str, ranks: int) -> PreparedStep:
        """``zero`` and ``fsdp`` on ``ranks`` gloo rank processes (:mod:`.torch_sharded`);
        on the CPU only, as the conformance paths."""
        if bench_device(self.adapter).type != "cpu":
            raise Unsupported("the distributed paths run gloo ranks on the CPU; "
                              "docs/SCALING.md says how to run them with NCCL")
        from . import torch_sharded  # torch.distributed's imports only for these cases

        return torch_sharded.prepare(shapes, rule, path, dtype, ranks)

    def prepare_gradient(self, shapes: Sequence[tuple[int, ...]], dtype: str,
                         via: str) -> PreparedStep:
        """autograd of ``sum(p * p)``: over a list of leaf tensors (plain), over
        ``list(module.parameters())`` of the adapter's module tree (trainables), or over views
        of ``parameters_to_vector`` of them (destructure), as the adapter's gradient does."""
        check_via(via)
        device = bench_device(self.adapter)
        arrays, _ = case_arrays(shapes, dtype)
        if via == "plain":
            params = [_tensor(a, device).requires_grad_(True) for a in arrays]
        else:
            params = list(build(model_tree(arrays), getattr(torch, dtype), device).module
                          .parameters())

        def loss(xs: Sequence[torch.Tensor]) -> torch.Tensor:
            return torch.stack([torch.sum(x * x) for x in xs]).sum()

        def run() -> Any:
            if via != "destructure":
                return torch.autograd.grad(loss(params), params)
            flat = parameters_to_vector(params).detach().requires_grad_(True)
            pieces = torch.split(flat, [p.numel() for p in params])
            return torch.autograd.grad(loss([x.view_as(p) for x, p in zip(pieces, params,
                                                                            strict=True)]), flat)

        return TorchPrepared(run, params, 2 * _nbytes(params), device)
