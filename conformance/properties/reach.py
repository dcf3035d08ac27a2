"""Draws that reach: how often a property's draws have each feature its strategies declare
(``strategies.MODEL_FEATURES``, ``PROGRAM_FEATURES``, ``LOSS_FEATURES``).  A feature drawn
in fewer than :data:`FLOOR` of the draws it applies to leaves the clauses it exercises
unchecked in practice, however many examples a profile asks for (CONF-4)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from optconf.adapters.protocol import Adapter, Unsupported

from .. import catalog
from ..cases import natural_rule
from ..profiles import Profile
from ..strategies import Drawn, tally
from .registry import Property

if TYPE_CHECKING:
    from ..planning import Task

#: The least fraction of its draws a declared feature must be drawn in.
FLOOR = 0.05


def tasks(adapter: Adapter, prop: Property, seed: int) -> list[Task]:
    """The cases of ``prop`` the adapter runs, planned and seeded as ``optconf run`` plans
    them: every rule class it supports in its declared variant, every path it declares."""
    from ..planning import plan  # planning imports the property registry, which loads this

    info = adapter.info()
    supports = {name: adapter.supports(natural_rule(info, name))
                for name in catalog.rule_classes()}
    return plan(info.name, info, supports, [prop], seed)[0]


def reach(adapter: Adapter, prop: Property, profile: Profile, seed: int) -> Drawn:
    """The features drawn over every case of ``prop`` on ``adapter`` in a run seeded with
    ``seed`` (an unsupported case draws nothing; a failure propagates)."""
    total = Drawn()
    for task in tasks(adapter, prop, seed):
        with tally() as drawn, contextlib.suppress(Unsupported):
            prop.check(adapter, profile, task.seed, task.case)
        total = total.merged(drawn)
    return total
