"""The runner: every property against every adapter, each case in a worker process
(CONF-3, CONF-4, CONF-9).

Cases are planned in this process (the rule and path axes need the adapter's declarations),
then run in worker processes -- one per adapter and job, reused across cases and restarted
after a crash or a timeout -- so a segfault, ``os._exit`` or a hang costs one case, never the
run.  Every case has its own seed, derived from the run seed and the case key, so it replays
alone; ``--shard i/n`` keeps the cases whose key hashes to shard i.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import inspect
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from fnmatch import fnmatchcase
from pathlib import Path
from typing import IO, Any

from optconf.adapters import AdapterUnavailable, load
from optconf.adapters.protocol import Adapter
from optconf.reference import rules as rule_module
from optconf.reference.rules.base import Rule

from .catalog import default_rule
from .profiles import Profile
from .properties.registry import Case, Property
from .report.model import SUITE_VERSION, AdapterEntry, CaseResult, RunReport, sort_results
from .worker import DEFAULT_REGISTRY, registry

STDERR_TAIL = 2000
#: seconds a worker may take to import its engine and the properties
STARTUP_TIMEOUT = 300.0


@dataclasses.dataclass(frozen=True)
class Task:
    """One planned case for a worker."""

    adapter: str
    prop: Property
    case: Case
    seed: int
    variant: str | None

    def result(self, **fields: Any) -> CaseResult:
        return CaseResult(adapter=self.adapter, property=self.prop.id, rule=self.case.rule,
                          path=self.case.path, clauses=list(self.prop.clauses),
                          variant=self.variant, seed=self.seed, **fields)


# ------------------------------------------------------------------------------- planning


def case_seed(run_seed: int, adapter: str, prop_id: str, case: Case) -> int:
    """The seed of one case: a hash of the run seed and the case's key (32 bits)."""
    text = f"{run_seed}|{adapter}|{prop_id}|{case.key()}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def in_shard(key: str, shard: tuple[int, int]) -> bool:
    """Whether the case ``key`` belongs to shard ``i`` of ``n`` (1-based, stable)."""
    i, n = shard
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % n == i - 1


def rule_classes() -> list[type[Rule]]:
    """The concrete rules of the reference, in ``optconf.reference.rules`` order."""
    found = (getattr(rule_module, name) for name in getattr(rule_module, "__all__", []))
    return [c for c in found
            if isinstance(c, type) and issubclass(c, Rule) and not inspect.isabstract(c)]


def natural_rule(adapter: Adapter, name: str) -> Rule:
    """The rule class ``name`` as ``adapter`` runs it: the catalogue's default rule, in the
    variant the adapter declares (RULE-5)."""
    rule = default_rule(name)
    variant = adapter.info().variants.get(name)
    return rule if variant is None else dataclasses.replace(rule, variant=variant)


def _support(adapter: Adapter, cls: type[Rule]) -> str | None:
    """None when the adapter runs ``cls`` (asked with its natural rule); else why not."""
    reason: str | None = adapter.supports(natural_rule(adapter, cls.__name__))
    return reason


def plan(label: str, adapter: Adapter, props: Iterable[Property], run_seed: int,
         rules: list[str] | None = None) -> tuple[list[Task], list[CaseResult]]:
    """Expand ``props`` over their axes for one adapter: tasks to run, and results already
    known (``unsupported``: missing capabilities, rules the adapter cannot express)."""
    info = adapter.info()
    offered = info.capabilities | set(info.paths)
    classes = [c for c in rule_classes() if rules is None or c.__name__ in rules]
    reasons = {c.__name__: _support(adapter, c) for c in classes}
    tasks: list[Task] = []
    known: list[CaseResult] = []
    for prop in props:
        def task(case: Case, prop: Property = prop) -> Task:
            return Task(label, prop, case, case_seed(run_seed, label, prop.id, case),
                        info.variants.get(case.rule or ""))

        missing = sorted(prop.requires - offered)
        if missing:
            known.append(task(Case()).result(
                status="unsupported", message=f"adapter lacks {', '.join(missing)}"))
            continue
        rule_names: list[str | None] = list(reasons) if "rule" in prop.axes else [None]
        paths = list(info.paths) if "path" in prop.axes else [None]
        for rule in rule_names:
            if rule is not None and reasons[rule]:
                known.append(task(Case(rule=rule)).result(status="unsupported",
                                                          message=str(reasons[rule])))
                continue
            tasks += [task(Case(rule=rule, path=path)) for path in paths]
    return tasks, known


