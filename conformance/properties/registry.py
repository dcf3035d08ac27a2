"""The registry of properties: each one checks an adapter against named SPEC clauses.

A property may expand over *axes*: ``rule`` (one case per rule the adapter supports),
``path`` (one case per update path the adapter declares, the distributed ones aside) and
``distributed`` (one case per distributed path it declares, CONF-13).  Each expansion is a
:class:`~optconf.conformance.cases.CaseId`, the one name of a case in reports, expectations
files and ``optconf replay``.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Literal

from optconf.adapters.protocol import Adapter, EngineInfo, PathName

from ..cases import DEFAULT_REGISTRY, CaseId
from ..profiles import Profile

Axis = Literal["rule", "path", "distributed"]

Check = Callable[[Adapter, Profile, int, CaseId], None]

#: The clauses a case checks beyond its property's own, from the case's rule and path (None
#: off those axes) and the engine's declarations (e.g.
#: :func:`~optconf.conformance.catalog.formula_clauses`).
CaseClauses = Callable[[str | None, PathName | None, EngineInfo], tuple[str, ...]]


@dataclasses.dataclass(frozen=True)
class Property:
    """``id`` is stable (``area.what_it_proves``); ``clauses`` the SPEC clauses it checks;
    ``requires`` the capabilities and paths the adapter must declare, else the result is
    ``unsupported``; ``axes`` what it expands over.  ``check(adapter, profile, seed, case)``
    returns on success and raises
    :class:`~optconf.conformance.deviation.Deviation` on a conformance failure,
    :class:`~optconf.adapters.protocol.Unsupported` when the adapter cannot express the
    case; anything else is an adapter error.  ``case_clauses`` adds, per case, the clauses
    its rule, path or engine make it check (a pass shows in their rows too)."""

    id: str
    clauses: tuple[str, ...]
    requires: frozenset[str]
    axes: tuple[Axis, ...]
    check: Check
    doc: str
    case_clauses: CaseClauses | None = None

    def clauses_for(self, rule: str | None, path: PathName | None,
                    info: EngineInfo) -> tuple[str, ...]:
        """Every clause a case of this property checks for ``rule`` and ``path`` on the
        engine ``info`` declares: the property's own, then the case's, each once."""
        extra = self.case_clauses(rule, path, info) if self.case_clauses else ()
        return tuple(dict.fromkeys((*self.clauses, *extra)))


PROPERTIES: dict[str, Property] = {}


def prop(
    *clauses: str, requires: tuple[str, ...] = (), axes: tuple[Axis, ...] = (),
    case_clauses: CaseClauses | None = None,
) -> Callable[[Check], Check]:
    """Register ``check`` as a property; its id is ``<module>.<function name>`` with any
    ``check_`` prefix dropped."""

    def register(check: Check) -> Check:
        area = check.__module__.rsplit(".", 1)[-1]
        pid = f"{area}.{check.__name__.removeprefix('check_')}"
        if pid in PROPERTIES:
            raise ValueError(f"property {pid} registered twice")
        PROPERTIES[pid] = Property(pid, clauses, frozenset(requires), axes, check,
                                   (check.__doc__ or "").strip(), case_clauses)
        return check

    return register


class SelectionError(ValueError):
    """A ``--registry`` that names no dict of properties, or a ``--property`` glob or
    ``--rule`` name that selects nothing: a typo would otherwise run nothing, or
    everything, and pass."""


def load_properties(spec: str = DEFAULT_REGISTRY) -> dict[str, Property]:
    """The properties named by ``module:attr`` (a dict id -> Property)."""
    module, sep, attr = spec.partition(":")
    if not (sep and module and attr):
        raise SelectionError(f"registry {spec!r}: expected MODULE:ATTR")
    try:
        found = getattr(importlib.import_module(module), attr)
    except ImportError as exc:
        raise SelectionError(f"registry {spec!r}: cannot import {module} ({exc})") from exc
    except AttributeError:
        raise SelectionError(f"registry {spec!r}: {module} has no {attr}") from None
    if not isinstance(found, dict) or not all(isinstance(p, Property) for p in found.values()):
        raise SelectionError(f"registry {spec!r}: {type(found).__name__}, not a dict of "
                             "property id -> Property")
    return found


def select_properties(props: dict[str, Property], globs: list[str] | None) -> list[Property]:
    """The properties whose id matches one of ``globs`` (all without globs), by id; a glob
    that matches none is a :class:`SelectionError`."""
    unmatched = [g for g in globs or () if not any(fnmatchcase(pid, g) for pid in props)]
    if unmatched:
        areas = sorted({pid.split(".")[0] + ".*" for pid in props})
        raise SelectionError(f"--property {', '.join(map(repr, unmatched))} matches no "
                             f"property; the properties are {', '.join(areas)}")
    return [p for pid, p in sorted(props.items())
            if not globs or any(fnmatchcase(pid, g) for g in globs)]
