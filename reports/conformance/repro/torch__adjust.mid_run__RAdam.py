#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[RAdam] deviates from ADJ-2.

model[1][0, 0]=3.2105089293541336, but should be 3.2105089461895213 [adapter=torch, path=structured, step=4, dtype=float64, observed=1.6835387750546715e-08, allowed=5.918961469083269e-15]

Case seed 169821870.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule RAdam --seed 169821870
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule RAdam --seed 169821870'
RULE = {'name': 'RAdam', 'eta': 0.001, 'beta': (0.11000302387108618, 0.5000000000000001, ), 'epsilon': 1e-06, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[3.207238563538617, -3.1355573658582383]], dtype=np.float64), np.array(4.512324847618335e-47, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-2.9481559095817556, 2.580519818385527]], dtype=np.float64), np.array(-3.59280058031646, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[9.765625e-12, -0.002151702890842339]], dtype=np.float64), np.array(4.8828125e-07, dtype=np.float64)]}, {'op': 'step', 'grads': [None, np.array(1.3931848855406664e-111, dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.09171527914530933, 0.6871465646853685, )}}, {'op': 'step', 'grads': [np.array([[-0.00390625, -0.00390625]], dtype=np.float64), np.array(0.20123559763186538, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[3.2105089461895213, -3.138411153885632]], dtype=np.float64), np.array(0.0038083399052679947, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[3.2105089293541336, -3.1384111429794763]], dtype=np.float64), np.array(0.00380835347050143, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.918961469083269e-15
PROGRAM_PICKLE = 'gASVDwMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwFLAoaUaAuMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQcPImsWyoCUCMvqgZnxUJwJR0lGJoCmgNSwCFlGgPh5RSlChLASloF4lDCKIIUSSnfFA2lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFUkFkYW2Uk5QpgZR9lCiMA2V0YZRHP1BiTdLxqfyMBGJldGGURz+8KSh9/Me4Rz/gAAAAAAABhpSMB2Vwc2lsb26URz6wxvegte2NjAd2YXJpYW50lIwFdG9yY2iUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZRoCmgNSwCFlGgPh5RSlChLAUsBSwKGlGgXiUMQXE35w9KVB8BkKhWT56QEQJR0lGJoCIwGc2NhbGFylJOUaBdDCHgSDDsOvgzAlIaUUpRlc2JoLymBlH2UaDJdlChOaApoDUsAhZRoD4eUUpQoSwFLAUsChpRoF4lDEDqMMOKOeaU9JwOAsXKgYb+UdJRiaDxoF0MI/Knx0k1ioD6UhpRSlGVzYmgvKYGUfZRoMl2UKH2UTmg8aBdDCIrgmvHIzeoolIaUUpRlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZRoKEc/t3qnDHj9Qkc/5f0aytw8rIaUc3NiaC8pgZR9lGgyXZQofZRoCmgNSwCFlGgPh5RSlChLAUsBSwKGlGgXiUMQAAAAAAAAcL8AAAAAAABwv5R0lGJoPGgXQwggWE+LFsLJP5SGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{}, np.array([[3.207238563538617, -3.1355573658582383]], dtype=np.float64), np.array(4.512324847618335e-47, dtype=np.float64)], 'rule': {'__type__': 'RAdam', 'eta': 0.001, 'beta': (0.11000302387108618, 0.5000000000000001, ), 'epsilon': 1e-06, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [{}, np.array([[-2.9481559095817556, 2.580519818385527]], dtype=np.float64), -3.59280058031646]}, {'__type__': 'Step', 'grads': [None, np.array([[9.765625e-12, -0.002151702890842339]], dtype=np.float64), 4.8828125e-07]}, {'__type__': 'Step', 'grads': [{}, None, 1.3931848855406664e-111]}, {'__type__': 'Adjust', 'changes': {'beta': (0.09171527914530933, 0.6871465646853685, )}}, {'__type__': 'Step', 'grads': [{}, np.array([[-0.00390625, -0.00390625]], dtype=np.float64), 0.20123559763186538]}, ), 'dtype': 'float64'}, 'model': [{}, {'__array__': [[3.207238563538617, -3.1355573658582383]], 'dtype': 'float64'}, {'__array__': 4.512324847618335e-47, 'dtype': 'float64'}], 'rule': "RAdam(eta=0.001, beta=(0.11000302387108618, 0.5000000000000001), epsilon=1e-06, variant='torch')", 'ops': [{'op': 'step', 'grads': [{}, {'__array__': [[-2.9481559095817556, 2.580519818385527]], 'dtype': 'float64'}, -3.59280058031646]}, {'op': 'step', 'grads': [None, {'__array__': [[9.765625e-12, -0.002151702890842339]], 'dtype': 'float64'}, 4.8828125e-07]}, {'op': 'step', 'grads': [{}, None, 1.3931848855406664e-111]}, {'op': 'adjust', 'changes': {'beta': [0.09171527914530933, 0.6871465646853685]}}, {'op': 'step', 'grads': [{}, {'__array__': [[-0.00390625, -0.00390625]], 'dtype': 'float64'}, 0.20123559763186538]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.RAdam(params, **{'lr': 0.001, 'betas': (0.11000302387108618, 0.5000000000000001), 'eps': 1e-06, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, {'lr': 0.001, 'betas': (0.09171527914530933, 0.6871465646853685), 'eps': 1e-06, 'weight_decay': 0.0}, None]):
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
