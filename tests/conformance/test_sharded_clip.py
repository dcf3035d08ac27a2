"""SHARD-3 can fail: a distributed path that clips each rank's shards by their own norm (a
norm never summed over the ranks) is caught, and its draws make the clip act."""

from __future__ import annotations

import numpy as np
import pytest

from optconf.adapters.protocol import Outcome, PathName, Program, Step
from optconf.adapters.reference import ReferenceAdapter
from optconf.conformance.cases import CaseId
from optconf.conformance.deviation import Deviation
from optconf.conformance.profiles import PROFILES
from optconf.conformance.properties.sharded import check_global_norm_over_shards
from optconf.conformance.strategies import tally
from optconf.reference.rules import OptimiserChain

RANKS = 2
CASE = CaseId("reference", "sharded.global_norm_over_shards", path="fsdp")


def per_shard_clipped(program: Program) -> Program:
    """``program`` with its leading ClipGlobalNorm applied by each rank to its own shards
    (each array cut on its first dimension), by the norm of those shards alone."""
    clip, *rest = program.rule.rules
    ops = []
    for op in program.ops:
        chunks = {k: np.array_split(g, RANKS) for k, g in op.grads.items()}
        norms = [np.sqrt(sum(float(np.sum(c[r] ** 2)) for c in chunks.values()))
                 for r in range(RANKS)]
        scale = [min(1.0, clip.omega / n) if n else 1.0 for n in norms]
        ops.append(Step({k: np.concatenate([c[r] * scale[r] for r in range(RANKS)])
                         for k, c in chunks.items()}))
    return Program(program.model, OptimiserChain(*rest), tuple(ops), program.dtype)


class Sharded(ReferenceAdapter):
    """The reference with an ``fsdp`` path: the structured run, or with ``per_shard`` the
    run of :func:`per_shard_clipped`."""

    def __init__(self, per_shard: bool) -> None:
        self.per_shard = per_shard

    def run(self, program: Program, path: PathName) -> Outcome:
        if path != "fsdp":
            return super().run(program, path)
        return super().run(per_shard_clipped(program) if self.per_shard else program,
                           "structured")


def test_a_clip_by_each_rank_s_own_norm_fails_shard_3():
    with pytest.raises(Deviation) as caught:
        check_global_norm_over_shards(Sharded(per_shard=True), PROFILES["ci"], 1, CASE)
    assert caught.value.clause == "SHARD-3"


def test_a_clip_by_the_norm_over_every_shard_passes_and_acts():
    with tally() as drawn:
        check_global_norm_over_shards(Sharded(per_shard=False), PROFILES["ci"], 1, CASE)
    assert drawn.frequencies()["gradients: norm above omega"] >= 0.5
    assert "programs: zero gradient" not in drawn.frequencies()
