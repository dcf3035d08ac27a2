"""What every engine's benchmark set-up shares: the data a case starts from, the model tree
it is shaped as, and the size of the copy that measures the engine's own copy bandwidth."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from optconf.adapters.ranks import Ranks

from ..protocol import PreparedStep

SEED = 0


def case_arrays(shapes: Sequence[tuple[int, ...]], dtype: str
                ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Parameters and gradients of ``shapes``: standard normal, the same for every engine."""
    rng = np.random.default_rng(SEED)
    params = [rng.standard_normal(s, dtype=np.float32).astype(dtype, copy=False)
              for s in shapes]
    grads = [rng.standard_normal(s, dtype=np.float32).astype(dtype, copy=False)
             for s in shapes]
    return params, grads


def model_tree(arrays: Sequence[Any]) -> dict[str, Any]:
    """The model of a case: one dict with a key per array, in order (names sort the same
    way as they are listed, so engines that sort keys keep the order)."""
    width = len(str(max(len(arrays) - 1, 0)))
    return {f"p{i:0{width}d}": a for i, a in enumerate(arrays)}


def copy_elements(nbytes: int, itemsize: int) -> int:
    """Elements in each of the copy's two buffers: together they are the working set."""
    return max(nbytes // (2 * itemsize), 1)


@dataclasses.dataclass(frozen=True)
class RankTasks:
    """What a case held on rank processes runs there, each ``f(rank, world)``: one step,
    one copy, the whole parameters (rank 0's answer), and dropping the case."""

    step: Callable[[int, int], None]
    copy: Callable[[int, int], None]
    parameters: Callable[[int, int], list[np.ndarray] | None]
    release: Callable[[int, int], None]


class PostedStep(PreparedStep):
    """A case held on a group of rank processes (a distributed path): ``step()`` and
    ``copy()`` post their task to every rank, ``sync()`` waits for all posted tasks."""

    tasks: ClassVar[RankTasks]

    def __init__(self, group: Ranks, nbytes: int) -> None:
        self.group, self.nbytes = group, nbytes

    def step(self) -> None:
        self.group.post(self.tasks.step)

    def sync(self) -> None:
        self.group.collect()

    def copy(self) -> None:
        self.group.post(self.tasks.copy)

    def parameters(self) -> list[np.ndarray]:
        whole: list[np.ndarray] = self.group.run(self.tasks.parameters)[0]
        return whole

    def close(self) -> None:
        self.group.run(self.tasks.release)
