"""The benchmark protocol: what an engine provides to be timed by ``optconf bench``.

A :class:`BenchEngine` sits next to an engine's conformance adapter, which says what the
engine is (its ``info()``: version, device, update paths, the rule variants it runs), and
prepares engine work once on engine-resident data; the sweep then times the
:class:`PreparedStep` it returns (docs/ADAPTERS.md, "Benchmarks").  Bench engines are found
like adapters: short names in the ``optconf.bench`` entry-point group, or ``module:attr``
(:mod:`.loader`).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from optconf.adapters.protocol import Adapter, EngineInfo, PathName, Unsupported
from optconf.reference.rules.base import Rule

#: The losses ``prepare_gradient`` differentiates: ``sum(p * p)`` over the arrays as they
#: are, over the model's collected parameters, or through its flat vector.
VIAS = ("plain", "trainables", "destructure")


@dataclasses.dataclass(frozen=True)
class RankReport:
    """What a distributed step's ranks measured themselves, one entry per rank: the median
    seconds of their own step (the sweep's time also holds the dispatch to the ranks and
    the wait for the slowest), and the bytes of the tensors each handed to collectives in
    one step (counted on one extra step after the timing, under a dispatch mode that sees
    every collective; what crosses the wire depends on the backend's algorithm)."""

    step_seconds: tuple[float, ...]
    collective_bytes: tuple[int, ...]


class PreparedStep(ABC):
    """One unit of engine work set up once on engine-resident data: ``step()`` runs it (an
    optimiser step, or a gradient), ``sync()`` waits until the device has finished it,
    ``copy()`` copies ``nbytes // 2`` bytes into another ``nbytes // 2`` on the same device
    with the engine's own threads (the copy bandwidth of the same working set), ``nbytes`` is
    the working set: parameters, gradients and optimiser state; ``device`` where it all lives
    and ``threads`` the CPU threads both run with, if known."""

    nbytes: int = 0
    device: str = "cpu"
    threads: int | None = None

    @abstractmethod
    def step(self) -> None:
        """Run the prepared work once (asynchronously where the engine is)."""

    def sync(self) -> None:
        """Wait for the device; engines that run synchronously need nothing."""
        return None

    @abstractmethod
    def copy(self) -> None:
        """Copy half the working set's bytes into the other half's size of buffer."""

    @abstractmethod
    def parameters(self) -> list[np.ndarray]:
        """The parameters as NumPy now (checks that ``step`` runs the real update)."""

    def device_memory(self) -> int | None:
        """Peak device memory in bytes since preparation, where the device reports one."""
        return None

    def rank_report(self) -> RankReport | None:
        """A distributed step's per-rank figures; None for a step in this process."""
        return None

    def close(self) -> None:
        """Release what the step holds outside this process (a distributed step's case on
        its ranks)."""
        return None


def benched_paths(info: EngineInfo) -> tuple[PathName, ...]:
    """The update paths ``optconf bench`` times for an engine: every path it declares but
    ``legacy`` (the same work as ``flat_list``).  The distributed ones are timed through
    :meth:`BenchEngine.prepare_sharded`, once per rank count."""
    return tuple(p for p in info.paths if p != "legacy")


class BenchEngine(ABC):
    """One engine's benchmark set-up.  ``adapter`` is the engine's conformance adapter: its
    ``info()`` names the paths to time and the rule variants the engine runs (RULE-5)."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    def info(self) -> EngineInfo:
        return self.adapter.info()

    @abstractmethod
    def prepare_step(self, shapes: Sequence[tuple[int, ...]], rule: Rule, path: PathName,
                     dtype: str) -> PreparedStep:
        """Parameters of ``shapes`` with gradients and ``rule``'s state, resident on the
        engine's device, stepped through ``path``; Unsupported for a path or rule the engine
        cannot time."""

    def prepare_sharded(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                        path: PathName, dtype: str, ranks: int) -> PreparedStep:
        """As :meth:`prepare_step` for a distributed path (``DISTRIBUTED_PATHS``) on
        ``ranks`` processes or devices, each holding what the path gives it; ``step()``
        dispatches one step to every rank and ``sync()`` waits for all of them."""
        raise no_path(self.info().name, path)

    def prepare_gradient(self, shapes: Sequence[tuple[int, ...]], dtype: str,
                         via: str) -> PreparedStep:
        """The gradient of ``sum(p * p)`` over parameters of ``shapes``, taken over the
        arrays themselves (``via="plain"``) or through the engine's collection
        (``"trainables"``, ``"destructure"``)."""
        raise Unsupported(f"{self.info().name} has no gradient benchmark")


def check_via(via: str) -> None:
    if via not in VIAS:
        raise Unsupported(f"no gradient through {via!r}; known: {', '.join(VIAS)}")


def no_path(engine: str, path: PathName) -> Unsupported:
    return Unsupported(f"{engine} has no benchmark of the {path!r} path")
