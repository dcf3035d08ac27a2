"""Effort profiles: how many examples and steps each property draws."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Profile:
    """``max_examples`` per property, ``steps`` per generated program, ``stateful_steps``
    per state-machine run, and the per-case timeout in seconds of the runner."""

    name: str
    max_examples: int
    steps: int
    stateful_steps: int
    timeout: float


PROFILES: dict[str, Profile] = {
    # ci: the reference passes in well under a minute on 2 cores
    "ci": Profile("ci", max_examples=12, steps=4, stateful_steps=12, timeout=60.0),
    "dev": Profile("dev", max_examples=40, steps=6, stateful_steps=25, timeout=120.0),
    "thorough": Profile("thorough", max_examples=300, steps=12, stateful_steps=60, timeout=900.0),
}
