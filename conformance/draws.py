"""Draws that depend on the seed alone (CONF-4).

Hypothesis 6.155 mixes into its draws literal constants it reads from the source of every
*local* module loaded at the time (``hypothesis.internal.conjecture.providers``): not in
site-packages, not a test file.  For optconf that made a run seed's examples change with
any edit to optconf's own code, with the set of modules a process happened to import (a
pytest session draws differently from ``optconf run``), and between an editable and an
installed copy, so a gate's verdicts did not reproduce across commits or machines.

:func:`ignore_local_literals` turns that source off for this process.  Hypothesis' global
constants (its own list of edge cases: 0, -0.0, inf, nan, huge and tiny floats, ...) are
still drawn.  Hypothesis has no setting for this, so the function replaces the one internal
function that gathers them; hypothesis is pinned exactly in pyproject.toml, and
tests/conformance/test_draws.py fails if that function moves.
"""

from __future__ import annotations

from hypothesis.internal.conjecture import providers


def ignore_local_literals() -> None:
    """From now on, no literal of a local module is drawn (the empty set is kept)."""
    empty = providers._local_constants
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE.cache.clear()


ignore_local_literals()
