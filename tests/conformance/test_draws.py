"""A run seed's draws do not depend on the literals in optconf's own source (CONF-4)."""

import sys
import types

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

import optconf.conformance.properties  # noqa: F401  (installs the draw policy)


def test_hypothesis_still_has_the_function_optconf_replaces():
    assert callable(providers._get_local_constants)
    assert len(providers._get_local_constants()) == 0


def draws_with_seed(seed: int) -> list[int]:
    drawn: list[int] = []

    @settings(max_examples=60, database=None, derandomize=False)
    @given(st.integers(-10**9, 10**9))
    def collect(n: int) -> None:
        drawn.append(n)

    collect._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    collect()
    return drawn


def test_a_new_local_module_with_literals_does_not_change_the_draws(tmp_path):
    before = draws_with_seed(20261123)
    module = types.ModuleType("optconf_local_literals")
    source = tmp_path / "optconf_local_literals.py"
    source.write_text("ODD = (123456789, -987654321, 424242)\n")
    module.__file__ = str(source)
    sys.modules[module.__name__] = module
    try:
        assert draws_with_seed(20261123) == before
    finally:
        del sys.modules[module.__name__]
