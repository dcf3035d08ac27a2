"""Mutants whose bug is in one rule's arithmetic: the formula slips engines have shipped
(epsilon placement, bias correction, decay scaling, momentum conventions, composition)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from optconf.reference.rules import (
    adam,
    adaptive,
    base,
    clip,
    compose,
    decay,
    descent,
    maxima,
    mixed,
    sign,
)
from optconf.reference.rules.base import Array, GlobalApply, eps_for, scaled_copy

from .base import Method, mutant, swapped, wrapped


def _as(**fields: Any) -> Callable[[Method], Method]:
    """Run a rule method with some of the rule's fields replaced: the normative rule
    computed as another form, unasked."""
    return lambda original: lambda self, *args: original(dataclasses.replace(self, **fields),
                                                         *args)


# ------------------------------------------------------------------------ Adam family


@mutant("adam_eps_inside_sqrt",
        "Adam family: epsilon under the square root, sqrt(nu_hat + eps) (optax #571)",
        "ADAM-1", "ADAM-3")
@contextmanager
def _eps_inside_sqrt() -> Iterator[None]:
    def corrected_ratio(state: adam.AdamState, epsilon: float, scratch: Array,
                        out: Array | None = None) -> Array:
        b1t, b2t = state.beta_t
        return np.divide(state.mu / (1 - b1t), np.sqrt(state.nu / (1 - b2t) + epsilon), out=out)

    with wrapped(adam, "corrected_ratio", lambda _original: corrected_ratio):
        yield


@mutant("adam_bias_correction_ahead",
        "Adam: the step counter is bumped before the bias correction reads it (beta^(t+1))",
        "ADAM-1", "ADAM-2")
@contextmanager
def _bias_correction_ahead() -> Iterator[None]:
    def ahead(original: Method) -> Method:
        def apply(self: adam.Adam, state: adam.AdamState, x: Array, dx: Array) -> Any:
            bumped = adam.advanced(state, self.beta)
            new_state, step = original(self, bumped, x, dx)
            return new_state._replace(beta_t=bumped.beta_t), step
        return apply

    def ahead_in_place(original: Method) -> Method:  # what update_ calls (Adam.apply_)
        def apply_(self: adam.Adam, state: adam.AdamState, x: Array, dx: Array) -> Any:
            bumped = adam.advanced(state, self.beta)
            return original(self, bumped, x, dx)._replace(beta_t=bumped.beta_t)
        return apply_

    with wrapped(adam.Adam, "apply", ahead), wrapped(adam.Adam, "apply_", ahead_in_place):
        yield


@mutant("adam_no_bias_correction",
        "Adam family: moments used without bias correction, mu / (sqrt(nu) + eps)",
        "ADAM-1", "ADAM-2")
@contextmanager
def _no_bias_correction() -> Iterator[None]:
    def uncorrected(original: Method) -> Method:
        return lambda state, epsilon, scratch, out=None: original(
            state._replace(beta_t=(0.0, 0.0)), epsilon, scratch, out)

    with wrapped(adam, "corrected_ratio", uncorrected):
        yield


@mutant("amsgrad_max_of_corrected",
        "AMSGrad: the running maximum taken over the bias-corrected nu (optax #1389)",
        "AMSGRAD-1")
@contextmanager
def _amsgrad_max_of_corrected() -> Iterator[None]:
    def apply(self: maxima.AMSGrad, state: maxima.AMSGradState, x: Array, dx: Array) -> Any:
        (b1, b2), (b1t, b2t) = self.beta, state.beta_t
        adam.update_moments(state.mu, state.nu, dx, self.beta)
        np.maximum(state.nu_max, state.nu / (1 - b2t), out=state.nu_max)
        step = self.eta * state.mu / (np.sqrt(state.nu_max) + eps_for(x, self.epsilon))
        return state._replace(beta_t=(b1t * b1, b2t * b2)), step

    with wrapped(maxima.AMSGrad, "apply", lambda _original: apply):
        yield


@mutant("adamw_decay_not_scaled_by_eta",
        "AdamW: the decay lambda*x is not multiplied by eta even when couple=True (Flux #2433)",
        "ADAMW-1", "ADAMW-2")
@contextmanager
def _adamw_decay_unscaled() -> Iterator[None]:
    with wrapped(adam.AdamW, "apply", _as(couple=False)):
        yield


@mutant("adamw_as_l2",
        "AdamW: the decay lambda*x is added to the gradient before the moments (Adam with L2, "
        "the bug AdamW was named to fix)", "ADAMW-1")
@contextmanager
def _adamw_as_l2() -> Iterator[None]:
    def coupled(original: Method) -> Method:
        def apply(self: adam.AdamW, state: adam.AdamState, x: Array, dx: Array) -> Any:
            l2 = dataclasses.replace(self, lambda_=0.0)
            return original(l2, state, x, dx + self.lambda_ * x)
        return apply

    with wrapped(adam.AdamW, "apply", coupled):
        yield


# ------------------------------------------------------------------- momentum, others


@mutant("momentum_eta_outside",
        "Momentum: eta outside the velocity (torch's form, undeclared), v = rho v + g, step = "
        "eta v: the velocity is off by eta and the steps differ once adjust changes eta",
        "MOMENTUM-1", "MOMENTUM-2")
@contextmanager
def _momentum_eta_outside() -> Iterator[None]:
    with wrapped(descent.Momentum, "apply", _as(variant="torch")):
        yield


@mutant("nesterov_velocity_sign",
        "Nesterov: the velocity is kept uphill (torch's sign) but read with Optimisers.jl's "
        "formula, so the look-ahead term has the wrong sign", "NESTEROV-1")
@contextmanager
def _nesterov_sign() -> Iterator[None]:
    def flipped(original: Method) -> Method:
        def apply(self: descent.Nesterov, state: descent.NesterovState, x: Array,
                  dx: Array) -> Any:
            np.negative(state.velocity, out=state.velocity)
            new_state, step = original(self, state, x, dx)
            np.negative(new_state.velocity, out=new_state.velocity)
            return new_state, step
        return apply

    with wrapped(descent.Nesterov, "apply", flipped):
        yield


@mutant("rmsprop_eps_inside_sqrt",
        "RMSProp: epsilon under the square root, g / sqrt(q + eps) (optax's default)",
        "RMSPROP-1", "RMSPROP-2")
@contextmanager
def _rmsprop_eps_inside() -> Iterator[None]:
    def apply(self: adaptive.RMSProp, state: adaptive.RMSPropState, x: Array, dx: Array) -> Any:
        quad, lin = state
        quad *= self.rho
        quad += (1 - self.rho) * np.square(dx)
        variance = quad
        if lin is not None:
            lin *= self.rho
            lin += (1 - self.rho) * dx
            variance = quad - np.square(lin)
        return state, self.eta * dx / np.sqrt(variance + eps_for(x, self.epsilon))

    with wrapped(adaptive.RMSProp, "apply", lambda _original: apply):
        yield


@mutant("adagrad_accumulator_from_zero",
        "AdaGrad: the accumulator starts at zero (torch's default), not at epsilon",
        "ADAGRAD-1", "ADAGRAD-2")
@contextmanager
def _adagrad_from_zero() -> Iterator[None]:
    def init(self: adaptive.AdaGrad, x: Array) -> adaptive.AdaGradState:
        return adaptive.AdaGradState(np.zeros_like(x))

    with wrapped(adaptive.AdaGrad, "init", lambda _original: init):
        yield


@mutant("lion_swapped_average",
        "Lion: the momentum's moving average weights swapped, as Optimisers.jl writes it",
        "LION-1", "LION-2")
@contextmanager
def _lion_swapped() -> Iterator[None]:
    with wrapped(sign.Lion, "apply", _as(variant="optimisers")):
        yield


@mutant("weightdecay_doubled",
        "WeightDecay: adds 2*lambda*x, the gradient of lambda*|x|^2 (Keras' L2 convention)",
        "WEIGHTDECAY-1")
@contextmanager
def _weightdecay_doubled() -> Iterator[None]:
    with wrapped(decay.WeightDecay, "apply",
                 lambda original: lambda self, *args: original(
                     dataclasses.replace(self, lambda_=2 * self.lambda_), *args)):
        yield


@mutant("clipnorm_global",
        "ClipNorm: the norm taken over all arrays of the update together (clip_grad_norm_), "
        "not per array", "CLIPNORM-1")
@contextmanager
def _clipnorm_global() -> Iterator[None]:
    def apply_global(self: clip.ClipNorm, state: None, x: Array, dx: Array) -> GlobalApply:
        return clip.ClipGlobalNorm(self.omega, self.throw).apply_global(state, x, dx)

    with swapped(clip.ClipNorm, "needs_global", property(lambda self: True)), \
            swapped(clip.ClipNorm, "apply_global", apply_global):
        yield


@mutant("clip_norm_epsilon",
        "ClipNorm / ClipGlobalNorm: the norm gets torch's 1e-6 added, omega / (norm + 1e-6)",
        "CLIPNORM-1", "CLIPGLOBALNORM-1")
@contextmanager
def _clip_norm_epsilon() -> Iterator[None]:
    with wrapped(clip, "scaled",
                 lambda original: lambda dx, norm, omega: original(dx, norm + 1e-6, omega)):
        yield


@mutant("rprop_flip_not_forgotten",
        "Rprop: after a sign flip the gradient is remembered instead of zeroed, so the next "
        "step shrinks again", "RPROP-1", "RPROP-2")
@contextmanager
def _rprop_flip_remembered() -> Iterator[None]:
    def remembering(original: Method) -> Method:
        def apply(self: sign.Rprop, state: sign.RpropState, x: Array, dx: Array) -> Any:
            new_state, step = original(self, state, x, dx)
            np.copyto(new_state.prev, dx)
            return new_state, step
        return apply

    with wrapped(sign.Rprop, "apply", remembering):
        yield


@mutant("chain_reversed",
        "OptimiserChain: members applied last to first", "CHAIN-1")
@contextmanager
def _chain_reversed() -> Iterator[None]:
    def reversed_chain(original: Method) -> Method:
        def apply_global(self: compose.OptimiserChain, state: tuple[Any, ...], x: Array,
                         dx: Array) -> GlobalApply:
            flipped = compose.OptimiserChain(*reversed(self.rules))
            states, step = yield from original(flipped, tuple(reversed(state)), x, dx)
            return tuple(reversed(states)), step
        return apply_global

    with wrapped(compose.OptimiserChain, "apply_global", reversed_chain):
        yield


@mutant("accumgrad_zero_step",
        "AccumGrad returns a zero step instead of None while accumulating (optax MultiSteps), "
        "so the rules after it in a chain still run and move", "CHAIN-2", "RULE-3")
@contextmanager
def _accumgrad_zero_step() -> Iterator[None]:
    def zero_step(original: Method) -> Method:
        def apply(self: compose.AccumGrad, state: compose.AccumGradState, x: Array,
                  dx: Array) -> Any:
            new_state, step = original(self, state, x, dx)
            return new_state, np.zeros_like(dx) if step is None else step
        return apply

    with wrapped(compose.AccumGrad, "apply", zero_step):
        yield


@mutant("accumgrad_sum",
        "AccumGrad: emits the sum of the n gradients instead of their mean", "ACCUMGRAD-1")
@contextmanager
def _accumgrad_sum() -> Iterator[None]:
    with wrapped(compose.AccumGrad, "apply",
                 lambda original: lambda self, state, x, dx: original(self, state, x,
                                                                      dx * self.n)):
        yield


@mutant("mixed_copy_at_parameter_dtype",
        "MixedPrecision keeps its copy and the inner state at the parameter's dtype, not at "
        "its precision (a master copy that is no more precise than the weights)", "MIXED-1")
@contextmanager
def _mixed_copy_at_parameter_dtype() -> Iterator[None]:
    def at_parameter_dtype(original: Method) -> Method:
        def run(self: mixed.MixedPrecision, *args: Any) -> Any:
            x = args[0] if len(args) == 1 else args[1]  # init(x), apply_global(state, x, dx)
            return original(dataclasses.replace(self, precision=str(x.dtype)), *args)
        return run

    with wrapped(mixed.MixedPrecision, "init", at_parameter_dtype), \
            wrapped(mixed.MixedPrecision, "apply_global", at_parameter_dtype):
        yield


@mutant("clipnorm_nan_norm_unscaled",
        "ClipNorm(throw=False) takes min(1, omega/n), which is 1 for a NaN norm: the NaN "
        "gradient passes through where the whole array's step should be NaN", "CLIPNORM-3")
@contextmanager
def _clipnorm_nan_norm_unscaled() -> Iterator[None]:
    def scaled(dx: Array, norm: float, omega: float) -> Array:
        return scaled_copy(dx, 1.0 if norm == 0 else min(1.0, omega / norm))

    with wrapped(clip, "scaled", lambda _original: scaled):
        yield


@mutant("float16_floor_dropped",
        "Epsilon used as given for float16 parameters: 1e-8 rounds to 0 and a zero "
        "gradient's 0/0 is NaN (Optimisers.jl's AdamW, ADAMW-3's variant, everywhere)",
        "RULE-7")
@contextmanager
def _float16_floor_dropped() -> Iterator[None]:
    with wrapped(base, "eps_for", lambda _original: lambda x, epsilon: epsilon):
        yield
