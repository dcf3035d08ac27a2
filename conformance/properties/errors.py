"""Bad input is refused with an error naming the path where it is (ERR-1 .. ERR-3, TREE-5):
a gradient of the wrong shape, a gradient tree with a key the model lacks, an object that is
not a model node."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step, Unsupported
from optconf.reference import tree as ref_tree

from ..asserts import fail
from ..deviation import Deviation
from ..profiles import Profile
from ..strategies import gradients, models
from .common import context, dtypes, explore, model_drawing, rule_for
from .registry import CaseId, prop


class Opaque:
    """Not a model node: no container, parameter or carried value (TREE-5)."""


def _set(tree: Any, path: ref_tree.Path, value: Any) -> Any:
    """``tree`` (a gradient tree of plain dicts, lists and tuples) with ``value`` at path."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {**tree, head.key: _set(tree[head.key], rest, value)}
    items = list(tree)
    items[head.key] = _set(items[head.key], rest, value)
    return items if isinstance(tree, list) else tuple(items)


@st.composite
def bad_programs(draw: st.DrawFn, dtype: str, rule: Any,
                 options: dict[str, bool]) -> tuple[Program, str, str]:
    """A program whose one step is bad, the path string the error must name, the clause;
    ``options`` say what the models may hold."""
    model = {"net": draw(models(dtype=dtype, **options)), "head": {"w": np.ones(2)}}
    grads = draw(gradients(model, dtype=dtype, none=False))
    kind = draw(st.sampled_from(("shape", "key", "leaf")))
    if kind == "shape":
        occ = draw(st.sampled_from(ref_tree.occurrences(model)))
        grads = _set(grads, occ.path, np.zeros((*occ.array.shape, 2)))
        return Program(model, rule, (Step(grads),), dtype), ref_tree.path_str(occ.path), "ERR-3"
    if kind == "key":
        grads["head"]["bogus"] = np.zeros(1)
        return Program(model, rule, (Step(grads),), dtype), "model['head']", "ERR-2"
    model["odd"] = Opaque()
    return Program(model, rule, (Step(grads),), dtype), "model['odd']", "TREE-5"


@prop("ERR-1", "ERR-2", "ERR-3", "TREE-5")
def check_bad_input_names_path(adapter: Adapter, profile: Profile, seed: int,
                               case: CaseId) -> None:
    """A run whose gradient has a wrong shape, an extra key, or whose model holds an
    unknown object raises an error whose message names the path of the bad place."""
    path = "structured" if "structured" in adapter.info().paths else adapter.info().paths[0]
    rule = rule_for(adapter, "Descent")[0]

    def test(drawn: tuple[Program, str, str]) -> None:
        program, where, clause = drawn
        ctx = context(adapter, program, path)
        try:
            adapter.run(program, path)
        except (Deviation, Unsupported):
            raise
        except Exception as error:  # the engine's own error type is its business
            if where not in str(error):
                fail(f"error message={str(error)!r}, but should name {where}",
                     clause="ERR-1", ctx=ctx)
            return
        fail(f"the run completed, but should raise an error naming {where}", clause=clause,
             ctx=ctx)

    options = model_drawing(adapter)
    explore(dtypes(adapter).flatmap(lambda d: bad_programs(d, rule, options)), test, profile,
            seed)
