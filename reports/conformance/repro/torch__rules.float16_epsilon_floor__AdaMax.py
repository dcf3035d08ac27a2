#!/usr/bin/env python
"""optconf repro: torch rules.float16_epsilon_floor[AdaMax] deviates from RULE-7.

model=nan, but should be 1.00039999984 [adapter=torch, path=structured, step=5, dtype=float16, observed=inf, allowed=0.022606445303124997]

Case seed 1832174287.  Inside optconf, replay with:
    optconf replay --adapter torch --property rules.float16_epsilon_floor --rule AdaMax --seed 1832174287
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'RULE-7'
PATH = 'structured'
DTYPE = 'float16'
REPLAY = 'optconf replay --adapter torch --property rules.float16_epsilon_floor --rule AdaMax --seed 1832174287'
RULE = {'name': 'AdaMax', 'eta': 0.0001, 'beta': (0.0, 0.5, ), 'epsilon': 1e-08, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.0003999999840003, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(float('nan'), dtype=np.float16)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 0.022606445303124997
PROGRAM_PICKLE = 'gASVKwIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAADwP5R0lGKMBHJ1bGWUjB5vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5tYXhpbWGUjAZBZGFNYXiUk5QpgZR9lCiMA2V0YZRHPxo24uscQy2MBGJldGGURwAAAAAAAAAARz/gAAAAAAAAhpSMB2Vwc2lsb26URz5FeY7iMIw6jAd2YXJpYW50lIwFdG9yY2iUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUaAhoC0sAhZRoDYeUUpQoSwEpaBSJQwgAAAAAAAAAAJR0lGJzYmgnKYGUfZRoKmgGjAZzY2FsYXKUk5RoFEMIAAAAAAAA0L+UhpRSlHNiaCcpgZR9lGgqaDNoFEMIAAAAAAAA0L+UhpRSlHNiaCcpgZR9lGgqaDNoFEMIAAAAAAAA0L+UhpRSlHNiaCcpgZR9lGgqaDNoFEMIAAAAAAAA0L+UhpRSlHNidJSMBWR0eXBllIwHZmxvYXQxNpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': np.array(1.0, dtype=np.float64), 'rule': {'__type__': 'AdaMax', 'eta': 0.0001, 'beta': (0.0, 0.5, ), 'epsilon': 1e-08, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': np.array(0.0, dtype=np.float64)}, {'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, ), 'dtype': 'float16'}, 'model': {'__array__': 1.0, 'dtype': 'float64'}, 'rule': "AdaMax(eta=0.0001, beta=(0.0, 0.5), epsilon=1e-08, variant='torch')", 'ops': [{'op': 'step', 'grads': {'__array__': 0.0, 'dtype': 'float64'}}, {'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}], 'rules': ["AdaMax(eta=0.0001, beta=(0.0, 0.5), epsilon=1e-08, variant='torch')"], 'path': 'structured', 'dtype': 'float16', 'step': 5}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adamax(params, **{'lr': 0.0001, 'betas': (0.0, 0.5), 'eps': 1e-08, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, None, None]):
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
            for clip in []:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (RULE-7); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (RULE-7)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
