"""fold: one bottom-up walk of a model for engines that build their own model objects
(TREE-1 .. TREE-4)."""

import dataclasses

import numpy as np

from optconf.reference import layer
from optconf.reference.tree import fold, mirror, plain


@dataclasses.dataclass
class Dense:
    weight: np.ndarray
    bias: np.ndarray


@layer(trainable=("weight",))
class HalfFrozen:
    def __init__(self, weight: np.ndarray, frozen: np.ndarray) -> None:
        self.weight, self.frozen = weight, frozen


def test_fold_visits_in_container_order_with_plain_containers():  # TREE-1, TREE-3, TREE-4
    w = np.ones(2)
    model = {"b": [Dense(w, np.zeros(1)), (3, "x")], "a": HalfFrozen(w, np.ones(3))}
    folded = fold(model, lambda _path, x: x.shape, plain, lambda _path, _x: None)
    assert folded == {"b": [{"weight": (2,), "bias": (1,)}, (None, None)],
                      "a": {"weight": (2,), "frozen": None}}
    assert list(folded) == ["b", "a"]
    assert mirror(model, lambda _path, x: x.shape) == folded


def test_fold_gives_each_container_its_path_and_value():  # TREE-1
    model = {"b": [np.ones(1)], "a": (np.ones(2),)}
    seen = []

    def node(path, x, kind, kids):
        seen.append((str(path[-1].key) if path else "", kind, x))
        return None

    fold(model, lambda _path, _x: None, node, lambda _path, _x: None)
    assert [(key, kind) for key, kind, _ in seen] == [("b", "list"), ("a", "tuple"), ("", "dict")]
    assert seen[-1][2] is model and seen[0][2] is model["b"]
