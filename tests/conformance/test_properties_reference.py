"""Every registered property passes on the reference adapter with the ci profile (CONF-1);
the cases the reference does not claim are exactly the listed ones and say Unsupported; and
properties can fail: deliberately wrong adapters are caught under the right clause."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from optconf.adapters.protocol import Adjust, Freeze, Outcome, PathName, Program, Step, Unsupported
from optconf.adapters.reference import ReferenceAdapter
from optconf.conformance.cases import CaseId
from optconf.conformance.catalog import FLOAT16_CLAUSES, rule_classes
from optconf.conformance.deviation import Deviation
from optconf.conformance.profiles import PROFILES
from optconf.conformance.properties import PROPERTIES
from optconf.reference import collect as ref_collect
from optconf.reference import grads as ref_grads
from optconf.reference import tree as ref_tree
from optconf.reference.grads import summed
from optconf.reference.rules import Adam, Momentum

from .fixtures_adapters import AdamEpsInside

CI = PROFILES["ci"]
SEED = 20261123
REFERENCE = ReferenceAdapter()

#: (property, rule, path) cases the reference does not claim, and why (FLAT-6, RULE-4,
#: RULE-8, DEP-4): per-array rules on one flat vector, global-norm rules one array at a
#: time, the legacy API's missing freeze / a flat vector's partial freeze, and the rules with
#: one form, which have no other form to run.
NOT_CLAIMED = {
    ("flat.path_matches_structured", "ClipNorm", "flat_vector"),
    ("flat.path_matches_structured", "LAMB", "flat_vector"),
    ("flat.path_matches_structured", "LARS", "flat_vector"),
    ("flat.path_matches_structured", "Muon", "flat_vector"),
    ("flat.path_matches_structured", "ClipGlobalNorm", "per_array"),
    ("flat.path_matches_structured", "ClipGlobalNorm", "legacy"),
    ("freezing.frozen_untouched", None, "legacy"),
    ("freezing.thaw_resumes", None, "legacy"),
    ("freezing.tied_place_freezes_all", None, "legacy"),
    ("freezing.tied_place_freezes_all", None, "flat_vector"),
    ("checkpoint.checkpoint_resumes", None, "legacy"),
    # a rule with one form has no other form to run (RULE-5)
    *(("variant_forms.other_forms_match", name, None) for name, cls in rule_classes().items()
      if not getattr(cls, "axes", None)),
    # a rule without an epsilon has no float16 floor (RULE-7)
    *(("rules.float16_epsilon_floor", name, None) for name in rule_classes()
      if name not in FLOAT16_CLAUSES),
}


def cases(adapter: ReferenceAdapter) -> list[Any]:
    info = adapter.info()
    found = []
    for pid, prop in sorted(PROPERTIES.items()):
        if not prop.requires <= info.capabilities | set(info.paths):
            continue
        if "distributed" in prop.axes:  # no distributed path: planned as unsupported
            continue
        rules = list(rule_classes()) if "rule" in prop.axes else [None]
        paths: list[PathName | None] = list(info.paths) if "path" in prop.axes else [None]
        for rule in rules:
            for path in paths:
                case = CaseId("reference", pid, rule, path)
                found.append(pytest.param(pid, case, id=case.test_id))
    return found


@pytest.mark.parametrize(("pid", "case"), cases(REFERENCE))
def test_reference_passes(pid: str, case: CaseId) -> None:
    check = PROPERTIES[pid].check
    if (pid, case.rule, case.path) in NOT_CLAIMED:
        with pytest.raises(Unsupported):
            check(REFERENCE, CI, SEED, case)
    else:
        check(REFERENCE, CI, SEED, case)


def test_not_claimed_cases_exist():
    every = {(p.values[0], p.values[1].rule, p.values[1].path) for p in cases(REFERENCE)}
    assert every >= NOT_CLAIMED


# ----------------------------------------------------------------- wrong adapters


def _map_steps(program: Program, change: Any) -> Program:
    ops = tuple(Step(change(program.model, op.grads)) if isinstance(op, Step) else op
                for op in program.ops)
    return dataclasses.replace(program, ops=ops)


class SharedCountedTwice(ReferenceAdapter):
    """Applies twice the summed gradient of a shared array."""

    def run(self, program: Program, path: PathName) -> Outcome:
        def doubled(model: Any, grads: Any) -> Any:
            counts = np.bincount([o.position for o in ref_tree.occurrences(model)])
            flat = [None if g is None else g * (2 if counts[i] > 1 else 1)
                    for i, g in enumerate(summed(model, grads))]
            return ref_collect.trainables_pullback(model, flat)

        return super().run(_map_steps(program, doubled), path)


class FreezeIgnored(ReferenceAdapter):
    def run(self, program: Program, path: PathName) -> Outcome:
        ops = tuple(op for op in program.ops if not isinstance(op, Freeze))
        return super().run(dataclasses.replace(program, ops=ops), path)


class NoneAsZero(ReferenceAdapter):
    """Steps a missing gradient as zeros, advancing the state."""

    def run(self, program: Program, path: PathName) -> Outcome:
        def zeros(model: Any, grads: Any) -> Any:
            return [np.zeros(p.shape) if g is None else g
                    for p, g in zip(ref_collect.trainables(model), summed(model, grads),
                                    strict=True)]

        return super().run(_map_steps(program, lambda m, g: ref_collect.trainables_pullback(
            m, zeros(m, g))), path)


class EtaOutsideVelocity(ReferenceAdapter):
    """Runs torch's Momentum while declaring the normative one, and, like an engine that
    exposes no state, reports none: the parameters agree until eta changes (MOMENTUM-2)."""

    def run(self, program: Program, path: PathName) -> Outcome:
        rule = program.rule
        if isinstance(rule, Momentum):
            rule = dataclasses.replace(rule, variant="torch")
        outcome = super().run(dataclasses.replace(program, rule=rule), path)
        return Outcome(outcome.model, [None] * len(outcome.states))


class LaggedBiasCorrection(ReferenceAdapter):
    """Runs Optimisers.jl's lagged bias correction while declaring the normative Adam: the
    parameters agree until beta is adjusted (ADAM-2)."""

    def run(self, program: Program, path: PathName) -> Outcome:
        rule = program.rule
        if isinstance(rule, Adam):
            rule = dataclasses.replace(rule, variant="optimisers")
        return super().run(dataclasses.replace(program, rule=rule), path)


class AdjustIgnored(ReferenceAdapter):
    def run(self, program: Program, path: PathName) -> Outcome:
        ops = tuple(op for op in program.ops if not isinstance(op, Adjust))
        return super().run(dataclasses.replace(program, ops=ops), path)


class CollectsSharedTwice(ReferenceAdapter):
    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        return [o.array.astype(dtype) for o in ref_tree.occurrences(model)]


class GradientAtEveryPlace(ReferenceAdapter):
    """Optimisers.jl's ``trainables`` pullback: the cotangent repeated at every place."""

    def gradient(self, model: Any, loss: Any, dtype: str, via: str) -> Any:
        right = super().gradient(model, loss, dtype, via)
        at_first = {occ.position: g for occ, g in ref_grads.per_occurrence(model, right)
                    if g is not None}
        position = {occ.path: occ.position for occ in ref_tree.occurrences(model)}
        return ref_tree.mirror(model, lambda path, _x: at_first.get(position[path]))


