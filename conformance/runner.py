"""The run: every selected property against every adapter, each case in a worker process
(CONF-3, CONF-4, CONF-9).

No engine code runs in this process.  Each adapter is loaded in a worker, which says what
the adapter declares and which rule classes it runs (:mod:`.worker`); an adapter that
hangs, crashes or raises there is an adapter error naming it, and the others run on.  The
cases are then planned (:mod:`.planning`) and run in workers -- one per adapter and job,
reused across cases and restarted after a crash or a timeout (:mod:`.pool`) -- so a
segfault, ``os._exit`` or a hang costs one case, never the run.  ``--shard i/n`` keeps the
cases whose key hashes to shard i.  The workers of a run share its compilation caches
(:mod:`.caches`).
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .caches import compile_caches
from .cases import DEFAULT_REGISTRY
from .catalog import rule_classes
from .messages import (
    CaseAnswer,
    CaseRequest,
    Hello,
    ProtocolError,
    RanksStarting,
    decode,
    encode,
    plain,
)
from .planning import Task, not_offered, plan
from .pool import Lost, Worker, WorkerPool
from .profiles import Profile
from .properties.registry import (
    Property,
    SelectionError,
    load_properties,
    select_properties,
)
from .report.environment import environment
from .report.model import SUITE_VERSION, AdapterEntry, CaseResult, RunReport, sort_results

Progress = Callable[[int, int, CaseResult], None]
WORKER = "optconf.conformance.worker"


@dataclasses.dataclass
class RunConfig:
    adapters: list[str]
    profile: Profile
    seed: int
    jobs: int = 1
    shard: tuple[int, int] = (1, 1)
    properties: list[str] | None = None
    rules: list[str] | None = None
    registry: str = DEFAULT_REGISTRY
    out: Path | None = None         # repro scripts go to out/repro
    argv: list[str] = dataclasses.field(default_factory=list)
    stop_on: frozenset[str] = frozenset()  # statuses that end an adapter's remaining cases
    first: Callable[[Task], bool] | None = None  # cases to run before the others of an adapter
    keep: Callable[[Task], bool] | None = None   # only the planned cases it accepts
    named: bool = False  # the adapters were asked for by name: an unavailable one is an error
    compile_cache: Path | None = None  # kept compilation caches; None: a temporary folder


def _timestamp() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def run(config: RunConfig, progress: Progress | None = None) -> RunReport:
    """Run every selected case; on Ctrl-C, the report holds what finished and says
    ``interrupted``."""
    started = _timestamp()
    every = load_properties(config.registry)
    props = select_properties(every, config.properties)
    unknown = [name for name in config.rules or () if name not in rule_classes()]
    if unknown:
        raise SelectionError(f"--rule {', '.join(unknown)}: no such rule class; the rule "
                             f"classes are {', '.join(rule_classes())}")
    entries: list[AdapterEntry] = []
    results: list[CaseResult] = []
    interrupted = False
    with compile_caches(config.compile_cache) as settings:
        pool = WorkerPool(WORKER, [config.registry], config.profile.timeout, settings)
        try:
            entries, tasks, known = _prepare(pool, config, props)
            results += [r for r in known if r.case.in_shard(config.shard)]
            _run_tasks(pool, tasks, config, results, progress)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            pool.close_all()
    return RunReport(
        suite_version=SUITE_VERSION, started=started, finished=_timestamp(),
        profile=config.profile.name, seed=config.seed,
        shard=f"{config.shard[0]}/{config.shard[1]}", argv=config.argv, adapters=entries,
        results=sort_results(results), interrupted=interrupted, environment=environment(),
        selection=_selection(config, len(props) < len(every)),
    )


def _selection(config: RunConfig, fewer_properties: bool) -> dict[str, list[str]]:
    """The filters that left cases out of the run: ``--property`` globs that selected fewer
    than every property, ``--rule`` names that are not every rule class."""
    selection = {}
    if config.properties and fewer_properties:
        selection["property"] = list(config.properties)
    if config.rules and not set(rule_classes()) <= set(config.rules):
        selection["rule"] = list(config.rules)
    return selection


def _prepare(pool: WorkerPool, config: RunConfig, props: list[Property],
             ) -> tuple[list[AdapterEntry], list[Task], list[CaseResult]]:
    """Each adapter described by a worker of its own, then its cases planned: the adapter
    entries, the tasks of this shard in running order, and the results known unrun."""
    hellos = _hellos(pool, config.adapters, config.jobs)
    entries, tasks, known = [], [], []
    for label, hello in zip(config.adapters, hellos, strict=True):
        entry = _entry(label, hello, config.named)
        entries.append(entry)
        if isinstance(hello, Hello) and hello.info is not None:
            planned, unrun = plan(label, hello.info, hello.supports, props, config.seed,
                                  config.rules, hello.not_offered)
            entry.not_offered = not_offered(hello.info, hello.supports, hello.not_offered,
                                            props, config.rules)
            tasks += planned
            known += unrun
        else:
            pool.close_name(label)
    tasks = [t for t in tasks if t.case.in_shard(config.shard)
             and (config.keep is None or config.keep(t))]
    if config.first is not None:
        first = config.first  # a stable sort keeps the planned order within each group
        tasks.sort(key=lambda t: (config.adapters.index(t.case.adapter), not first(t)))
    return entries, tasks, known


def describe_adapters(labels: list[str], timeout: float, jobs: int = 1) -> list[Hello | str]:
    """Each adapter's declarations, asked in a worker of its own (``optconf list``): a
    Hello, or what went wrong, naming the adapter."""
    pool = WorkerPool(WORKER, [DEFAULT_REGISTRY], timeout)
    try:
        return _hellos(pool, labels, jobs)
    finally:
        pool.close_all()


def _hellos(pool: WorkerPool, labels: list[str], jobs: int) -> list[Hello | str]:
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
        return list(executor.map(lambda label: _hello(pool, label), labels))


def _hello(pool: WorkerPool, label: str) -> Hello | str:
    """The adapter's declarations from a new worker (kept in the pool for its cases), or
    what went wrong, naming the adapter."""
    worker = pool.take(label)
    try:
        line = worker.start()
        if isinstance(line, Lost):
            return _lost_while_loading(label, line)
        return decode(line, Hello)
    except ProtocolError as exc:
        return f"{label}: its worker answered with a bad declaration: {exc}"
    finally:
        pool.give(worker)


def _lost_while_loading(label: str, lost: Lost) -> str:
    if lost.status == "timeout":
        return (f"{label}: no answer within {lost.duration:g} s while loading the adapter "
                "or asking its info() and supports() (the profile's timeout); the worker "
                "was stopped")
    return f"{label}: crashed while loading the adapter or asking its info(): {lost.message}"


def _entry(label: str, hello: Hello | str, named: bool) -> AdapterEntry:
    if isinstance(hello, str):
        return AdapterEntry(label, available=False, reason=hello, error=True)
    if hello.info is None:
        error = hello.failure != "unavailable" or named
        return AdapterEntry(label, available=False, reason=hello.message, error=error)
    return AdapterEntry(label, available=True, reason=hello.message, info=plain(hello.info))


def _run_tasks(pool: WorkerPool, tasks: list[Task], config: RunConfig,
               results: list[CaseResult], progress: Progress | None) -> None:
    remaining = {a: sum(t.case.adapter == a for t in tasks) for a in config.adapters}
    for adapter, count in remaining.items():
        if not count:
            pool.close_name(adapter)
    caught: set[str] = set()   # adapters with a result in config.stop_on
    repro_dir = str(config.out / "repro") if config.out else None
    if config.out:  # the folder holds this run's scripts only, not a former run's
        for stale in (config.out / "repro").glob("*.py"):
            stale.unlink()

    def one(task: Task) -> CaseResult | None:
        if task.case.adapter in caught:
            return None
        worker = pool.take(task.case.adapter)
        try:
            result = task.result(_ask(worker, task, config, repro_dir))
        finally:
            pool.give(worker)
        if result.status in config.stop_on:
            caught.add(task.case.adapter)  # here, before this thread takes the next case
        return result

    executor = ThreadPoolExecutor(max_workers=max(1, config.jobs))
    try:
        futures = {executor.submit(one, t): t for t in tasks}
        for done, future in enumerate(as_completed(futures), 1):
            adapter = futures[future].case.adapter
            result = future.result()
            remaining[adapter] -= 1
            if not remaining[adapter]:
                pool.close_name(adapter)
            if result is None:
                continue
            results.append(result)
            if progress:
                progress(done, len(tasks), result)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _ask(worker: Worker, task: Task, config: RunConfig, repro_dir: str | None) -> CaseAnswer:
    """The worker's answer to one task; a crash or timeout, or an answer that is not a
    CaseAnswer (the worker is then stopped), costs this case only.  While the worker starts
    rank processes, the case's timeout stops and the start's own allowance runs."""
    request = CaseRequest(task.case, task.seed, config.profile, repro_dir)
    begun = time.monotonic()
    line = worker.ask(encode(request), config.profile.timeout)
    startup = 0.0
    while not isinstance(line, Lost) and (starting := _starting(line)) is not None:
        # rank processes start: their start-up is not the case's time (CONF-13)
        paused = time.monotonic()
        line = worker.more(starting.allowance, "rank processes did not start")
        startup += time.monotonic() - paused
        if not isinstance(line, Lost):
            left = config.profile.timeout - (time.monotonic() - begun - startup)
            line = worker.more(max(0.0, left), "no result")
    if isinstance(line, Lost):
        return CaseAnswer(line.status, line.duration, message=line.message, startup=startup)
    try:
        answer = decode(line, CaseAnswer)
    except ProtocolError as exc:
        worker.close()
        return CaseAnswer("error", 0.0, message=f"bad answer from the worker: {exc}")
    if answer.repro is not None and config.out is not None:
        answer = dataclasses.replace(answer, repro=Path(answer.repro).relative_to(
            config.out).as_posix())
    return answer


def _starting(line: str) -> RanksStarting | None:
    """The notice that a case's worker starts rank processes, if ``line`` is one."""
    try:
        return decode(line, RanksStarting)
    except ProtocolError:
        return None