def select_properties(props: dict[str, Property], globs: list[str] | None) -> list[Property]:
    chosen = [p for pid, p in sorted(props.items())
              if not globs or any(fnmatchcase(pid, g) for g in globs)]
    return chosen


# -------------------------------------------------------------------------------- workers


class Worker:
    """One worker process for one adapter, ``python -m MODULE ARGS...``; answers one JSON
    request line at a time with one JSON line, after a ``{"ready": true}`` handshake."""

    def __init__(self, adapter: str, module_args: list[str]) -> None:
        self.adapter, self.module_args = adapter, module_args
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr: IO[bytes] | None = None
        self.buffer = b""

    def _start(self) -> dict[str, Any] | None:
        """Start the worker and wait until it has loaded the adapter and the properties
        (not counted in any case's timeout); a crash or timeout result if it does not."""
        # kept open for the worker's lifetime: its tail explains a crash
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [p for p in sys.path if p and os.path.isdir(p)]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", *self.module_args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env,
            start_new_session=True,  # Ctrl-C reaches the runner, which stops the workers
        )
        self.buffer = b""
        return self._answer(STARTUP_TIMEOUT, "worker did not start")

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """The worker's answer, or a ``crash`` / ``timeout`` result (the worker is then
        stopped and restarted by the next request)."""
        if self.proc is None or self.proc.poll() is not None:
            failed = self._start()
            if failed is not None:
                return failed
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            return self._died()
        answer = self._answer(timeout, "no result")
        assert answer is not None
        return answer

    def _answer(self, timeout: float, late: str) -> dict[str, Any] | None:
        """The worker's next JSON line (None for the start-up handshake), or a crash or
        timeout result."""
        assert self.proc is not None
        line = self._read_line(self.proc, timeout)
        if line is None:
            self.close()
            return {"status": "timeout", "message": f"{late} within {timeout:g} s",
                    "duration": timeout}
        if not line:
            return self._died()
        answer: dict[str, Any] = json.loads(line)
        return None if answer.get("ready") else answer

    def _read_line(self, proc: subprocess.Popen[bytes], timeout: float) -> bytes | None:
        """One line from the worker; b"" at EOF; None after ``timeout`` seconds."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b""
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def _died(self) -> dict[str, Any]:
        assert self.proc is not None
        code = self.proc.wait()
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        tail = self._stderr_tail()
        self.close()
        return {"status": "crash", "message": f"worker died ({how})" + (
            f"\n{tail}" if tail else ""), "duration": 0.0}

    def _stderr_tail(self) -> str:
        if self.stderr is None:
            return ""
        self.stderr.seek(0, os.SEEK_END)
        size = self.stderr.tell()
        self.stderr.seek(max(0, size - STDERR_TAIL))
        return self.stderr.read().decode(errors="replace").strip()

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream:
                    stream.close()
        if self.stderr is not None:
            self.stderr.close()
        self.proc, self.stderr = None, None


class WorkerPool:
    """Idle workers per adapter, shared by the runner's threads."""

    def __init__(self, registry_spec: str) -> None:
        self.registry_spec = registry_spec
        self.idle: dict[str, list[Worker]] = {}
        self.busy: set[Worker] = set()
        self.lock = threading.Lock()

    def take(self, adapter: str) -> Worker:
        with self.lock:
            idle = self.idle.setdefault(adapter, [])
            worker = idle.pop() if idle else Worker(
                adapter, ["optconf.conformance.worker", adapter, self.registry_spec])
            self.busy.add(worker)
            return worker

    def give(self, worker: Worker) -> None:
        with self.lock:
            self.busy.discard(worker)
            self.idle.setdefault(worker.adapter, []).append(worker)

    def close_adapter(self, adapter: str) -> None:
        with self.lock:
            workers = self.idle.pop(adapter, [])
        for w in workers:
            w.close()

    def close_all(self) -> None:
        with self.lock:
            workers = [w for ws in self.idle.values() for w in ws] + list(self.busy)
            self.idle, self.busy = {}, set()
        for w in workers:
            w.close()