class FrozenStillDifferentiated(ReferenceAdapter):
    """Ignores ``frozen``: a frozen parameter the loss reads gets its gradient (GRAD-3)."""

    def gradient(self, model: Any, loss: Any, dtype: str, via: str, frozen: Any = ()) -> Any:
        return super().gradient(model, loss, dtype, via)


WRONG = [
    (SharedCountedTwice, CaseId("wrong", "tying.shared_summed_once", None, "structured"), "TIE-2"),
    (FreezeIgnored, CaseId("wrong", "freezing.frozen_untouched", None, "flat_list"), "FRZ-1"),
    (NoneAsZero, CaseId("wrong", "none_grad.none_skips_zero_advances", None, "structured"),
     "UPD-5"),
    (EtaOutsideVelocity, CaseId("wrong", "adjust.mid_run", "Momentum", None), "MOMENTUM-2"),
    (AdjustIgnored, CaseId("wrong", "adjust.mid_run", "Adam", None), "ADJ-2"),
    (LaggedBiasCorrection, CaseId("wrong", "adjust.mid_run", "Adam", None), "ADJ-2"),
    (AdamEpsInside, CaseId("wrong", "rules.matches_reference", "Adam", None), "ADAM-1"),
    # a deviation before the adjust is the rule's, whether or not the adjust changes it
    (AdamEpsInside, CaseId("wrong", "adjust.mid_run", "Adam", None), "ADAM-1"),
    (CollectsSharedTwice, CaseId("wrong", "collection.same_arrays_same_order"), "TIE-1"),
    (GradientAtEveryPlace, CaseId("wrong", "gradients.through_collection"), "GRAD-2"),
    (FrozenStillDifferentiated, CaseId("wrong", "gradients.through_collection_frozen"),
     "GRAD-3"),
]


@pytest.mark.parametrize(("adapter", "case", "clause"), WRONG,
                         ids=[w[0].__name__ for w in WRONG])
def test_wrong_adapter_fails_with_clause(adapter: type[ReferenceAdapter], case: CaseId,
                                         clause: str) -> None:
    """With more examples than ci: a bug that only a tied model shows needs one drawn, and
    which examples ci draws shifts with the constants of every loaded module (Hypothesis
    draws literals from local source)."""
    profile = dataclasses.replace(CI, max_examples=40)
    with pytest.raises(Deviation) as caught:
        PROPERTIES[case.property].check(adapter(), profile, SEED, case)
    assert caught.value.clause == clause, caught.value.message
    assert "but should be" in caught.value.message


def test_state_machine_catches_ignored_adjust() -> None:
    """Without shrinking the ops before the divergence are not minimal, so the clause is
    one of the machine's; with more examples than ci so that an adjust is followed by a
    step for sure."""
    profile = dataclasses.replace(CI, max_examples=80)
    prop = PROPERTIES["stateful.interleaved_ops"]
    with pytest.raises(Deviation) as caught:
        prop.check(AdjustIgnored(), profile, SEED, CaseId("wrong", prop.id, None, "structured"))
    assert caught.value.clause in prop.clauses
