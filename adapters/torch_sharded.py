"""torch's distributed update paths (SHARD-1 .. SHARD-4, CONF-13), on 2 gloo ranks on 127.0.0.1:

- ``zero``: ``torch.distributed.optim.ZeroRedundancyOptimizer`` over the module's
  Parameters: each rank keeps the optimiser state of its part of the Parameters, steps it
  and broadcasts the new values;
- ``fsdp``: FSDP2, ``fully_shard`` on every submodule, then the root, on a CPU
  ``DeviceMesh``: each Parameter is a ``DTensor`` sharded on its first dimension, the
  engine's own optimiser steps the shards, clipping runs on the DTensor gradients.

Every rank runs the whole program the way the structured path does (the torch adapter's
``Run``, one optimiser over ``module.parameters()``), with the same gradients: what
data parallelism gives each rank after averaging identical gradients, and on ``fsdp`` the
shard of the gradient each rank holds after the reduce-scatter.  The state comes back
through the engine's checkpoint API, gathered (SHARD-4): ``consolidate_state_dict`` for
ZeRO, ``get_optimizer_state_dict(full_state_dict=True)`` for FSDP2, loaded into one
unsharded optimiser, whose parameters and state are the outcome.  A ``Checkpoint`` op goes
through the same save and load mid-run, into an unsharded optimiser or a fresh sharded one.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any, cast

import torch
import torch.distributed as dist
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_optimizer_state_dict,
    set_optimizer_state_dict,
)
from torch.distributed.fsdp import fully_shard
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.distributed.tensor import DTensor, distribute_tensor

from optconf.reference.grads import per_occurrence

from . import ranks
from .protocol import (
    Checkpoint,
    Op,
    Outcome,
    PathName,
    Program,
    Unsupported,
    frozen_at,
    with_values,
)
from .session import carry_out
from .torch import PutGrads, Run, _optimiser, _tree_grads, held_by

#: Ranks of every distributed case (the smallest world in which anything is sharded).
WORLD = 2
FULL = StateDictOptions(full_state_dict=True)


def _setup(rank: int, world: int, port: int) -> None:
    """A rank's process group: gloo, rendezvous on 127.0.0.1 (CONF-13)."""
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world,
                            timeout=datetime.timedelta(seconds=ranks.TASK_TIMEOUT))


# ------------------------------------------------------------------------ the paths


Optimizer = torch.optim.Optimizer
Load = Callable[[Run, Optimizer, Any], None]


@dataclasses.dataclass(frozen=True)
class Sharding:
    """One distributed path: ``hold`` the run's Parameters in its optimiser (with how
    gradients get in), ``save`` the gathered optimiser state (on every rank), ``load`` a
    saved state into the path's optimiser and ``load_unsharded`` into one plain torch.optim
    optimiser."""

    hold: Callable[[Run], tuple[Optimizer, PutGrads]]
    save: Callable[[Run, Optimizer], Any]
    load: Load
    load_unsharded: Load


def _zero_hold(run: Run) -> tuple[Optimizer, PutGrads]:
    if not run.engine.params:
        raise Unsupported("ZeroRedundancyOptimizer refuses a model without parameters")
    opt = ZeroRedundancyOptimizer(list(run.engine.module.parameters()),
                                  optimizer_class=getattr(torch.optim, run.plan.optimiser),
                                  **run.plan.kwargs)
    return opt, _tree_grads


