"""JAX's distributed step timed (issue 13): ``sharded``, parameters, gradients and optax
state placed with ``NamedSharding`` on a mesh of 1 or 2 host devices, the jitted step
donating parameters and state, as the conformance path places them
(``optconf.adapters.jax_sharded``).

Host devices exist only when ``XLA_FLAGS`` asks for them before JAX starts, so the case
runs in a rank process of its own, one per device count, started once per bench worker.
``step()`` posts one step to it; there the step runs and is waited for, so the process
times its own steps too.  One process drives every device, so the report has one step time
and, per device, the bytes of the collectives in the compiled step (read from its HLO: XLA
inserts every collective a sharded program needs).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from optconf.adapters import ranks
from optconf.adapters.protocol import PathName, Unsupported
from optconf.reference.rules.base import Rule

from ..protocol import RankReport
from .common import PostedStep, RankTasks, case_arrays, copy_elements, model_tree

#: Seconds one task may take in the process (preparing 2e7 parameters included).
TASK_TIMEOUT = 300.0
#: HLO instructions that move data between devices.
COLLECTIVES = ("all-reduce", "all-gather", "reduce-scatter", "collective-permute",
               "all-to-all")
#: ``f32[500,2]`` in an HLO result shape: element type and dimensions.
_SHAPE = re.compile(r"\b(pred|[a-z]+\d+)\[([\d,]*)\]")
_HELD: dict[str, Any] = {}


def _env(devices: int) -> dict[str, str]:
    return {"XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}


def _setup(_rank: int, _world: int, _port: int) -> None:
    """Import JAX (with the device count set) and the jax adapter while the process starts."""
    from optconf.adapters import jax  # noqa: F401


def collective_bytes(hlo: str) -> int:
    """Bytes of the results of the collective instructions in a compiled module's HLO
    text (per device: the compiled module is one device's program)."""
    total = 0
    for line in hlo.splitlines():
        op = re.search(r"=\s*(.*?)\s+([a-z-]+)\(", line)
        if op is None or op.group(2) not in COLLECTIVES:
            continue  # an asynchronous pair's ``-start`` / ``-done`` included: CPU has none
        for kind, dims in _SHAPE.findall(op.group(1)):
            bits = int(re.sub(r"\D", "", kind) or 8)
            total += int(np.prod([int(d) for d in dims.split(",") if d])) * bits // 8
    return total


def _prepare(_rank: int, _world: int, shapes: list[tuple[int, ...]], rule: Rule,
             dtype: str, devices: int) -> tuple[int, int]:
    """The case on a mesh of ``devices``: its bytes (parameters, gradients, state) and the
    collective bytes per device of its compiled step."""
    import jax
    import jax.numpy as jnp
    import optax
    from jax.sharding import Mesh

    from optconf.adapters.jax import optimiser
    from optconf.adapters.jax_sharded import placement

    _HELD.clear()
    if len(jax.devices()) < devices:
        raise RuntimeError(f"{_env(devices)} gave {len(jax.devices())} host devices")
    mesh = Mesh(np.array(jax.devices()[:devices]), ("shards",))
    x64 = dtype == "float64"
    with jax.enable_x64(x64):
        tx = optimiser(rule, set(), None).tx
        arrays, grad_arrays = case_arrays(shapes, dtype)

        def place(tree: Any) -> Any:
            return jax.tree.map(lambda x: jax.device_put(x, placement(mesh, x)), tree)

        params = place(model_tree([jnp.asarray(a) for a in arrays]))
        grads = place(model_tree([jnp.asarray(g) for g in grad_arrays]))
        state = place(tx.init(params))

        def step(params: Any, state: Any, grads: Any) -> tuple[Any, Any]:
            updates, state = tx.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        jitted = jax.jit(step, donate_argnums=(0, 1))
        communicated = collective_bytes(
            jitted.lower(params, state, grads).compile().as_text() or "")
        nbytes = sum(x.nbytes for x in jax.tree.leaves((params, state, grads))
                     if hasattr(x, "nbytes"))
        half = copy_elements(nbytes, np.dtype(dtype).itemsize)
        src = place(jnp.ones(half, dtype))
        _HELD.update(step=jitted, values=(params, state), grads=grads, x64=x64, times=[],
                     copy=jax.jit(lambda d, s: d.at[:].set(s), donate_argnums=(0,)),
                     src=src, dst=place(jnp.zeros(half, dtype)))
    return nbytes, communicated


def _step(_rank: int, _world: int) -> None:
    import jax

    start = time.perf_counter()
    with jax.enable_x64(_HELD["x64"]):
        _HELD["values"] = jax.block_until_ready(_HELD["step"](*_HELD["values"], _HELD["grads"]))
    _HELD["times"].append(time.perf_counter() - start)


def _copy(_rank: int, _world: int) -> None:
    import jax

    with jax.enable_x64(_HELD["x64"]):
        _HELD["dst"] = jax.block_until_ready(_HELD["copy"](_HELD["dst"], _HELD["src"]))


def _parameters(_rank: int, _world: int) -> list[np.ndarray]:
    import jax

    return [np.asarray(jax.device_get(p)) for p in jax.tree.leaves(_HELD["values"][0])]


def _median(_rank: int, _world: int) -> float:
    return statistics.median(_HELD["times"])


def _release(_rank: int, _world: int) -> None:
    _HELD.clear()


class MeshStep(PostedStep):
    """A case held by the process that drives a mesh of host devices."""

    tasks = RankTasks(_step, _copy, _parameters, _release)

    def __init__(self, group: ranks.Ranks, nbytes: int, devices: int, communicated: int
                 ) -> None:
        super().__init__(group, nbytes)
        self.devices, self.communicated = devices, communicated
        self.device = f"cpu x{devices}"

    def rank_report(self) -> RankReport:
        return RankReport((self.group.run(_median)[0],), (self.communicated,) * self.devices)


def prepare(shapes: Sequence[tuple[int, ...]], rule: Rule, path: PathName, dtype: str,
            devices: int) -> MeshStep:
    if path != "sharded":
        raise Unsupported(f"jax has no distributed path {path!r}; it has 'sharded'")
    group = ranks.group(f"jax-bench-{devices}", 1, _setup, env=_env(devices),
                        timeout=TASK_TIMEOUT)
    nbytes, communicated = group.run(_prepare, list(shapes), rule, dtype, devices)[0]
    return MeshStep(group, nbytes, devices, communicated)
