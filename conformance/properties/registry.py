"""The registry of properties: each one checks an adapter against named SPEC clauses.

A property may expand over *axes*: ``rule`` (one case per rule the adapter supports) and
``path`` (one case per update path the adapter declares).  A result is keyed by
``(adapter, property id, rule, path)``; that key is what reports, expectations files and
``optconf replay`` use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal

from optconf.adapters.protocol import Adapter, PathName

from ..profiles import Profile

Axis = Literal["rule", "path"]


@dataclasses.dataclass(frozen=True)
class Case:
    """One expansion of a property: the rule class name and path it runs (None when the
    property does not expand over that axis)."""

    rule: str | None = None
    path: PathName | None = None

    def key(self) -> str:
        parts = [p for p in (self.rule, self.path) if p]
        return f"[{','.join(parts)}]" if parts else ""


Check = Callable[[Adapter, Profile, int, Case], None]


@dataclasses.dataclass(frozen=True)
class Property:
    """``id`` is stable (``area.what_it_proves``); ``clauses`` the SPEC clauses it checks;
    ``requires`` the capabilities and paths the adapter must declare, else the result is
    ``unsupported``; ``axes`` what it expands over.  ``check(adapter, profile, seed, case)``
    returns on success and raises
    :class:`~optconf.conformance.deviation.Deviation` on a conformance failure,
    :class:`~optconf.adapters.protocol.Unsupported` when the adapter cannot express the
    case; anything else is an adapter error."""

    id: str
    clauses: tuple[str, ...]
    requires: frozenset[str]
    axes: tuple[Axis, ...]
    check: Check
    doc: str


PROPERTIES: dict[str, Property] = {}


def prop(
    *clauses: str, requires: tuple[str, ...] = (), axes: tuple[Axis, ...] = ()
) -> Callable[[Check], Check]:
    """Register ``check`` as a property; its id is ``<module>.<function name>`` with any
    ``check_`` prefix dropped."""

    def register(check: Check) -> Check:
        area = check.__module__.rsplit(".", 1)[-1]
        pid = f"{area}.{check.__name__.removeprefix('check_')}"
        if pid in PROPERTIES:
            raise ValueError(f"property {pid} registered twice")
        PROPERTIES[pid] = Property(pid, clauses, frozenset(requires), axes, check,
                                   (check.__doc__ or "").strip())
        return check

    return register
