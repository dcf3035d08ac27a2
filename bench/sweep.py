"""The benchmark's cases and how one is run: prepare through the bench engine (engine-resident
data, set up once), warm up (compile, JIT-capture, first-touch), then time steps and the
same-working-set copy in alternating repeats, with the memory the case holds (the limit
the steps are held against is measured after them: :mod:`.bound`).

Three sweeps: ``size`` (parameters from 1e4 up at a fixed leaf count, every rule; the
distributed paths once per world size in ``Config.worlds``),
``leaves`` (1 .. 10,000 leaves at a fixed total: the per-leaf overhead, first rule only) and
``gradient`` (``sum(p * p)`` differentiated over the arrays themselves vs through the
engine's collection).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from optconf.adapters import ranks
from optconf.adapters.protocol import DISTRIBUTED_PATHS, Unsupported
from optconf.conformance.cases import natural_rule
from optconf.conformance.catalog import default_rule

from . import machine
from .protocol import VIAS, BenchEngine, PreparedStep, RankReport, benched_paths
from .timing import Sample, Timer
from .traffic import arrays_moved, bytes_per_element

SWEEPS = ("size", "leaves", "gradient")


@dataclasses.dataclass(frozen=True)
class Config:
    """What to run.  A series (one engine, rule and path, growing cases) stops after a case
    whose median step took longer than ``max_step`` seconds, or whose preparation and
    warm-up took longer than ``max_prepare`` (the case is interrupted then), the rest
    recorded as skipped.  A worker process that gives no answer within ``max_case`` seconds
    is killed (``optconf.bench.worker``)."""

    rules: tuple[str, ...] = ("Adam",)
    sizes: tuple[int, ...] = (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000,
                              10_000_000, 20_000_000, 50_000_000)
    size_leaves: int = 10
    leaf_counts: tuple[int, ...] = (1, 10, 100, 1_000, 10_000)
    leaves_total: int = 1_000_000
    gradient_sizes: tuple[int, ...] = (100_000, 10_000_000)
    dtype: str = "float32"
    target: float = 0.05
    repeats: int = 11
    warmup: int = 3
    max_step: float = 2.0
    max_prepare: float = 60.0
    max_case: float = 600.0
    sweeps: tuple[str, ...] = SWEEPS
    worlds: tuple[int, ...] = (1, 2)  # rank counts of the distributed paths


QUICK = Config(sizes=(10_000, 1_000_000), leaf_counts=(1, 30), leaves_total=100_000,
               gradient_sizes=(100_000,), target=0.005, repeats=5, max_step=0.5,
               max_prepare=20.0)


@dataclasses.dataclass(frozen=True)
class Case:
    sweep: str
    adapter: str
    path: str          # the update path, or for the gradient sweep how it collects (VIAS)
    rule: str          # rule class name; "" for gradients
    elements: int      # parameters in all
    leaves: int
    dtype: str
    ranks: int = 1     # processes (or devices) a distributed path runs on

    def shapes(self) -> list[tuple[int, ...]]:
        return [(self.elements // self.leaves,)] * self.leaves

    @property
    def distributed(self) -> bool:
        return self.path in DISTRIBUTED_PATHS

    @property
    def label(self) -> str:
        """The path as tables and plots name it: a distributed one with its rank count."""
        return f"{self.path}\u00d7{self.ranks}" if self.distributed else self.path

    @property
    def series(self) -> tuple[str, str, str, str]:
        return self.sweep, self.adapter, self.rule, self.label


@dataclasses.dataclass
class Result:
    case: Case
    status: str                       # ok | unsupported | skipped | error
    reason: str = ""
    step: Sample | None = None
    copy: Sample | None = None
    bytes_per_element: int | None = None
    working_set: int | None = None    # parameters, gradients and state, bytes
    device: str | None = None
    threads: int | None = None
    warmup_seconds: float | None = None
    resident_held: int | None = None  # resident growth from before preparation to the end
    peak_resident: int | None = None  # peak resident set during the case
    device_memory: int | None = None  # peak device memory, where the device reports one
    ranks: RankReport | None = None   # a distributed path's own per-rank figures

    @property
    def gbps(self) -> float | None:
        if self.step is None or self.bytes_per_element is None or self.step.median <= 0:
            return None
        return self.bytes_per_element * self.case.elements / self.step.median / 1e9

    @property
    def copy_gbps(self) -> float | None:
        if self.copy is None or self.working_set is None or self.copy.median <= 0:
            return None
        return self.working_set / self.copy.median / 1e9

    @property
    def copy_ratio(self) -> float | None:
        """Step GB/s over the engine's own copy's GB/s (the headline ratio is to the limit
        instead, :func:`optconf.bench.bound.ratio`)."""
        gbps, copy = self.gbps, self.copy_gbps
        return None if gbps is None or not copy else gbps / copy


def check(config: Config) -> None:
    """A ValueError naming what in ``config`` cannot be run: a rule that is not a reference
    rule or has no entry in the traffic table, a size with fewer parameters than the size
    sweep's leaves, a leaf count above the leaf sweep's total (either would time empty
    arrays)."""
    for name in config.rules:
        try:
            arrays_moved(default_rule(name))
        except LookupError as exc:
            raise ValueError(str(exc)) from exc
    if "size" in config.sweeps and min(config.sizes) < config.size_leaves:
        raise ValueError(f"size {min(config.sizes)}: fewer parameters than the size sweep's "
                         f"{config.size_leaves} leaves")
    if "leaves" in config.sweeps and max(config.leaf_counts) > config.leaves_total:
        raise ValueError(f"{max(config.leaf_counts)} leaves: more than the leaf sweep's "
                         f"{config.leaves_total} parameters")


def plan(config: Config, adapter: str, paths: tuple[str, ...]) -> Iterator[Case]:
    """Every case for one adapter, each series in growing order."""
    d = config.dtype
    if "size" in config.sweeps:
        for rule in config.rules:
            for path in paths:
                for ranks in config.worlds if path in DISTRIBUTED_PATHS else (1,):
                    for n in config.sizes:
                        yield Case("size", adapter, path, rule, n - n % config.size_leaves,
                                   config.size_leaves, d, ranks)
    if "leaves" in config.sweeps:
        for path in (p for p in paths if p not in DISTRIBUTED_PATHS):
            for k in config.leaf_counts:
                total = config.leaves_total - config.leaves_total % k
                yield Case("leaves", adapter, path, config.rules[0], total, k, d)
    if "gradient" in config.sweeps:
        for via in VIAS:
            for n in config.gradient_sizes:
                yield Case("gradient", adapter, via, "", n - n % config.size_leaves,
                           config.size_leaves, d)


def prepare_case(engine: BenchEngine, case: Case) -> PreparedStep:
    """The engine's prepared work for ``case``, in the variant of its rule that the engine
    declares."""
    if case.sweep == "gradient":
        return engine.prepare_gradient(case.shapes(), case.dtype, case.path)
    # each engine times the rule in the variant it declares (torch's Momentum keeps the
    # learning rate outside the velocity): the same traffic, the engine's own arithmetic
    rule = natural_rule(engine.info(), case.rule)
    if case.distributed:
        return engine.prepare_sharded(case.shapes(), rule, case.path, case.dtype, case.ranks)
    return engine.prepare_step(case.shapes(), rule, case.path, case.dtype)


def _warm(prepared: PreparedStep, times: int) -> None:
    for _ in range(times):
        prepared.step()
        prepared.sync()
        prepared.copy()
        prepared.sync()


class PrepareTimeout(Exception):
    """Preparation and warm-up of a case took longer than ``Config.max_prepare``."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise PrepareTimeout in the main thread after ``seconds`` (SIGALRM, where there is
    one), and again every second until it lands: raised inside a destructor, Python prints
    and drops it.  Python-level engine work (compilers, schedulers) is interrupted at once;
    native work when it returns to Python."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise PrepareTimeout(f"preparation and warm-up took over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    unpaused, ranks.starting = ranks.starting, _paused
    try:
        yield
    finally:
        ranks.starting = unpaused
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _paused(_allowance: float) -> Iterator[None]:
    """The deadline stopped while rank processes start (the engine's import in each, which
    the rank group's own start timeout bounds), and resumed with what was left of it."""
    left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), 1.0)


