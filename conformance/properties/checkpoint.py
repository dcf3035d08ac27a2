"""Checkpoints on one device: the optimiser state saved the engine's own way mid-run and
loaded into fresh optimisers over the same parameters resumes the engine's own
uninterrupted run exactly, on every update path (STATE-8).  Compared with the engine's run
of the same program without the checkpoint, not with the reference, so that a difference
is the checkpoint's and no other deviation of the rule or path shows here.  SHARD-4 is the
same clause for sharded state (``sharded.checkpoint_resumes``)."""

from __future__ import annotations

from typing import Any

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
from optconf.reference.collect import trainables_with_paths
from optconf.reference.tree import path_str

from ..asserts import Context, assert_close, assert_equal, assert_structure, assert_ties, fail
from ..profiles import Profile
from ..strategies import checkpointed, programs
from .common import context, drawing, dtypes, explore, faithful_rules, probe
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
    """``saved`` (``plain`` with a Checkpoint) through ``path`` equals ``plain`` through it
    bit for bit, parameters, state and ties: the same engine, path and inputs.  Nothing is
    compared with the reference (the rule's and path's own deviations are not this
    clause's)."""
    try:
        uninterrupted = adapter.run(plain, path)
    except Exception:  # refused, or another property's deviation (TG14's IndexError, say)
        reject()  # either way no trajectory to resume
    if not _finite(uninterrupted):
        reject()  # NaN is another property's deviation, and no value to resume to
    ctx = context(adapter, saved, path)
    try:
        resumed = adapter.run(saved, path)
    except Unsupported:
        raise  # the adapter cannot checkpoint here: a refusal, not a failure
    except Exception as exc:  # the same program ran without the checkpoint
        first = (str(exc).strip() or "(no message)").splitlines()[0]
        fail(f"the run with a checkpoint raised {type(exc).__name__}: {first}, but should "
             "resume as the run without it does", clause="STATE-8", ctx=ctx)
    assert_structure(resumed.model, uninterrupted.model, clause="STATE-8",
                     carried_clause="STATE-8", ctx=ctx)
    assert_ties(resumed.model, uninterrupted.model, clause="STATE-8", ctx=ctx)
    labels = [path_str(place) for place, _ in trainables_with_paths(plain.model)]
    for label, got, want in zip(labels, trainables(resumed.model),
                                trainables(uninterrupted.model), strict=True):
        _same(label, got, want, ctx)
    for label, got_state, want_state in zip(labels, resumed.states, uninterrupted.states,
                                            strict=True):
        if (got_state is None) != (want_state is None):
            fail(f"state[{label}]={got_state!r}, but should be {want_state!r}",
                 clause="STATE-8", ctx=ctx)
        for key, value in (want_state or {}).items():
            if key not in (got_state or {}):
                fail(f"state[{label}].{key} is missing, but should be {value!r}",
                     clause="STATE-8", ctx=ctx)
            _same(f"state[{label}].{key}", (got_state or {})[key], value, ctx)


def _same(label: str, got: Any, want: Any, ctx: Context) -> None:
    """Arrays bit for bit in the same dtype; anything else (counts, beta powers) equal."""
    if isinstance(want, np.ndarray):
        assert_close(label, got, want, allowed=0.0, clause="STATE-8", ctx=ctx,
                     dtype=str(want.dtype))
    else:
        assert_equal(label, got, want, clause="STATE-8", ctx=ctx)


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
