"""The benchmark protocol: what an engine provides to be timed by ``optconf bench``.

A :class:`BenchEngine` sits next to an engine's conformance adapter, which says what the
engine is (its ``info()``: version, device, update paths, the rule variants it runs), and
prepares engine work once on engine-resident data; the sweep then times the
:class:`PreparedStep` it returns (docs/ADAPTERS.md, "Benchmarks").  Bench engines are found
like adapters: short names in the ``optconf.bench`` entry-point group, or ``module:attr``
(:mod:`.loader`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from optconf.adapters.protocol import DISTRIBUTED_PATHS, Adapter, EngineInfo, PathName, Unsupported
from optconf.reference.rules.base import Rule

#: The losses ``prepare_gradient`` differentiates: ``sum(p * p)`` over the arrays as they
#: are, over the model's collected parameters, or through its flat vector.
VIAS = ("plain", "trainables", "destructure")


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


def benched_paths(info: EngineInfo) -> tuple[PathName, ...]:
    """The update paths ``optconf bench`` times for an engine: every path it declares but
    ``legacy`` (the same work as ``flat_list``) and the distributed ones, whose steps run on
    rank processes and are not benchmarked yet (issue 13, item 3)."""
    return tuple(p for p in info.paths if p != "legacy" and p not in DISTRIBUTED_PATHS)


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
