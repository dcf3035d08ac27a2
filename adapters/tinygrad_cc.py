"""tinygrad's CPU compiler from pip alone: ``zig cc`` (the ``ziglang`` wheel) where no clang is.

tinygrad 0.14's CPU device compiles each kernel with ``$CC`` (default ``clang``), called as
``$CC -c -x c ... --target=<arch>-none-unknown-elf ... - -o -`` (C on stdin, an ELF object on
stdout; ``tinygrad/runtime/support/compiler_cpu.py``).  ``zig cc`` is clang, but spells that
target ``-target <arch>-freestanding-none`` (``aarch64`` for tinygrad's ``arm64``) and emits
debug information unless told ``-g0``.  :func:`use_zig_cc_without_clang` writes a three-line
shell script that rewrites the target and ``exec``\\ s the zig binary, so each kernel costs one
``sh`` and one compiler process, and points ``CC`` at it.  Worker processes inherit ``CC``;
compiled kernels land in tinygrad's own on-disk cache (``CACHEDB``, by default
``~/.cache/tinygrad/cache.db``; ``optconf run`` points it at its run's folder,
``conformance/caches.py``), keyed by the C source and shared by every process.

Nothing changes when ``CC`` is set, when ``clang`` is on ``PATH``, off POSIX, without the
``ziglang`` package, or with ``OPTCONF_TINYGRAD_ZIG=0`` in the environment (which shows what a
machine with no compiler at all does: tinygrad is reported unavailable).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import tempfile
from pathlib import Path

#: Set to 0 to keep tinygrad away from zig cc (then without clang it has no compiler).
ZIG_ENV = "OPTCONF_TINYGRAD_ZIG"

_SCRIPT = """#!/bin/sh
# tinygrad's $CC through zig cc, written by optconf (adapters/tinygrad_cc.py)
for arg do
  shift
  case $arg in
    --target=arm64-none-unknown-elf) set -- "$@" -target aarch64-freestanding-none ;;
    --target=*-none-unknown-elf) arch=${arg#--target=}
      set -- "$@" -target "${arch%-none-unknown-elf}-freestanding-none" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
exec {zig} cc -g0 "$@"
"""


def use_zig_cc_without_clang() -> None:
    """Point ``CC`` at a ``zig cc`` launcher when tinygrad would otherwise find no clang;
    call it before tinygrad is first imported (tinygrad reads ``CC`` once)."""
    if os.environ.get("CC") or os.environ.get(ZIG_ENV) == "0" or os.name != "posix":
        return
    if shutil.which("clang") is not None:
        return
    zig = _zig_binary()
    if zig is not None:
        os.environ["CC"] = str(_launcher(zig))


def _zig_binary() -> Path | None:
    try:
        import ziglang
    except ImportError:
        return None
    zig = Path(ziglang.__file__).with_name("zig")
    return zig if zig.is_file() else None


def _launcher(zig: Path) -> Path:
    """The launcher script for ``zig``, written once per user and zig binary, atomically (the
    suite's worker processes may start together)."""
    text = _SCRIPT.replace("{zig}", shlex.quote(str(zig)))
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "optconf"
    path = folder / f"zig-cc-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    if path.is_file() and path.read_text() == text:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False) as tmp:
        tmp.write(text)
    os.chmod(tmp.name, 0o755)
    os.replace(tmp.name, path)
    return path