# --------------------------------------------------------------------------------- runner

Progress = Callable[[int, int, CaseResult], None]


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


def _timestamp() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def run(config: RunConfig, progress: Progress | None = None) -> RunReport:
    """Run every selected case; on Ctrl-C, the report holds what finished and says
    ``interrupted``."""
    started = _timestamp()
    props = select_properties(registry(config.registry), config.properties)
    entries: list[AdapterEntry] = []
    tasks: list[Task] = []
    results: list[CaseResult] = []
    for label in config.adapters:
        try:
            adapter = load(label)
            info = adapter.info()
        except AdapterUnavailable as exc:
            entries.append(AdapterEntry(label, available=False, reason=str(exc)))
            continue
        entries.append(AdapterEntry(label, available=True, info=_info_dict(info)))
        planned, known = plan(label, adapter, props, config.seed, config.rules)
        tasks += planned
        results += known
    shard = config.shard
    tasks = [t for t in tasks if in_shard(t.result(status="pass").key, shard)
             and (config.keep is None or config.keep(t))]
    if config.first is not None:
        first = config.first  # a stable sort keeps the planned order within each group
        tasks.sort(key=lambda t: (config.adapters.index(t.adapter), not first(t)))
    results = [r for r in results if in_shard(r.key, shard)]
    interrupted = False
    try:
        _run_tasks(tasks, config, results, progress)
    except KeyboardInterrupt:
        interrupted = True
    return RunReport(
        suite_version=SUITE_VERSION, started=started, finished=_timestamp(),
        profile=config.profile.name, seed=config.seed, shard=f"{shard[0]}/{shard[1]}",
        argv=config.argv, adapters=entries, results=sort_results(results),
        interrupted=interrupted,
    )


def _info_dict(info: Any) -> dict[str, Any]:
    data = dataclasses.asdict(info)
    data["capabilities"] = sorted(info.capabilities)
    data["variants"] = dict(info.variants)
    return data


def _run_tasks(tasks: list[Task], config: RunConfig, results: list[CaseResult],
               progress: Progress | None) -> None:
    pool = WorkerPool(config.registry)
    remaining = {a: sum(t.adapter == a for t in tasks) for a in config.adapters}
    caught: set[str] = set()   # adapters with a result in config.stop_on
    repro_dir = str(config.out / "repro") if config.out else None
    profile = dataclasses.asdict(config.profile)

    def one(task: Task) -> CaseResult | None:
        if task.adapter in caught:
            return None
        worker = pool.take(task.adapter)
        try:
            answer = worker.ask({"property": task.prop.id, "rule": task.case.rule,
                                 "path": task.case.path, "seed": task.seed,
                                 "profile": profile, "repro_dir": repro_dir},
                                config.profile.timeout)
            result = task.result(**answer)
        except (ValueError, TypeError) as exc:  # a garbled answer costs this case only
            worker.close()
            result = task.result(status="error", message=f"bad answer from the worker: {exc}")
        finally:
            pool.give(worker)
        if result.status in config.stop_on:
            caught.add(task.adapter)  # here, before this thread takes the next case
        return result

    executor = ThreadPoolExecutor(max_workers=max(1, config.jobs))
    try:
        futures = {executor.submit(one, t): t for t in tasks}
        for done, future in enumerate(as_completed(futures), 1):
            adapter = futures[future].adapter
            result = future.result()
            remaining[adapter] -= 1
            if not remaining[adapter]:
                pool.close_adapter(adapter)
            if result is None:
                continue
            results.append(result)
            if progress:
                progress(done, len(tasks), result)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        pool.close_all()
