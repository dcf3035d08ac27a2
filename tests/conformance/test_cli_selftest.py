"""``optconf selftest`` counts a mutant killed by a failing result, stops its cases there, and
fails below the required kill rate (CONF-7)."""

from __future__ import annotations

from optconf.conformance.report.model import AdapterEntry, CaseResult, RunReport
from optconf.conformance.selftest import summary

from .runner_helpers import fake_run, optconf


def report(*results):
    names = sorted({r.adapter for r in results})
    return RunReport("0", "", "", "ci", 0, "1/1", [], [AdapterEntry(n, True) for n in names],
                     list(results))


def res(adapter, status, prop="p"):
    return CaseResult(adapter, prop, None, None, [], status)


def test_kill_rate_counts_failures_errors_and_crashes_but_not_timeouts():
    rate, survivors, reference, table = summary(report(
        res("reference", "pass"), res("mutant:a", "fail"), res("mutant:b", "timeout"),
        res("mutant:c", "crash"), res("mutant:d", "pass")))
    assert rate == 0.5 and survivors == ["mutant:b", "mutant:d"] and reference == []
    assert "**survived**" in table


def test_a_failing_reference_is_reported():
    assert summary(report(res("reference", "fail")))[2] == ["reference::p"]


def test_stop_on_ends_an_adapters_cases_at_the_first_catch():
    full = fake_run("WrongAdapter", properties=["fake.descent_step"])
    stopped = fake_run("WrongAdapter", properties=["fake.descent_step"],
                       stop_on=frozenset({"fail"}))
    assert [r.status for r in full.results] == ["fail", "fail"]
    assert [r.status for r in stopped.results] == ["fail"]


def test_first_runs_the_chosen_cases_of_an_adapter_before_the_others():
    report = fake_run("WrongAdapter", properties=["fake.descent_step"],
                      stop_on=frozenset({"fail"}),
                      first=lambda task: task.case.path == "flat_list")
    assert [r.path for r in report.results] == ["flat_list"]


def test_a_case_the_reference_fails_catches_no_mutant():
    rate, survivors, reference, _ = summary(report(
        res("reference", "fail", prop="broken"), res("mutant:a", "fail", prop="broken"),
        res("mutant:b", "fail", prop="sound")))
    assert survivors == ["mutant:a"] and rate == 0.5 and reference == ["reference::broken"]


def test_keep_drops_planned_cases():
    report = fake_run("WrongAdapter", properties=["fake.descent_step"],
                      keep=lambda task: task.case.path != "flat_list")
    assert [r.path for r in report.results] == ["structured"]


def test_an_unknown_mutant_exits_2_naming_it_before_anything_runs(tmp_path):
    proc = optconf("selftest", "--mutant", "adam_eps_inside_sqrt", "--mutant", "no_such_bug",
                   "--out", str(tmp_path))
    assert proc.returncode == 2 and "--mutant no_such_bug: no such mutant" in proc.stderr
    assert not (tmp_path / "selftest.md").exists()
