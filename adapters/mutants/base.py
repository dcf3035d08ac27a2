"""What a mutant is, and the patching that makes one.

A mutant is the reference adapter with one realistic bug (CONF-7): a *patch*, a context
manager that replaces one function or method of ``optconf.reference`` (or of the reference
adapter), active only while one of the adapter's verbs runs and restored afterwards, so every
mutant can run in the same process as the reference and as each other.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from optconf.adapters.protocol import Adapter, EngineInfo, Outcome, PathName, Program
from optconf.adapters.reference import ReferenceAdapter
from optconf.reference.rules.base import Rule

Patch = Callable[[], contextlib.AbstractContextManager[None]]
Method = Callable[..., Any]

#: Modules whose globals :func:`swapped_everywhere` rebinds: the engine side only.  The suite
#: calls the reference only outside the adapter's verbs, when every patch is undone.
ENGINE_MODULES = ("optconf.reference", "optconf.adapters")


@dataclasses.dataclass(frozen=True)
class Mutant:
    """A shipped mutant: its name, the bug in one line, the SPEC clauses the bug breaks and a
    zero-argument factory of its adapter."""

    name: str
    description: str
    clauses: tuple[str, ...]
    factory: Callable[[], Adapter]


#: Every shipped mutant by name, filled by the ``@mutant`` decorator of each area module.
MUTANTS: dict[str, Mutant] = {}


class MutantAdapter(ReferenceAdapter):
    """The reference adapter with ``patch`` active during each of its verbs."""

    def __init__(self, name: str, patch: Patch) -> None:
        self.name, self.patch = name, patch

    def info(self) -> EngineInfo:
        """The reference's declarations under the name ``mutant:<name>``."""
        return dataclasses.replace(super().info(), name=f"mutant:{self.name}",
                                   notes=MUTANTS[self.name].description)

    def supports(self, rule: Rule) -> str | None:
        with self.patch():
            return super().supports(rule)

    def run(self, program: Program, path: PathName) -> Outcome:
        with self.patch():
            return super().run(program, path)

    def trajectory(self, program: Program) -> list[Outcome]:
        with self.patch():
            return super().trajectory(program)

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        with self.patch():
            return super().collect(model, dtype)

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        with self.patch():
            return super().destructure(model, dtype)

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        with self.patch():
            return super().gradient(model, loss, dtype, via, frozen)


def mutant(name: str, description: str, *clauses: str) -> Callable[[Patch], Patch]:
    """Register the decorated patch as mutant ``name`` breaking ``clauses``."""

    def register(patch: Patch) -> Patch:
        if name in MUTANTS:
            raise ValueError(f"mutant {name} registered twice")
        MUTANTS[name] = Mutant(name, description, clauses, lambda: MutantAdapter(name, patch))
        return patch

    return register


# ------------------------------------------------------------------------------ patching


@contextlib.contextmanager
def swapped(owner: Any, attr: str, value: Any) -> Iterator[None]:
    """``owner.attr`` is ``value`` inside the block; afterwards it is as before (an attribute
    a class only inherited is deleted again, so the parent's shows through)."""
    own = vars(owner)
    had, old = attr in own, own.get(attr)
    setattr(owner, attr, value)
    try:
        yield
    finally:
        if had:
            setattr(owner, attr, old)
        else:
            delattr(owner, attr)


@contextlib.contextmanager
def swapped_everywhere(original: Any, replacement: Any) -> Iterator[None]:
    """Rebind every engine-module global that is ``original`` (a function imported by name
    into several modules, e.g. ``summed``) to ``replacement`` inside the block."""
    with contextlib.ExitStack() as stack:
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith(ENGINE_MODULES):
                for attr, value in list(vars(module).items()):
                    if value is original:
                        stack.enter_context(swapped(module, attr, replacement))
        yield


@contextlib.contextmanager
def wrapped(owner: Any, attr: str,
            wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    """``owner.attr`` (and every engine global bound to the same function, when ``owner`` is
    a module) replaced by ``wrapper(original)`` inside the block."""
    original = getattr(owner, attr)
    replacement = wrapper(original)
    if isinstance(owner, type):
        with swapped(owner, attr, replacement):
            yield
    else:
        with swapped_everywhere(original, replacement):
            yield
