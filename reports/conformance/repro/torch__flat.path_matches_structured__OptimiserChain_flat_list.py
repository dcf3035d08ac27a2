#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[OptimiserChain,flat_list] deviates from FLAT-6.

model['dec'][2]=3.980476947831504, but should be 3.9804769302245853 [adapter=torch, path=flat_list, step=4, dtype=float64, observed=1.7606918589763154e-08, allowed=7.244147111704825e-15]

Case seed 1237432156.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule OptimiserChain --path flat_list --seed 1237432156
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule OptimiserChain --path flat_list --seed 1237432156'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 0.4684139035704614, 'p': 1.0, 'throw': True}, {'__type__': 'Descent', 'eta': 0.02083954983939076}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1e-05], dtype=np.float64), np.array(4.0, dtype=np.float64), np.array([-1.9, -1.9307937955498402], dtype=np.float64), np.array([1.192092896e-07], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([-2.9607234763978163e-308], dtype=np.float64), np.array(2.793828694295689, dtype=np.float64), np.array([-0.001369878529882899, 0.0017880175013578964], dtype=np.float64), np.array([0.003614956918207875], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0], dtype=np.float64), np.array(0.6916708676636825, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-0.00043021460076018894], dtype=np.float64), np.array(-1.16415321875e-10, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([-5.960464477539063e-08], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.001331262115383776], dtype=np.float64), np.array(1.8982145143445498e-249, dtype=np.float64), np.array([-0.00039339027033438115, 5.653248041625895e-294], dtype=np.float64), np.array([0.0006581404321913441], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-2.877742458865742e-05], dtype=np.float64), np.array(3.9804769302245853, dtype=np.float64), np.array([-1.8999632542719576, -1.9308310570296734], dtype=np.float64), np.array([-8.892897377864768e-05], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-2.877742458865742e-05], dtype=np.float64), np.array(3.980476947831504, dtype=np.float64), np.array([-1.8999632542719576, -1.9308310570296734], dtype=np.float64), np.array([-8.892897377864768e-05], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.244147111704825e-15
PROGRAM_PICKLE = 'gASVkwYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjARyZWx1lIwEYmlhc5SMAJSMBXNjYWxllIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwFLAEsBh5RoFowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRijANhY3SUaAmMCGlkZW50aXR5lJOUdWKFlGgVaBhLAIWUaBqHlFKUKEsBSwGFlGgiiUMI8WjjiLX45L6UdJRiaBVoGEsAhZRoGoeUUpQoSwEpaCKJQwgAAAAAAAAQQJR0lGJoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEGZmZmZmZv6/5kzzCIjk/r+UdJRiaBVoGEsAhZRoGoeUUpQoSwFLAYWUaCKJQwhoXxwAAACAPpR0lGJljAFhlGg4dYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjAhDbGlwTm9ybZSTlCmBlH2UKIwFb21lZ2GURz/d+n5PNOrGjAFwlEc/8AAAAAAAAIwFdGhyb3eUiHVijB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5kZXNjZW50lIwHRGVzY2VudJSTlCmBlH2UjANldGGURz+VVvaEGBxHc2KGlHNijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHXZQofZQoaA5OaBBOaBJOaCdOdYWUaBVoGEsAhZRoGoeUUpQoSwFLAYWUaCKJQwhJWI8rNkoVgJR0lGJoE4wGc2NhbGFylJOUaCJDCMwCxdvCWQZAlIaUUpRoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEN7ND9+vcVa/ZD1aLH1LXT+UdJRiaBVoGEsAhZRoGoeUUpQoSwFLAYWUaCKJQwjEUq83HZ1tP5R0lGJlaEJoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEAAAAAAAAAAAAAAAAAAAAACUdJRidXNiaFspgZR9lGhefZQoaAddlCh9lChoDk5oEE5oEk5oJ051hZRoFWgYSwCFlGgah5RSlChLAUsBhZRoIolDCAAAAAAAAAAAlHSUYmhqaCJDCEjEhvEqIuY/lIaUUpRoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaBVoGEsAhZRoGoeUUpQoSwFLAYWUaCKJQwgAAAAAAAAAAJR0lGJlaEJoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEAAAAAAAAAAAAAAAAAAAAACUdJRidXNiaFspgZR9lGhefZQoaAddlCh9lChoDk5oEE5oEk5oJ051hZRoFWgYSwCFlGgah5RSlChLAUsBhZRoIolDCPCO+aPNMTy/lHSUYmhqaCJDCGhfHAAAAOC9lIaUUpRoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaBVoGEsAhZRoGoeUUpQoSwFLAYWUaCKJQwgAAAAAAABwvpR0lGJlaEJoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEAAAAAAAAAAAAAAAAAAAAACUdJRidXNiaFspgZR9lGhefZQoaAddlCh9lChoDk5oEE5oEk5oJ051hZRoFWgYSwCFlGgah5RSlChLAUsBhZRoIolDCFTb3s+3z1U/lHSUYmhqaCJDCIbrJ61vLksMlIaUUpRoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaBVoGEsAhZRoGoeUUpQoSwFLAYWUaCKJQwgos/PQ4ZBFP5R0lGJlaEJoFWgYSwCFlGgah5RSlChLAUsChZRoIolDEJCRfFj+xzm/MxnQ+mniDAOUdJRidXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [({'__type__': 'Dense', 'weight': 'relu', 'bias': '', 'scale': np.array([[]], dtype=np.float64), 'act': '<function identity>'}, ), np.array([-1e-05], dtype=np.float64), np.array(4.0, dtype=np.float64), np.array([-1.9, -1.9307937955498402], dtype=np.float64), np.array([1.192092896e-07], dtype=np.float64)], 'a': np.array([-1.9, -1.9307937955498402], dtype=np.float64)}, 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 0.4684139035704614, 'p': 1.0, 'throw': True}, {'__type__': 'Descent', 'eta': 0.02083954983939076}, )}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [({'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([-2.9607234763978163e-308], dtype=np.float64), 2.793828694295689, np.array([-0.001369878529882899, 0.0017880175013578964], dtype=np.float64), np.array([0.003614956918207875], dtype=np.float64)], 'a': np.array([0.0, 0.0], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([0.0], dtype=np.float64), 0.6916708676636825, np.array([0.0, 0.0], dtype=np.float64), np.array([0.0], dtype=np.float64)], 'a': np.array([0.0, 0.0], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([-0.00043021460076018894], dtype=np.float64), -1.16415321875e-10, np.array([0.0, 0.0], dtype=np.float64), np.array([-5.960464477539063e-08], dtype=np.float64)], 'a': np.array([0.0, 0.0], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([0.001331262115383776], dtype=np.float64), 1.8982145143445498e-249, np.array([0.0, 0.0], dtype=np.float64), np.array([0.0006581404321913441], dtype=np.float64)], 'a': np.array([-0.00039339027033438115, 5.653248041625895e-294], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[{'__type__': 'Dense', 'weight': 'relu', 'bias': '', 'scale': {'__array__': [[]], 'dtype': 'float64'}, 'act': '<function identity>'}], {'__array__': [-1e-05], 'dtype': 'float64'}, {'__array__': 4.0, 'dtype': 'float64'}, {'__array__': [-1.9, -1.9307937955498402], 'dtype': 'float64'}, {'__array__': [1.192092896e-07], 'dtype': 'float64'}], 'a': {'__array__': [-1.9, -1.9307937955498402], 'dtype': 'float64'}}, 'rule': 'OptimiserChain(ClipNorm(omega=0.4684139035704614, p=1.0, throw=True), Descent(eta=0.02083954983939076))', 'ops': [{'op': 'step', 'grads': {'dec': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [-2.9607234763978163e-308], 'dtype': 'float64'}, 2.793828694295689, {'__array__': [-0.001369878529882899, 0.0017880175013578964], 'dtype': 'float64'}, {'__array__': [0.003614956918207875], 'dtype': 'float64'}], 'a': {'__array__': [0.0, 0.0], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [0.0], 'dtype': 'float64'}, 0.6916708676636825, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}], 'a': {'__array__': [0.0, 0.0], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [-0.00043021460076018894], 'dtype': 'float64'}, -1.16415321875e-10, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [-5.960464477539063e-08], 'dtype': 'float64'}], 'a': {'__array__': [0.0, 0.0], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [0.001331262115383776], 'dtype': 'float64'}, 1.8982145143445498e-249, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [0.0006581404321913441], 'dtype': 'float64'}], 'a': {'__array__': [-0.00039339027033438115, 5.653248041625895e-294], 'dtype': 'float64'}}}], 'rules': ['OptimiserChain(ClipNorm(omega=0.4684139035704614, p=1.0, throw=True), Descent(eta=0.02083954983939076))'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 0.02083954983939076, 'momentum': 0.0, 'weight_decay': 0.0})
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
            for clip in [lambda held: [torch.nn.utils.clip_grad_norm_([p], 0.4684139035704614, norm_type=1.0) for p in held]]:
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
