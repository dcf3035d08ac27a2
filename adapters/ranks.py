"""Rank processes for the distributed paths (CONF-13): a group of ``world`` spawned Python
processes, started once and reused across cases, each running the tasks sent to it, every
wait bounded in time.

A group starts its processes with the ``spawn`` method (no engine state inherited from the
worker), lets each run ``setup(rank, world, port)`` once (e.g. ``init_process_group`` with
a rendezvous on 127.0.0.1 at ``port``, a free port chosen when the group starts), then
serves :meth:`Ranks.run`: the same function on every rank, its per-rank results back.  A
rank that dies, or does not answer within the time allowed, ends the task with
:class:`RankFailure` naming the rank, and the whole group is stopped, so that the next task
starts a fresh one: a collective that lost a peer never recovers.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Literal

from .protocol import Unsupported

#: Seconds one task may take on every rank, unless a group is given its own: well under
#: the ci profile's case timeout (60 s), which a failing example may need twice (hypothesis
#: runs it again to report it), so that the case ends naming the rank.
TASK_TIMEOUT = float(os.environ.get("OPTCONF_RANK_TIMEOUT", "25"))
#: Seconds the processes may take to start (engine import, rendezvous).
START_TIMEOUT = float(os.environ.get("OPTCONF_RANK_START_TIMEOUT", "90"))

Setup = Callable[[int, int, int], None]


class RankFailure(Exception):
    """A rank crashed or timed out: the case's result is ``kind``, naming the rank."""

    def __init__(self, kind: Literal["crash", "timeout"], rank: int, message: str) -> None:
        super().__init__(f"rank {rank} {message}")
        self.kind, self.rank = kind, rank


def free_port() -> int:
    """A port nobody listens on now, on 127.0.0.1 (bind to port 0, read it, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(rank: int, world: int, port: int, setup: Setup | None,
           env: Mapping[str, str], conn: multiprocessing.connection.Connection) -> None:
    """A rank's main: ``setup``, then answer each task ``(fn, args)`` with ``("ok",
    result)`` or ``("raised", exception)`` until the pipe closes."""
    os.environ.update(env)
    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True).start()
    if setup is not None:
        setup(rank, world, port)
    conn.send(("ready", None))
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", fn(rank, world, *args)))
        except Exception as exc:  # the task's exception goes back to the case
            conn.send(("raised", _portable(exc)))


def _orphaned(parent: int) -> None:
    """End this rank as soon as the process that started it is gone (a worker killed for a
    timeout does not stop its ranks itself)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(3)


def _portable(exc: Exception) -> Exception:
    """``exc`` if it pickles (Unsupported, a Deviation), else a RuntimeError with its
    traceback."""
    try:
        multiprocessing.reduction.ForkingPickler.dumps(exc)
    except Exception:
        return RuntimeError("".join(traceback.format_exception(exc)[-8:]))
    return exc


