#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[OptimiserChain] deviates from ADJ-2.

model[1][0]=-3.395728263432809, but should be -3.4005781886628816 [adapter=torch, path=structured, step=4, dtype=float64, observed=0.00484992523007266, allowed=1.5956476775715705e-14]

Case seed 1673064967.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule OptimiserChain --seed 1673064967
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule OptimiserChain --seed 1673064967'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'WeightDecay', 'lambda_': 6.0284273525879784e-210}, {'__type__': 'Adam', 'eta': 0.009974125934279498, 'beta': (5.827756211539633e-256, 0.9655345924407049, ), 'epsilon': 1e-08}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-3.4145144796267886], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([-2.8150546963212992], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.1622561950314675, 0.7386086900640355, )}}, {'op': 'step', 'grads': [np.array([-5.960464477539063e-08], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-3.4005781886628816], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-3.395728263432809], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.5956476775715705e-14
PROGRAM_PICKLE = 'gASVogMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lIwBYZSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lE6MAWKUaAmMCGlkZW50aXR5lJOUjARub3RllIwEaGVhZJR1YnOMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBhZRoF4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwhgua337FALwJR0lGJljARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMDk9wdGltaXNlckNoYWlulJOUKYGUfZSMBXJ1bGVzlIwdb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuZGVjYXmUjAtXZWlnaHREZWNheZSTlCmBlH2UjAdsYW1iZGFflEcUf7XZT4YikHNijBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/hG1QhY0jxowEYmV0YZRHCvGAM9kCBtJHP+7lqM02EIWGlIwHZXBzaWxvbpRHPkV5juIwjDp1YoaUc2KMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZRoCH2UKGgOTmgPTmgSTnVzaBZoGUsAhZRoG4eUUpQoSwFLAYWUaCOJQwikNYllO4UGwJR0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZRoO0c/xMTPnZ3k/Ec/56KusQu50YaUc3NiaEEpgZR9lGhEXZQofZRoCH2UKGgOTmgPTmgSTnVzaBZoGUsAhZRoG4eUUpQoSwFLAYWUaCOJQwgAAAAAAABwvpR0lGJlc2JoQSmBlH2UaERdlCh9lGgITnNoFmgZSwCFlGgbh5RSlChLAUsBhZRoI4lDCAAAAAAAAAAAlHSUYmVzYmhBKYGUfZRoRF2UKH2UaAh9lChoDk5oD05oEk51c2gWaBlLAIWUaBuHlFKUKEsBSwGFlGgjiUMIAAAAAAAAAACUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'a': {'__type__': 'Block', 'w': None, 'b': '<function identity at 0x7fb7b3169a80>', 'note': 'head'}}, np.array([-3.4145144796267886], dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'WeightDecay', 'lambda_': 6.0284273525879784e-210}, {'__type__': 'Adam', 'eta': 0.009974125934279498, 'beta': (5.827756211539633e-256, 0.9655345924407049, ), 'epsilon': 1e-08}, )}, 'ops': ({'__type__': 'Step', 'grads': [{'a': {'w': None, 'b': None, 'note': None}}, np.array([-2.8150546963212992], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (0.1622561950314675, 0.7386086900640355, )}}, {'__type__': 'Step', 'grads': [{'a': {'w': None, 'b': None, 'note': None}}, np.array([-5.960464477539063e-08], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': None}, np.array([0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': {'w': None, 'b': None, 'note': None}}, np.array([0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'a': {'__type__': 'Block', 'w': None, 'b': '<function identity at 0x7fb7b3169a80>', 'note': 'head'}}, {'__array__': [-3.4145144796267886], 'dtype': 'float64'}], 'rule': 'OptimiserChain(WeightDecay(lambda_=6.0284273525879784e-210), Adam(eta=0.009974125934279498, beta=(5.827756211539633e-256, 0.9655345924407049), epsilon=1e-08))', 'ops': [{'op': 'step', 'grads': [{'a': {'w': None, 'b': None, 'note': None}}, {'__array__': [-2.8150546963212992], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [0.1622561950314675, 0.7386086900640355]}}, {'op': 'step', 'grads': [{'a': {'w': None, 'b': None, 'note': None}}, {'__array__': [-5.960464477539063e-08], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': None}, {'__array__': [0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': {'w': None, 'b': None, 'note': None}}, {'__array__': [0.0], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adam(params, **{'lr': 0.009974125934279498, 'betas': (5.827756211539633e-256, 0.9655345924407049), 'eps': 1e-08, 'weight_decay': 6.0284273525879784e-210})
    frozen = set()
    for op, extra in zip(OPS, [None, {'lr': 0.009974125934279498, 'betas': (0.1622561950314675, 0.7386086900640355), 'eps': 1e-08, 'weight_decay': 6.0284273525879784e-210}, None, None, None]):
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
            for name, clip in []:
                if name == "ClipGrad":
                    torch.nn.utils.clip_grad_value_(held, clip["delta"])
                elif name == "ClipGlobalNorm":
                    torch.nn.utils.clip_grad_norm_(held, clip["omega"])
                else:
                    for p in held:
                        torch.nn.utils.clip_grad_norm_([p], clip["omega"], norm_type=clip["p"])
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (ADJ-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADJ-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
