"""The suite kills every shipped mutant (CONF-7): some property checking one of the clauses
the mutant breaks fails on it, run in process with the ci profile.

Only properties naming one of the mutant's clauses are tried, cases for the mutant's own rule
first, stopping at the first kill; ``optconf selftest`` runs everything and writes the full
kill matrix.
"""

from __future__ import annotations

import pytest

from optconf.adapters.mutants import MUTANTS, Mutant
from optconf.conformance.profiles import PROFILES
from optconf.conformance.properties import PROPERTIES, Property
from optconf.conformance.runner import Task, plan, rule_classes
from optconf.conformance.worker import execute

SEED = 20261123
PROFILE = PROFILES["ci"]


def rule_of(clause: str) -> str | None:
    """The rule class a rule clause (``ADAMW-2``) is about; None for other areas."""
    area = clause.rsplit("-", 1)[0]
    named = {"CHAIN": "OptimiserChain"}
    names = {c.__name__.upper(): c.__name__ for c in rule_classes()}
    return named.get(area, names.get(area))


def first_kill(m: Mutant) -> tuple[str, str] | None:
    """(case key, message) of the first failing case among the properties naming one of
    ``m``'s clauses, or None when every one passes."""
    adapter = m.factory()
    label = f"mutant:{m.name}"
    props: list[Property] = [p for p in PROPERTIES.values() if set(p.clauses) & set(m.clauses)]
    tasks, _ = plan(label, adapter, props, SEED)
    own_rules = {rule_of(c) for c in m.clauses} - {None}

    def priority(task: Task) -> tuple[int, bool]:
        rule = task.case.rule
        return (0 if rule in own_rules else 1 if rule is None else 2,
                task.case.path not in (None, "structured"))

    for task in sorted(tasks, key=priority):
        result = execute(adapter, label, task.prop, PROFILE, task.seed, task.case)
        if result["status"] == "fail":
            return f"{task.prop.id}{task.case.key()}", result["message"]
    return None


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_is_killed_by_a_property_of_its_clauses(name: str) -> None:
    m = MUTANTS[name]
    kill = first_kill(m)
    assert kill is not None, (
        f"mutant {name} ({m.description}) survived every property naming "
        f"{', '.join(m.clauses)}")
