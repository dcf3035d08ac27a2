#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipNorm,structured] deviates from FLAT-6.

model[1][1, 0, 0]=4.075555992393148, but should be 4.075556323833707 [adapter=torch, path=structured, step=4, dtype=float64, observed=3.3144055944234196e-07, allowed=1.5519369604960124e-14]

Case seed 286544420.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipNorm --path structured --seed 286544420
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipNorm --path structured --seed 286544420'
RULE = {'name': 'ClipNorm', 'omega': 1.1652680181016797, 'p': float('inf'), 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[0.99999]], [[2.9068456166067573]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[-0.0022898995456489195]], [[-0.003442689125269828]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-1e-05]], [[-3.5157667182908625]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0]], [[0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0]], [[0.0]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[1.0022832139521825]], [[4.075556323833707]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[1.0022832139512396]], [[4.075555992393148]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.5519369604960124e-14
PROGRAM_PICKLE = 'gASVbgIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCgpjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksBSwGHlGgKjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEB13Sgfr/+8/nMZORjhBB0CUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjAhDbGlwTm9ybZSTlCmBlH2UKIwFb21lZ2GURz/ypPATzSSpjAFwlEd/8AAAAAAAAIwFdGhyb3eUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKCloCWgMSwCFlGgOh5RSlChLAUsCSwFLAYeUaBaJQxCvKBx1RMJiv1CrgabXM2y/lHSUYmVzYmgmKYGUfZRoKV2UKCloCWgMSwCFlGgOh5RSlChLAUsCSwFLAYeUaBaJQxDxaOOItfjkvmBlG01KIAzAlHSUYmVzYmgmKYGUfZRoKV2UKCloCWgMSwCFlGgOh5RSlChLAUsCSwFLAYeUaBaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYmgmKYGUfZRoKV2UKCloCWgMSwCFlGgOh5RSlChLAUsCSwFLAYeUaBaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [(), np.array([[[0.99999]], [[2.9068456166067573]]], dtype=np.float64)], 'rule': {'__type__': 'ClipNorm', 'omega': 1.1652680181016797, 'p': float('inf'), 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [(), np.array([[[-0.0022898995456489195]], [[-0.003442689125269828]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([[[-1e-05]], [[-3.5157667182908625]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([[[0.0]], [[0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([[[0.0]], [[0.0]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': [[[0.99999]], [[2.9068456166067573]]], 'dtype': 'float64'}], 'rule': 'ClipNorm(omega=1.1652680181016797, p=inf, throw=True)', 'ops': [{'op': 'step', 'grads': [[], {'__array__': [[[-0.0022898995456489195]], [[-0.003442689125269828]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [[[-1e-05]], [[-3.5157667182908625]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [[[0.0]], [[0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [[[0.0]], [[0.0]]], 'dtype': 'float64'}]}], 'rules': ['ClipNorm(omega=1.1652680181016797, p=inf, throw=True)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0})
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
            for clip in [lambda held: [torch.nn.utils.clip_grad_norm_([p], 1.1652680181016797, norm_type=inf) for p in held]]:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (FLAT-6); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (FLAT-6)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
