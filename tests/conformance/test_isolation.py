"""A crashing, raising, hanging or NaN-returning engine costs its own cases only (CONF-3)."""

from __future__ import annotations

import time

import pytest

from .runner_helpers import QUICK, fake_adapter, fake_run


@pytest.fixture(scope="module")
def report():
    """One run over a good adapter and every misbehaving one (once: it waits for a timeout)."""
    return fake_run("GoodAdapter", "CrashAdapter", "RaiseAdapter", "HangAdapter", "NanAdapter",
                    "PrintingAdapter", "NoEngineAdapter", jobs=2,
                    properties=["fake.descent_step", "fake.needs_freeze"])


def statuses(report, name):
    return {r.case.test_id: r.status for r in report.results
            if r.adapter == fake_adapter(name)}


@pytest.mark.parametrize(("name", "status"), [
    ("GoodAdapter", "pass"), ("CrashAdapter", "crash"), ("RaiseAdapter", "error"),
    ("HangAdapter", "timeout"), ("NanAdapter", "fail"), ("PrintingAdapter", "pass"),
])
def test_each_case_gets_its_engines_status(report, name, status):
    assert statuses(report, name) == {
        "fake.descent_step[flat_list]": status, "fake.descent_step[structured]": status,
        "fake.needs_freeze": "unsupported",
    }


def test_a_crash_says_how_the_worker_died(report):
    crash = next(r for r in report.results if r.adapter == fake_adapter("CrashAdapter"))
    assert "exit code 3" in crash.message


def test_an_error_keeps_the_traceback_tail(report):
    err = next(r for r in report.results if r.status == "error")
    assert "ValueError: engine exploded" in err.message and "Traceback" in err.message


def test_a_nan_result_is_a_deviation_with_its_clause(report):
    nan = next(r for r in report.results if r.adapter == fake_adapter("NanAdapter")
               and r.status == "fail")
    assert nan.clause == "CONF-1" and nan.observed == "nan"


def test_an_engine_that_cannot_start_is_unavailable_with_its_reason(report):
    entry = next(a for a in report.adapters if a.name == fake_adapter("NoEngineAdapter"))
    assert not entry.available and "needs a compiler" in entry.reason
    assert not [r for r in report.results if r.adapter == entry.name]


@pytest.fixture(scope="module")
def broken_loading():
    """One run over a good adapter and four that fail while loading: (report, seconds)."""
    start = time.monotonic()
    report = fake_run("GoodAdapter", "HangingInfoAdapter", "CrashingInfoAdapter",
                      "RaisingInfoAdapter", "CrashingLoadAdapter", jobs=2,
                      properties=["fake.descent_step"])
    return report, time.monotonic() - start


@pytest.mark.parametrize(("name", "says"), [
    ("HangingInfoAdapter", f"no answer within {QUICK.timeout:g} s while loading"),
    ("CrashingInfoAdapter", "crashed while loading the adapter or asking its info(): "
                            "worker died (exit code 4)"),
    ("RaisingInfoAdapter", "RuntimeError: info exploded"),
    ("CrashingLoadAdapter", "worker died (exit code 5)"),
])
def test_an_adapter_failing_while_loading_is_an_error_naming_it(broken_loading, name, says):
    report, _ = broken_loading
    entry = next(a for a in report.adapters if a.name == fake_adapter(name))
    assert entry.error and not entry.available
    assert entry.reason.startswith(fake_adapter(name)) and says in entry.reason
    assert not [r for r in report.results if r.adapter == entry.name]


def test_the_other_adapters_results_are_kept_and_the_run_exits_2(broken_loading):
    report, _ = broken_loading
    assert statuses(report, "GoodAdapter") == {"fake.descent_step[flat_list]": "pass",
                                               "fake.descent_step[structured]": "pass"}
    assert report.exit_code() == 2


def test_a_hanging_adapter_costs_at_most_the_profiles_timeout(broken_loading):
    _, seconds = broken_loading
    assert seconds < 2 * QUICK.timeout + 5  # two rounds of describing (jobs=2), and slack
