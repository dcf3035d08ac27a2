"""fold: one bottom-up walk of a model for engines that build their own model objects
(TREE-1 .. TREE-4)."""

import dataclasses

import numpy as np

from optconf.reference import layer
from optconf.reference.tree import fold, mirror


@dataclasses.dataclass
class Dense:
    weight: np.ndarray
    bias: np.ndarray


@layer(trainable=("weight",))
class HalfFrozen:
    def __init__(self, weight: np.ndarray, frozen: np.ndarray) -> None:
        self.weight, self.frozen = weight, frozen


def test_fold_sees_what_mirror_sees_in_container_order():  # TREE-1, TREE-3, TREE-4
    w = np.ones(2)
    model = {"b": [Dense(w, np.zeros(1)), (3, "x")], "a": HalfFrozen(w, np.ones(3))}

    def node(kind, kids):
        if kind in ("dict", "fields"):
            return {elem.key: kid for elem, kid in kids}
        return [kid for _, kid in kids] if kind == "list" else tuple(kid for _, kid in kids)

    folded = fold(model, lambda path, x: (path, x.shape), node, lambda _path, _x: None)
    assert folded == mirror(model, lambda path, x: (path, x.shape))
    assert list(folded) == ["b", "a"] and folded["a"]["frozen"] is None
