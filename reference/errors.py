"""Errors the reference raises for bad input.  Each message names the path in the tree
(clause ERR-1) and the clause that was broken."""

from __future__ import annotations


class OptconfError(Exception):
    """Base class: every error the reference raises on bad input."""


class TreeError(OptconfError, ValueError):
    """The model, state or gradient tree is malformed or trees do not match (ERR-2)."""


class UnknownLeafError(TreeError, TypeError):
    """A node is neither a container, a parameter nor a carried value (TREE-5)."""


class UnsupportedLeafError(TreeError, TypeError):
    """A leaf optconf does not handle yet, e.g. a complex array (TREE-6)."""


class AliasError(TreeError):
    """Two distinct parameter arrays share memory (TREE-8)."""


class ShapeError(TreeError):
    """A gradient does not have its parameter's shape, or a flat vector has the wrong
    length (ERR-3, FLAT-4)."""


class NonFiniteLossError(OptconfError, ValueError):
    """A training loop met a loss that is infinite or NaN and stopped before updating with
    it (DEP-10); Python's counterpart of Flux's ``DomainError``."""
