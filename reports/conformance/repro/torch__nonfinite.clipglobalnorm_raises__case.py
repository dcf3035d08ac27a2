#!/usr/bin/env python
"""optconf repro: torch nonfinite.clipglobalnorm_raises deviates from CLIPGLOBALNORM-3.

error=RuntimeError: The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`, but should be a ValueError [adapter=torch, path=structured, step=1, dtype=float32]

Case seed 2968303678.  Inside optconf, replay with:
    optconf replay --adapter torch --property nonfinite.clipglobalnorm_raises --seed 2968303678
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'CLIPGLOBALNORM-3'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter torch --property nonfinite.clipglobalnorm_raises --seed 2968303678'
RULE = {'name': 'ClipGlobalNorm', 'omega': 10.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.0, dtype=np.float64), np.array([1.0, 1.0, 1.0], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(float('inf'), dtype=np.float64), np.array([0.0, 0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = None
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASV/QEAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA25ldJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloC4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAAAAAJR0lGKMBGhlYWSUaApoDUsAhZRoD4eUUpQoSwFLA4WUaBaJQxgAAAAAAADwPwAAAAAAAPA/AAAAAAAA8D+UdJRidYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0AkAAAAAAAAjAV0aHJvd5SIdWKMA29wc5RoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB2gKaA1LAIWUaA+HlFKUKEsBKWgWiUMIAAAAAAAA8H+UdJRiaBtoCmgNSwCFlGgPh5RSlChLAUsDhZRoFolDGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJ1c2KFlIwFZHR5cGWUjAdmbG9hdDMylHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: dict keys out of sorted order', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'net': np.array(0.0, dtype=np.float64), 'head': np.array([1.0, 1.0, 1.0], dtype=np.float64)}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 10.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'net': np.array(float('inf'), dtype=np.float64), 'head': np.array([0.0, 0.0, 0.0], dtype=np.float64)}}, ), 'dtype': 'float32'}, 'model': {'net': {'__array__': 0.0, 'dtype': 'float64'}, 'head': {'__array__': [1.0, 1.0, 1.0], 'dtype': 'float64'}}, 'rule': 'ClipGlobalNorm(omega=10.0, throw=True)', 'ops': [{'op': 'step', 'grads': {'net': {'__array__': 'inf', 'dtype': 'float64'}, 'head': {'__array__': [0.0, 0.0, 0.0], 'dtype': 'float64'}}}], 'rules': ['ClipGlobalNorm(omega=10.0, throw=True)'], 'path': 'structured', 'dtype': 'float32', 'step': 1}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None]):
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
            for clip in [lambda held: torch.nn.utils.clip_grad_norm_(held, 10.0)]:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (CLIPGLOBALNORM-3); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CLIPGLOBALNORM-3)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
