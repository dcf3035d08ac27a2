"""Effort profiles: how many examples and steps each property draws."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Profile:
    """``max_examples`` per property, ``steps`` per generated program, ``stateful_steps``
    per state-machine run, the per-case timeout in seconds of the runner, and whether a
    failure is shrunk to a minimal counterexample.

    ``ci`` does not shrink: shrinking a failure through a real engine can take minutes,
    which would turn a fail into a timeout.  The seed still reproduces the failure, and
    ``optconf replay`` re-runs it with shrinking on (CONF-4).
    """

    name: str
    max_examples: int
    steps: int
    stateful_steps: int
    timeout: float
    shrink: bool


PROFILES: dict[str, Profile] = {
    # ci: the reference passes in well under a minute on 2 cores
    "ci": Profile("ci", max_examples=12, steps=4, stateful_steps=12, timeout=60.0, shrink=False),
    "dev": Profile("dev", max_examples=40, steps=6, stateful_steps=25, timeout=120.0,
                   shrink=True),
    "thorough": Profile("thorough", max_examples=300, steps=12, stateful_steps=60,
                        timeout=900.0, shrink=True),
}
