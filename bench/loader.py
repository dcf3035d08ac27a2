"""Finding bench engines by name, as adapters are found (:mod:`optconf.adapters.loader`):
short names in the ``optconf.bench`` entry-point group (the built-in engines under their
adapters' names) or ``module:attr`` (a BenchEngine class, a zero-argument factory or an
instance)."""

from __future__ import annotations

from optconf.adapters import loader
from optconf.adapters.loader import AdapterUnavailable

from .protocol import BenchEngine

GROUP = "optconf.bench"


def registered() -> dict[str, str]:
    """Short name -> ``module:attr`` for every bench engine in the entry-point group."""
    return loader.registered(GROUP)


def load(spec: str) -> BenchEngine:
    """The bench engine named by ``spec``: a short name or ``module:attr``."""
    engine: BenchEngine = loader.named(spec, GROUP, BenchEngine, "bench engine")
    return engine


def installed() -> dict[str, BenchEngine | AdapterUnavailable]:
    """Every registered bench engine, constructed, or the reason it cannot run here."""
    return loader.each(registered(), load)
