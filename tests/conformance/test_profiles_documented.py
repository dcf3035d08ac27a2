"""The README's table of profiles says what conformance/profiles.py runs."""

from __future__ import annotations

import re

from optconf.conformance.profiles import PROFILES
from optconf.conformance.properties.common import SHRINK_SHARE

from .runner_helpers import ROOT


def readme_rows() -> dict[str, list[str]]:
    """The README profile table's cells, by profile name."""
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `(\w+)` \|(.*)\|$", line)
        if match and match[1] in PROFILES:
            rows[match[1]] = [cell.strip() for cell in match[2].split("|")]
    return rows


def test_every_profile_is_in_the_readme_with_its_numbers():
    rows = readme_rows()
    assert set(rows) == set(PROFILES)
    for name, profile in PROFILES.items():
        examples, steps, stateful, timeout, shrinks, seed = rows[name]
        assert (int(examples), int(steps), int(stateful)) == (
            profile.max_examples, profile.steps, profile.stateful_steps)
        assert timeout == f"{profile.timeout:g} s"
        assert shrinks == (f"for up to {profile.timeout * SHRINK_SHARE:g} s" if profile.shrink
                           else "no")
        assert seed == (f"fixed: {profile.seed}" if profile.seed is not None
                        else "a new one each run")
