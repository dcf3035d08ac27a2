"""Effort profiles: how many examples and steps each property draws, and the run seed when
none is asked for."""

from __future__ import annotations

import dataclasses
import random


@dataclasses.dataclass(frozen=True)
class Profile:
    """``max_examples`` per property, ``steps`` per generated program, ``stateful_steps``
    per state-machine run, the per-case timeout in seconds of the runner, and whether a
    failure is shrunk to a minimal counterexample.

    ``ci`` does not shrink: shrinking a failure through a real engine can take minutes,
    which would turn a fail into a timeout.  The seed still reproduces the failure, and
    ``optconf replay`` re-runs it with shrinking on (CONF-4).

    ``seed`` is the run seed when none is asked for: ``ci`` has a fixed one, so that a gate
    gives the same verdicts on every run of the same versions; ``dev`` and ``thorough``
    (None) draw a new one each run, to explore (CONF-4).
    """

    name: str
    max_examples: int
    steps: int
    stateful_steps: int
    timeout: float
    shrink: bool
    seed: int | None = None


PROFILES: dict[str, Profile] = {
    # ci: the reference passes in well under a minute on 2 cores
    "ci": Profile("ci", max_examples=12, steps=4, stateful_steps=12, timeout=60.0, shrink=False,
                  seed=20261123),
    "dev": Profile("dev", max_examples=40, steps=6, stateful_steps=25, timeout=120.0,
                   shrink=True),
    "thorough": Profile("thorough", max_examples=300, steps=12, stateful_steps=60,
                        timeout=900.0, shrink=True),
}


#: What ``--seed`` takes to draw a new run seed even where the profile has a fixed one.
RANDOM = "random"


def run_seed(profile: Profile, asked: int | str | None) -> int:
    """The run seed: the one asked for, a new random one for ``random``, else the
    profile's own (ci) or a new random one (dev, thorough)."""
    if isinstance(asked, int):
        return asked
    if asked is None and profile.seed is not None:
        return profile.seed
    return random.randrange(2**31)


def seed_arg(text: str) -> int | str:
    """``--seed``: an integer, or ``random``."""
    if text == RANDOM:
        return RANDOM
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"--seed {text!r}: expected an integer or {RANDOM!r}") from None
