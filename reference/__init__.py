"""optconf's reference: the spec of parameter collection, optimiser state and updates, as
small float64 NumPy code.  Every function cites its clauses in docs/SPEC.md."""

from . import expr, legacy
from .collect import (
    destructure,
    destructure_pullback,
    restructure,
    restructure_pullback,
    split_flat,
    trainables,
    trainables_pullback,
    trainables_with_paths,
)
from .errors import (
    AliasError,
    NonFiniteLossError,
    OptconfError,
    ShapeError,
    TreeError,
    UnknownLeafError,
    UnsupportedLeafError,
)
from .expr import evaluate, gradient_through_trainables, value_and_grad
from .state import Leaf, adjust, adjust_, freeze_, setup, thaw_, update, update_
from .tree import Transpose, layer, path_str

__all__ = [
    "AliasError",
    "Leaf",
    "NonFiniteLossError",
    "OptconfError",
    "ShapeError",
    "Transpose",
    "TreeError",
    "UnknownLeafError",
    "UnsupportedLeafError",
    "adjust",
    "adjust_",
    "destructure",
    "destructure_pullback",
    "evaluate",
    "expr",
    "freeze_",
    "gradient_through_trainables",
    "layer",
    "legacy",
    "path_str",
    "restructure",
    "restructure_pullback",
    "setup",
    "split_flat",
    "thaw_",
    "trainables",
    "trainables_pullback",
    "trainables_with_paths",
    "update",
    "update_",
    "value_and_grad",
]
