"""``optconf bench`` itself: the traffic table, the timer's statistics and overhead, the
sweeps' planning and stopping rules, and a small end-to-end run writing JSON, Markdown and
PNG."""

import json
import os
import time

import numpy as np
import pytest

from optconf.adapters import load
from optconf.adapters.protocol import Unsupported
from optconf.bench import cli, output, sweep, traffic, worker
from optconf.bench.protocol import BenchEngine, PreparedStep
from optconf.bench.timing import Sample, Timer
from optconf.reference.rules import Adam, AMSGrad, Descent, Momentum, RMSProp
from optconf.reference.rules.base import THREADS


def test_traffic_counts_reads_and_writes_of_full_size_arrays():
    assert traffic.bytes_per_element(Adam(), 4) == 7 * 4
    assert traffic.bytes_per_element(Descent(), 8) == 3 * 8
    assert traffic.arrays_moved(Momentum()) == 5
    assert traffic.arrays_moved(AMSGrad()) == 9
    assert traffic.arrays_moved(RMSProp(centred=True)) == 7


def test_a_rule_without_traffic_entry_is_refused_not_guessed():
    class Unknown(Descent):
        pass

    with pytest.raises(LookupError, match="no traffic entry for Unknown"):
        traffic.arrays_moved(Unknown())


def test_sample_reports_median_quartiles_and_relative_spread():
    s = Sample((1.0, 2.0, 3.0, 4.0, 100.0), calls=1, overhead=0.0)
    assert s.median == 3.0
    assert s.quartiles() == (2.0, 4.0)
    assert s.spread == pytest.approx(2.0 / 3.0)


def test_timer_subtracts_its_own_overhead():
    """A no-op measures as (almost) nothing once the loop's overhead is subtracted, while a
    1 ms sleep still measures as at least 1 ms."""
    timer = Timer(target=0.002, repeats=5)
    noop = timer.alone(lambda: None, lambda: None)
    sleep = timer.alone(lambda: time.sleep(0.001), lambda: None)
    assert noop.median < 1e-6 < 1e-3 <= sleep.median
    assert noop.overhead > 0


def test_sizes_keep_equal_leaves_and_series_grow():
    config = sweep.Config(sizes=(10_001, 1_000), size_leaves=10, leaf_counts=(1, 3),
                          leaves_total=100, gradient_sizes=(50,))
    cases = list(sweep.plan(config, "reference", ("flat_list",)))
    sizes = [c for c in cases if c.sweep == "size"]
    assert [c.elements for c in sizes] == [10_000, 1_000]
    assert all(c.elements % c.leaves == 0 for c in cases)
    assert [c.leaves for c in cases if c.sweep == "leaves"] == [1, 3]
    assert {c.path for c in cases if c.sweep == "gradient"} == {
        "plain", "trainables", "destructure"}


def test_a_distributed_path_is_sized_once_per_rank_count_and_only_there():
    config = sweep.Config(sizes=(100, 1_000), size_leaves=10, leaf_counts=(1, 10),
                          leaves_total=100, worlds=(1, 2))
    cases = list(sweep.plan(config, "torch", ("flat_list", "zero")))
    zero = [(c.sweep, c.ranks, c.elements) for c in cases if c.path == "zero"]
    assert zero == [("size", 1, 100), ("size", 1, 1_000), ("size", 2, 100), ("size", 2, 1_000)]
    assert {c.label for c in cases if c.path == "zero"} == {"zero\u00d71", "zero\u00d72"}
    assert all(c.ranks == 1 and c.label == c.path for c in cases if c.path != "zero")


class SlowPrepare(BenchEngine):
    """An engine whose preparation never ends, and one path it does not have."""

    def __init__(self):
        super().__init__(load("reference"))

    def prepare_step(self, shapes, rule, path, dtype):
        if path == "flat_vector":
            raise Unsupported("no flat vector here")
        while True:
            time.sleep(0.01)


def test_a_case_over_the_preparation_limit_is_interrupted_and_its_series_skipped():
    config = sweep.Config(sizes=(100, 200), sweeps=("size",), max_prepare=0.2)
    engine, timer = SlowPrepare(), Timer(0.001, 1)
    results = list(sweep.run_engine("slow", engine, config,
                                    lambda case: sweep.run_case(engine, case, timer, config)))
    by_path = {}
    for r in results:
        by_path.setdefault(r.case.path, []).append(r.status)
    assert by_path["structured"] == ["skipped", "skipped"]
    assert by_path["flat_vector"] == ["unsupported", "unsupported"]
    assert "took over 0.2 s" in results[0].reason


class Fixed(PreparedStep):
    """A step of known cost: the ratio must come out of the table and the working set."""

    nbytes = 1000

    def step(self):
        time.sleep(0.002)

    def copy(self):
        time.sleep(0.001)

    def parameters(self):
        return [np.zeros(10)]


def test_gbps_and_ratio_follow_from_traffic_working_set_and_times():
    case = sweep.Case("size", "x", "flat_list", "Adam", 100, 1, "float32")
    step = Sample((0.002,), 1, 0.0)
    copy = Sample((0.001,), 1, 0.0)
    r = sweep.Result(case, "ok", step=step, copy=copy, bytes_per_element=28, working_set=1000)
    assert r.gbps == pytest.approx(28 * 100 / 0.002 / 1e9)
    assert r.copy_gbps == pytest.approx(1000 / 0.001 / 1e9)
    assert r.copy_ratio == pytest.approx(1.4)


