"""Worker processes that speak one line per request and one line per answer, and a pool of
them per adapter (CONF-3).  Used by the conformance runner and by ``optconf bench``.

A worker is ``python -m MODULE ARGS...``; its first line (the hello) says it is ready, each
later line answers one request.  A worker that dies, or says nothing within the time given,
is reported as :class:`Lost` and stopped; the next request starts a fresh one.  The
worker's stderr is kept in a file for the worker's life: its tail explains a crash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from typing import IO, Literal

STDERR_TAIL = 2000


@dataclasses.dataclass(frozen=True)
class Lost:
    """No answer: the worker died (``crash``) or said nothing in time (``timeout``)."""

    status: Literal["crash", "timeout"]
    message: str
    duration: float


#: What a request gets from a worker its pool stopped: the run is ending.
STOPPED = Lost("crash", "the run is stopping: worker stopped", 0.0)


class Worker:
    """One worker process, ``python -m MODULE ARGS...``, started on first use with the
    environment of this process and ``settings``."""

    def __init__(self, name: str, module_args: list[str], start_timeout: float,
                 settings: Mapping[str, str] | None = None) -> None:
        self.name, self.module_args, self.start_timeout = name, module_args, start_timeout
        self.settings = dict(settings or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr: IO[bytes] | None = None
        self.buffer = b""
        #: set by :meth:`stop`: the run is ending and this worker must not start again
        self.stopped = False
        self.starting = threading.Lock()  # a start and a stop in two threads: one at a time

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> str | Lost:
        """Start the worker and return its hello line, or how it was lost; the start is
        not counted in any request's timeout."""
        with self.starting:
            if self.stopped:
                return STOPPED
            # kept open for the worker's lifetime: its tail explains a crash
            self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
            env = dict(os.environ, **self.settings, PYTHONPATH=os.pathsep.join(
                [p for p in sys.path if p and os.path.isdir(p)]))
            self.proc = subprocess.Popen(
                [sys.executable, "-m", *self.module_args],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env,
                start_new_session=True,  # Ctrl-C reaches the runner, which stops the workers
            )
            self.buffer = b""
        return self._answer(self.start_timeout, "worker did not start")

    def ask(self, request: str, timeout: float) -> str | Lost:
        """The worker's answer line to one request line, or how it was lost (the worker is
        then stopped and restarted by the next request)."""
        if not self.running:
            started = self.start()
            if isinstance(started, Lost):
                return started
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write((request + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            return self._died()
        return self._answer(timeout, "no result")

    def more(self, timeout: float, late: str) -> str | Lost:
        """The worker's next line for the same request (after a notice such as
        :class:`~.messages.RanksStarting`), ``late`` saying what did not come in time."""
        return self._answer(timeout, late)

    def _answer(self, timeout: float, late: str) -> str | Lost:
        assert self.proc is not None  # only the thread using a worker closes it
        line = self._read_line(self.proc, timeout)
        if line is None:
            self.close()
            return Lost("timeout", f"{late} within {timeout:g} s", timeout)
        if not line:
            return self._died()
        return line.decode(errors="replace")

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

    def _died(self) -> Lost:
        assert self.proc is not None  # only the thread using a worker closes it
        code = self.proc.wait()
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        tail = self._stderr_tail()
        self.close()
        if self.stopped:  # killed by stop(): the run is ending
            return STOPPED
        return Lost("crash", f"worker died ({how})" + (f"\n{tail}" if tail else ""), 0.0)

    def _stderr_tail(self) -> str:
        if self.stderr is None:
            return ""
        self.stderr.seek(0, os.SEEK_END)
        size = self.stderr.tell()
        self.stderr.seek(max(0, size - STDERR_TAIL))
        return self.stderr.read().decode(errors="replace").strip()

    def stop(self) -> None:
        """Stop the worker for good from another thread than the one using it: a start
        under way there is waited for and a later one never happens, and the worker's
        processes are killed, so that thread's read ends at once (end of file) instead of at
        its timeout.  The pipes are left to that thread to close: closed here, their numbers
        could go to the next file opened while it still reads them."""
        with self.starting:
            self.stopped = True
            self._kill()

    def close(self) -> None:
        """Kill the worker and close its pipes and stderr file (the thread using it, or no
        thread is)."""
        if self.proc is not None:
            self._kill()
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream:
                    stream.close()
        if self.stderr is not None:
            self.stderr.close()
        self.proc, self.stderr = None, None

    def _kill(self) -> None:
        """Kill the worker's process group: the worker and whatever it started (rank
        processes, an engine's compile pool), which could otherwise hold its pipe open."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own group: start_new_session


class WorkerPool:
    """Idle workers per name, shared by the runner's threads; a new worker for ``name``
    is ``python -m MODULE NAME EXTRA_ARGS...`` with the environment ``settings`` added."""

    def __init__(self, module: str, extra_args: list[str], start_timeout: float,
                 settings: Mapping[str, str] | None = None) -> None:
        self.module, self.extra_args, self.start_timeout = module, extra_args, start_timeout
        self.settings = dict(settings or {})
        self.idle: dict[str, list[Worker]] = {}
        self.busy: set[Worker] = set()
        self.closed = False
        self.lock = threading.Lock()

    def take(self, name: str) -> Worker:
        with self.lock:
            idle = self.idle.setdefault(name, [])
            worker = idle.pop() if idle else Worker(
                name, [self.module, name, *self.extra_args], self.start_timeout,
                self.settings)
            worker.stopped = self.closed  # a case that began as the run stopped
            self.busy.add(worker)
            return worker

    def give(self, worker: Worker) -> None:
        with self.lock:
            self.busy.discard(worker)
            if not self.closed:
                self.idle.setdefault(worker.name, []).append(worker)
                return
        worker.close()  # given back after the pool stopped: its thread is done with it

    def close_name(self, name: str) -> None:
        with self.lock:
            workers = self.idle.pop(name, [])
        for w in workers:
            w.close()

    def close_all(self) -> None:
        """Stop every worker, idle or busy in another thread, for good (Ctrl-C, the end of
        a run): no thread is left waiting on a worker for a case's timeout."""
        with self.lock:
            idle = [w for ws in self.idle.values() for w in ws]
            busy = list(self.busy)
            self.idle, self.closed = {}, True
        for w in idle:
            w.stopped = True
            w.close()
        for w in busy:  # its thread gets end of file, closes it and gives it back
            w.stop()
