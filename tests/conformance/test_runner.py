"""The runner: case planning over axes, per-case seeds, shards and merging
(CONF-3, CONF-4, CONF-9)."""

from __future__ import annotations

import dataclasses

from optconf.adapters.protocol import Absent, NotOfferedReason, refusal, refused, rule_entry
from optconf.conformance.cases import CaseId
from optconf.conformance.catalog import rule_classes
from optconf.conformance.planning import not_offered, plan
from optconf.conformance.profiles import Profile
from optconf.conformance.report.model import merge
from optconf.conformance.worker import describe
from optconf.reference.rules import Adam, Descent, OptimiserChain
from tests.conformance.fixtures_props import FAKE

from .runner_helpers import fake_adapter, fake_run


def plan_for(name, props, run_seed=0):
    """Plan ``props`` for a fake adapter, described as a worker describes it."""
    label = fake_adapter(name)
    hello, _ = describe(label)
    return plan(label, hello.info, hello.supports, props, run_seed)


def test_case_seeds_are_stable_and_differ_between_cases():
    a = CaseId("torch", "flat.x", "Adam", "structured").seed(1)
    assert a == CaseId("torch", "flat.x", "Adam", "structured").seed(1)
    assert a != CaseId("torch", "flat.x", "Adam", "flat_list").seed(1)
    assert a != CaseId("torch", "flat.x", "Adam", "structured").seed(2)


def test_case_seeds_keep_their_values():  # seeds of committed reports still replay
    assert CaseId("torch", "flat.x", "Adam", "structured").seed(1) == 160049179


def test_shards_partition_the_cases():
    cases = [CaseId("a", f"p{i}") for i in range(200)]
    shards = [{c for c in cases if c.in_shard((i, 3))} for i in (1, 2, 3)]
    assert set().union(*shards) == set(cases)
    assert sum(map(len, shards)) == len(cases)


def test_plan_expands_paths_and_supported_rules_and_marks_the_rest_unsupported():
    tasks, known = plan_for("GoodAdapter", FAKE.values())
    ran = {t.case.test_id for t in tasks}
    assert {"fake.descent_step[structured]", "fake.descent_step[flat_list]",
            "fake.per_rule[Descent]"} <= ran
    skipped = {(r.property, r.rule): r.message for r in known}
    assert skipped[("fake.needs_freeze", None)] == "adapter lacks freeze"
    assert skipped[("fake.per_rule", "Adam")] == "only Descent"


def test_a_capability_of_some_paths_runs_there_and_names_the_others():
    tasks, known = plan_for("PathFreezeAdapter", FAKE.values())
    ran = {t.case.test_id for t in tasks}
    assert "fake.freeze_per_path[flat_list]" in ran
    assert "fake.freeze_per_path[structured]" not in ran
    skipped = {(r.property, r.path): r.message for r in known}
    assert skipped[("fake.freeze_per_path", None)] == (
        "adapter lacks freeze on structured (declared on flat_list only)")
    # a property off the path axis needs the capability on every path
    assert skipped[("fake.needs_freeze", None)] == "adapter lacks freeze"


def test_an_adapter_declaring_no_path_capabilities_is_planned_as_before():
    _, known = plan_for("GoodAdapter", FAKE.values())
    skipped = {r.property: r.message for r in known if r.rule is None}
    assert skipped["fake.freeze_per_path"] == "adapter lacks freeze"


def test_a_path_capability_survives_the_worker_and_its_case_passes():
    report = fake_run("PathFreezeAdapter", properties=["fake.freeze_per_path"])
    assert {r.case.test_id: r.status for r in report.results} == {
        "fake.freeze_per_path[flat_list]": "pass", "fake.freeze_per_path": "unsupported"}


def test_rule_axis_covers_every_reference_rule():
    names = set(rule_classes())
    assert {"Descent", "Momentum", "Adam"} <= names


def _comparable(report):
    return [dataclasses.replace(r, duration=0.0) for r in report.results]


def test_merged_shards_equal_one_run():
    names = ("GoodAdapter", "FlatBrokenAdapter")
    whole = fake_run(*names, seed=11)
    parts = [fake_run(*names, seed=11, shard=(i, 2)) for i in (1, 2)]
    assert all(p.shard != "1/1" for p in parts)
    merged = merge(parts, argv=[])
    assert _comparable(merged) == _comparable(whole)
    assert merged.shard == "1/1" and merged.exit_code() == whole.exit_code() == 1


def test_run_records_one_seed_and_each_case_replays_with_its_own():
    report = fake_run("GoodAdapter", seed=5, properties=["fake.descent_step"])
    assert report.seed == 5
    for r in report.results:
        assert r.seed == r.case.seed(5)


def test_a_deviation_among_grouped_failures_makes_the_case_fail_and_keeps_the_other():
    (result,) = fake_run("GoodAdapter", properties=["fake.grouped_failures"]).results
    assert result.status == "fail" and result.clause == "CONF-5"
    (other,) = result.others
    assert other["status"] == "error" and other["message"].startswith("ValueError: boom")


