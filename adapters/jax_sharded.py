"""JAX's distributed update path ``sharded`` (SHARD-1 .. SHARD-4, CONF-13): parameters,
gradients and optax state placed with ``NamedSharding`` on a mesh of :data:`DEVICES` host
devices, the optax step under ``jax.jit`` following the placement of its inputs.

Host devices exist only when ``XLA_FLAGS=--xla_force_host_platform_device_count`` is set
before JAX starts, so the path runs in a rank process of its own (one process holding the
devices; the adapter's worker keeps its single device, and every other jax case its
numbers).  Each array is sharded on its first axis that the device count divides, and
replicated when none does: JAX refuses uneven shardings (``device_put`` raises), where torch
pads.  A ``Checkpoint`` gathers parameters and state to the host (``jax.device_get``) and
places them again, on the mesh (``resharded``) or on one device (``unsharded``).
"""

from __future__ import annotations

from typing import Any

from . import ranks
from .session import Held, carry_out, finished

#: Host devices of the mesh.
DEVICES = 2
ENV = {"XLA_FLAGS": f"--xla_force_host_platform_device_count={DEVICES}"}


def sharded(run: Any) -> Held:
    """The program of ``run`` (``optconf.adapters.jax.Run``) carried out on the mesh, in the
    worker's rank process (started once): its parameters and states, as NumPy."""
    group = ranks.group("jax", 1, _setup, env=ENV)
    values, states = group.run(_in_rank, run)[0]
    return finished(values, states)


def _setup(_rank: int, _world: int, _port: int) -> None:
    """Import JAX (with :data:`ENV` set) and the jax adapter while the rank starts."""
    from . import jax  # noqa: F401


def placement(mesh: Any, x: Any) -> Any:
    """``x`` sharded on its first axis that the mesh's device count divides, replicated
    when none does (a ``NamedSharding``)."""
    import numpy as np
    from jax.sharding import NamedSharding, PartitionSpec

    shape, devices = np.shape(x), mesh.devices.size
    axis = next((k for k, n in enumerate(shape) if n % devices == 0 and n), None)
    spec: list[str | None] = [None] * len(shape)
    if axis is not None:
        spec[axis] = mesh.axis_names[0]
    return NamedSharding(mesh, PartitionSpec(*spec))


def _in_rank(_rank: int, _world: int, run: Any) -> tuple[list[Any], list[Any]]:
    import jax
    import numpy as np
    from jax.sharding import Mesh

    from .jax import Layout, _one_tree, _skeleton

    devices = jax.devices()
    if len(devices) < DEVICES:
        raise RuntimeError(f"{ENV} gave {len(devices)} host devices, not {DEVICES}")
    mesh = Mesh(np.array(devices[:DEVICES]), ("shards",))

    class OnMesh(Layout):
        """The structured pytree, every leaf placed on the mesh (on one device after an
        unsharded resume)."""

        on_mesh = True

        def pack(self, values: list[Any]) -> Any:
            return place(super().pack(values), self.on_mesh)

        def reload(self, params: Any, state: Any, into: str) -> tuple[Any, Any]:
            self.on_mesh = into == "resharded"
            placed: tuple[Any, Any] = place(jax.device_get((params, state)), self.on_mesh)
            return placed

    def place(tree: Any, on_mesh: bool) -> Any:
        if not on_mesh:
            return jax.device_put(tree, devices[0])
        return jax.tree.map(lambda x: jax.device_put(x, placement(mesh, x)), tree)

    with jax.enable_x64(run.dtype == "float64"):
        held = _one_tree(run, OnMesh.of(_skeleton(run.program.model)))
        carry_out(run, held)
        return held.values(), held.states()
