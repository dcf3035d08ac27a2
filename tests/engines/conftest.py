"""Engine tests run only where their engine starts: a test marked ``engine(name)`` is skipped
with the loader's reason (not installed, no compiler, no device) when ``load(name)`` says the
engine is unavailable here, never reported as an error (CONF-2)."""

from __future__ import annotations

import functools

import pytest

from optconf.adapters.loader import AdapterUnavailable, load


@functools.cache
def unavailable(engine: str) -> str | None:
    """Why the registered adapter ``engine`` cannot run here, or None when it can."""
    try:
        load(engine)
    except AdapterUnavailable as exc:
        return str(exc)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("engine"):
        reason = unavailable(mark.args[0])
        if reason is not None:
            pytest.skip(reason)
