"""What properties about refused input share: a run that must raise an error of a given
type whose message names given words (ADJ-3, TREE-6, TREE-8, TREE-9, CLIPNORM-3).  No
property is registered here."""

from __future__ import annotations

from collections.abc import Sequence

from optconf.adapters.protocol import Adapter, PathName, Program, Unsupported

from ..asserts import Context, fail
from ..deviation import Deviation


def expect_error(adapter: Adapter, program: Program, path: PathName, *,
                 kind: type[Exception], naming: Sequence[str], clause: str,
                 ctx: Context) -> None:
    """``adapter.run(program, path)`` raises ``kind`` (or a subclass) whose message holds
    every string of ``naming``; a run that completes, another error type or a message that
    leaves one out breaks ``clause``."""
    try:
        adapter.run(program, path)
    except (Deviation, Unsupported):
        raise
    except Exception as error:  # the engine's error is what is checked
        if not isinstance(error, kind):
            fail(f"error={type(error).__name__}: {error}, but should be a {kind.__name__}",
                 clause=clause, ctx=ctx)
        missing = [word for word in naming if word not in str(error)]
        if missing:
            fail(f"error message={str(error)!r}, but should name {', '.join(missing)}",
                 clause=clause, ctx=ctx)
        return
    fail(f"the run completed, but should raise {kind.__name__} naming {', '.join(naming)}",
         clause=clause, ctx=ctx)
