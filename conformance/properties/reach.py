"""Draws that reach: how often a property's draws have each feature its strategies declare
(``strategies.MODEL_FEATURES``, ``PROGRAM_FEATURES``, ``LOSS_FEATURES``).  A feature drawn
in fewer than :data:`FLOOR` of the draws it applies to leaves the clauses it exercises
unchecked in practice, however many examples a profile asks for (CONF-4)."""

from __future__ import annotations

import contextlib
import hashlib

from optconf.adapters.protocol import Adapter, Unsupported

from .. import catalog
from ..profiles import Profile
from ..strategies import Drawn, tally
from .common import rule_for
from .registry import Case, Property

#: The least fraction of its draws a declared feature must be drawn in.
FLOOR = 0.05


def cases(adapter: Adapter, prop: Property) -> list[Case]:
    """The cases of ``prop`` the adapter runs: every rule class whose default it supports
    (in its declared variant) and every path it declares, over the property's axes; none
    when it lacks a required capability or path."""
    info = adapter.info()
    if not prop.requires <= info.capabilities | set(info.paths):
        return []
    rules: list[str | None] = [None]
    if "rule" in prop.axes:
        rules = [name for name in catalog.rule_classes() if _runs(adapter, name)]
    paths = list(info.paths) if "path" in prop.axes else [None]
    return [Case(rule, path) for rule in rules for path in paths]


def _runs(adapter: Adapter, name: str) -> bool:
    try:
        rule_for(adapter, name)
    except Unsupported:
        return False
    return True


def reach(adapter: Adapter, prop: Property, profile: Profile, seed: int) -> Drawn:
    """The features drawn over every case of ``prop`` on ``adapter``, each case seeded from
    ``seed`` and its key as a run seeds it (an unsupported case draws nothing; a failure
    propagates)."""
    total = Drawn()
    for case in cases(adapter, prop):
        # an unsupported case draws nothing
        with tally() as drawn, contextlib.suppress(Unsupported):
            prop.check(adapter, profile, _case_seed(seed, prop.id, case), case)
        total = total.merged(drawn)
    return total


def _case_seed(seed: int, pid: str, case: Case) -> int:
    text = f"{seed}|{pid}|{case.key()}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
