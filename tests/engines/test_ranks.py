"""Rank processes (CONF-13): results in rank order from a reused group, a rank's exception
comes back, and a rank that hangs or dies ends its case as a timeout or crash naming the
rank while the rest of the run is kept.  No engine needed: the ranks run NumPy."""

from __future__ import annotations

import dataclasses
import os
import time

import numpy as np
import pytest

from optconf.adapters.protocol import Unsupported
from optconf.adapters.ranks import RankFailure, Ranks
from optconf.conformance.profiles import Profile
from optconf.conformance.runner import RunConfig, run
from tests.engines.rank_fixtures import (
    SLOW,
    TIMEOUT,
    counted,
    loaded,
    rank_and_world,
    refuse,
    scaled,
)

#: Long enough for rank processes to start on a loaded machine, far over TIMEOUT.
PROFILE = Profile("ranks", max_examples=1, steps=1, stateful_steps=1, timeout=90.0,
                  shrink=False)


@pytest.fixture(scope="module")
def group():
    ranks = Ranks(2, loaded, timeout=TIMEOUT)
    yield ranks
    ranks.close()


def test_every_rank_answers_in_rank_order_and_the_group_is_reused(group):
    assert group.run(rank_and_world) == [(0, 2), (1, 2)]
    assert group.run(scaled, np.ones(2), "")[1].tolist() == [1.0, 1.0]
    assert group.alive


def test_posted_tasks_run_in_order_and_collect_waits_for_all_of_them(group):
    first = group.run(counted)[0]
    for _ in range(2000):  # more answers than a pipe holds unread
        group.post(counted)
    assert group.collect() == [first + 2000, first + 2000]
    assert group.posted == 0 and group.alive


def test_an_exception_in_a_posted_task_stops_the_group_so_no_answer_is_misread():
    ranks = Ranks(2, loaded, timeout=TIMEOUT)
    with pytest.raises(Unsupported, match="rank 0 refuses"):  # raised by post or collect
        ranks.post(refuse)
        ranks.post(rank_and_world)
        ranks.collect()
    assert not ranks.procs and ranks.posted == 0


def test_an_exception_on_the_ranks_comes_back_as_itself(group):
    with pytest.raises(Unsupported, match="rank 0 refuses"):
        group.run(refuse)
    assert group.alive  # nobody was left waiting: the group goes on


def test_a_hanging_rank_is_a_timeout_naming_it_and_stops_the_group():
    ranks = Ranks(2, loaded, timeout=TIMEOUT)
    start = time.monotonic()
    with pytest.raises(RankFailure) as failure:
        ranks.run(scaled, np.ones(1), "hang")
    assert failure.value.kind == "timeout" and failure.value.rank == 1
    assert "rank 1 did not run the task within 3 s" in str(failure.value)
    assert time.monotonic() - start < TIMEOUT + 10
    assert not ranks.procs


def test_a_dying_rank_is_a_crash_naming_it_with_its_exit_code():
    ranks = Ranks(2, loaded, timeout=TIMEOUT)
    with pytest.raises(RankFailure) as failure:
        ranks.run(scaled, np.ones(1), "crash")
    assert failure.value.kind == "crash" and failure.value.rank == 1
    assert "exit code 5" in str(failure.value)
    assert not ranks.procs


@pytest.fixture(scope="module")
def report():
    adapters = [f"tests.engines.rank_fixtures:{name}"
                for name in ("RankedAdapter", "RankHangAdapter", "RankCrashAdapter")]
    return run(RunConfig(adapters, PROFILE, 7, registry="tests.engines.rank_fixtures:RANKED",
                         jobs=1))


def statuses(report, adapter):
    return {r.path: (r.status, r.message) for r in report.results
            if r.adapter == f"tests.engines.rank_fixtures:{adapter}"}


def test_the_runner_reports_a_hanging_rank_as_a_timeout_and_keeps_the_rest(report):
    hang = statuses(report, "RankHangAdapter")
    assert hang["structured"][0] == "pass"
    assert hang["zero"][0] == "timeout" and "rank 1" in hang["zero"][1]


def test_the_runner_reports_a_dying_rank_as_a_crash_and_keeps_the_rest(report):
    crash = statuses(report, "RankCrashAdapter")
    assert crash["structured"][0] == "pass"
    assert crash["zero"][0] == "crash" and "rank 1 died (exit code 5)" in crash["zero"][1]


def test_healthy_ranks_pass(report):
    assert {s for s, _ in statuses(report, "RankedAdapter").values()} == {"pass"}


#: A case timeout under the slow group's start-up, over what the case itself takes.
SHORT = Profile("ranks-short", max_examples=1, steps=1, stateful_steps=1, timeout=SLOW - 3,
                shrink=False)


@pytest.fixture(scope="module")
def started_report():
    os.environ["OPTCONF_RANK_START_TIMEOUT"] = "12"  # over SLOW; read by the workers
    try:
        adapters = [f"tests.engines.rank_fixtures:{name}"
                    for name in ("RankSlowStartAdapter", "RankStuckStartAdapter")]
        return run(RunConfig(adapters, SHORT, 7, registry="tests.engines.rank_fixtures:RANKED",
                             jobs=1))
    finally:
        del os.environ["OPTCONF_RANK_START_TIMEOUT"]


def test_rank_start_up_is_not_counted_in_the_case_timeout_but_reported(started_report):
    (zero,) = [r for r in started_report.results if r.path == "zero"
               and r.adapter.endswith("RankSlowStartAdapter")]
    assert zero.status == "pass", zero.message
    assert zero.startup >= SLOW > SHORT.timeout > zero.duration


def test_ranks_that_never_start_are_a_timeout_naming_the_rank(started_report):
    (zero,) = [r for r in started_report.results if r.path == "zero"
               and r.adapter.endswith("RankStuckStartAdapter")]
    assert zero.status == "timeout"
    assert "rank 1 did not start within 12 s" in zero.message


def test_only_the_distributed_axis_expands_over_distributed_paths():
    from optconf.conformance.planning import plan
    from optconf.conformance.worker import describe
    from tests.conformance.fixtures_props import FAKE
    from tests.engines.rank_fixtures import RANKED

    label = "tests.engines.rank_fixtures:RankedAdapter"
    hello, _ = describe(label)
    tasks, _ = plan(label, hello.info, hello.supports,
                    [FAKE["fake.descent_step"], RANKED["fake.ranked_step"]], 0)
    assert {t.case.test_id for t in tasks} == {
        "fake.descent_step[structured]", "fake.ranked_step[structured]",
        "fake.ranked_step[zero]"}
    good = "tests.conformance.fixtures_adapters:GoodAdapter"
    hello, _ = describe(good)
    _, known = plan(good, hello.info, hello.supports,
                    [dataclasses.replace(RANKED["fake.ranked_step"], axes=("distributed",))], 0)
    assert [r.message for r in known] == ["adapter declares no distributed path (SHARD-1)"]
