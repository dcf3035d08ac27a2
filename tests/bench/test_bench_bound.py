"""The memory limit of ``optconf bench`` (``bench/bound.py``): the bound kernels
compute what they are credited with, the limit is the fastest kernel beyond the cache, a step
beyond the cache faster than it is a bench error, and the headline table reads from it."""

import dataclasses
import json

import numpy as np
import pytest

from optconf.bench import bound, cli, output, sweep
from optconf.bench.machine import Machine
from optconf.bench.record import RunMeta
from optconf.bench.timing import Sample, Timer

CACHE = 400  # bytes of last-level cache in the synthetic runs: sets from 1600 are beyond it


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("kernel", bound.KERNELS, ids=lambda k: k.name)
def test_each_kernel_computes_its_formula_over_every_element(monkeypatch, kernel, threads):
    """Split over threads and (for kernels of several NumPy calls) blocks of 8 elements,
    every element is computed exactly once."""
    monkeypatch.setattr(bound, "BLOCK_BYTES", 8 * 8)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(101) for _ in range(kernel.arrays)]
    a, b = arrays[0].copy(), arrays[1].copy()
    want = {"copy": a, "scale": 0.5 * a, "add": a + b, "triad": a + 0.5 * b,
            "a += b": a + b, "a = a*s + b": a * 0.5 + b}[kernel.name]
    with bound.Threaded(threads) as threaded:
        threaded.caller(kernel, arrays)()
    written = arrays[0] if kernel.name.startswith("a ") else arrays[-1]
    np.testing.assert_allclose(written, want, rtol=1e-15)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("kernel", bound.KERNELS, ids=lambda k: k.name)
def test_each_kernels_torch_call_computes_the_same_formula(kernel, threads):
    pytest.importorskip("torch", reason="torch is not installed: the bound runs in NumPy only")
    rng = np.random.default_rng(0)
    numpy_arrays = [rng.standard_normal(101) for _ in range(kernel.arrays)]
    torch_arrays = [a.copy() for a in numpy_arrays]
    with bound.Threaded(threads) as threaded:
        threaded.caller(kernel, numpy_arrays)()
    with bound.InTorch(threads) as in_torch:
        in_torch.caller(kernel, torch_arrays)()
    for ours, theirs in zip(numpy_arrays, torch_arrays, strict=True):
        np.testing.assert_allclose(theirs, ours, rtol=1e-15)


