#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[NAdam,per_array] deviates from FLAT-6.

model[2]=-3.497842350663003, but should be -3.4978423495541997 [adapter=torch, path=per_array, step=4, dtype=float64, observed=1.1088032714212659e-09, allowed=9.369409095939889e-15]

Case seed 1849056035.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path per_array --seed 1849056035
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path per_array --seed 1849056035'
RULE = {'name': 'NAdam', 'eta': 0.009422135060864492, 'beta': (0.7401492445949834, 0.9144561022206718, ), 'epsilon': 1e-08, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(-3.472704382620158, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(0.00010600625692575635, dtype=np.float64)]}, {'op': 'step', 'grads': [None, None]}, {'op': 'step', 'grads': [None, None]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(0.9, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(-3.4978423495541997, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(-3.497842350663003, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.369409095939889e-15
PROGRAM_PICKLE = 'gASV3wMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5R9lCiMA2RlY5RoCYwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwGFlGgPjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCPz/////////lHSUYmgOaBFLAIWUaBOHlFKUKEsBSwGFlGgbiUMIAwAAAAAAAACUdJRihpSBlIwBYZRdlIwDZW5jlGgHjAVCbG9ja5STlCmBlH2UKIwBd5RoDmgRSwCFlGgTh5RSlChLAUsChZRoG4lDEP7/////////AgAAAAAAAACUdJRijAFilGgOaBFLAIWUaBOHlFKUKEsBKWgbiUMIAgAAAAAAAACUdJRijARub3RllIwEaGVhZJR1YnVoLCmBlH2UKGgviWg2Tmg8aD11YoaUgZRoDmgRSwCFlGgTh5RSlChLAUsASwCGlGgYjAJmOJSJiIeUUpQoSwNoHE5OTkr/////Sv////9LAHSUYolDAJR0lGJoDmgRSwCFlGgTh5RSlChLASloSIlDCFA8QDwZyAvAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFTkFkYW2Uk5QpgZR9lCiMA2V0YZRHP4NL6Y+PK+iMBGJldGGURz/nr0139jnTRz/tQzlxlUsbhpSMB2Vwc2lsb26URz5FeY7iMIw6jAd2YXJpYW50lIwFb3B0YXiUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAtOToaUaChdlGgqfZQoaC9OaDZOaDxOdXV9lChoL05oNk5oPE51hpRoDmgRSwCFlGgTh5RSlChLAUsASwCGlGhIiWhKdJRiaAyMBnNjYWxhcpSTlGhIQwjAcW2g9ckbP5SGlFKUZXNiaF8pgZR9lGhiTnNiaF8pgZR9lGhiTnNiaF8pgZR9lGhiXZQofZQoaAtOToaUaChdlGgqfZQoaC9OaDZOaDxOdXV9lChoL05oNk5oPE51hpRoDmgRSwCFlGgTh5RSlChLAUsASwCGlGhIiWhKdJRiaHBoSEMIzczMzMzM7D+UhpRSlGVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [({'dec': (np.array([-4], dtype=np.int64), np.array([3], dtype=np.int64), ), 'a': [], 'enc': {'__type__': 'Block', 'w': np.array([-2, 2], dtype=np.int64), 'b': np.array(2, dtype=np.int64), 'note': 'head'}}, {'__type__': 'Block', 'w': False, 'b': None, 'note': 'head'}, ), np.array([], dtype=np.float64), np.array(-3.472704382620158, dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.009422135060864492, 'beta': (0.7401492445949834, 0.9144561022206718, ), 'epsilon': 1e-08, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [({'dec': (None, None, ), 'a': [], 'enc': {'w': None, 'b': None, 'note': None}}, {'w': None, 'b': None, 'note': None}, ), np.array([], dtype=np.float64), 0.00010600625692575635]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [({'dec': (None, None, ), 'a': [], 'enc': {'w': None, 'b': None, 'note': None}}, {'w': None, 'b': None, 'note': None}, ), np.array([], dtype=np.float64), 0.9]}, ), 'dtype': 'float64'}, 'model': [[{'dec': [{'__array__': [-4], 'dtype': 'int64'}, {'__array__': [3], 'dtype': 'int64'}], 'a': [], 'enc': {'__type__': 'Block', 'w': {'__array__': [-2, 2], 'dtype': 'int64'}, 'b': {'__array__': 2, 'dtype': 'int64'}, 'note': 'head'}}, {'__type__': 'Block', 'w': False, 'b': None, 'note': 'head'}], {'__array__': [], 'dtype': 'float64'}, {'__array__': -3.472704382620158, 'dtype': 'float64'}], 'rule': "NAdam(eta=0.009422135060864492, beta=(0.7401492445949834, 0.9144561022206718), epsilon=1e-08, variant='optax')", 'ops': [{'op': 'step', 'grads': [[{'dec': [None, None], 'a': [], 'enc': {'w': None, 'b': None, 'note': None}}, {'w': None, 'b': None, 'note': None}], {'__array__': [], 'dtype': 'float64'}, 0.00010600625692575635]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [[{'dec': [None, None], 'a': [], 'enc': {'w': None, 'b': None, 'note': None}}, {'w': None, 'b': None, 'note': None}], {'__array__': [], 'dtype': 'float64'}, 0.9]}], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.009422135060864492, 'betas': (0.7401492445949834, 0.9144561022206718), 'eps': 1e-08, 'weight_decay': 0.0, 'momentum_decay': inf})
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
