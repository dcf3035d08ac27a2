"""The properties, one module per SPEC area; importing this package registers them all in
:data:`.registry.PROPERTIES` (modules are found by listing the package, so a new area module
needs no edit here)."""

import importlib
import pkgutil

from .registry import PROPERTIES, Property, prop

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "registry":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["PROPERTIES", "Property", "prop"]
