#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[Momentum] deviates from MOMENTUM-2.

model[1][0, 0, 0]=-0.4809603678980196, but should be -0.4806905686454862 [adapter=torch, path=structured, step=4, dtype=float64, observed=0.0002697992525333981, allowed=8.565288058224415e-16]

Case seed 3984659859.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule Momentum --seed 3984659859
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'MOMENTUM-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule Momentum --seed 3984659859'
RULE = {'name': 'Momentum', 'eta': 0.040910050804535164, 'rho': 0.0, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[-0.48110365433162183], [-1.175494351e-38]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[-0.0035024750833682426], [0.0]]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'eta': 0.08470662264793351, 'rho': 0.9093861204769509}}, {'op': 'step', 'grads': [None]}, {'op': 'step', 'grads': [np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[-0.4806905686454862], [-1.175494351e-38]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[-0.4809603678980196], [-1.175494351e-38]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.565288058224415e-16
PROGRAM_PICKLE = 'gASV+wIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUTowEYmlhc5SJjAVzY2FsZZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloEowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAACwvJR0lGKMA2FjdJRoB4wIaWRlbnRpdHmUk5R1YiloB4wEUGFpcpSTlGgkToaUgZSHlIWUaBFoFEsAhZRoFoeUUpQoSwFLAUsCSwGHlGgdiUMQMMlV+2bK3r+bYwoAAAAQuJR0lGJljARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuZGVzY2VudJSMCE1vbWVudHVtlJOUKYGUfZQojANldGGURz+k8imEkPyUjANyaG+URwAAAAAAAAAAjAd2YXJpYW50lIwFdG9yY2iUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoToWUaBFoFEsAhZRoFoeUUpQoSwFLAUsCSwGHlGgdiUMQVBcF/jixbL8AAAAAAAAAAJR0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaDdHP7WvVU4HCWloOEc/7Rmw69xQcnVzYmg9KYGUfZRoQE5zYmg9KYGUfZRoQF2UKH2UKGgMTmgNTmgOTmgiTnVOTk6GlIeUhZRoEWgUSwCFlGgWh5RSlChLAUsBSwJLAYeUaB2JQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYmg9KYGUfZRoQE5zYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: layer with a non-trainable array', 'programs: adjust then step', 'programs: step without any gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [(({'__type__': 'Dense', 'weight': None, 'bias': False, 'scale': np.array(-2.220446049250313e-16, dtype=np.float64), 'act': '<function identity>'}, (), ('<function identity>', None, ), ), ), np.array([[[-0.48110365433162183], [-1.175494351e-38]]], dtype=np.float64)], 'rule': {'__type__': 'Momentum', 'eta': 0.040910050804535164, 'rho': 0.0, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [(None, ), np.array([[[-0.0035024750833682426], [0.0]]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'eta': 0.08470662264793351, 'rho': 0.9093861204769509}}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [(({'weight': None, 'bias': None, 'scale': None, 'act': None}, None, (None, None, ), ), ), np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, ), 'dtype': 'float64'}, 'model': [[[{'__type__': 'Dense', 'weight': None, 'bias': False, 'scale': {'__array__': -2.220446049250313e-16, 'dtype': 'float64'}, 'act': '<function identity>'}, [], ['<function identity>', None]]], {'__array__': [[[-0.48110365433162183], [-1.175494351e-38]]], 'dtype': 'float64'}], 'rule': "Momentum(eta=0.040910050804535164, rho=0.0, variant='torch')", 'ops': [{'op': 'step', 'grads': [[None], {'__array__': [[[-0.0035024750833682426], [0.0]]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'eta': 0.08470662264793351, 'rho': 0.9093861204769509}}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [[[{'weight': None, 'bias': None, 'scale': None, 'act': None}, None, [None, None]]], {'__array__': [[[0.0], [0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}], 'rules': ["Momentum(eta=0.040910050804535164, rho=0.0, variant='torch')", "Momentum(eta=0.08470662264793351, rho=0.9093861204769509, variant='torch')"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 0.040910050804535164, 'momentum': 0.0, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, {'lr': 0.08470662264793351, 'momentum': 0.9093861204769509, 'weight_decay': 0.0}, None, None, None]):
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
        print("recorded deviation (MOMENTUM-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (MOMENTUM-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
