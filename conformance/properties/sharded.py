"""Distributed paths: a sharded step is the engine's structured step, and a checkpoint is
the structured state (SHARD-1 .. SHARD-4).  Each property compares a distributed path with
the same engine's ``structured`` path, whose own conformance the FLAT, TIE, FRZ and UPD
clauses check against the reference: a difference here is the sharding's alone, not a
formula difference of the engine already declared there.  The cases run on rank processes
(CONF-13); each case draws :data:`SHARE` of its profile's examples."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from optconf.adapters.protocol import (
    Adapter,
    Outcome,
    PathName,
    Program,
    Step,
    Unsupported,
)
from optconf.adapters.ranks import RankFailure
from optconf.reference.grads import summed
from optconf.reference.rules import ClipGlobalNorm, Descent, OptimiserChain, WeightDecay
from optconf.reference.rules.base import Rule

from .. import catalog
from ..asserts import Context, fail
from ..cases import CaseId, in_declared_variants, natural_rule
from ..deviation import Deviation
from ..profiles import Profile
from ..strategies import checkpointed, programs, record
from .common import (
    Clauses,
    assert_outcome,
    bound_for,
    comparable,
    context,
    dtypes,
    expected,
    explore,
    model_drawing,
    rule_for,
    sign_stable,
)
from .registry import prop

#: Examples per case, as a share of the profile's: distributed cases cost a round trip to
#: the ranks and a sharded set-up each (ci: 2 examples).
SHARE = 6


def same_as_structured(adapter: Adapter, program: Program, path: PathName, clause: str, *,
                       against: Program | None = None) -> None:
    """``program`` through the distributed ``path`` equals ``against`` (default: the
    same program) through the engine's structured path, parameters and state, within the
    path's tolerance at the reference's magnitudes.  Where the structured path runs, an
    exception of the distributed one is a failure of ``clause`` (the sharded step is the
    structured step), with the counterexample that raised it; a rank that crashed or hung
    stays a crash or timeout (CONF-13)."""
    plain = against or program
    ctx = context(adapter, program, path)
    try:
        want = dataclasses.replace(expected(plain), outcome=adapter.run(plain, "structured"))
        got = distributed_run(adapter, program, path, clause, ctx)
    except Unsupported:
        reject()  # this model or program is one the engine cannot express, not the rule
    assert_outcome(got, want, program=plain, bound=bound_for(adapter, plain, path),
                   ctx=ctx, clauses=Clauses(clause))


def distributed_run(adapter: Adapter, program: Program, path: PathName, clause: str,
                    ctx: Context) -> Outcome:
    """``program`` through ``path``; an engine's exception (raised on a rank) fails
    ``clause``: the structured path ran this program."""
    try:
        return adapter.run(program, path)
    except (Unsupported, RankFailure, Deviation):
        raise
    except Exception as exc:
        first = (str(exc).strip() or "(no message)").splitlines()[0]
        fail(f"the {path} path raised {type(exc).__name__}: {first}, but should run as the "
             "structured path does", clause=clause, ctx=ctx)


def every_rule(adapter: Adapter) -> st.SearchStrategy[Rule]:
    """Rules of every class the adapter runs, in the variants it declares (RULE-5)."""
    info = adapter.info()
    names = [name for name in catalog.HYPERPARAMETERS
             if adapter.supports(natural_rule(info, name)) is None]
    if not names:
        raise Unsupported("the adapter runs no rule of the catalogue")
    return st.sampled_from(names).flatmap(
        lambda name: catalog.rules(name, variant=info.variants.get(name))).filter(
        lambda rule: adapter.supports(rule) is None)


@prop("SHARD-1", axes=("distributed",))
def check_matches_structured(adapter: Adapter, profile: Profile, seed: int,
                             case: CaseId) -> None:
    """Rules of every class the adapter runs (one case per path, the class drawn), over
    ``profile.steps`` steps of whole gradients with hyperparameters adjusted on the way:
    the gathered parameters and state are the structured path's."""
    assert case.path is not None
    path = case.path

    def draw(dtype_rule: tuple[str, Rule]) -> st.SearchStrategy[Program]:
        dtype, rule = dtype_rule
        return programs(rule, dtype=dtype, steps=profile.steps, whole=True, none=False,
                        freeze=False, adjust=True, **model_drawing(adapter),
                        sign_stable=sign_stable(adapter, dtype, rule, path))

    strategy = st.tuples(dtypes(adapter), every_rule(adapter)).filter(
        lambda dr: comparable(adapter, dr[0], dr[1], path)).flatmap(draw)
    explore(strategy, lambda program: same_as_structured(adapter, program, path, "SHARD-1"),
            profile, seed, share=SHARE)