class Ranks:
    """``world`` rank processes with ``env`` set and ``setup`` run once in each."""

    def __init__(self, world: int, setup: Setup | None = None,
                 env: Mapping[str, str] | None = None, timeout: float = TASK_TIMEOUT,
                 start_timeout: float = START_TIMEOUT) -> None:
        self.world, self.timeout = world, timeout
        self.posted = 0  # tasks sent and not answered yet
        self.port = free_port()
        context = multiprocessing.get_context("spawn")
        self.conns: list[multiprocessing.connection.Connection] = []
        self.procs: list[Any] = []
        for rank in range(world):
            parent, child = context.Pipe()
            proc = context.Process(target=_serve, daemon=True, name=f"optconf-rank-{rank}",
                                   args=(rank, world, self.port, setup, dict(env or {}), child))
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)
        self._answers("start", start_timeout)

    @property
    def alive(self) -> bool:
        return all(p.is_alive() for p in self.procs)

    def run(self, fn: Callable[..., Any], *args: Any) -> list[Any]:
        """``fn(rank, world, *args)`` on every rank, the results in rank order.  A rank's
        exception is raised here (the first by rank); RankFailure when a rank dies or the
        ranks take longer than the timeout."""
        self.post(fn, *args)
        return self.collect()

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Send ``fn(rank, world, *args)`` to every rank without waiting for it (a
        benchmark's asynchronous step); :meth:`collect` waits for every posted task.
        Answers that have arrived are read as it goes, so that no pipe fills; an earlier
        posted task's exception may be raised here."""
        for conn in self.conns:
            conn.send((fn, args))
        self.posted += 1
        while self.posted > 1 and all(conn.poll() for conn in self.conns):
            self._settle(self._answers("run a posted task", self.timeout))

    def collect(self) -> list[Any]:
        """Wait for every posted task, each within the timeout; the last one's results in
        rank order.  The first exception a rank raised in any of them is raised here."""
        results: list[Any] = []
        while self.posted:
            results = self._settle(self._answers("run the task", self.timeout))
        return results

    def _settle(self, answers: list[tuple[str, Any]]) -> list[Any]:
        """One task's answers, counted off the posted ones: its results, or its first
        exception raised."""
        self.posted -= 1
        raised = [value for kind, value in answers if kind == "raised"]
        if raised:
            if self.posted:  # their answers would be read as a later task's: start afresh
                self.close()
            raise raised[0]
        return [value for _, value in answers]

    def _answers(self, doing: str, timeout: float) -> list[tuple[str, Any]]:
        """One answer from every rank, waiting at most ``timeout`` seconds in all.  When a
        rank raised while the others wait for it in a collective, those get a grace of
        ``timeout`` too, then the group is stopped and the first rank's exception stands."""
        deadline = time.monotonic() + timeout
        answers: dict[int, tuple[str, Any]] = {}
        while len(answers) < self.world:
            waiting = [r for r in range(self.world) if r not in answers]
            ready = multiprocessing.connection.wait(
                [self.conns[r] for r in waiting] + [self.procs[r].sentinel for r in waiting],
                timeout=max(0.0, deadline - time.monotonic()))
            for rank in waiting:
                answer = self._answer_of(rank, ready)
                if answer is not None:
                    answers[rank] = answer
                elif self.conns[rank] in ready or self.procs[rank].sentinel in ready:
                    self.procs[rank].join(timeout=1)
                    code = self.procs[rank].exitcode
                    self.close()
                    raise RankFailure("crash", rank, f"died (exit code {code}) while it "
                                      f"was to {doing}; the other ranks were stopped")
            if not ready:
                late = next(r for r in range(self.world) if r not in answers)
                if any(kind == "raised" for kind, _ in answers.values()):
                    self.close()
                    return [answers[r] for r in sorted(answers)]
                self.close()
                raise RankFailure("timeout", late, f"did not {doing} within {timeout:g} s; "
                                  "every rank was stopped")
        return [answers[r] for r in range(self.world)]

    def _answer_of(self, rank: int, ready: list[Any]) -> tuple[str, Any] | None:
        """``rank``'s answer if it sent one; None while it has not, or when its end of the
        pipe closed (it died: the pipe can close before its sentinel is ready)."""
        conn = self.conns[rank]
        if conn not in ready and not conn.poll():
            return None
        try:
            answer: tuple[str, Any] = conn.recv()
        except EOFError:
            return None
        return answer

    def close(self) -> None:
        """Stop every rank (kill what does not end at once)."""
        for conn in self.conns:
            conn.close()
        for proc in self.procs:
            proc.join(timeout=0.5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
        self.conns, self.procs, self.posted = [], [], 0


_GROUPS: dict[str, Ranks] = {}

Starting = Callable[[float], contextlib.AbstractContextManager[object]]


def _unannounced(_allowance: float) -> contextlib.AbstractContextManager[object]:
    return contextlib.nullcontext()


#: Wraps every group's start, given the seconds the start may take: the conformance
#: worker's tells the runner, which does not count the start in the case's timeout.
starting: Starting = _unannounced


def group(name: str, world: int, setup: Setup | None = None,
          env: Mapping[str, str] | None = None, timeout: float = TASK_TIMEOUT) -> Ranks:
    """The worker's live group ``name``, started now when there is none or its last task
    failed (one group per engine and world size, reused across cases: starting ranks costs
    the engine's import)."""
    ranks = _GROUPS.get(name)
    if ranks is None or not ranks.alive or not ranks.procs:
        try:
            with starting(START_TIMEOUT):
                ranks = Ranks(world, setup, env, timeout)
        except (OSError, EOFError) as exc:
            raise Unsupported(f"cannot start {world} rank processes here: {exc}") from exc
        _GROUPS[name] = ranks
    return ranks


@atexit.register
def _close_groups() -> None:
    for ranks in _GROUPS.values():
        ranks.close()
