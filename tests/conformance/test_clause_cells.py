"""A case declares every clause it checks, so a pass shows in the clause's row: a rule's
own clauses come with its cases (in the variant the engine declares), and the report says
how many clauses each engine was checked against (CONF-8)."""

from __future__ import annotations

from optconf.adapters.protocol import EngineInfo
from optconf.conformance.messages import CaseAnswer
from optconf.conformance.planning import plan
from optconf.conformance.properties import PROPERTIES
from optconf.conformance.report.model import merge
from optconf.conformance.report.spec import parse
from optconf.conformance.report.writers import clauses_checked, markdown, matrix_html

from .test_report import SPEC, sample


def info(variants=None, dtypes=("float64",)):
    return EngineInfo("e", "e", "1", "cpu", dtypes, frozenset({"adjust"}), ("structured",),
                      variants or {})


def planned_clauses(prop_id, rule, engine):
    tasks, _ = plan("e", engine, {rule: None}, [PROPERTIES[prop_id]], 1)
    return set(tasks[0].clauses)


def test_a_rule_case_checks_the_rules_own_clauses():
    found = planned_clauses("rules.matches_reference", "Adam", info())
    assert {"RULE-1", "ADAM-1", "ADAM-2", "ADAM-3", "ADAM-4"} <= found
    assert not {c for c in found if c.startswith(("MOMENTUM", "NADAM"))}


def test_the_declared_variant_decides_which_variant_clause_a_case_checks():
    assert "NADAM-2" in planned_clauses("rules.matches_reference", "NAdam", info())
    optax = planned_clauses("rules.matches_reference", "NAdam", info({"NAdam": "optax"}))
    assert "NADAM-3" in optax and "NADAM-2" not in optax


def test_the_float16_floor_is_claimed_with_or_without_float16():
    # an engine without float16 gets the cell too, as unsupported with its reason
    assert "ADAMW-3" in planned_clauses("rules.float16_epsilon_floor", "AdamW", info())
    with_half = planned_clauses("rules.float16_epsilon_floor", "AdamW",
                                info(dtypes=("float64", "float16")))
    assert {"RULE-7", "ADAMW-3"} <= with_half
    assert "RULE-7" not in planned_clauses("rules.matches_reference", "AdamW",
                                           info(dtypes=("float64", "float16")))


def test_an_adjust_case_claims_the_lr_placement_of_its_variant_only():
    assert "MOMENTUM-1" in planned_clauses("adjust.mid_run", "Momentum", info())
    torch = planned_clauses("adjust.mid_run", "Momentum", info({"Momentum": "torch"}))
    assert "MOMENTUM-2" in torch and "MOMENTUM-1" not in torch
    assert "ADAM-2" not in planned_clauses("adjust.mid_run", "Descent", info())


def test_a_result_carries_the_clauses_of_its_task():
    tasks, _ = plan("e", info(), {"Lion": None}, [PROPERTIES["rules.matches_reference"]], 1)
    assert "LION-1" in tasks[0].result(CaseAnswer("pass", 0.0)).clauses


def test_clauses_checked_count_what_ran_not_what_was_unsupported():
    # TREE-1: pass and crash; TREE-2: pass (its unsupported case adds nothing); ADAM-1: the
    # failure and the declared deviation
    assert clauses_checked(sample())["torch"] == {"TREE-1", "TREE-2", "ADAM-1"}


def test_report_md_and_matrix_say_how_many_clauses_each_engine_was_checked_against():
    report = merge([sample("torch"), sample("jax")], argv=[])
    assert "| clauses checked |" in markdown(report)
    page = matrix_html(report, {c.id: c for c in parse(SPEC)})
    assert "clauses checked / in docs/SPEC.md" in page and page.count("<b>3/3</b>") == 2


def test_the_other_forms_case_claims_the_variant_clauses_the_engine_did_not_declare():
    assert "MOMENTUM-2" in planned_clauses("variant_forms.other_forms_match", "Momentum",
                                           info())
    torch = planned_clauses("variant_forms.other_forms_match", "Momentum",
                            info({"Momentum": "torch"}))
    assert "MOMENTUM-1" in torch

