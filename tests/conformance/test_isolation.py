"""A crashing, raising, hanging or NaN-returning engine costs its own cases only (CONF-3)."""

from __future__ import annotations

import pytest

from .runner_helpers import fake_adapter, fake_run


@pytest.fixture(scope="module")
def report():
    """One run over a good adapter and every misbehaving one (once: it waits for a timeout)."""
    return fake_run("GoodAdapter", "CrashAdapter", "RaiseAdapter", "HangAdapter", "NanAdapter",
                    "PrintingAdapter", "NoEngineAdapter", jobs=2,
                    properties=["fake.descent_step", "fake.needs_freeze"])


def statuses(report, name):
    return {r.key.split("::")[1]: r.status for r in report.results
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
