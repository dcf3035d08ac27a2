"""pytest plugin: run optconf's properties against an adapter as ordinary pytest items.

Usage: ``pytest --pyargs optconf.conformance.suite --optconf-adapter torch``.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("optconf", "optconf conformance suite")
    group.addoption("--optconf-adapter", metavar="NAME", default=None,
                    help="adapter to check (short name, module:attr or mutant:NAME)")