def _zero_save(_run: Run, opt: Optimizer) -> Any:
    """``consolidate_state_dict`` on rank 0, broadcast to every rank (an unsharded
    optimiser's ``state_dict`` is whole on every rank already)."""
    if not isinstance(opt, ZeroRedundancyOptimizer):
        return opt.state_dict()
    opt.consolidate_state_dict(to=0)
    box = [opt.state_dict() if dist.get_rank() == 0 else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def _fsdp_hold(run: Run) -> tuple[Optimizer, PutGrads]:
    """``fully_shard`` every submodule (innermost first), then the root; the run's
    Parameters become the DTensors FSDP2 registered in their place."""
    if not run.engine.params:
        raise Unsupported("fully_shard of a module without parameters shards nothing")
    if any(p.dim() == 0 for p in run.engine.params):
        raise Unsupported("fully_shard refuses 0-dimensional Parameters (\"fully_shard "
                          "doesn't support scalar parameters\", SHARD-2)")
    module = run.engine.module
    name_of: dict[int, str] = {}
    for name, p in module.named_parameters(remove_duplicate=False):
        name_of.setdefault(id(p), name)
    fully_shard_tree(module)
    run.engine.params = [module.get_parameter(name_of[id(p)]) for p in run.engine.params]
    return _optimiser(run.plan, module.parameters()), _dtensor_grads


def fully_shard_tree(module: torch.nn.Module) -> None:
    """FSDP2 on a CPU mesh of every rank: ``fully_shard`` each submodule that has
    Parameters (innermost first), then the root."""
    mesh = dist.device_mesh.init_device_mesh("cpu", (dist.get_world_size(),))
    for sub in reversed(list(module.modules())[1:]):
        if any(True for _ in sub.parameters()):
            fully_shard(sub, mesh=mesh)
    fully_shard(module, mesh=mesh)


def _dtensor_grads(run: Run, grads: Any) -> None:
    """Each Parameter's gradient summed over its occurrences (TIE-2), then distributed as
    the Parameter is: the shard each rank holds after FSDP2's reduce-scatter of identical
    gradients."""
    full: dict[int, torch.Tensor] = {}
    for occ, g in per_occurrence(run.program.model, grads):
        if g is None or occ.position in run.frozen:
            continue
        t = torch.tensor(g, dtype=run.engine.params[occ.position].dtype)
        full[occ.position] = t if occ.position not in full else full[occ.position] + t
    for position, g in full.items():
        p = cast(DTensor, run.engine.params[position])  # FSDP2's Parameters are DTensors
        p.grad = distribute_tensor(g, p.device_mesh, p.placements)


def _zero_load(_run: Run, opt: Optimizer, saved: Any) -> None:
    opt.load_state_dict(saved)  # ZeRO keeps its rank's part of it


def _fsdp_save(run: Run, opt: Optimizer) -> Any:
    return get_optimizer_state_dict(run.engine.module, opt, options=FULL)


def _fsdp_load(run: Run, opt: Optimizer, saved: Any) -> None:
    set_optimizer_state_dict(run.engine.module, opt, saved, options=FULL)


def _fsdp_load_unsharded(run: Run, opt: Optimizer, saved: Any) -> None:
    """The full state dict, keyed by parameter name, as ``Optimizer.load_state_dict``
    takes it, keyed by position in ``module.parameters()``.  (``set_optimizer_state_dict``
    into a module that is not sharded raises "Expected device to be set".)"""
    names = [name for name, _ in run.engine.module.named_parameters()]
    opt.load_state_dict({
        "state": {i: saved["state"][name] for i, name in enumerate(names)
                  if name in saved["state"]},
        "param_groups": [{**group, "params": [names.index(n) for n in group["params"]
                                              if n in names]}
                         for group in saved["param_groups"]],
    })


PATHS: dict[PathName, Sharding] = {
    "zero": Sharding(_zero_hold, _zero_save, _zero_load, _zero_load),
    "fsdp": Sharding(_fsdp_hold, _fsdp_save, _fsdp_load, _fsdp_load_unsharded),
}


# ------------------------------------------------------------------- one program, one rank


def _segments(ops: tuple[Op, ...], model: Any) -> list[tuple[tuple[Op, ...], str]]:
    """The ops between checkpoints, each with where it runs: sharded (``resharded``)
    first, then where its checkpoint loads into; a run that ends sharded ends with a
    segment without ops that gathers the state into an unsharded optimiser, which gives
    the outcome.  After an unsharded resume the run stays unsharded."""
    for op, frozen in frozen_at(model, ops):
        if isinstance(op, Checkpoint) and frozen:
            raise Unsupported("a checkpoint while parameters are frozen: the frozen set is "
                              "the training loop's, not the optimiser's state")
    segments: list[tuple[tuple[Op, ...], str]] = []
    current: list[Op] = []
    where = "resharded"
    for op in ops:
        if isinstance(op, Checkpoint):
            if where == "unsharded":
                raise Unsupported("a checkpoint after an unsharded resume: the run is no "
                                  "longer sharded")
            segments.append((tuple(current), where))
            current, where = [], op.into
        else:
            current.append(op)
    segments.append((tuple(current), where))
    return segments if where == "unsharded" else [*segments, ((), "unsharded")]


def _full(t: torch.Tensor) -> Any:
    """The whole tensor as NumPy (a DTensor gathered from every rank)."""
    whole = t.full_tensor() if isinstance(t, DTensor) else t
    return whole.detach().cpu().numpy().copy()


def run_rank(rank: int, _world: int, program: Program, path: PathName, dtype: str
             ) -> Outcome | None:
    """The program on this rank through ``path``, its state saved and loaded at each
    checkpoint and at the end; the outcome on rank 0."""
    sharding = PATHS[path]
    model, rule, saved = program.model, program.rule, None
    segments = _segments(program.ops, program.model)
    for i, (ops, where) in enumerate(segments):
        run = Run(Program(model, rule, ops, program.dtype), getattr(torch, dtype),
                  torch.device("cpu"))
        opt, put_grads = (sharding.hold(run) if where == "resharded"
                          else (_optimiser(run.plan, run.engine.module.parameters()),
                                _tree_grads))
        if saved is not None:
            (sharding.load if where == "resharded" else sharding.load_unsharded)(run, opt, saved)
        held = held_by(run, [opt], [(p, None) for p in run.engine.params], put_grads)
        carry_out(run, held)
        if i < len(segments) - 1:
            saved = sharding.save(run, opt)
            model = with_values(model, [_full(p) for p in run.engine.params])
            rule = run.rule
    return held.outcome(run.program) if rank == 0 else None


def run(program: Program, path: PathName, dtype: torch.dtype, device: torch.device
        ) -> Outcome:
    """``program`` through ``path`` on :data:`WORLD` rank processes (the worker's group,
    started once): rank 0's outcome."""
    if device.type != "cpu":
        raise Unsupported(f"the {path} path runs gloo ranks on the CPU, not on {device}; "
                          "docs/SCALING.md says how to run it with NCCL")
    group = ranks.group("torch", WORLD, _setup)
    outcome = group.run(run_rank, program, path, str(dtype).removeprefix("torch."))[0]
    assert isinstance(outcome, Outcome)
    return outcome