def _check_warmed(case: Case, initial: np.ndarray, warmed: np.ndarray) -> None:
    """A step that does not update the parameters would time as impossibly fast: after
    warm-up the first parameter must be finite and, for optimiser steps, changed."""
    if not np.isfinite(warmed).all():
        raise FloatingPointError("parameters went non-finite during warm-up")
    if case.sweep != "gradient" and np.array_equal(initial, warmed):
        raise RuntimeError(f"{case.adapter} {case.path} {case.rule}: the parameters did not "
                           f"change over the warm-up steps, so step() does not run the update")


def run_case(engine: BenchEngine, case: Case, timer: Timer, config: Config) -> Result:
    """One case, never raising: an Unsupported path, a timeout or an engine error is a
    result."""
    gc.collect()
    machine.reset_peak()
    before = machine.resident_bytes()
    start = time.perf_counter()
    try:
        with _deadline(config.max_prepare):
            prepared = prepare_case(engine, case)
            initial = prepared.parameters()[0]
            _warm(prepared, config.warmup)
        warm = time.perf_counter() - start
        _check_warmed(case, initial, prepared.parameters()[0])
        step, copy = timer.paired(prepared.step, prepared.copy, prepared.sync)
    except Unsupported as exc:
        return Result(case, "unsupported", str(exc))
    except PrepareTimeout as exc:
        return Result(case, "skipped", str(exc))
    except Exception as exc:  # an engine failing one case must not end the run
        # the summary first (logs and bench.md show one line), the traceback for bench.json:
        # a worker's own stderr is not kept
        where = "".join(traceback.format_exception(exc))[-2000:]
        return Result(case, "error", f"{type(exc).__name__}: {exc}\n{where}")
    after = machine.resident_bytes()
    per_element = (bytes_per_element(default_rule(case.rule), np.dtype(case.dtype).itemsize)
                   if case.rule else None)
    result = Result(case, "ok", step=step, copy=copy, bytes_per_element=per_element,
                    working_set=prepared.nbytes, device=prepared.device,
                    threads=prepared.threads,
                    warmup_seconds=warm,
                    resident_held=None if before is None or after is None else after - before,
                    peak_resident=machine.peak_resident_bytes(),
                    device_memory=prepared.device_memory(), ranks=prepared.rank_report())
    prepared.close()
    del prepared
    return result


def run_engine(name: str, engine: BenchEngine, config: Config,
               run_one: Callable[[Case], Result], log: Any = None) -> Iterator[Result]:
    """Every case of one engine as it ends, each run by ``run_one`` (in this process, or
    isolated in a worker); a series stops once a step exceeds ``max_step``."""
    paths = benched_paths(engine.info())
    stopped: dict[tuple[str, str, str, str], tuple[str, str]] = {}
    for case in plan(config, name, paths):
        if case.series in stopped:
            yield Result(case, *stopped[case.series])
            continue
        result = run_one(case)
        if result.status == "unsupported":
            stopped[case.series] = ("unsupported", result.reason)
        elif result.status == "skipped":
            stopped[case.series] = ("skipped", "a smaller case was skipped: " + result.reason)
        elif result.status == "error":
            stopped[case.series] = ("skipped", "a smaller case failed: " + result.reason)
        elif result.step is not None and result.step.median > config.max_step:
            stopped[case.series] = ("skipped", f"a smaller case's step took "
                                    f"{result.step.median:.2f} s > {config.max_step} s")
        if log is not None:
            log(result)
        yield result
