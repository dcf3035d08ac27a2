"""Protocol versions: adapters written against an older protocol keep working (CONF-2).

An adapter declares the version it was written against as ``protocol_version``
(``protocol.PROTOCOL_VERSION`` when written now; none declared reads as 1).  When the protocol
changes, its version goes up by one and :data:`SUPERSEDED` gains an entry for the version it
replaces: what the old version's surface was, what replaces it, and a *shim* that wraps an
adapter written against the old version so that it speaks the new one.  The loader runs an
older adapter through the shim of every change since, each with a DeprecationWarning that
names the replacement in the project's own form, ``"<old> is deprecated; use <new>"``
(DEP-1, DEP-3), attributed to the adapter class's line (DEP-2).  A version newer than this
optconf's is refused with the reason: the adapter needs a newer optconf.
"""

from __future__ import annotations

import dataclasses
import inspect
import warnings
from collections.abc import Callable

from .protocol import PROTOCOL_VERSION, Adapter


class ProtocolVersionError(ValueError):
    """An adapter declares a protocol version this optconf does not speak."""


@dataclasses.dataclass(frozen=True)
class Superseded:
    """What a protocol change replaced: ``old`` (the surface as the old version had it) is
    deprecated in favour of ``new``; ``shim`` wraps an adapter written against the old
    version into one that speaks the next."""

    old: str
    new: str
    shim: Callable[[Adapter], Adapter]


#: Per version before :data:`~optconf.adapters.protocol.PROTOCOL_VERSION`, the change that
#: the next version made.  Empty while version 1 is the only one.
SUPERSEDED: dict[int, Superseded] = {}


def declared_version(adapter: Adapter) -> int:
    """The protocol version ``adapter`` was written against; 1 when it declares none."""
    version = type(adapter).protocol_version
    known = range(1, PROTOCOL_VERSION + 1)
    if version is None:
        return 1
    if isinstance(version, bool) or not isinstance(version, int) or version not in known:
        newer = isinstance(version, int) and version > PROTOCOL_VERSION
        raise ProtocolVersionError(
            f"{type(adapter).__name__} declares protocol_version={version!r}, but this optconf "
            f"speaks protocol versions 1 to {PROTOCOL_VERSION}"
            + (": upgrade optconf" if newer else ": declare one of them"))
    return version


def upgraded(adapter: Adapter) -> Adapter:
    """``adapter`` speaking the current protocol: itself when it declares the current
    version; for an older one, wrapped in the shim of each change since, each with a
    DeprecationWarning naming the replacement (ProtocolVersionError for an unknown one)."""
    for version in range(declared_version(adapter), PROTOCOL_VERSION):
        change = SUPERSEDED[version]
        _warn_at_class(adapter, f"{change.old} is deprecated; use {change.new}")
        adapter = change.shim(adapter)
    return adapter


def _warn_at_class(adapter: Adapter, message: str) -> None:
    """A DeprecationWarning attributed to the line that defines ``adapter``'s class, the
    line its author changes (DEP-2)."""
    cls = type(adapter)
    try:
        filename, lineno = inspect.getsourcefile(cls) or "", inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):  # a class without source (built in a REPL, say)
        filename, lineno = cls.__module__, 0
    warnings.warn_explicit(message, DeprecationWarning, filename, lineno, module=cls.__module__)
