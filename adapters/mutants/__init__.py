"""Built-in mutants: the reference adapter with one realistic bug each, for ``optconf
selftest`` (CONF-7).  A suite that lets a mutant pass has a gap.

Each area module registers its mutants in :data:`MUTANTS`; ``optconf run --adapter
mutant:NAME`` finds one through :func:`load`.
"""

from optconf.adapters.protocol import Adapter

from . import legacy, refusals, rules, trees, updates
from .base import MUTANTS, Mutant
from .engines import ENGINE_MUTANTS

__all__ = ["ENGINE_MUTANTS", "MUTANTS", "Mutant", "load"]
_AREAS = (legacy, refusals, rules, trees, updates)  # imported for their registrations


def load(name: str) -> Adapter:
    """The adapter of mutant ``name``, a reference or an engine mutant (KeyError for an
    unknown name)."""
    return (MUTANTS.get(name) or ENGINE_MUTANTS[name]).factory()
