"""Adapters whose ``zero`` path runs on rank processes, one rank of which hangs or dies, and
the property that runs them (its own registry, RANKED): the CONF-13 tests."""

from __future__ import annotations

import os
import time

import numpy as np

from optconf.adapters import ranks
from optconf.adapters.protocol import Unsupported
from optconf.conformance.properties.registry import Property
from tests.conformance.fixtures_adapters import GoodAdapter
from tests.conformance.fixtures_props import check_descent_step

#: Seconds a rank may take: short, so that the hang costs the test little.
TIMEOUT = 3.0


def loaded(_rank: int, _world: int, _port: int) -> None:
    """A group's setup: nothing, but unpickling it imports this module while the ranks
    start, so that TIMEOUT counts the tasks alone."""


#: Seconds a slow group takes to start: over the case timeout of the start-up tests.
SLOW = 8.0


def slow(_rank: int, _world: int, _port: int) -> None:
    """A setup that takes longer than a case may (an engine's import under load)."""
    time.sleep(SLOW)


def stuck(rank: int, _world: int, _port: int) -> None:
    """A setup that never ends on rank 1 (a rendezvous that never completes)."""
    if rank == 1:
        time.sleep(600)


def rank_and_world(rank: int, world: int) -> tuple[int, int]:
    return rank, world


def refuse(rank: int, _world: int) -> None:
    raise Unsupported(f"rank {rank} refuses")


def scaled(rank: int, _world: int, update: np.ndarray, fault: str) -> np.ndarray:
    """The update as rank ``rank`` computes it; rank 1 hangs or dies when ``fault`` says."""
    if rank == 1 and fault == "hang":
        time.sleep(600)
    if rank == 1 and fault == "crash":
        os._exit(5)
    return update


class RankedAdapter(GoodAdapter):
    """GoodAdapter whose ``zero`` path computes each update on 2 rank processes."""

    paths = ("structured", "zero")
    fault = ""
    setup = staticmethod(loaded)

    def step(self, update, path):
        if path != "zero":
            return update
        group = ranks.group(f"fixture-{self.fault}", 2, self.setup, timeout=TIMEOUT)
        return group.run(scaled, update, self.fault)[0]


class RankHangAdapter(RankedAdapter):
    fault = "hang"


class RankCrashAdapter(RankedAdapter):
    fault = "crash"


class RankSlowStartAdapter(RankedAdapter):
    fault = "slow"
    setup = staticmethod(slow)


class RankStuckStartAdapter(RankedAdapter):
    fault = "stuck"
    setup = staticmethod(stuck)


RANKED: dict[str, Property] = {
    "fake.ranked_step": Property("fake.ranked_step", ("CONF-13",), frozenset(),
                                 ("path", "distributed"), check_descent_step,
                                 "One Descent step, on every path."),
}


def counted(rank: int, _world: int, store: dict[int, int] = {}) -> int:  # noqa: B006
    """Counts the calls on this rank (the default dict lives as long as the rank does)."""
    store[rank] = store.get(rank, 0) + 1
    return store[rank]
