"""optconf's reference: the spec of parameter collection, optimiser state and updates, as
small float64 NumPy code.  Every function cites its clauses in docs/SPEC.md."""

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
    OptconfError,
    ShapeError,
    TreeError,
    UnknownLeafError,
    UnsupportedLeafError,
)
from .state import Leaf, adjust, adjust_, freeze_, setup, thaw_, update, update_
from .tree import layer, path_str

__all__ = [
    "AliasError",
    "Leaf",
    "OptconfError",
    "ShapeError",
    "TreeError",
    "UnknownLeafError",
    "UnsupportedLeafError",
    "adjust",
    "adjust_",
    "destructure",
    "destructure_pullback",
    "freeze_",
    "layer",
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
]
