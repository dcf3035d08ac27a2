#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipNorm,flat_list] deviates from FLAT-6.

model[2]=2.582921361135146, but should be 2.5829219916176065 [adapter=torch, path=flat_list, step=4, dtype=float64, observed=6.304824604619341e-07, allowed=2.2411223884731143e-14]

Case seed 3870556716.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipNorm --path flat_list --seed 3870556716
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipNorm --path flat_list --seed 3870556716'
RULE = {'name': 'ClipNorm', 'omega': 2.5083688626015963, 'p': 2.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(2.388215642442619, dtype=np.float64), np.array(0.07443600990440746, dtype=np.float64), np.array([0.7], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(-0.00011711911160263485, dtype=np.float64), np.array([0.0003512360112989934], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(-3.978490107867099, dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(2.388215642442619, dtype=np.float64), np.array(2.5829219916176065, dtype=np.float64), np.array([0.699648763988701], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(2.388215642442619, dtype=np.float64), np.array(2.582921361135146, dtype=np.float64), np.array([0.699648763988701], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.2411223884731143e-14
PROGRAM_PICKLE = 'gASV2wIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAXeUSv////+MA2VuY5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMCGlkZW50aXR5lJOUjANkZWOUSwN1jBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBGMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIhLGAzRAbA0CUdJRiaBBoE0sAhZRoFYeUUpQoSwEpaByJQwhAJS8EPQ6zP5R0lGJoEGgTSwCFlGgVh5RSlChLAUsBhZRoHIlDCGZmZmZmZuY/lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwIQ2xpcE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEdABBEjsbltuIwBcJRHQAAAAAAAAACMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoCE5oCU5oDU51aA6MBnNjYWxhcpSTlGgcQwgAAAAAAAAAAJSGlFKUaD5oHEMIwOUqBLuzHr+UhpRSlGgQaBNLAIWUaBWHlFKUKEsBSwGFlGgciUMI8FOELsMENz+UdJRiZXNiaDcpgZR9lGg6TnNiaDcpgZR9lGg6XZQofZQoaAhOaAlOaA1OdWg+aBxDCAAAAAAAAAAAlIaUUpRoPmgcQwhY/SWf8tMPwJSGlFKUaBBoE0sAhZRoFYeUUpQoSwFLAYWUaByJQwgAAAAAAAAAAJR0lGJlc2JoNymBlH2UaDpOc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'w': -1, 'enc': '<function identity at 0x7fb7b3169a80>', 'dec': 3}, np.array(2.388215642442619, dtype=np.float64), np.array(0.07443600990440746, dtype=np.float64), np.array([0.7], dtype=np.float64)], 'rule': {'__type__': 'ClipNorm', 'omega': 2.5083688626015963, 'p': 2.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [{'w': None, 'enc': None, 'dec': None}, 0.0, -0.00011711911160263485, np.array([0.0003512360112989934], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [{'w': None, 'enc': None, 'dec': None}, 0.0, -3.978490107867099, np.array([0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, ), 'dtype': 'float64'}, 'model': [{'w': -1, 'enc': '<function identity at 0x7fb7b3169a80>', 'dec': 3}, {'__array__': 2.388215642442619, 'dtype': 'float64'}, {'__array__': 0.07443600990440746, 'dtype': 'float64'}, {'__array__': [0.7], 'dtype': 'float64'}], 'rule': 'ClipNorm(omega=2.5083688626015963, p=2.0, throw=True)', 'ops': [{'op': 'step', 'grads': [{'w': None, 'enc': None, 'dec': None}, 0.0, -0.00011711911160263485, {'__array__': [0.0003512360112989934], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [{'w': None, 'enc': None, 'dec': None}, 0.0, -3.978490107867099, {'__array__': [0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
            for name, clip in [('ClipNorm', {'omega': 2.5083688626015963, 'p': 2.0, 'throw': True})]:
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
