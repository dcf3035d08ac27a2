"""The runner: case planning over axes, per-case seeds, shards and merging
(CONF-3, CONF-4, CONF-9)."""

from __future__ import annotations

import dataclasses

from optconf.adapters import load
from optconf.conformance.properties.registry import Case
from optconf.conformance.report.model import merge
from optconf.conformance.runner import case_seed, in_shard, plan, rule_classes
from tests.conformance.fixtures_props import FAKE

from .runner_helpers import fake_adapter, fake_run


def test_case_seeds_are_stable_and_differ_between_cases():
    a = case_seed(1, "torch", "flat.x", Case("Adam", "structured"))
    assert a == case_seed(1, "torch", "flat.x", Case("Adam", "structured"))
    assert a != case_seed(1, "torch", "flat.x", Case("Adam", "flat_list"))
    assert a != case_seed(2, "torch", "flat.x", Case("Adam", "structured"))


def test_shards_partition_the_cases():
    keys = [f"a::p{i}" for i in range(200)]
    shards = [{k for k in keys if in_shard(k, (i, 3))} for i in (1, 2, 3)]
    assert set().union(*shards) == set(keys)
    assert sum(map(len, shards)) == len(keys)


def test_plan_expands_paths_and_supported_rules_and_marks_the_rest_unsupported():
    label = fake_adapter("GoodAdapter")
    tasks, known = plan(label, load(label), FAKE.values(), run_seed=0)
    ran = {(t.prop.id, t.case.key()) for t in tasks}
    assert ("fake.descent_step", "[structured]") in ran
    assert ("fake.descent_step", "[flat_list]") in ran
    assert ("fake.per_rule", "[Descent]") in ran
    skipped = {(r.property, r.rule): r.message for r in known}
    assert skipped[("fake.needs_freeze", None)] == "adapter lacks freeze"
    assert skipped[("fake.per_rule", "Adam")] == "only Descent"


def test_rule_axis_covers_every_reference_rule():
    names = {c.__name__ for c in rule_classes()}
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
        assert r.seed == case_seed(5, r.adapter, r.property, Case(r.rule, r.path))


def test_a_deviation_among_grouped_failures_makes_the_case_fail():
    (result,) = fake_run("GoodAdapter", properties=["fake.grouped_failures"]).results
    assert result.status == "fail" and result.clause == "CONF-5"
    assert "1 other distinct failures" in result.message


def test_the_rule_axis_asks_for_the_variant_the_adapter_declares():
    label = fake_adapter("VariantAdapter")
    tasks, _ = plan(label, load(label), [FAKE["fake.per_rule"]], run_seed=0)
    momentum = [t for t in tasks if t.case.rule == "Momentum"]
    assert momentum and momentum[0].variant == "torch"


def test_merging_only_some_shards_is_not_a_whole_run():
    names = ("GoodAdapter",)
    part = fake_run(*names, seed=11, shard=(2, 3), properties=["fake.descent_step"])
    merged = merge([part], argv=[])
    assert merged.shard == "2/3" and not merged.whole


def test_numpy_error_sizes_reach_the_report_as_numbers():
    (result,) = fake_run("GoodAdapter", properties=["fake.numpy_error_sizes"]).results
    assert (result.status, result.observed, result.allowed) == ("fail", 1.0, 0.5)
