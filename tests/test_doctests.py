"""The examples in docstrings run, so the docs cannot drift from the code.  Modules are
imported by their installed names (``optconf.reference...``); running pytest's
--doctest-modules on the folders would import them a second time under other names."""

import doctest
import importlib
import pkgutil

import pytest

import optconf.reference

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(optconf.reference.__path__, "optconf.reference.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