def test_quick_run_on_the_reference_writes_json_markdown_plots_and_headline(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{output.HEADLINE_START}\n{output.HEADLINE_END}\nrest\n")
    code = cli.main(["--quick", "--adapter", "reference", "--sizes", "1e3", "4e3",
                     "--leaves", "1", "4", "--out", str(tmp_path), "--readme", str(readme)])
    assert code == 0
    doc = json.loads((tmp_path / "bench.json").read_text())
    ok = [r for r in doc["results"] if r["status"] == "ok"]
    assert {r["sweep"] for r in ok} == {"size", "leaves", "gradient"}
    assert all(r["gbps"] > 0 and r["ratio"] > 0 for r in ok if r["sweep"] != "gradient")
    assert all(r["step"]["repeats"] == 5 for r in ok)
    assert doc["machine"]["cores"] >= 1 and doc["timer_overhead_per_call_s"] > 0
    # NumPy's one thread, and the reference's in-place Adam's
    assert {b["threads"] for b in doc["bound"]} == {1, THREADS}
    assert [(x["device"], x["dtype"]) for x in doc["limits"]] == [("cpu", "float32")]
    md = (tmp_path / "bench.md").read_text()
    assert "How to read the ratios" in md and "| reference | flat_list | 1000 |" in md
    assert md.index("## Headline") < md.index("How to read the ratios")
    assert "| reference | flat_list | " in readme.read_text()
    for png in ("gbps_vs_size_Adam.png", "time_vs_leaves.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"


def test_an_unknown_engine_is_a_usage_error_naming_the_registered_ones(tmp_path, capsys):
    assert cli.main(["--adapter", "nonesuch", "--out", str(tmp_path)]) == 2
    assert "unknown bench engine 'nonesuch'; registered bench engines: " in \
        capsys.readouterr().err


class Idle(Fixed):
    """A 'step' that never touches the parameters: it would time as infinitely fast."""

    def step(self):
        pass


class IdleEngine(SlowPrepare):
    def prepare_step(self, shapes, rule, path, dtype):
        return Idle()


def test_a_step_that_leaves_the_parameters_unchanged_is_an_error_not_a_time():
    config = sweep.Config(sizes=(100,), sweeps=("size",), warmup=1)
    result = sweep.run_case(IdleEngine(), sweep.Case("size", "idle", "structured", "Adam",
                                                      100, 1, "float32"),
                            Timer(0.001, 1), config)
    assert result.status == "error"
    assert "did not change" in result.reason


def _in_worker(*paths, **config):
    """The results of one case per path, run in turn by one IsolatedCases."""
    with worker.IsolatedCases("tests.bench.isolation_adapters:Behaving",
                              sweep.Config(warmup=1, target=0.001, repeats=1,
                                           **config)) as isolated:
        return [isolated(sweep.Case("size", "behaving", path, "Adam", 100, 1, "float32"))
                for path in paths]


def test_the_bench_worker_is_reused_between_clean_cases():
    first, second = _in_worker("structured", "structured")
    assert first.status == second.status == "ok"
    assert first.device == second.device != str(os.getpid())


def test_a_worker_whose_preparation_was_interrupted_is_replaced():
    before, slow, after = _in_worker("structured", "slow", "structured", max_prepare=0.5)
    assert slow.status == "skipped" and "took over 0.5 s" in slow.reason
    assert after.status == "ok" and after.device != before.device


def test_a_worker_that_does_not_answer_is_killed_and_its_case_skipped():
    stuck, after = _in_worker("stuck", "structured", max_prepare=0.5, max_case=3.0)
    assert stuck.status == "skipped" and "no result within 3 s" in stuck.reason
    assert after.status == "ok"


def test_a_worker_that_dies_gives_an_error_naming_its_exit():
    died, after = _in_worker("exits", "structured")
    assert died.status == "error" and "exit code 3" in died.reason
    assert after.status == "ok"


@pytest.mark.parametrize(("args", "named"), [
    (["--rule", "Nope"], "Nope"),
    (["--rule", "AccumGrad"], "AccumGrad"),
    (["--sizes", "5"], "size 5"),
    (["--leaves", "2000000"], "2000000 leaves"),
])
def test_a_case_that_cannot_be_timed_is_a_usage_error_before_anything_runs(tmp_path, capsys,
                                                                           args, named):
    assert cli.main(["--adapter", "reference", *args, "--out", str(tmp_path)]) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "bench.json").exists()


def test_a_rank_count_below_one_is_refused_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--adapter", "reference", "--ranks", "0", "--out", str(tmp_path)])
    assert stopped.value.code == 2 and "--ranks: must be >= 1" in capsys.readouterr().err


def test_an_engine_error_in_a_worker_keeps_its_traceback_in_the_result():
    (failed,) = _in_worker("raises")
    assert failed.status == "error"
    assert failed.reason.splitlines()[0] == "TypeError: boom"
    assert "isolation_adapters.py" in failed.reason
