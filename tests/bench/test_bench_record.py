"""The bench package's own protocol and records: engines are found like adapters, the
conformance Adapter has no bench verbs, and a run's records go to JSON and back in one place,
old runs (schema 1) included."""

import json
from pathlib import Path

import pytest

from optconf.adapters import UnknownAdapter
from optconf.adapters import installed as installed_adapters
from optconf.adapters import registered as registered_adapters
from optconf.adapters.protocol import Adapter
from optconf.bench import cli, loader, record, sweep
from optconf.bench.bound import BoundSample
from optconf.bench.machine import Machine
from optconf.bench.protocol import BenchEngine, RankReport
from optconf.bench.record import EngineEntry, RunMeta
from optconf.bench.timing import Sample

COMMITTED = Path(__file__).parents[2] / "reports" / "bench" / "bench.json"
#: The first committed run (schema 1, before the bound kernels), one result per engine.
SCHEMA_1 = Path(__file__).parent / "data" / "bench-schema1.json"


def test_every_built_in_adapter_has_a_bench_engine_of_the_same_name():
    assert set(loader.registered()) == set(registered_adapters())


def test_every_adapter_that_runs_here_has_a_bench_engine_that_runs_here():
    """A bench engine must not fail where its adapter loads (keras: the backend is chosen by
    the adapter module, before keras is imported)."""
    engines = loader.installed()
    for name, adapter in installed_adapters().items():
        if isinstance(adapter, Adapter):
            assert isinstance(engines[name], BenchEngine), engines[name]


def test_a_bench_engine_is_found_by_module_attr_and_speaks_for_its_adapter():
    engine = loader.load("tests.bench.isolation_adapters:Behaving")
    assert isinstance(engine, BenchEngine) and engine.info().name == "reference"


def test_something_that_is_no_bench_engine_is_refused_by_name():
    with pytest.raises(UnknownAdapter, match="gave ReferenceAdapter, which is no BenchEngine"):
        loader.load("optconf.adapters.reference:ReferenceAdapter")


def test_the_conformance_adapter_keeps_only_conformance_verbs():
    assert not {"prepare_step", "prepare_gradient"} & set(dir(Adapter))


def _run():
    machine = Machine("cpu", 2, 1 << 20, 1 << 30, "Linux", "3.11", "vm")
    meta = RunMeta("optconf bench --quick", "quick", "then", machine, "label",
                   sweep.Config(rules=("Adam", "Momentum")), 2e-7, 0.5, 1.5,
                   engines={"torch": EngineEntry("torch", "2", "cpu", 2, {"Momentum": "torch"}),
                            "mlx": EngineEntry(unavailable="not installed")},
                   bound=[BoundSample("copy", 2, 4096, "float32", 4096,
                                      Sample((1e-6, 2e-6), 10, 1e-8))],
                   finished="now", interrupted=True)
    case = sweep.Case("size", "torch", "fused", "Adam", 100, 10, "float32")
    results = [sweep.Result(case, "ok", step=Sample((1e-3, 2e-3, 3e-3), 5, 1e-7),
                            copy=Sample((1e-4,), 5, 1e-7), bytes_per_element=28,
                            working_set=1600, device="cpu", threads=2, warmup_seconds=0.1,
                            resident_held=0, peak_resident=1 << 20),
               sweep.Result(case, "unsupported", "no such path"),
               sweep.Result(sweep.Case("size", "torch", "zero", "Adam", 100, 10, "float32", 2),
                            "ok", step=Sample((1e-3,), 5, 1e-7), copy=Sample((1e-4,), 5, 1e-7),
                            ranks=RankReport((9e-4, 8e-4), (400, 400)))]
    return meta, results


def test_a_run_reads_back_as_it_was_written(tmp_path):
    meta, results = _run()
    record.write(tmp_path / "bench.json", meta, results, {}, [])
    assert record.read(tmp_path / "bench.json") == (meta, results)


def test_a_run_from_before_the_bound_kernels_still_reads():
    meta, results = record.read(SCHEMA_1)
    assert meta.bound == [] and meta.config.rules == ("Adam", "Momentum")
    assert {"jax", "reference", "tinygrad", "torch"} <= set(meta.engines)
    assert results and all(r.case.sweep in sweep.SWEEPS for r in results)


def test_the_committed_run_reads_back_with_its_bound_kernels_libraries():
    meta, results = record.read(COMMITTED)
    assert {s.library for s in meta.bound} <= {"numpy", "torch"}
    assert results and all(r.case.sweep in sweep.SWEEPS for r in results)


def test_a_file_that_is_no_bench_run_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"tool": "optconf run", "schema": 1, "results": []}))
    assert cli.main(["--check", str(path)]) == 2
    assert "not an optconf bench result of schema 1 to 4" in capsys.readouterr().err
