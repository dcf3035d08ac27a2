"""Adapters: thin mappings of engines onto the protocol in :mod:`.protocol`.

:func:`load` finds one by name (short name, ``module:attr`` or ``mutant:NAME``);
:func:`installed` lists every registered one with the reason it cannot run, if any.
"""

from .loader import AdapterUnavailable, UnknownAdapter, installed, load, mutant_names, registered

__all__ = [
    "AdapterUnavailable", "UnknownAdapter", "installed", "load", "mutant_names", "registered",
]
