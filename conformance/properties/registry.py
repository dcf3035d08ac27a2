"""The registry of properties: each one checks an adapter against named SPEC clauses.

A property may expand over *axes*: ``rule`` (one case per rule the adapter supports) and
``path`` (one case per update path the adapter declares).  Each expansion is a
:class:`~optconf.conformance.cases.CaseId`, the one name of a case in reports, expectations
files and ``optconf replay``.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Literal

from optconf.adapters.protocol import Adapter, EngineInfo

from ..cases import DEFAULT_REGISTRY, CaseId
from ..profiles import Profile

Axis = Literal["rule", "path"]

Check = Callable[[Adapter, Profile, int, CaseId], None]

#: The clauses a case of rule class ``name`` checks beyond the property's own, on the engine
#: the EngineInfo describes (e.g. :func:`~optconf.conformance.catalog.formula_clauses`).
RuleClauses = Callable[[str, EngineInfo], tuple[str, ...]]


@dataclasses.dataclass(frozen=True)
class Property:
    """``id`` is stable (``area.what_it_proves``); ``clauses`` the SPEC clauses it checks;
    ``requires`` the capabilities and paths the adapter must declare, else the result is
    ``unsupported``; ``axes`` what it expands over.  ``check(adapter, profile, seed, case)``
    returns on success and raises
    :class:`~optconf.conformance.deviation.Deviation` on a conformance failure,
    :class:`~optconf.adapters.protocol.Unsupported` when the adapter cannot express the
    case; anything else is an adapter error.  ``rule_clauses`` adds, per case of the
    ``rule`` axis, the clauses of that rule it checks (a pass shows in their rows too)."""

    id: str
    clauses: tuple[str, ...]
    requires: frozenset[str]
    axes: tuple[Axis, ...]
    check: Check
    doc: str
    rule_clauses: RuleClauses | None = None

    def clauses_for(self, rule: str | None, info: EngineInfo) -> tuple[str, ...]:
        """Every clause a case of this property checks for ``rule`` on the engine ``info``
        declares: the property's own, then its rule's, each once."""
        extra = self.rule_clauses(rule, info) if rule and self.rule_clauses else ()
        return tuple(dict.fromkeys((*self.clauses, *extra)))


PROPERTIES: dict[str, Property] = {}


def prop(
    *clauses: str, requires: tuple[str, ...] = (), axes: tuple[Axis, ...] = (),
    rule_clauses: RuleClauses | None = None,
) -> Callable[[Check], Check]:
    """Register ``check`` as a property; its id is ``<module>.<function name>`` with any
    ``check_`` prefix dropped."""

    def register(check: Check) -> Check:
        area = check.__module__.rsplit(".", 1)[-1]
        pid = f"{area}.{check.__name__.removeprefix('check_')}"
        if pid in PROPERTIES:
            raise ValueError(f"property {pid} registered twice")
        PROPERTIES[pid] = Property(pid, clauses, frozenset(requires), axes, check,
                                   (check.__doc__ or "").strip(), rule_clauses)
        return check

    return register


def load_properties(spec: str = DEFAULT_REGISTRY) -> dict[str, Property]:
    """The properties named by ``module:attr`` (a dict id -> Property)."""
    module, _, attr = spec.partition(":")
    found: dict[str, Property] = getattr(importlib.import_module(module), attr)
    return found


def select_properties(props: dict[str, Property], globs: list[str] | None) -> list[Property]:
    """The properties whose id matches one of ``globs`` (all without globs), by id."""
    return [p for pid, p in sorted(props.items())
            if not globs or any(fnmatchcase(pid, g) for g in globs)]
