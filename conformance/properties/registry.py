"""The registry of properties: each one checks an adapter against named SPEC clauses."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from optconf.adapters.protocol import Adapter

from ..profiles import Profile

Check = Callable[[Adapter, Profile, int], None]


@dataclasses.dataclass(frozen=True)
class Property:
    """``id`` is stable (``area.what_it_proves``); ``clauses`` the SPEC clauses it checks;
    ``requires`` the capabilities and paths the adapter must declare, else the result is
    ``unsupported``.  ``check(adapter, profile, seed)`` returns on success and raises
    :class:`~optconf.conformance.deviation.Deviation` on a conformance failure,
    :class:`~optconf.adapters.protocol.Unsupported` when the adapter cannot express the
    case, and anything else is an adapter error."""

    id: str
    clauses: tuple[str, ...]
    requires: frozenset[str]
    check: Check
    doc: str


PROPERTIES: dict[str, Property] = {}


def prop(*clauses: str, requires: tuple[str, ...] = ()) -> Callable[[Check], Check]:
    """Register ``check`` as a property; its id is ``<module>.<function name>``."""

    def register(check: Check) -> Check:
        area = check.__module__.rsplit(".", 1)[-1]
        pid = f"{area}.{check.__name__.removeprefix('check_')}"
        if pid in PROPERTIES:
            raise ValueError(f"property {pid} registered twice")
        PROPERTIES[pid] = Property(pid, clauses, frozenset(requires), check,
                                   (check.__doc__ or "").strip())
        return check

    return register
