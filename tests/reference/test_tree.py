"""Model trees: what is a parameter, what is carried, what is refused (TREE clauses)."""

import dataclasses
from collections import namedtuple

import numpy as np
import pytest

from optconf.reference import (
    AliasError,
    TreeError,
    UnknownLeafError,
    UnsupportedLeafError,
    layer,
    trainables,
    trainables_with_paths,
)
from optconf.reference.tree import path_str

Pair = namedtuple("Pair", "left right")


@dataclasses.dataclass
class Dense:
    weight: np.ndarray
    bias: np.ndarray


@layer(trainable=("weight",))
class HalfFrozen:
    def __init__(self, weight, stats):
        self.weight = weight
        self.stats = stats


def test_every_container_kind_is_walked_in_container_order():  # TREE-1, COLL-2
    a, b, c, d, e = (np.full(1, float(i)) for i in range(5))
    model = {"dict": {"x": a}, "list": [b], "tuple": (c,), "nt": Pair(d, None), "dc": Dense(e, e)}
    assert [p[0] for p in trainables(model)] == [0, 1, 2, 3, 4]


def test_only_float_arrays_are_parameters():  # TREE-2, TREE-3
    floats = [np.zeros(2, np.float16), np.zeros((), np.float32), np.zeros((0, 3))]
    carried = [1, 2.0, "s", None, True, np.arange(3), np.array([True]), np.float64(1.0), len]
    got = trainables(floats + carried)
    assert len(got) == 3 and all(g is f for g, f in zip(got, floats, strict=True))


def test_layer_filter_hides_non_trainable_fields():  # TREE-4
    w, stats = np.ones(2), np.zeros(2)
    assert trainables(HalfFrozen(w, stats)) == [w]


def test_unknown_object_is_refused_with_its_path():  # TREE-5, ERR-1
    with pytest.raises(UnknownLeafError, match=r"model\['enc'\]\[1\]: unknown leaf type object"):
        trainables({"enc": [np.ones(1), object()]})


def test_complex_array_is_refused_as_unsupported():  # TREE-6
    with pytest.raises(UnsupportedLeafError, match=r"model\[0\]: complex"):
        trainables([np.ones(2, complex)])


def test_views_of_a_parameter_are_refused():  # TREE-8
    w = np.ones(4)
    with pytest.raises(AliasError, match=r"model\['a'\] and model\['b'\]"):
        trainables({"a": w, "b": w[:2]})


def test_disjoint_views_of_one_buffer_are_distinct_parameters():  # TREE-8
    buf = np.ones(4)
    assert len(trainables([buf[:2], buf[2:]])) == 2


def test_cycle_is_refused_with_its_path():  # TREE-9
    loop: list = [np.ones(1)]
    loop.append({"back": loop})
    with pytest.raises(TreeError, match=r"model\[1\]\['back'\]: the tree contains a cycle"):
        trainables(loop)


def test_same_container_twice_is_not_a_cycle():  # TREE-9, TIE-1
    shared = {"w": np.ones(1)}
    assert len(trainables([shared, shared])) == 1


def test_paths_render_like_python_indexing():  # COLL-4
    model = {"enc": [Dense(np.ones(1), np.ones(1))]}
    paths = [path_str(p) for p, _ in trainables_with_paths(model)]
    assert paths == ["model['enc'][0].weight", "model['enc'][0].bias"]
