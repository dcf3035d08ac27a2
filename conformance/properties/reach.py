"""Draws that reach: how often a property's draws have each feature its strategies declare
(``strategies.MODEL_FEATURES``, ``PROGRAM_FEATURES``, ``LOSS_FEATURES``).  A feature drawn
in fewer than :data:`FLOOR` of the draws it applies to leaves the clauses it exercises
unchecked in practice, however many examples a profile asks for (CONF-4)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from optconf.adapters.protocol import Adapter, Unsupported

from .. import catalog
from ..cases import natural_rule
from ..profiles import Profile
from ..strategies import Drawn, tally
from .registry import Property

if TYPE_CHECKING:
    from ..planning import Task
    from ..report.model import CaseResult

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


def drawn_by_property(results: Iterable[CaseResult]) -> dict[str, Drawn]:
    """The features the results' draws had, merged per property over adapters and cases."""
    merged: dict[str, Drawn] = {}
    for r in results:
        if r.drawn:
            merged[r.property] = merged.get(r.property, Drawn()).merged(
                Drawn.from_json(r.drawn))
    return dict(sorted(merged.items()))


def frequency_lines(results: Iterable[CaseResult], floor: float = FLOOR) -> list[str]:
    """One line per property: each declared feature with the share of the draws it applied
    to that had it, ``RARE`` marking those under ``floor`` (CONF-4)."""
    lines = []
    for pid, drawn in drawn_by_property(results).items():
        shares = [f"{key} {share:.0%}{' RARE' if share < floor else ''}"
                  for key, share in drawn.frequencies().items()]
        if shares:
            lines.append(f"  {pid}: " + "; ".join(shares))
    return lines
