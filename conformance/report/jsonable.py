"""Counterexamples as data: JSON for reports, Python literals for repro scripts."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

import numpy as np


def jsonable(x: Any) -> Any:
    """``x`` as JSON-safe data: arrays become ``{"__array__": nested list, "dtype": ...}``,
    dataclasses and layer objects ``{"__type__": class name, field: ...}``."""
    if x is None or isinstance(x, bool | int | str):
        return x
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(x) else repr(float(x))
    if isinstance(x, np.integer | np.bool_):
        return x.item()
    if isinstance(x, np.ndarray):
        return {"__array__": jsonable(x.tolist()), "dtype": str(x.dtype)}
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        fields = {f.name: jsonable(getattr(x, f.name)) for f in dataclasses.fields(x)}
        return {"__type__": type(x).__name__, **fields}
    if hasattr(x, "__dict__") and not callable(x):
        return {"__type__": type(x).__name__, **{k: jsonable(v) for k, v in vars(x).items()}}
    return _without_address(repr(x))


def _without_address(text: str) -> str:
    """A repr without the memory address of ``<function f at 0x7f...>``: reports and repro
    scripts are the same from run to run."""
    return re.sub(r" at 0x[0-9a-fA-F]+>", ">", text)


def literal(x: Any) -> str:
    """Python source that rebuilds ``x`` with only NumPy (``np``) in scope; objects that
    need their own classes become dicts naming the class."""
    if x is None or isinstance(x, bool | int | str):
        return repr(x)
    if isinstance(x, float | np.floating):
        return repr(float(x)) if math.isfinite(x) else f"float({str(float(x))!r})"
    if isinstance(x, np.integer | np.bool_):
        return repr(x.item())
    if isinstance(x, np.ndarray):
        body = literal(x.tolist()) if x.dtype.kind in "fiub" else repr(x.tolist())
        return f"np.array({body}, dtype=np.{x.dtype.name})"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in x.items()) + "}"
    if isinstance(x, list):
        return "[" + ", ".join(literal(v) for v in x) + "]"
    if isinstance(x, tuple):
        return "(" + "".join(f"{literal(v)}, " for v in x) + ")"
    data = jsonable(x)
    if isinstance(data, dict):
        return "{" + ", ".join(f"{k!r}: {_rebuild(v, x, k)}" for k, v in data.items()) + "}"
    return repr(data)


def _rebuild(data: Any, obj: Any, key: str) -> str:
    return repr(data) if key == "__type__" else literal(getattr(obj, key, data))
