"""Stopping a run's workers (Ctrl-C, CONF-3) ends every thread waiting on one at once, even
a worker still starting or one taken as the run stopped: none waits for a case's timeout."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from optconf.conformance.pool import STOPPED, Lost, WorkerPool
from optconf.conformance.runner import WORKER

from .runner_helpers import FAKE_REGISTRY, fake_adapter

SLOW = fake_adapter("SlowToLoadAdapter")  # its worker's hello comes after 60 s


def pool() -> WorkerPool:
    return WorkerPool(WORKER, [FAKE_REGISTRY], start_timeout=60.0)


def test_a_worker_taken_after_the_pool_stopped_never_starts() -> None:
    workers = pool()
    workers.close_all()
    begun = time.monotonic()
    answer = workers.take(SLOW).ask("{}", 60.0)
    assert isinstance(answer, Lost) and "stopping" in answer.message
    assert time.monotonic() - begun < 5


def test_stopping_the_pool_ends_a_start_under_way_in_another_thread() -> None:
    workers = pool()
    worker = workers.take(SLOW)
    answers: list[object] = []
    thread = threading.Thread(target=lambda: answers.append(worker.ask("{}", 60.0)))
    thread.start()
    time.sleep(1.0)  # the worker process is loading its adapter
    begun = time.monotonic()
    workers.close_all()
    thread.join(timeout=10)
    assert not thread.is_alive() and time.monotonic() - begun < 10
    assert len(answers) == 1 and isinstance(answers[0], Lost)  # killed, or found stopped


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states in /proc")
def test_stopping_the_pool_also_stops_what_the_worker_forked(tmp_path, monkeypatch) -> None:
    """A process the engine forked holds the worker's pipe open after the worker dies: the
    worker's process group is killed, so the thread reading the pipe ends at once."""
    pidfile = tmp_path / "helper.pid"
    monkeypatch.setenv("OPTCONF_TEST_PIDFILE", str(pidfile))
    workers = pool()
    worker = workers.take(fake_adapter("ForkingSlowToLoadAdapter"))
    answers: list[object] = []
    thread = threading.Thread(target=lambda: answers.append(worker.ask("{}", 60.0)))
    thread.start()
    deadline = time.monotonic() + 30
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline, "the worker never loaded its adapter"
        time.sleep(0.1)
    helper = int(pidfile.read_text())
    workers.close_all()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert answers == [STOPPED]
    deadline = time.monotonic() + 5
    while _running(helper) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(helper)
