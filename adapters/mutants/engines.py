"""Engine mutants: an engine adapter, faithful but for one realistic bug in the engine's own
path (CONF-7), so the properties are shown to catch a bug where the engine, not the
reference, does the work: summing a tie's gradients, leaving a frozen parameter alone,
laying out the flat vector, building the rule.

Each is a :data:`Patch` applied around the engine adapter's verbs.  They live apart from
:data:`~optconf.adapters.mutants.MUTANTS` (``optconf selftest`` runs those on the reference
alone) and import their engine only when one is built.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from optconf.adapters.protocol import Adapter, EngineInfo, Outcome, PathName, Program
from optconf.reference.rules.base import Rule
from optconf.reference.tree import occurrences

from .base import Mutant, Patch, swapped, wrapped

#: Every engine mutant by name, filled by ``@engine_mutant``.
ENGINE_MUTANTS: dict[str, Mutant] = {}


class EngineMutantAdapter(Adapter):
    """The engine adapter ``inner`` with ``patch`` active during each of its verbs."""

    def __init__(self, name: str, inner: Adapter, patch: Patch) -> None:
        self.name, self.inner, self.patch = name, inner, patch

    def info(self) -> EngineInfo:
        return dataclasses.replace(self.inner.info(), name=f"mutant:{self.name}",
                                   notes=ENGINE_MUTANTS[self.name].description)

    def supports(self, rule: Rule) -> str | None:
        with self.patch():
            return self.inner.supports(rule)

    def run(self, program: Program, path: PathName) -> Outcome:
        with self.patch():
            return self.inner.run(program, path)

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        with self.patch():
            return self.inner.collect(model, dtype)

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        with self.patch():
            return self.inner.destructure(model, dtype)

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        with self.patch():
            return self.inner.gradient(model, loss, dtype, via, frozen)


def _engine(module: str) -> Any:
    """The engine adapter module, imported on first use (so importing the mutants does not
    import torch, jax or tinygrad)."""
    return importlib.import_module(f"optconf.adapters.{module}")


def engine_mutant(name: str, engine: str, adapter: str, description: str,
                  *clauses: str) -> Callable[[Patch], Patch]:
    """Register the decorated patch as mutant ``name`` of ``optconf.adapters.<engine>``'s
    ``adapter`` class, breaking ``clauses``."""

    def register(patch: Patch) -> Patch:
        if name in ENGINE_MUTANTS:
            raise ValueError(f"engine mutant {name} registered twice")

        def factory() -> Adapter:
            return EngineMutantAdapter(name, getattr(_engine(engine), adapter)(), patch)

        ENGINE_MUTANTS[name] = Mutant(name, description, clauses, factory)
        return patch

    return register


# ---------------------------------------------------------------------------- torch


@engine_mutant("torch_tie_grad_doubled", "torch", "TorchAdapter",
               "a tied Parameter's .grad is accumulated twice (a hook on each module that "
               "holds it adds the sum again): the rule sees twice the summed gradient",
               "TIE-2")
@contextlib.contextmanager
def _torch_tie_grad_doubled() -> Iterator[None]:
    def doubled(tree_grads: Callable[..., None]) -> Callable[..., None]:
        def tree_grads_doubled(session: Any, grads: Any) -> None:
            tree_grads(session, grads)
            places = [o.position for o in occurrences(session.program.model)]
            for i, p in enumerate(session.engine.params):
                if places.count(i) > 1 and p.grad is not None:
                    p.grad = 2 * p.grad
        return tree_grads_doubled

    with wrapped(_engine("torch"), "_tree_grads", doubled):
        yield


@engine_mutant("torch_frozen_zero_grad", "torch", "TorchAdapter",
               "optimizer.zero_grad(set_to_none=False): a Parameter without a gradient this "
               "step (frozen, or None) keeps a zero .grad, so torch advances its state",
               "FRZ-1", "UPD-5")
@contextlib.contextmanager
def _torch_frozen_zero_grad() -> Iterator[None]:
    optimizer = importlib.import_module("torch").optim.Optimizer

    def zeroing(zero_grad: Callable[..., None]) -> Callable[..., None]:
        def zero_grad_keeping_zeros(self: Any, set_to_none: bool = True) -> None:
            zero_grad(self, set_to_none=False)
        return zero_grad_keeping_zeros

    with wrapped(optimizer, "zero_grad", zeroing):
        yield


@engine_mutant("torch_flat_reversed", "torch", "TorchAdapter",
               "the flat Parameter concatenates module.parameters() in reverse order, while "
               "gradients and the write-back use torch's order", "FLAT-1", "FLAT-6")
@contextlib.contextmanager
def _torch_flat_reversed() -> Iterator[None]:
    module = _engine("torch")
    to_vector = module.parameters_to_vector

    def reversed_to_vector(params: Any) -> Any:
        return to_vector(list(params)[::-1])

    with swapped(module, "parameters_to_vector", reversed_to_vector):
        yield


@engine_mutant("torch_adam_betas_swapped", "torch", "TorchAdapter",
               "the rule mapping passes Adam's (beta1, beta2) to torch as (beta2, beta1)",
               "ADAM-1")
@contextlib.contextmanager
def _torch_adam_betas_swapped() -> Iterator[None]:
    def swapping(adam_kwargs: Callable[..., Any]) -> Callable[..., Any]:
        def adam_kwargs_betas_swapped(r: Any, decay: float) -> Any:
            kwargs = adam_kwargs(r, decay)
            b1, b2 = kwargs["betas"]
            return {**kwargs, "betas": (b2, b1)}
        return adam_kwargs_betas_swapped

    with wrapped(_engine("torch"), "_adam_kwargs", swapping):
        yield


@engine_mutant("torch_fsdp_clip_local_norm", "torch", "TorchAdapter",
               "on fsdp each rank clips its gradient shards by the norm of its own shards "
               "(torch.nn.utils.clip_grad_norm_ over local tensors, FSDP1's pitfall that "
               "FSDP.clip_grad_norm_ exists for): no rank clips by the global norm",
               "SHARD-3")
@contextlib.contextmanager
def _torch_fsdp_clip_local_norm() -> Iterator[None]:
    with swapped(_engine("torch_sharded"), "run_rank", _run_rank_clipping_locally):
        yield


def _run_rank_clipping_locally(rank: int, world: int, *args: Any) -> Any:
    """``torch_sharded.run_rank`` with the local-norm clip, inside the rank process (a patch
    in the worker does not reach the ranks; this function is sent to them by name)."""
    torch = importlib.import_module("torch")
    dtensor = importlib.import_module("torch.distributed.tensor").DTensor

    def clip_grad_norm_local(parameters: Any, max_norm: float, norm_type: float = 2.0,
                             error_if_nonfinite: bool = False, foreach: Any = None) -> Any:
        grads = [p.grad.to_local() if isinstance(p.grad, dtensor) else p.grad
                 for p in parameters if p.grad is not None]
        total = torch.nn.utils.get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
        for g in grads:
            g.mul_(torch.clamp(max_norm / (total + 1e-6), max=1.0))
        return total

    with swapped(torch.nn.utils, "clip_grad_norm_", clip_grad_norm_local):
        return _engine("torch_sharded").run_rank(rank, world, *args)


# ------------------------------------------------------------------------------ jax


@contextlib.contextmanager
def _optax_wrapped(attr: str, wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]
                   ) -> Iterator[None]:
    """``optax.<attr>`` replaced by ``wrapper(original)`` while the jax adapter builds its
    optimisers; they are cached per rule, so the cache is emptied going in (faithful ones)
    and going out (buggy ones)."""
    module = _engine("jax")
    module._optimiser.cache_clear()
    try:
        with swapped(module.optax, attr, wrapper(getattr(module.optax, attr))):
            yield
    finally:
        module._optimiser.cache_clear()


@engine_mutant("jax_adam_eps_root", "jax", "JaxAdapter",
               "optax.scale_by_adam gets epsilon as eps_root (inside the root) and eps=0",
               "ADAM-3")
def _jax_adam_eps_root() -> contextlib.AbstractContextManager[None]:
    def rooted(scale_by_adam: Callable[..., Any]) -> Callable[..., Any]:
        def scale_by_adam_eps_root(b1: Any, b2: Any, eps: Any, eps_root: Any = 0.0) -> Any:
            return scale_by_adam(b1, b2, 0.0, eps_root=eps)
        return scale_by_adam_eps_root

    return _optax_wrapped("scale_by_adam", rooted)


@engine_mutant("jax_rmsprop_eps_in_sqrt", "jax", "JaxAdapter",
               "optax.scale_by_rms keeps its default eps_in_sqrt=True: epsilon inside the "
               "root", "RMSPROP-2")
def _jax_rmsprop_eps_in_sqrt() -> contextlib.AbstractContextManager[None]:
    def defaulted(scale_by_rms: Callable[..., Any]) -> Callable[..., Any]:
        def scale_by_rms_default_eps(**args: Any) -> Any:
            return scale_by_rms(**{**args, "eps_in_sqrt": True})
        return scale_by_rms_default_eps

    return _optax_wrapped("scale_by_rms", defaulted)


# ------------------------------------------------------------------------- tinygrad


@engine_mutant("tinygrad_tie_last_wins", "tinygrad", "TinygradAdapter",
               "a shared Tensor's gradients are assigned per occurrence, not accumulated: "
               "the last occurrence's gradient wins", "TIE-2")
@contextlib.contextmanager
def _tinygrad_tie_last_wins() -> Iterator[None]:
    module = _engine("tinygrad")

    def tree_grads_last_wins(run: Any, grads: Any) -> None:
        for occ, g in module.per_occurrence(run.program.model, grads):
            if g is not None:
                t = run.model.tensors[occ.position]
                t.grad = run.engine.const(g, run.dtype, t.shape)

    with wrapped(module, "_tree_grads", lambda _original: tree_grads_last_wins):
        yield


@engine_mutant("tinygrad_step_twice", "tinygrad", "TinygradAdapter",
               "Optimizer.step is called twice per update (once in a hook, once in the "
               "loop): every step is applied twice", "DESCENT-1", "RULE-1")
@contextlib.contextmanager
def _tinygrad_step_twice() -> Iterator[None]:
    def twice(step: Callable[..., None]) -> Callable[..., None]:
        def step_twice(self: Any, opt: Any) -> None:
            step(self, opt)
            step(self, opt)
        return step_twice

    with wrapped(_engine("tinygrad")._Engine, "step", twice):
        yield


# ---------------------------------------------------------------------------- keras


@engine_mutant("keras_none_grad_as_zeros", "keras", "KerasAdapter",
               "apply_gradients turns a None gradient into zeros (a training loop's "
               "tree_map(zeros_like) over missing gradients): Keras then advances that "
               "Variable's state", "UPD-5")
@contextlib.contextmanager
def _keras_none_grad_as_zeros() -> Iterator[None]:
    keras = importlib.import_module("keras")

    def zero_filling(apply_gradients: Callable[..., Any]) -> Callable[..., Any]:
        def apply_gradients_zero_filled(self: Any, grads_and_vars: Any) -> Any:
            return apply_gradients(self, [(keras.ops.zeros_like(v) if g is None else g, v)
                                          for g, v in grads_and_vars])
        return apply_gradients_zero_filled

    with wrapped(keras.optimizers.Optimizer, "apply_gradients", zero_filling):
        yield


# ------------------------------------------------------------------------------ mlx


@engine_mutant("mlx_freeze_ignored", "mlx", "MlxAdapter",
               "Module.freeze names no array (a key spelled the way another framework "
               "spells it): the frozen array stays trainable and is stepped", "FRZ-1")
def _mlx_freeze_ignored() -> contextlib.AbstractContextManager[None]:
    def freeze_nothing(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self

    return swapped(importlib.import_module("mlx.nn").Module, "freeze", freeze_nothing)


@engine_mutant("mlx_nesterov_as_momentum", "mlx", "MlxAdapter",
               "SGD's nesterov flag is lost on the way in (a table mapping Nesterov to "
               "SGD(momentum=rho) alone): the look-ahead term is never added", "NESTEROV-1")
@contextlib.contextmanager
def _mlx_nesterov_as_momentum() -> Iterator[None]:
    sgd = importlib.import_module("mlx.optimizers").SGD

    def dropping(init: Callable[..., None]) -> Callable[..., None]:
        def init_without_nesterov(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **{**kwargs, "nesterov": False})
        return init_without_nesterov

    with wrapped(sgd, "__init__", dropping):
        yield
