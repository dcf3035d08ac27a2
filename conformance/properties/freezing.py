"""Freezing: frozen parameters and their state are untouched, thawing resumes from the
frozen state, and freezing one place of a shared array freezes it everywhere (FRZ-1 ..
FRZ-3, TIE-4)."""

from __future__ import annotations

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Freeze, PathName, Program, Step, Thaw
from optconf.reference.rules.base import Rule

from ..profiles import Profile
from ..strategies import models, programs, tied
from .common import (
    Clauses,
    drawing,
    dtypes,
    explore,
    faithful_rules,
    model_drawing,
    probe,
    run_and_compare,
    with_global_norm_chains,
)
from .registry import CaseId, prop

#: Stateful rules whose state shows a frozen step, and a chain that may hold a global-norm
#: rule (whose norm must leave frozen arrays out); the engine's faithful ones are drawn.
RULES = ("Momentum", "Adam", "OptimiserChain")


def _rules(adapter: Adapter, path: PathName) -> tuple[Rule, st.SearchStrategy[Rule]]:
    return with_global_norm_chains(adapter, path, *faithful_rules(adapter, RULES, path))


def _programs(adapter: Adapter, profile: Profile, path: PathName, **options: object,
              ) -> st.SearchStrategy[Program]:
    rules = _rules(adapter, path)[1]
    options = {**drawing(adapter, path), **options}
    return st.tuples(dtypes(adapter), rules).flatmap(lambda dr: programs(
        dr[1], dtype=dr[0], steps=profile.steps, adjust=False, **options))  # type: ignore[arg-type]


@prop("FRZ-1", "FRZ-3", requires=("freeze",), axes=("path",))
def check_frozen_untouched(adapter: Adapter, profile: Profile, seed: int, case: CaseId) -> None:
    """Steps interleaved with freezing and thawing subtrees: frozen parameters and their
    state stay as they were, the others move as in the reference (FRZ-1, FRZ-3)."""
    assert case.path is not None
    path = case.path
    probe(adapter, path, _rules(adapter, path)[0], Freeze(()), Step(None), Thaw(()))
    explore(_programs(adapter, profile, path, whole=path == "flat_vector"),
            lambda program: run_and_compare(adapter, program, path,
                                            clauses=Clauses("FRZ-1")), profile, seed)


def _freeze_then_thaw(program: Program) -> Program:
    ops = program.ops
    return Program(program.model, program.rule,
                   (*ops[:1], Freeze(()), *ops[1:2], Thaw(()), *ops[2:]), program.dtype)


@prop("FRZ-2", requires=("freeze",), axes=("path",))
def check_thaw_resumes(adapter: Adapter, profile: Profile, seed: int, case: CaseId) -> None:
    """Step, freeze everything, step (nothing moves), thaw, step again: the last steps use
    the state as it was when frozen (FRZ-2)."""
    assert case.path is not None
    path = case.path
    probe(adapter, path, _rules(adapter, path)[0], Freeze(()), Step(None), Thaw(()))
    strategy = _programs(adapter, profile, path, whole=True, freeze=False).map(
        _freeze_then_thaw)
    explore(strategy, lambda program: run_and_compare(
        adapter, program, path, clauses=Clauses("FRZ-2")), profile, seed)


def _freeze_tied_place(program: Program) -> Program:
    return Program(program.model, program.rule, (Freeze(("tied",)), *program.ops),
                   program.dtype)


@prop("TIE-4", requires=("freeze", "shared"), axes=("path",))
def check_tied_place_freezes_all(adapter: Adapter, profile: Profile, seed: int,
                                 case: CaseId) -> None:
    """Freezing the second place of a shared array freezes the array at its first place
    too: neither it nor its state moves (TIE-4)."""
    assert case.path is not None
    path = case.path
    default, rules = _rules(adapter, path)
    probe(adapter, path, default, Freeze(("w",)), Step(None))
    strategy = st.tuples(dtypes(adapter), rules).flatmap(
        lambda dr: programs(dr[1], dtype=dr[0], steps=profile.steps, freeze=False,
                            adjust=False, none=drawing(adapter, path)["none"],
                            model=models(dtype=dr[0], **model_drawing(adapter, path)).map(tied)),
    ).map(_freeze_tied_place)
    explore(strategy, lambda program: run_and_compare(
        adapter, program, path, clauses=Clauses("TIE-4")), profile, seed)
