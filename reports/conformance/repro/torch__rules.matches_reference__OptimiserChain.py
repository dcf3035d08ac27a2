#!/usr/bin/env python
"""optconf repro: torch rules.matches_reference[OptimiserChain] deviates from CHAIN-1.

model[0]=2.0422887708824047, but should be 2.042288775111283 [adapter=torch, path=structured, step=4, dtype=float64, observed=4.228878136558478e-09, allowed=4.148029518614979e-15]

Case seed 2627165637.  Inside optconf, replay with:
    optconf replay --adapter torch --property rules.matches_reference --rule OptimiserChain --seed 2627165637
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'CHAIN-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property rules.matches_reference --rule OptimiserChain --seed 2627165637'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'ClipGlobalNorm', 'omega': 4.2393805820084545, 'throw': True}, {'__type__': 'ClipNorm', 'omega': 0.38511611121357414, 'p': 2.0, 'throw': True}, {'__type__': 'Descent', 'eta': 0.01188132944910887}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(2.0331373923243063, dtype=np.float64), np.array([-0.3018831100382391, -0.5], dtype=np.float64), np.array([], dtype=np.float64), np.array(1.4791160699817114, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-3.0, dtype=np.float64), np.array([3.372524878459318, -2.2877732045035635], dtype=np.float64), np.array([], dtype=np.float64), np.array(-0.0032593677750835694, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.9, dtype=np.float64), np.array([6.1796034082314105e-89, -2.8661208642049918e-270], dtype=np.float64), np.array([], dtype=np.float64), np.array(1.0119182583381159, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64), np.array(-0.0015471274227996427, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64), np.array(1.3141684994822294, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(2.042288775111283, dtype=np.float64), np.array([-0.3056697624241374, -0.4974313008278874], dtype=np.float64), np.array([], dtype=np.float64), np.array(1.4700155116266216, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(2.0422887708824047, dtype=np.float64), np.array([-0.30566976131500595, -0.4974313015802736], dtype=np.float64), np.array([], dtype=np.float64), np.array(1.470015519623818, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.148029518614979e-15
PROGRAM_PICKLE = 'gASVEAUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAdoKJ3UMAQJR0lGJdlChdlEsAYWgQaAloDEsAhZRoDoeUUpQoSwFLAoWUaBWJQxBwDjWJDVLTvwAAAAAAAOC/lHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAUsAh5RoFYlDAJR0lGJoCWgMSwCFlGgOh5RSlChLASloFYlDCLTzuJx1qvc/lHSUYmVljARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMDk9wdGltaXNlckNoYWlulJOUKYGUfZSMBXJ1bGVzlIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHQBD1IC7sGFSMBXRocm93lIh1Ymg0jAhDbGlwTm9ybZSTlCmBlH2UKGg5Rz/Ypb4LtMzMjAFwlEdAAAAAAAAAAGg6iHVijB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5kZXNjZW50lIwHRGVzY2VudJSTlCmBlH2UjANldGGURz+IVT0LVdxnc2KHlHNijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKGgHjAZzY2FsYXKUk5RoFUMIAAAAAAAACMCUhpRSlF2UKF2UTmFoT2gVQwgAAAAAAAAAAJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAoWUaBWJQxDkbs9S7voKQDsQsAlcTQLAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAUsAh5RoFYloJnSUYmhPaBVDCIjj/L9js2q/lIaUUpRlZXNiaEkpgZR9lGhMXZQoaE9oFUMIbakWR+z0dg+UhpRSlF2UKF2UTmFoT2gVQwhmZmZmZmb+v5SGlFKUaAloDEsAhZRoDoeUUpQoSwFLAoWUaBWJQxDaQa8eXnifLR4Ccp77OfiHlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAUsAh5RoFYloJnSUYmhPaBVDCIyZHDPRMPA/lIaUUpRlZXNiaEkpgZR9lGhMXZQoaE9oFUMIAAAAAAAAAACUhpRSlF2UKF2UTmFoT2gVQwgAAAAAAAAAAJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAoWUaBWJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAUsAh5RoFYloJnSUYmhPaBVDCJY8wWsfWVm/lIaUUpRlZXNiaEkpgZR9lGhMXZQoaE9oFUMIAAAAAAAAAACUhpRSlF2UKF2UTmFoT2gVQwgAAAAAAAAAAJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAoWUaBWJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAUsAh5RoFYloJnSUYmhPaBVDCGRaa4zVBvU/lIaUUpRlZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array(2.0331373923243063, dtype=np.float64), [[0], np.array(2.0331373923243063, dtype=np.float64), np.array([-0.3018831100382391, -0.5], dtype=np.float64), np.array([], dtype=np.float64), np.array(1.4791160699817114, dtype=np.float64)]], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'ClipGlobalNorm', 'omega': 4.2393805820084545, 'throw': True}, {'__type__': 'ClipNorm', 'omega': 0.38511611121357414, 'p': 2.0, 'throw': True}, {'__type__': 'Descent', 'eta': 0.01188132944910887}, )}, 'ops': ({'__type__': 'Step', 'grads': [-3.0, [[None], 0.0, np.array([3.372524878459318, -2.2877732045035635], dtype=np.float64), np.array([], dtype=np.float64), -0.0032593677750835694]]}, {'__type__': 'Step', 'grads': [3.610051640610539e-234, [[None], -1.9, np.array([6.1796034082314105e-89, -2.8661208642049918e-270], dtype=np.float64), np.array([], dtype=np.float64), 1.0119182583381159]]}, {'__type__': 'Step', 'grads': [0.0, [[None], 0.0, np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64), -0.0015471274227996427]]}, {'__type__': 'Step', 'grads': [0.0, [[None], 0.0, np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64), 1.3141684994822294]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': 2.0331373923243063, 'dtype': 'float64'}, [[0], {'__array__': 2.0331373923243063, 'dtype': 'float64'}, {'__array__': [-0.3018831100382391, -0.5], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': 1.4791160699817114, 'dtype': 'float64'}]], 'rule': 'OptimiserChain(ClipGlobalNorm(omega=4.2393805820084545, throw=True), ClipNorm(omega=0.38511611121357414, p=2.0, throw=True), Descent(eta=0.01188132944910887))', 'ops': [{'op': 'step', 'grads': [-3.0, [[None], 0.0, {'__array__': [3.372524878459318, -2.2877732045035635], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, -0.0032593677750835694]]}, {'op': 'step', 'grads': [3.610051640610539e-234, [[None], -1.9, {'__array__': [6.1796034082314105e-89, -2.8661208642049918e-270], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 1.0119182583381159]]}, {'op': 'step', 'grads': [0.0, [[None], 0.0, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, -0.0015471274227996427]]}, {'op': 'step', 'grads': [0.0, [[None], 0.0, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 1.3141684994822294]]}], 'rules': ['OptimiserChain(ClipGlobalNorm(omega=4.2393805820084545, throw=True), ClipNorm(omega=0.38511611121357414, p=2.0, throw=True), Descent(eta=0.01188132944910887))'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 0.01188132944910887, 'momentum': 0.0, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, None]):
        if op["op"] == "freeze":
            frozen |= set(extra)
        elif op["op"] == "thaw":
            frozen -= set(extra)
        elif op["op"] == "adjust":
            opt.param_groups[0].update(extra)
        else:
            for i, (p, g) in enumerate(zip(params, op["grads"])):
                p.grad = None if g is None or i in frozen else torch.tensor(g, dtype=dtype)
            held = [p for p in params if p.grad is not None]
            for clip in [lambda held: torch.nn.utils.clip_grad_norm_(held, 4.2393805820084545), lambda held: [torch.nn.utils.clip_grad_norm_([p], 0.38511611121357414, norm_type=2.0) for p in held]]:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (CHAIN-1); no replayable program in this case:")
        print(COUNTEREXAMPLE)
        return 1
    got = [np.asarray(g) for g in run_engine()]
    worst, wrong_kind = 0.0, False
    for i, (e, g) in enumerate(zip(EXPECTED, got, strict=True)):
        if g.dtype != np.dtype(DTYPE) or g.shape != e.shape:
            print(f"param {i}: {g.dtype} {g.shape}, but should be {DTYPE} {e.shape}")
            wrong_kind = True
            continue
        err = float(np.max(np.abs(g.astype(np.float64) - e), initial=0.0))
        print(f"param {i}: expected {e.tolist()}, got {g.tolist()}")
        worst = err if err != err else max(worst, err)
    bound = ALLOWED or 0.0
    print(f"max abs error {worst!r}, allowed {bound!r} (CHAIN-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