def test_running_in_torch_restores_its_thread_count():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    before = torch.get_num_threads()
    with bound.InTorch(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("spelling", ["cpu", "CPU", "cpu:0", "TFRT_CPU_0", "cpu x2",
                                      "Device(cpu, 0)", None])
def test_every_spelling_of_the_cpu_shares_one_limit(spelling):
    assert bound.device_kind(spelling) == "cpu"


def test_a_working_set_just_past_the_cache_is_not_beyond_it():
    """STREAM's rule: from 4 caches on; at 1.07x (34 MiB over 32 MiB) most of it is cached."""
    assert not bound.beyond(int(1.07 * CACHE), CACHE)
    assert bound.beyond(4 * CACHE, CACHE)


def test_working_sets_are_the_rules_arrays_at_each_size():
    config = sweep.Config(rules=("Adam", "Momentum"), sizes=(100, 1000), size_leaves=10,
                          leaves_total=50, sweeps=("size", "leaves"))
    assert bound.working_sets(config) == sorted({4 * 100 * 4, 4 * 1000 * 4, 3 * 100 * 4,
                                                 3 * 1000 * 4, 4 * 50 * 4})


def test_measure_times_each_kernel_at_each_thread_count():
    samples = bound.measure([4096], "float64", [2, 1, 2], Timer(0.001, 2), using=["numpy"])
    assert [(s.kernel, s.threads) for s in samples] == [
        (k.name, t) for k in bound.KERNELS for t in (1, 2)]
    triad = next(s for s in samples if s.kernel == "triad")
    assert triad.moved == 3 * (4096 // (3 * 8)) * 8 and triad.gbps > 0


def _step(adapter, path, elements, step_s, working_set, *, rule="Adam", copy_s=1.0,
          sweep_name="size", leaves=10, device="cpu"):
    """A synthetic timed step: 28 bytes per element, ``step_s`` seconds."""
    case = sweep.Case(sweep_name, adapter, path, rule, elements, leaves, "float32")
    return sweep.Result(case, "ok", step=Sample((step_s,), 1, 0.0),
                        copy=Sample((copy_s,), 1, 0.0), bytes_per_element=28,
                        working_set=working_set, device=device, threads=2)


def _kernel(gbps, working_set, threads=2):
    return bound.BoundSample("a += b", threads, working_set, "float32", int(gbps * 1e9),
                             Sample((1.0,), 1, 0.0))


def test_the_limit_is_the_fastest_kernel_beyond_the_cache_engine_copies_included():
    results = [_step("torch", "fused", 100, 1.0, 2000, copy_s=2000 / 30e9)]
    found = bound.limits([_kernel(20.0, 2000), _kernel(90.0, 500)], results, CACHE)
    limit = found[("cpu", "float32")]
    assert (limit.gbps, limit.source, limit.beyond_cache) == (pytest.approx(30.0),
                                                              "torch copy", True)


def test_the_limit_takes_each_kernels_and_copys_fastest_repeat():
    """Load on a shared machine only adds time: 2 GB in 0.1 s is what the machine can do."""
    kernel = bound.BoundSample("copy", 1, 2000, "float32", 2 * 10**9,
                               Sample((0.4, 0.1, 0.2), 1, 0.0))
    copied = _step("jax", "flat_list", 100, 1.0, 2000)
    copied = dataclasses.replace(copied, copy=Sample((2000 / 10e9, 2000 / 30e9), 1, 0.0))
    assert kernel.gbps == pytest.approx(20.0)
    assert bound.limits([kernel], [copied], CACHE)[("cpu", "float32")].gbps == \
        pytest.approx(30.0)


def test_without_a_working_set_beyond_the_cache_the_largest_one_sets_the_limit():
    found = bound.limits([_kernel(20.0, 800, threads=1), _kernel(90.0, 500)], [], CACHE)
    assert found[("cpu", "float32")] == bound.Limit("cpu", "float32", 20.0, "a += b, 1 thread",
                                                    800, False)


def test_each_device_kind_has_its_own_limit():
    results = [_step("torch", "fused", 100, 1.0, 2000, copy_s=2000 / 1e12, device="cuda:0"),
               _step("tinygrad", "fused", 100, 1.0, 2000, copy_s=2000 / 2e12, device="CUDA")]
    found = bound.limits([_kernel(20.0, 2000)], results, CACHE)
    assert found[("cuda", "float32")].source == "tinygrad copy"
    assert found[("cpu", "float32")].gbps == 20.0


def test_a_step_beyond_the_cache_faster_than_the_limit_is_a_bench_error():
    """28 bytes x 1e9 elements in 1 s = 28 GB/s against a 25 GB/s limit: 1.12x."""
    limit = [_kernel(25.0, 5000)]
    fast = _step("torch", "fused", 10**9, 1.0, 5000)
    in_cache = dataclasses.replace(fast, working_set=CACHE)
    within = _step("jax", "flat_list", 10**9, 28 / 26.0, 5000)
    found = bound.limits(limit, [], CACHE)
    (error,) = bound.bench_errors([fast, in_cache, within], found, CACHE)
    assert error.startswith("torch fused Adam, 1000000000 parameters in 10 leaves")
    assert "1.12x the cpu float32 limit 25 GB/s (a += b, 2 threads)" in error
    assert bound.ratio(within, found) == pytest.approx(26 / 25)  # within the tolerance


def _meta(bound_samples, rules=("Adam",), leaf_counts=(1, 10_000)):
    machine = Machine("x", 2, CACHE, 1, "Linux", "3.11", "vm")
    return RunMeta("c", "full", "then", machine, "synthetic",
                   sweep.Config(rules=rules, leaf_counts=leaf_counts), 1e-7, 0.0, 0.0,
                   bound=bound_samples, finished="now")


def test_check_reads_a_bench_json_and_exits_1_on_a_bench_error(tmp_path, capsys):
    meta = _meta([_kernel(25.0, 5000)])
    output.write_json(tmp_path / "bench.json", meta,
                      [_step("torch", "fused", 10**9, 1.0, 5000)])
    assert cli.main(["--check", str(tmp_path / "bench.json")]) == 1
    printed = capsys.readouterr().out
    assert "**cpu float32: 25 GB/s**, a += b, 2 threads" in printed
    assert "1 bench errors\n- torch fused Adam" in printed


def test_a_run_from_before_the_bound_kernels_is_checked_against_its_engine_copies(tmp_path,
                                                                                   capsys):
    path = tmp_path / "bench.json"
    output.write_json(path, _meta([]),
                      [_step("jax", "flat_list", 10**9, 1.0, 5000, copy_s=5000 / 30e9)])
    schema_1 = json.loads(path.read_text())
    del schema_1["bound"]
    path.write_text(json.dumps({**schema_1, "schema": 1}))
    assert cli.main(["--check", str(path)]) == 0
    assert "0 bench errors" in capsys.readouterr().out


def test_headline_has_one_line_per_engine_and_path_with_ratio_and_per_leaf_overhead():
    """The ratio of the largest size beyond the cache (else the largest, marked in cache),
    and (step at 10,000 leaves - step at 1) / 9,999 (else at the most leaves that ran)."""
    results = [_step("torch", "fused", 10**8, 0.1, 2000),
               _step("torch", "fused", 10**9, 2.0, 5000),
               _step("torch", "fused", 10**6, 1e-3, 10**6, sweep_name="leaves", leaves=1),
               _step("torch", "fused", 10**6, 1e-3 + 9999 * 2e-6, 10**6, sweep_name="leaves",
                     leaves=10_000),
               _step("jax", "flat_list", 100, 1e-6, 500),
               _step("jax", "flat_list", 10**6, 1e-3, 10**6, sweep_name="leaves", leaves=1),
               _step("jax", "flat_list", 10**6, 1.1e-3, 10**6, sweep_name="leaves", leaves=101)]
    found = bound.limits([_kernel(28.0, 5000)], [], CACHE)
    rows = output.headline(_meta([]), results, found)
    assert rows[0] == ("| engine | path | Adam ratio (GB/s at params) | per-leaf overhead at "
                       "1e4 leaves |")
    assert rows[2] == "| torch | fused | 0.50 (14 GB/s at 1e9) | 2 µs (21 ms a step) |"
    assert rows[3] == ("| jax | flat_list | 0.10 (2.8 GB/s at 100, in cache) | 1 µs (1.1 ms a "
                       "step at 101 leaves; 1e4 did not run) |")
    assert len(rows) == 4


def test_the_headline_is_written_between_the_readme_markers_only():
    text = f"intro\n{output.HEADLINE_START}\nold table\n{output.HEADLINE_END}\nrest\n"
    meta = _meta([_kernel(28.0, 5000)])
    spliced = output.splice_headline(text, meta, [_step("torch", "fused", 10**9, 1.0, 5000)])
    assert spliced.startswith(f"intro\n{output.HEADLINE_START}\n")
    assert spliced.endswith(f"{output.HEADLINE_END}\nrest\n")
    assert "old table" not in spliced and "| torch | fused | 1.00 (28 GB/s at 1e9) |" in spliced
    with pytest.raises(ValueError, match=r"no .* lines to write the headline between"):
        output.splice_headline("no markers", meta, [])


@pytest.mark.parametrize(("device", "kind"), [("cuda:0", "cuda"), ("CUDA", "cuda"),
                                              ("cpu:0", "cpu"), ("CPU", "cpu"), (None, "cpu")])
def test_devices_are_grouped_by_kind(device, kind):
    assert bound.device_kind(device) == kind


def test_a_readme_without_headline_markers_is_a_usage_error_before_anything_runs(tmp_path,
                                                                                  capsys):
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    assert cli.main(["--adapter", "reference", "--readme", str(readme), "--out",
                     str(tmp_path)]) == 2
    assert "--readme" in capsys.readouterr().err
    assert not (tmp_path / "bench.json").exists()
