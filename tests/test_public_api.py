"""A new adapter following only the docs needs nothing from outside the documented public API
(issue 16): the adapters written from docs/ADAPTERS.md import from optconf only the names
in ``__all__`` of the modules in ``protocol.PUBLIC_MODULES``."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from optconf.adapters.protocol import PUBLIC_MODULES

ROOT = Path(__file__).resolve().parents[1]
#: Adapters written from the docs alone: the shipped Keras and MLX adapters, the worked
#: example and the protocol-1 test adapter.
DOC_WRITTEN = ("adapters/keras.py", "adapters/mlx.py", "tests/conformance/example_adapter.py",
               "tests/conformance/v1_adapter.py")


def _absolute(node: ast.ImportFrom, module: str) -> str:
    """The module an ``from ... import`` in ``module`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")[:-node.level]
    return ".".join([*base, *([node.module] if node.module else [])])


def outside_the_public_api(source: str, module: str) -> list[str]:
    """Each optconf import in ``source`` (the module ``module``) that the public API does
    not offer, as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name.startswith("optconf") and a.name not in PUBLIC_MODULES]
        elif isinstance(node, ast.ImportFrom):
            origin = _absolute(node, module)
            if not origin.startswith("optconf"):
                continue
            for alias in node.names:
                public = (f"{origin}.{alias.name}" in PUBLIC_MODULES
                          or (origin in PUBLIC_MODULES
                              and alias.name in importlib.import_module(origin).__all__))
                if not public:
                    found.append(f"{node.lineno}: from {origin} import {alias.name}")
    return found


def _module_name(relative: str) -> str:
    dotted = relative.removesuffix(".py").replace("/", ".")
    return dotted if dotted.startswith("tests.") else f"optconf.{dotted}"


@pytest.mark.parametrize("relative", DOC_WRITTEN)
def test_adapters_written_from_the_docs_import_only_the_public_api(relative):
    source = (ROOT / relative).read_text(encoding="utf-8")
    assert outside_the_public_api(source, _module_name(relative)) == []


@pytest.mark.parametrize(("source", "what"), [
    ("from optconf.reference.tree import fold\n", "from optconf.reference.tree import fold"),
    ("from .protocol import _bench_hook\n", "from optconf.adapters.protocol import _bench_hook"),
    ("from optconf.reference.rules.base import Rule\n",
     "from optconf.reference.rules.base import Rule"),
    ("import optconf.conformance.strategies\n", "import optconf.conformance.strategies"),
])
def test_an_import_from_outside_the_public_api_is_named(source, what):
    assert outside_the_public_api(source, "optconf.adapters.myengine") == [f"1: {what}"]


def test_public_names_exist_and_submodule_imports_of_public_modules_pass():
    for module in PUBLIC_MODULES:
        mod = importlib.import_module(module)
        assert all(hasattr(mod, name) for name in mod.__all__), module
    assert outside_the_public_api("from optconf.reference import rules, trainables\n"
                                  "from optconf.adapters.protocol import fold, Rule\n",
                                  "optconf.adapters.myengine") == []


def test_the_adapter_guide_names_every_public_module():
    guide = (ROOT / "docs" / "ADAPTERS.md").read_text(encoding="utf-8")
    assert all(f"`{module}`" in guide for module in PUBLIC_MODULES)
