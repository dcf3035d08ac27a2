"""Finding adapters by name: built-in and third-party short names (the ``optconf.adapters``
entry-point group), ``module:attr`` and ``mutant:NAME`` (docs/ADAPTERS.md, CONF-2), each
speaking the current protocol version (``versions.upgraded``).

An engine that is not installed, or refuses to start here (e.g. tinygrad without a C
compiler), is *unavailable*, which is not the same as an unknown name: ``optconf run`` skips
unavailable engines with a note unless they were asked for by name.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from .protocol import Adapter, Unsupported
from .versions import ProtocolVersionError, upgraded

GROUP = "optconf.adapters"


class UnknownAdapter(LookupError):
    """No adapter answers to this name (a usage error)."""


class AdapterUnavailable(RuntimeError):
    """The adapter exists but its engine cannot run here; the message says why."""


def registered() -> dict[str, str]:
    """Short name -> ``module:attr`` for every adapter in the entry-point group."""
    return {ep.name: ep.value for ep in entry_points(group=GROUP)}


def load(spec: str) -> Adapter:
    """The adapter named by ``spec``: a short name, ``module:attr`` (an Adapter class, a
    zero-argument factory or an instance) or ``mutant:NAME``."""
    if spec.startswith("mutant:"):
        return _mutant(spec.removeprefix("mutant:"))
    names = registered()
    if spec in names:
        target = names[spec]
    elif ":" in spec:
        target = spec
    else:
        known = ", ".join(sorted(names)) or "none"
        raise UnknownAdapter(
            f"unknown adapter {spec!r}; registered adapters: {known} "
            "(or give module:attr, or mutant:NAME)"
        )
    return _construct(spec, _resolve(spec, target, registered=spec in names))


def _resolve(spec: str, target: str, *, registered: bool) -> Any:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if registered or (exc.name and not module_name.startswith(exc.name)):
            # the adapter module exists but its engine (or a dependency) does not
            raise AdapterUnavailable(f"{spec}: engine not installed ({exc})") from exc
        raise UnknownAdapter(f"adapter {spec!r}: cannot import {module_name!r} ({exc})") from exc
    try:
        return getattr(module, attr) if attr else module
    except AttributeError as exc:
        raise UnknownAdapter(f"adapter {spec!r}: {module_name} has no attribute {attr!r}") from exc


def _construct(spec: str, obj: Any) -> Adapter:
    try:
        adapter = obj if isinstance(obj, Adapter) else obj()
    except (Unsupported, RuntimeError, ImportError, OSError) as exc:
        raise AdapterUnavailable(f"{spec}: engine unavailable ({exc})") from exc
    if not isinstance(adapter, Adapter):
        raise UnknownAdapter(f"adapter {spec!r} gave {type(adapter).__name__}, not an Adapter")
    try:
        return upgraded(adapter)
    except ProtocolVersionError as exc:
        raise AdapterUnavailable(f"{spec}: {exc}") from exc


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
    found: dict[str, Adapter | AdapterUnavailable] = {}
    for name in sorted(registered()):
        try:
            found[name] = load(name)
        except AdapterUnavailable as exc:
            found[name] = exc
    return found
