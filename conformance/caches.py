"""Compilation caches of a run, shared by its worker processes (CONF-3).

jax compiles each jitted step with XLA and tinygrad each kernel with its C compiler; both
can keep what they compiled on disk, keyed by what was compiled (jax by the HLO module,
its versions and flags; tinygrad by the kernel's C source), so a hit is the program that
compiling again would give.  A run points both at one folder: by default a new temporary
one, removed after the run, so that runs stay independent of each other and of the user's
own caches (tinygrad's default is ``~/.cache/tinygrad``); ``optconf run --compile-cache DIR``
keeps them in DIR, where a later run of the same draws (the ``ci`` profile's fixed seed)
finds them.  A setting the caller's environment already has is left to it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def cache_settings(folder: Path) -> dict[str, str]:
    """The environment that puts each engine's compilation cache in ``folder``; jax caches
    every compiled program, however small and fast to compile (its defaults skip programs
    compiled in under a second)."""
    return {
        "JAX_COMPILATION_CACHE_DIR": str(folder / "jax"),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
        "CACHEDB": str(folder / "tinygrad.db"),
    }


@contextlib.contextmanager
def compile_caches(kept: Path | None = None) -> Iterator[dict[str, str]]:
    """The environment settings for a run's workers: caches in ``kept`` (created if need
    be), else in a temporary folder removed on exit; the caller's own settings win."""
    with contextlib.ExitStack() as stack:
        if kept is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="optconf-")))
        else:
            folder = kept.resolve()
            folder.mkdir(parents=True, exist_ok=True)
        yield {name: value for name, value in cache_settings(folder).items()
               if name not in os.environ}
