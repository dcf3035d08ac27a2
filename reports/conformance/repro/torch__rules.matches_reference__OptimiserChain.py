#!/usr/bin/env python
"""optconf repro: torch rules.matches_reference[OptimiserChain] deviates from CHAIN-1.

model[1][0, 1, 0]=-0.004334506182894457, but should be -0.004334506933677475 [adapter=torch, path=structured, step=4, dtype=float64, observed=7.507830182204578e-10, allowed=1.5703675440234828e-14]

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
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'ClipGlobalNorm', 'omega': 4.41340590510945, 'throw': True}, {'__type__': 'Adam', 'eta': 0.005274528090117842, 'beta': (0.45442400436952274, 0.95, ), 'epsilon': 1e-06}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[2.954038027884989], [-1.9464219900381157e-183]], [[-1.1933013777974604], [2.233945760008428]]], dtype=np.float64), np.array(1e-07, dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0], [2.8414617789850904]], [[2.9619936618868152], [-3.0]]], dtype=np.float64), np.array(2.168404344971009e-19, dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-0.595741167709936], [-1.3698113125231557]], [[-0.4128711982260578], [-2.2830542861930436e-198]]], dtype=np.float64), np.array(3.2083405863283393e-112, dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-0.003446661633586366], [-0.002054051582341105]], [[9.765625e-06], [-2.1729236899484e-311]]], dtype=np.float64), np.array(-1.9, dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[2.962135052424308], [-0.004334506933677475]], [[-1.2007640716234687], [2.2427690241022997]]], dtype=np.float64), np.array(0.005789639542852263, dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[2.962135052424308], [-0.004334506182894457]], [[-1.2007640713532195], [2.242769024102298]]], dtype=np.float64), np.array(0.005789639542852263, dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.5703675440234828e-14
PROGRAM_PICKLE = 'gASVKgUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAksBh5RoC4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQyA8QIew3qEHQDoQ03GFigCa3pZ+L8MX879IMWL0Ht8BQJR0lGJoCmgNSwCFlGgPh5RSlChLASloF4lDCEivvJry13o+lHSUYmgKaA1LAIWUaA+HlFKUKEsBSwJLAUsAh5RoF4lDAJR0lGJoCmgNSwCFlGgPh5RSlChLAUsBSwCGlGgXiWgldJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0ARp1PgqaxojAV0aHJvd5SIdWKMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz91mr5aYdntjARiZXRhlEc/3RVIa1I0nUc/7mZmZmZmZoaUjAdlcHNpbG9ulEc+sMb3oLXtjXVihpRzYowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lGgKaA1LAIWUaA+HlFKUKEsBSwJLAksBh5RoF4lDIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlHSUYmgIjAZzY2FsYXKUk5RoF0MIAAAAAAAAAACUhpRSlGgKaA1LAIWUaA+HlFKUKEsBSwJLAUsAh5RoF4loJXSUYmgKaA1LAIWUaA+HlFKUKEsBSwFLAIaUaBeJaCV0lGJlc2JoRimBlH2UaEldlCh9lGgKaA1LAIWUaA+HlFKUKEsBSwJLAksBh5RoF4lDIAAAAAAAAAAAfJksUFC7BkDwGqa7KbIHQAAAAAAAAAjAlHSUYmhTaBdDCAAAAAAAABA8lIaUUpRoCmgNSwCFlGgPh5RSlChLAUsCSwFLAIeUaBeJaCV0lGJoCmgNSwCFlGgPh5RSlChLAUsBSwCGlGgXiWgldJRiZXNiaEYpgZR9lGhJXZQofZRoCmgNSwCFlGgPh5RSlChLAUsCSwJLAYeUaBeJQyCoPQbITxDjvwalT0S/6vW/ENd1UXts2r/ZZy5RNdjllpR0lGJoU2gXQwi9N2W2wLDIKJSGlFKUaApoDUsAhZRoD4eUUpQoSwFLAksBSwCHlGgXiWgldJRiaApoDUsAhZRoD4eUUpQoSwFLAUsAhpRoF4loJXSUYmVzYmhGKYGUfZRoSV2UKH2UaApoDUsAhZRoD4eUUpQoSwFLAksCSwGHlGgXiUMgfGfkXyw8bL9bvtqLqNNgv3sUrkfheuQ+AAAAAAAEAICUdJRiaFNoF0MIZmZmZmZm/r+UhpRSlGgKaA1LAIWUaA+HlFKUKEsBSwJLAUsAh5RoF4loJXSUYmgKaA1LAIWUaA+HlFKUKEsBSwFLAIaUaBeJaCV0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{}, np.array([[[2.954038027884989], [-1.9464219900381157e-183]], [[-1.1933013777974604], [2.233945760008428]]], dtype=np.float64), np.array(1e-07, dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'ClipGlobalNorm', 'omega': 4.41340590510945, 'throw': True}, {'__type__': 'Adam', 'eta': 0.005274528090117842, 'beta': (0.45442400436952274, 0.95, ), 'epsilon': 1e-06}, )}, 'ops': ({'__type__': 'Step', 'grads': [{}, np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), 0.0, np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{}, np.array([[[0.0], [2.8414617789850904]], [[2.9619936618868152], [-3.0]]], dtype=np.float64), 2.168404344971009e-19, np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{}, np.array([[[-0.595741167709936], [-1.3698113125231557]], [[-0.4128711982260578], [-2.2830542861930436e-198]]], dtype=np.float64), 3.2083405863283393e-112, np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{}, np.array([[[-0.003446661633586366], [-0.002054051582341105]], [[9.765625e-06], [-2.1729236899484e-311]]], dtype=np.float64), -1.9, np.array([[[]], [[]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{}, {'__array__': [[[2.954038027884989], [-1.9464219900381157e-183]], [[-1.1933013777974604], [2.233945760008428]]], 'dtype': 'float64'}, {'__array__': 1e-07, 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}], 'rule': 'OptimiserChain(ClipGlobalNorm(omega=4.41340590510945, throw=True), Adam(eta=0.005274528090117842, beta=(0.45442400436952274, 0.95), epsilon=1e-06))', 'ops': [{'op': 'step', 'grads': [{}, {'__array__': [[[0.0], [0.0]], [[0.0], [0.0]]], 'dtype': 'float64'}, 0.0, {'__array__': [[[]], [[]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{}, {'__array__': [[[0.0], [2.8414617789850904]], [[2.9619936618868152], [-3.0]]], 'dtype': 'float64'}, 2.168404344971009e-19, {'__array__': [[[]], [[]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{}, {'__array__': [[[-0.595741167709936], [-1.3698113125231557]], [[-0.4128711982260578], [-2.2830542861930436e-198]]], 'dtype': 'float64'}, 3.2083405863283393e-112, {'__array__': [[[]], [[]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{}, {'__array__': [[[-0.003446661633586366], [-0.002054051582341105]], [[9.765625e-06], [-2.1729236899484e-311]]], 'dtype': 'float64'}, -1.9, {'__array__': [[[]], [[]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adam(params, **{'lr': 0.005274528090117842, 'betas': (0.45442400436952274, 0.95), 'eps': 1e-06, 'weight_decay': 0.0})
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
            for name, clip in [('ClipGlobalNorm', {'omega': 4.41340590510945, 'throw': True})]:
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
