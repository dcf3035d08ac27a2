"""Checkpoints on one device: the optimiser state saved the engine's own way mid-run and
loaded into fresh optimisers over the same parameters resumes the engine's own
uninterrupted run exactly, on every update path (STATE-8).  Compared with the engine's run
of the same program without the checkpoint, not with the reference, so that a difference
is the checkpoint's and no other deviation of the rule or path shows here.  SHARD-4 is the
same clause for sharded state (``sharded.checkpoint_resumes``)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from optconf.adapters.protocol import (
    Adapter,
    Checkpoint,
    Outcome,
    PathName,
    Program,
    Step,
    Unsupported,
    trainables,
)

from ..asserts import fail
from ..profiles import Profile
from ..strategies import checkpointed, programs
from ..tolerance import Bound
from .common import (
    Clauses,
    assert_outcome,
    context,
    drawing,
    dtypes,
    expected,
    explore,
    faithful_rules,
    probe,
)
from .registry import CaseId, prop

#: Rules with state of every kind: a velocity, bias-corrected moments with their step
#: count (whose loss restarts the correction), a running maximum, an accumulation, and
#: chains of them.
RULES = ("Momentum", "Adam", "AMSGrad", "AdaGrad", "RMSProp", "AccumGrad", "OptimiserChain")


def _programs(adapter: Adapter, profile: Profile, path: PathName
              ) -> st.SearchStrategy[tuple[Program, Program]]:
    rules = faithful_rules(adapter, RULES, path)[1]
    freeze = "freeze" in adapter.info().capabilities_on(path)
    plain = st.tuples(dtypes(adapter), rules).flatmap(lambda dr: programs(
        dr[1], dtype=dr[0], steps=profile.steps, freeze=freeze, whole=path == "flat_vector",
        adjust="adjust" in adapter.info().capabilities_on(path), **drawing(adapter, path)))
    return plain.flatmap(lambda program: st.tuples(st.just(program), checkpointed(program)))


def _resumes(adapter: Adapter, path: PathName, plain: Program, saved: Program) -> None:
    """``saved`` (``plain`` with a Checkpoint) through ``path`` equals ``plain`` through it,
    bit for bit: the same engine, path and inputs."""
    try:
        uninterrupted = adapter.run(plain, path)
    except Unsupported:
        reject()  # a program the path cannot run: no trajectory to resume
    if not _finite(uninterrupted):
        reject()  # NaN is another property's deviation, and no value to resume to
    want = dataclasses.replace(expected(plain), outcome=uninterrupted)
    steps = sum(isinstance(op, Step) for op in plain.ops)
    ctx = context(adapter, saved, path)
    try:
        resumed = adapter.run(saved, path)
    except Unsupported:
        raise  # the adapter cannot checkpoint here: a refusal, not a failure
    except Exception as exc:  # the same program ran without the checkpoint
        first = (str(exc).strip() or "(no message)").splitlines()[0]
        fail(f"the run with a checkpoint raised {type(exc).__name__}: {first}, but should "
             "resume as the run without it does", clause="STATE-8", ctx=ctx)
    assert_outcome(resumed, want, program=plain,
                   bound=Bound(plain.dtype, plain.rule, steps, is_exact=True),
                   ctx=ctx, clauses=Clauses("STATE-8"))


def _finite(outcome: Outcome) -> bool:
    """Whether every parameter and state array of ``outcome`` is free of NaN."""
    arrays = [*trainables(outcome.model),
              *(v for state in outcome.states if state for v in state.values()
                if isinstance(v, np.ndarray))]
    return not any(np.isnan(a.astype(np.float64)).any() for a in arrays)


@prop("STATE-8", requires=("checkpoint",), axes=("path",))
def check_checkpoint_resumes(adapter: Adapter, profile: Profile, seed: int,
                             case: CaseId) -> None:
    """Steps (and freezing and adjustments, where the path has them), a Checkpoint (the
    state saved the engine's way and fresh optimisers loaded from it), more steps:
    parameters and state are exactly those of the same run without the Checkpoint."""
    assert case.path is not None
    path = case.path
    default = faithful_rules(adapter, RULES, path)[0]
    probe(adapter, path, default, Step({"w": np.ones(2), "v": np.ones(1)}), Checkpoint())
    explore(_programs(adapter, profile, path), lambda pair: _resumes(adapter, path, *pair),
            profile, seed)
