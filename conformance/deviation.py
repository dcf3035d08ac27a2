"""A conformance failure: what differs, by how much, under which clause, and how to
reproduce it without optconf."""

from __future__ import annotations

from typing import Any


class Deviation(AssertionError):
    """Raised by a property when an engine disagrees with the reference.

    ``clause``: the SPEC clause broken; ``observed`` / ``allowed``: the error size and the
    tolerance model's bound (None for non-numeric failures); ``case``: a small dict
    describing the counterexample (model, rule, ops, path, dtype) that the repro writer
    turns into a standalone script; its ``features``, given as how to find them
    (``asserts.case_data``), are found here, for failures only.
    """

    def __init__(
        self,
        message: str,
        *,
        clause: str,
        observed: float | None = None,
        allowed: float | None = None,
        case: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.clause = clause
        self.observed = observed
        self.allowed = allowed
        found = (case or {}).get("features")
        self.case = {**(case or {}), "features": sorted(found()) if callable(found) else
                     found or []}
