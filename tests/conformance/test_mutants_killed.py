"""The suite kills every shipped mutant (CONF-7): some property checking one of the clauses
the mutant breaks fails on it, run in process with the ci profile.

Only properties naming one of the mutant's clauses are tried, cases for the mutant's own rule
first, stopping at the first kill, without shrinking the counterexample (only the kill
matters here); ``optconf selftest`` runs everything and writes the full kill matrix.
"""

from __future__ import annotations

import pytest

from optconf.adapters.mutants import MUTANTS, Mutant
from optconf.adapters.reference import ReferenceAdapter
from optconf.conformance.catalog import rule_classes
from optconf.conformance.planning import Task, plan
from optconf.conformance.profiles import PROFILES
from optconf.conformance.properties import PROPERTIES
from optconf.conformance.worker import describe, execute

#: A kill may need a lucky draw: each mutant gets up to this many ci runs, fixed seeds.
SEEDS = (20261123, 1, 2, 3, 4)
PROFILE = PROFILES["ci"]
REFERENCE = ReferenceAdapter()


def rule_of(clause: str) -> str | None:
    """The rule class a rule clause (``ADAMW-2``) is about; None for other areas."""
    area = clause.rsplit("-", 1)[0]
    named = {"CHAIN": "OptimiserChain", "MIXED": "MixedPrecision"}
    names = {name.upper(): name for name in rule_classes()}
    return named.get(area, names.get(area))


def first_kill(m: Mutant, seed: int) -> tuple[str, str] | None:
    """(case key, message) of the first case that fails on ``m`` and passes on the reference,
    among the cases of properties naming one of ``m``'s clauses and the rule-axis cases of
    the rules those clauses are about (a rule's case checks its whole clause group); a
    failure counts when its property, the deviation itself or the case's rule is one of
    ``m``'s.  None when ``m`` survives them all."""
    label = f"mutant:{m.name}"
    hello, adapter = describe(label)
    assert adapter is not None and hello.info is not None, hello.message
    clauses = set(m.clauses)
    own_rules = {rule_of(c) for c in clauses} - {None}

    def named(task: Task) -> bool:
        return bool(set(task.prop.clauses) & clauses) or task.case.rule in own_rules

    tasks, _ = plan(label, hello.info, hello.supports, PROPERTIES.values(), seed)
    tasks = [t for t in tasks if named(t)]
    tasks.sort(key=lambda t: (t.case.rule not in own_rules, t.case.path != "structured"))
    for task in tasks:
        answer = execute(adapter, task.prop, task.case, PROFILE, task.seed)
        if answer.status != "fail" or not (named(task) or answer.clause in clauses):
            continue
        if execute(REFERENCE, task.prop, task.case, PROFILE, task.seed).status == "pass":
            return task.case.test_id, answer.message
    return None


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_is_killed_by_a_property_of_its_clauses(name: str) -> None:
    m = MUTANTS[name]
    kill = next(filter(None, (first_kill(m, seed) for seed in SEEDS)), None)
    assert kill is not None, (
        f"mutant {name} ({m.description}) survived {len(SEEDS)} ci runs of every property "
        f"naming {', '.join(m.clauses)}")