@prop("SHARD-2", axes=("distributed",))
def check_ties_frozen_missing(adapter: Adapter, profile: Profile, seed: int,
                              case: CaseId) -> None:
    """Adam (the engine's variant) on models with ties, frozen parts and parameters without
    a gradient, as far as the engine declares them (``shared``, ``freeze``,
    ``none_grad``): the structured path's parameters and state."""
    assert case.path is not None
    path = case.path
    info = adapter.info()  # the structured run it is compared with must express them too
    capabilities = info.capabilities_on(path) & info.capabilities_on("structured")
    _, rules = rule_for(adapter, "Adam")
    strategy = st.tuples(dtypes(adapter), rules).flatmap(lambda dr: programs(
        dr[1], dtype=dr[0], steps=profile.steps, none="none_grad" in capabilities,
        freeze="freeze" in capabilities, adjust=False, **model_drawing(adapter)))
    explore(strategy, lambda program: same_as_structured(adapter, program, path, "SHARD-2"),
            profile, seed, share=SHARE)


@st.composite
def uneven_models(draw: st.DrawFn) -> dict[str, np.ndarray]:
    """Arrays whose every dimension is odd, so that no array divides by an even number of
    ranks: shards are uneven (torch pads them) or the array is replicated (JAX).  Sizes
    shrink towards 3, so that even the simplest model has a part on each of 2 ranks."""
    shapes = draw(st.lists(st.lists(st.sampled_from([3, 5, 7, 1]), min_size=1, max_size=2),
                           min_size=1, max_size=4))
    values = st.floats(-2, 2, allow_nan=False, width=32)
    return {f"p{i}": np.asarray(draw(st.lists(values, min_size=int(np.prod(s)),
                                              max_size=int(np.prod(s)))),
                                np.float64).reshape(s)
            for i, s in enumerate(shapes)}


#: Omega of SHARD-3's clip: every gradient element is at least 0.25 in magnitude, so the
#: norm over the shards, and over any one rank's nonempty shards, is above it.
OMEGA = 0.2

#: What a drawn SHARD-3 program must have for the clip to be checked at all.
CLIP_FEATURES = {"norm above omega": "CLIPGLOBALNORM-2: the clip scales the gradient"}


def clip_acts(program: Program, omega: float) -> bool:
    """Whether some step's gradient has a global L2 norm above ``omega`` (the clip scales
    it; at or below omega a per-shard norm clips nothing either)."""
    return any(op.grads is not None and np.sqrt(sum(
        float(np.sum(np.square(g))) for g in summed(program.model, op.grads, form="tree")
        if g is not None)) > omega for op in program.ops if isinstance(op, Step))


def noting_the_clip(program: Program) -> Program:
    record("gradients", set(CLIP_FEATURES),
           set(CLIP_FEATURES) if clip_acts(program, OMEGA) else set())
    return program


@prop("SHARD-3", "CLIPGLOBALNORM-2", axes=("distributed",))
def check_global_norm_over_shards(adapter: Adapter, profile: Profile, seed: int,
                                  case: CaseId) -> None:
    """ClipGlobalNorm, then WeightDecay, then Descent, on arrays whose sizes do not divide
    by the number of ranks, with gradients of magnitude 0.25 to 2 in every element, so that
    the clip acts (``gradients: norm above omega``): the norm is over every shard of every
    array, once, and no padding enters the norm or the decay."""
    assert case.path is not None
    path = case.path
    info = adapter.info()
    rule = in_declared_variants(info, OptimiserChain(
        ClipGlobalNorm(omega=OMEGA), WeightDecay(0.1), Descent(0.1)))
    reason = adapter.supports(rule)
    if reason is not None:
        raise Unsupported(reason)
    strategy = st.tuples(dtypes(adapter), uneven_models()).flatmap(lambda dm: programs(
        rule, dtype=dm[0], steps=profile.steps, whole=True, none=False, freeze=False,
        adjust=False, model=dm[1], sign_stable=True)).map(noting_the_clip)
    explore(strategy, lambda program: same_as_structured(adapter, program, path, "SHARD-3"),
            profile, seed, share=SHARE)


@prop("SHARD-4", axes=("distributed",))
def check_checkpoint_resumes(adapter: Adapter, profile: Profile, seed: int,
                             case: CaseId) -> None:
    """A stateful rule's state saved from the shards (the engine's checkpoint API,
    gathered) and loaded into one unsharded optimiser or into fresh shards, mid-run: the
    run resumes to exactly the uninterrupted structured trajectory."""
    assert case.path is not None
    path = case.path
    _, rules = rule_for(adapter, "Adam")
    strategy = st.tuples(dtypes(adapter), rules).flatmap(lambda dr: programs(
        dr[1], dtype=dr[0], steps=profile.steps, whole=True, none=False, freeze=False,
        adjust=True, **model_drawing(adapter)))

    explore(strategy.flatmap(lambda p: st.tuples(st.just(p), checkpointed(
        p, ("unsharded", "resharded")))),
            lambda pair: same_as_structured(adapter, pair[1], path, "SHARD-4",
                                            against=pair[0]),
            profile, seed, share=SHARE)
