"""What every engine's benchmark set-up shares: the data a case starts from, the model tree
it is shaped as, and the size of the copy that measures the engine's own copy bandwidth."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

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
