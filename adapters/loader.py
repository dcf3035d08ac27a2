"""Finding adapters by name: built-in and third-party short names (the ``optconf.adapters``
entry-point group), ``module:attr`` and ``mutant:NAME`` (docs/ADAPTERS.md, CONF-2), each
speaking the current protocol version (``versions.upgraded``).

An engine that is not installed, or refuses to start here (e.g. tinygrad without a C
compiler), is *unavailable*, which is not the same as an unknown name: ``optconf run`` skips
unavailable engines with a note unless they were asked for by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import Any, TypeVar

from .protocol import Adapter, Unsupported
from .versions import ProtocolVersionError, upgraded

GROUP = "optconf.adapters"
Kind = TypeVar("Kind")


class UnknownAdapter(LookupError):
    """No adapter (or bench engine) answers to this name (a usage error)."""


class AdapterUnavailable(RuntimeError):
    """The adapter (or bench engine) exists but its engine cannot run here; the message
    says why."""


def registered(group: str = GROUP) -> dict[str, str]:
    """Short name -> ``module:attr`` for every entry of the entry-point ``group``."""
    return {ep.name: ep.value for ep in entry_points(group=group)}


def load(spec: str) -> Adapter:
    """The adapter named by ``spec``: a short name, ``module:attr`` (an Adapter class, a
    zero-argument factory or an instance) or ``mutant:NAME``."""
    if spec.startswith("mutant:"):
        return _mutant(spec.removeprefix("mutant:"))
    adapter: Adapter = named(spec, GROUP, Adapter, "adapter", "module:attr, or mutant:NAME")
    try:
        return upgraded(adapter)
    except ProtocolVersionError as exc:
        raise AdapterUnavailable(f"{spec}: {exc}") from exc


def named(spec: str, group: str, kind: type, what: str, forms: str = "module:attr") -> Any:
    """The ``kind`` named by ``spec``: a short name in the entry-point ``group`` or
    ``module:attr`` (a ``kind`` class, a zero-argument factory or an instance); ``what``
    and ``forms`` name it and the other spellings in the error for an unknown name."""
    names = registered(group)
    if spec in names:
        target = names[spec]
    elif ":" in spec:
        target = spec
    else:
        known = ", ".join(sorted(names)) or "none"
        raise UnknownAdapter(f"unknown {what} {spec!r}; registered {what}s: {known} "
                             f"(or give {forms})")
    obj = _resolve(spec, target, what, registered=spec in names)
    try:
        made = obj if isinstance(obj, kind) else obj()
    except (Unsupported, RuntimeError, ImportError, OSError) as exc:
        raise AdapterUnavailable(f"{spec}: engine unavailable ({exc})") from exc
    if not isinstance(made, kind):
        raise UnknownAdapter(f"{what} {spec!r} gave {type(made).__name__}, which is no "
                             f"{kind.__name__}")
    return made


def _resolve(spec: str, target: str, what: str, *, registered: bool) -> Any:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if registered or (exc.name and not module_name.startswith(exc.name)):
            # the module exists but its engine (or a dependency) does not
            raise AdapterUnavailable(f"{spec}: engine not installed ({exc})") from exc
        raise UnknownAdapter(f"{what} {spec!r}: cannot import {module_name!r} ({exc})") from exc
    try:
        return getattr(module, attr) if attr else module
    except AttributeError as exc:
        raise UnknownAdapter(f"{what} {spec!r}: {module_name} has no attribute {attr!r}") from exc


def _mutant(name: str) -> Adapter:
    try:
        mutants = importlib.import_module("optconf.adapters.mutants")
        loader = mutants.load
    except (ImportError, AttributeError) as exc:
        raise UnknownAdapter(f"mutant:{name}: no mutants package ({exc})") from exc
    try:
        adapter: Adapter = loader(name)
    except KeyError as exc:
        known = ", ".join(sorted(getattr(mutants, "MUTANTS", {}))) or "none"
        raise UnknownAdapter(f"unknown mutant {name!r}; known mutants: {known}") from exc
    return adapter


def mutant_names() -> list[str]:
    """Names of the shipped mutants (empty until the mutants package provides them)."""
    try:
        mutants = importlib.import_module("optconf.adapters.mutants")
    except ImportError:
        return []
    return sorted(getattr(mutants, "MUTANTS", {}))


def installed() -> dict[str, Adapter | AdapterUnavailable]:
    """Every registered adapter, constructed, or the reason it cannot run here."""
    return each(registered(), load)


def each(names: Iterable[str], load_one: Callable[[str], Kind]
         ) -> dict[str, Kind | AdapterUnavailable]:
    """``load_one`` of each of ``names`` (sorted), or the reason it cannot run here."""
    found: dict[str, Kind | AdapterUnavailable] = {}
    for name in sorted(names):
        try:
            found[name] = load_one(name)
        except AdapterUnavailable as exc:
            found[name] = exc
    return found
