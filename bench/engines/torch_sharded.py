"""torch's distributed steps timed (issue 13): ``zero`` (``ZeroRedundancyOptimizer``) and
``fsdp`` (FSDP2 ``fully_shard``) on 1 or 2 gloo rank processes on 127.0.0.1, the same
ranks the conformance paths use (``optconf.adapters.torch_sharded``).

Each rank builds the case from the same seeded arrays, holds what the path gives it (ZeRO:
every Parameter and gradient, the optimiser state of its part; FSDP2: a shard of each) and
keeps it between tasks.  ``step()`` posts one optimiser step to every rank and returns;
``sync()`` waits for every posted step, so the sweep's time per step holds the dispatch to
the ranks and the slowest rank, as a GPU launch would.  Each rank also times its own steps,
and counts the bytes of the tensors it hands to collectives in one extra step after the
timing (a dispatch mode that sees every c10d op would slow the timed steps).  The ranks
share the machine's cores: each runs ``cores // ranks`` intra-op threads, as ``torchrun``
users set ``OMP_NUM_THREADS``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.distributed.tensor import DTensor, distribute_tensor
from torch.utils._python_dispatch import TorchDispatchMode

from optconf.adapters import ranks
from optconf.adapters.protocol import PathName, Unsupported
from optconf.adapters.torch import build, plan
from optconf.adapters.torch_sharded import _setup, fully_shard_tree
from optconf.reference.rules.base import Rule

from ..protocol import RankReport
from .common import PostedStep, RankTasks, case_arrays, copy_elements, model_tree

PATHS = ("zero", "fsdp")
#: Seconds one task may take on the ranks (preparing 2e7 parameters included).
TASK_TIMEOUT = 300.0
#: The case a rank holds between tasks (one per rank process).
_HELD: dict[str, Any] = {}


# ---------------------------------------------------------------------- on each rank


def _local(t: torch.Tensor) -> torch.Tensor:
    return t.to_local() if isinstance(t, DTensor) else t


def _bytes(tensors: Sequence[Any]) -> int:
    return sum(_local(t).numel() * t.element_size() for t in tensors
               if isinstance(t, torch.Tensor))


def _optimiser(rule: Rule, path: PathName, module: torch.nn.Module
               ) -> tuple[torch.optim.Optimizer, dict[Any, Any]]:
    """The path's optimiser over ``module``'s Parameters, and the state dict it fills."""
    the_plan = plan(rule)
    if the_plan.clips:
        raise Unsupported("the benchmark times optimiser steps; clipping is not one")
    cls = getattr(torch.optim, the_plan.optimiser)
    if path == "zero":
        zero = ZeroRedundancyOptimizer(list(module.parameters()), optimizer_class=cls,
                                       **the_plan.kwargs)
        return zero, zero.optim.state  # this rank's part of the state
    opt = cls(module.parameters(), **the_plan.kwargs)
    return opt, opt.state


def _prepare(rank: int, world: int, shapes: list[tuple[int, ...]], rule: Rule,
             path: PathName, dtype: str) -> int:
    """Build the case on this rank; its bytes of parameters, gradients and state on this
    rank.  torch.optim creates state at the first step, so take one, count, then put the
    parameters back and drop the state: the case starts from step 0 like every other."""
    _HELD.clear()
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    arrays, grads = case_arrays(shapes, dtype)
    module = build(model_tree(arrays), getattr(torch, dtype), torch.device("cpu")).module
    if path == "fsdp":
        fully_shard_tree(module)
    params = list(module.parameters())
    for p, g in zip(params, grads, strict=True):
        full = torch.from_numpy(g)
        p.grad = (distribute_tensor(full, p.device_mesh, p.placements)
                  if isinstance(p, DTensor) else full)
    opt, state = _optimiser(rule, path, module)
    before = [_local(p).detach().clone() for p in params]
    opt.step()
    nbytes = 2 * _bytes(params) + _bytes([t for s in state.values() for t in s.values()])
    with torch.no_grad():
        for p, b in zip(params, before, strict=True):
            _local(p).copy_(b)
    state.clear()
    half = copy_elements(nbytes, params[0].element_size())
    _HELD.update(opt=opt, params=params, times=[],
                 src=torch.ones(half, dtype=params[0].dtype),
                 dst=torch.zeros(half, dtype=params[0].dtype))
    return nbytes


def _step(_rank: int, _world: int) -> None:
    start = time.perf_counter()
    _HELD["opt"].step()
    _HELD["times"].append(time.perf_counter() - start)


def _copy(_rank: int, _world: int) -> None:
    _HELD["dst"].copy_(_HELD["src"])


def _parameters(rank: int, _world: int) -> list[np.ndarray] | None:
    """The whole Parameters on rank 0 (each gathered from every rank's shard)."""
    whole = [p.full_tensor() if isinstance(p, DTensor) else p
             for p in (q.detach() for q in _HELD["params"])]
    return [w.numpy().copy() for w in whole] if rank == 0 else None


class _CollectiveBytes(TorchDispatchMode):
    """Adds up the bytes of the tensors passed to every collective (c10d and functional)."""

    NAMESPACES = frozenset({"c10d", "_c10d_functional", "c10d_functional"})

    def __init__(self) -> None:
        super().__init__()
        self.nbytes = 0

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        if func.namespace in self.NAMESPACES and args:
            self.nbytes += _bytes(args[0] if isinstance(args[0], list | tuple) else [args[0]])
        return func(*args, **(kwargs or {}))


def _report(_rank: int, _world: int) -> tuple[float, int]:
    """This rank's median step so far, and the collective bytes of one more step."""
    median = statistics.median(_HELD["times"])
    with _CollectiveBytes() as counted:
        _HELD["opt"].step()
    return median, counted.nbytes


def _release(_rank: int, _world: int) -> None:
    _HELD.clear()


# ---------------------------------------------------------------------- in the sweep


class RankedStep(PostedStep):
    """A case held on a group of gloo rank processes."""

    tasks = RankTasks(_step, _copy, _parameters, _release)

    def __init__(self, group: ranks.Ranks, nbytes: int) -> None:
        super().__init__(group, nbytes)
        self.device = "cpu"
        self.threads = (os.cpu_count() or 1) // group.world * group.world

    def rank_report(self) -> RankReport:
        answers = self.group.run(_report)
        return RankReport(tuple(s for s, _ in answers), tuple(b for _, b in answers))


def prepare(shapes: Sequence[tuple[int, ...]], rule: Rule, path: PathName, dtype: str,
            world: int) -> RankedStep:
    """The case of ``shapes`` on ``world`` gloo ranks (a group per world, started once per
    bench worker and reused)."""
    if path not in PATHS:
        raise Unsupported(f"torch has no distributed path {path!r}; it has {', '.join(PATHS)}")
    group = ranks.group(f"torch-bench-{world}", world, _setup, timeout=TASK_TIMEOUT)
    nbytes = sum(group.run(_prepare, list(shapes), rule, path, dtype))
    return RankedStep(group, nbytes)
