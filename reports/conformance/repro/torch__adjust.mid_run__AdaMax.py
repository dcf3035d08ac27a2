#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[AdaMax] deviates from ADJ-2.

model[2][0, 0, 0]=-0.0021286392485565806, but should be -0.0021286391849486695 [adapter=torch, path=structured, step=4, dtype=float64, observed=6.360791103901531e-11, allowed=1.338960015002513e-16]

Case seed 2218593787.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule AdaMax --seed 2218593787
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule AdaMax --seed 2218593787'
RULE = {'name': 'AdaMax', 'eta': 0.0029199605613502403, 'beta': (5e-324, 0.6685516861463201, ), 'epsilon': 1e-08, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[0.0008550174443911569]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.3209240710526755]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), None]}, {'op': 'adjust', 'changes': {'beta': (0.001, 0.7195444472127902, ), 'eta': 0.009809079063043583}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.0011776672603963567]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[-0.0021286391849486695]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([[[-0.0021286392485565806]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.338960015002513e-16
PROGRAM_PICKLE = 'gASVJAMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCgpjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsBhpRoCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsBSwGHlGgWiUMITpoH+2cETD+UdJRiZYwEcnVsZZSMHm9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLm1heGltYZSMBkFkYU1heJSTlCmBlH2UKIwDZXRhlEc/Z+uZ47tC+YwEYmV0YZRHAAAAAAAAAAFHP+VkxoF15CiGlIwHZXBzaWxvbpRHPkV5juIwjDqMB3ZhcmlhbnSUjAV0b3JjaJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCgpaAloDEsAhZRoDoeUUpQoSwFLAEsBhpRoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAUsBh5RoFolDCDDoah0FitQ/lHSUYmVzYmgvKYGUfZRoMl2UKE5oCWgMSwCFlGgOh5RSlChLAUsASwGGlGgWiWgZdJRiTmVzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lChoKEc/UGJN0vGp/Ec/5waCE5mDv4aUaCdHP4QWyE48uWh1c2JoLymBlH2UaDJdlCgpaAloDEsAhZRoDoeUUpQoSwFLAEsBhpRoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAUsBh5RoFolDCNw9nZd+S1M/lHSUYmVzYmgvKYGUfZRoMl2UKCloCWgMSwCFlGgOh5RSlChLAUsASwGGlGgWiWgZdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsBSwGHlGgWiUMIAAAAAAAAAACUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [(), np.array([], dtype=np.float64), np.array([[[0.0008550174443911569]]], dtype=np.float64)], 'rule': {'__type__': 'AdaMax', 'eta': 0.0029199605613502403, 'beta': (5e-324, 0.6685516861463201, ), 'epsilon': 1e-08, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [(), np.array([], dtype=np.float64), np.array([[[0.3209240710526755]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, np.array([], dtype=np.float64), None]}, {'__type__': 'Adjust', 'changes': {'beta': (0.001, 0.7195444472127902, ), 'eta': 0.009809079063043583}}, {'__type__': 'Step', 'grads': [(), np.array([], dtype=np.float64), np.array([[[0.0011776672603963567]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0008550174443911569]]], 'dtype': 'float64'}], 'rule': "AdaMax(eta=0.0029199605613502403, beta=(5e-324, 0.6685516861463201), epsilon=1e-08, variant='torch')", 'ops': [{'op': 'step', 'grads': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.3209240710526755]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, {'__array__': [], 'dtype': 'float64'}, None]}, {'op': 'adjust', 'changes': {'beta': [0.001, 0.7195444472127902], 'eta': 0.009809079063043583}}, {'op': 'step', 'grads': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0011776672603963567]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0]]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adamax(params, **{'lr': 0.0029199605613502403, 'betas': (5e-324, 0.6685516861463201), 'eps': 1e-08, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, None, {'lr': 0.009809079063043583, 'betas': (0.001, 0.7195444472127902), 'eps': 1e-08, 'weight_decay': 0.0}, None, None]):
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
