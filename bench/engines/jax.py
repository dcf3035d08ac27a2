"""JAX + optax's benchmark set-up: the adapter's optax transform for the rule, stepped by a
``jax.jit`` function that donates parameters and state (so XLA updates them in place, as a
training loop does), and a donated jitted copy as the roofline (XLA's own CPU threads)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from optconf.adapters.jax import JaxAdapter, optimiser
from optconf.adapters.protocol import PathName, Unsupported
from optconf.reference.rules.base import Rule

from ..protocol import BenchEngine, PreparedStep, check_via, no_path
from .common import case_arrays, copy_elements, model_tree


def _nbytes(tree: Any) -> int:
    return sum(leaf.nbytes for leaf in jax.tree.leaves(tree) if hasattr(leaf, "nbytes"))


def _copy_into(dst: jax.Array, src: jax.Array) -> jax.Array:
    return dst.at[:].set(src)


_donated_copy = jax.jit(_copy_into, donate_argnums=(0,))


class JaxPrepared(PreparedStep):
    """``step`` calls ``run(values)``; with ``carry`` the result replaces ``values`` (the
    jitted step's donated parameters and state).  ``sync`` waits for the last result.
    Everything runs inside the dtype's ``enable_x64`` setting."""

    def __init__(self, run: Callable[[Any], Any], values: Any, params: Callable[[Any], Any],
                 nbytes: int, dtype: str, carry: bool = True) -> None:
        self.run, self.values, self.params, self.nbytes = run, values, params, nbytes
        self.carry, self.out = carry, values
        # XLA's CPU client runs element-wise work on a pool of one thread per core
        self.device = str(jax.devices()[0]).lower()
        self.threads = os.cpu_count() if jax.default_backend() == "cpu" else None
        self.x64 = dtype == "float64"
        half = copy_elements(nbytes, np.dtype(dtype).itemsize)
        with jax.enable_x64(self.x64):
            self.src, self.dst = jnp.ones(half, dtype), jnp.zeros(half, dtype)

    def step(self) -> None:
        with jax.enable_x64(self.x64):
            self.out = self.run(self.values)
        if self.carry:
            self.values = self.out

    def sync(self) -> None:
        jax.block_until_ready((self.out, self.dst))

    def copy(self) -> None:
        with jax.enable_x64(self.x64):
            self.dst = _donated_copy(self.dst, self.src)

    def parameters(self) -> list[np.ndarray]:
        return [np.asarray(p).copy() for p in jax.tree.leaves(self.params(self.values))]


def _stepper(tx: Any) -> Callable[[Any, Any, Any], tuple[Any, Any]]:
    def step(params: Any, state: Any, grads: Any) -> tuple[Any, Any]:
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state
    return jax.jit(step, donate_argnums=(0, 1))


class JaxBench(BenchEngine):
    def __init__(self) -> None:
        super().__init__(JaxAdapter())

    def prepare_step(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                     path: PathName, dtype: str) -> PreparedStep:
        """``structured``: one state over the model's pytree (a dict); ``flat_list``: over a
        list; ``per_array``: one state and one call per array (the jitted function is shared by
        arrays of one shape); ``flat_vector``: one array."""
        if path not in ("structured", "flat_list", "per_array", "flat_vector"):
            raise no_path("jax", path)
        reason = self.adapter.supports(rule)
        if reason:
            raise Unsupported(reason)
        arrays, grad_arrays = case_arrays(shapes, dtype)
        if path == "flat_vector":
            arrays = [np.concatenate([a.ravel() for a in arrays])]
            grad_arrays = [np.concatenate([g.ravel() for g in grad_arrays])]
        with jax.enable_x64(dtype == "float64"):
            tx = optimiser(rule, set(), None).tx
            step = _stepper(tx)
            params = [jnp.asarray(a) for a in arrays]
            grads = [jnp.asarray(g) for g in grad_arrays]
            if path == "per_array":
                values: Any = [(p, tx.init(p)) for p in params]

                def run(pairs: Any) -> Any:
                    return [step(p, s, g) for (p, s), g in zip(pairs, grads, strict=True)]

                def pick(pairs: Any) -> Any:
                    return [p for p, _ in pairs]
            else:
                tree = model_tree(params) if path == "structured" else params
                gtree = model_tree(grads) if path == "structured" else grads
                values = (tree, tx.init(tree))

                def run(pairs: Any) -> Any:
                    return step(pairs[0], pairs[1], gtree)

                def pick(pairs: Any) -> Any:
                    return pairs[0]
            nbytes = _nbytes(values) + _nbytes(grads)
        return JaxPrepared(run, values, pick, nbytes, dtype)

    def prepare_sharded(self, shapes: Sequence[tuple[int, ...]], rule: Rule,
                        path: PathName, dtype: str, ranks: int) -> PreparedStep:
        """``sharded`` on a mesh of ``ranks`` host devices (:mod:`.jax_sharded`)."""
        reason = self.adapter.supports(rule)
        if reason:
            raise Unsupported(reason)
        from . import jax_sharded

        return jax_sharded.prepare(shapes, rule, path, dtype, ranks)

    def prepare_gradient(self, shapes: Sequence[tuple[int, ...]], dtype: str,
                         via: str) -> PreparedStep:
        """``jax.jit(jax.grad(...))`` of ``sum(p * p)`` over a list (plain), over the model's
        pytree (trainables) or over ``ravel_pytree`` of it, unravelled inside the loss
        (destructure)."""
        check_via(via)
        arrays, _ = case_arrays(shapes, dtype)

        def loss(xs: Any) -> Any:
            return sum(jnp.sum(x * x) for x in jax.tree.leaves(xs))

        with jax.enable_x64(dtype == "float64"):
            params = [jnp.asarray(a) for a in arrays]
            if via == "destructure":
                flat, unravel = ravel_pytree(model_tree(params))
                grad = jax.jit(jax.grad(lambda v: loss(unravel(v))))
                values: Any = flat
            else:
                grad = jax.jit(jax.grad(loss))
                values = params if via == "plain" else model_tree(params)
        return JaxPrepared(grad, values, lambda x: x, 2 * _nbytes(values), dtype, carry=False)