def test_grouped_errors_are_each_reported_with_their_own_message():
    (result,) = fake_run("GoodAdapter", properties=["fake.grouped_errors"]).results
    assert result.status == "error"
    assert result.message.startswith("ZeroDivisionError: division by zero")
    assert [o["message"].splitlines()[0] for o in result.others] == [
        "ValueError: only supports 2D parameters"]


def test_an_errors_innermost_frames_are_kept_beside_a_long_falsifying_example():
    (result,) = fake_run("GoodAdapter", properties=["fake.error_with_a_long_note"]).results
    assert result.status == "error" and "in _innermost_engine_call" in result.message
    assert result.message.rstrip().endswith(")")  # the note, whole


def test_a_failure_slow_to_shrink_is_reported_as_far_as_it_got_within_the_timeout():
    shrinking = Profile("shrinking", max_examples=2, steps=1, stateful_steps=1, timeout=10.0,
                        shrink=True)
    (result,) = fake_run("GoodAdapter", properties=["fake.slow_to_shrink"],
                         profile=shrinking).results
    assert result.status == "fail" and result.clause == "CONF-4"
    assert result.duration < shrinking.timeout


def test_the_rule_axis_asks_for_the_variant_the_adapter_declares():
    tasks, _ = plan_for("VariantAdapter", [FAKE["fake.per_rule"]])
    momentum = [t for t in tasks if t.case.rule == "Momentum"]
    assert momentum and momentum[0].variant == "torch"


def test_merging_only_some_shards_is_not_a_whole_run():
    names = ("GoodAdapter",)
    part = fake_run(*names, seed=11, shard=(2, 3), properties=["fake.descent_step"])
    merged = merge([part], argv=[])
    assert merged.shard == "2/3" and not merged.whole


def test_a_merge_keeps_the_selection_of_its_runs():
    """Shards of a run of one property merge into a run of that property: stale entries
    for the others are still not judged (CONF-12)."""
    parts = [fake_run("GoodAdapter", seed=11, shard=(i, 2), properties=["fake.descent_step"])
             for i in (1, 2)]
    merged = merge(parts, argv=[])
    assert merged.whole and merged.selection == {"property": ["fake.descent_step"]}


def test_numpy_error_sizes_reach_the_report_as_numbers():
    (result,) = fake_run("GoodAdapter", properties=["fake.numpy_error_sizes"]).results
    assert (result.status, result.observed, result.allowed) == ("fail", 1.0, 0.5)


def test_a_counterexample_is_stored_once_without_its_live_program():
    (result,) = fake_run("GoodAdapter", properties=["fake.program_failure"]).results
    assert "program" not in result.counterexample
    assert result.counterexample["model"] == {"w": {"__array__": [1.0, 1.0], "dtype": "float64"}}


def test_a_rule_the_engine_lacks_gets_no_case_and_is_listed_not_offered():
    label = fake_adapter("NarrowAdapter")
    hello, _ = describe(label)
    assert set(hello.not_offered) == set(rule_classes()) - {"Adam", "Descent",
                                                            "OptimiserChain"}
    tasks, known = plan(label, hello.info, hello.supports, FAKE.values(), 0,
                        lacking=hello.not_offered)
    per_rule = {r.rule: r.status for r in known if r.property == "fake.per_rule"}
    assert per_rule == {"Adam": "unsupported", "OptimiserChain": "unsupported"}  # has, can't run
    assert [t.case.rule for t in tasks if t.case.property == "fake.per_rule"] == ["Descent"]
    lacking = not_offered(hello.info, hello.supports, hello.not_offered, FAKE.values())
    assert lacking[0].reason == f"toy has no {lacking[0].rule}"


def test_a_run_records_the_rules_an_adapter_does_not_offer():
    (entry,) = fake_run("NarrowAdapter", properties=["fake.per_rule"]).adapters
    assert "Momentum" in {n.rule for n in entry.not_offered}
    assert "Adam" not in {n.rule for n in entry.not_offered}


def test_only_a_not_offered_refusal_marks_a_rule_absent():
    def lookup_in(table):
        return lambda rule: rule_entry(table, rule, "toy")(rule)

    assert isinstance(refusal(lookup_in({}), Adam()), NotOfferedReason)
    assert isinstance(refusal(lookup_in({Adam: Absent("toy has no Adam")}), Adam()),
                      NotOfferedReason)
    assert not isinstance(refusal(lookup_in({Adam: refused("no")}), Adam()), NotOfferedReason)
    assert refusal(lookup_in({Adam: lambda rule: None}), Adam()) is None


def test_a_chain_with_a_member_the_engine_lacks_is_unsupported_not_absent():
    def build_members(chain):
        for member in chain.rules:
            rule_entry({Descent: lambda rule: None}, member, "toy")(member)

    why = refusal(build_members, OptimiserChain(Descent(), Adam()))
    assert why == "toy has no Adam: the adapter's rule table has no entry for it"
    assert not isinstance(why, NotOfferedReason)
