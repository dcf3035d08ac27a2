#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[OptimiserChain,flat_list] deviates from FLAT-6.

model[4]=0.9402384701337032, but should be 0.9402384651110798 [adapter=torch, path=flat_list, step=4, dtype=float64, observed=5.022623428274642e-09, allowed=1.826258751534058e-15]

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
PARAMS = [np.array([1.5], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(0.95, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array([-0.00045649812603336653], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(1.9435121909396935, dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [None, None, None, None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([1.500009513215449], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(0.9402384651110798, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([1.500009513215449], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(0.9402384701337032, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.826258751534058e-15
PROGRAM_PICKLE = 'gASVowMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lGgHjARQYWlylJOUSwOMBHJlbHWUhpSBlIwBYpRoCSmBlH2UKGgMjAVudW1weZSMBHRhbmiUk5RoEk6MBG5vdGWUjAVibG9ja5R1YmgYjARoZWFklHVijBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUaBWMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAYWUaBWMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIAAAAAAAA+D+UdJRiaB1oH0sAhZRoIYeUUpQoSwFLAEsBSwGHlGgpiUMAlHSUYmgdaB9LAIWUaCGHlFKUKEsBSwJLAUsAh5RoKYloMnSUYmgdaB9LAIWUaCGHlFKUKEsBKWgpiUMIZmZmZmZm7j+UdJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjAhDbGlwTm9ybZSTlCmBlH2UKIwFb21lZ2GURz/d+n5PNOrGjAFwlEc/8AAAAAAAAIwFdGhyb3eUiHVijB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5kZXNjZW50lIwHRGVzY2VudJSTlCmBlH2UjANldGGURz+VVvaEGBxHc2KGlHNijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlE5zYmhWKYGUfZRoWV2UKH2UKGgMTk6GlGgSfZQoaAxOaBJOaBhOdWgYTnVoHWgfSwCFlGghh5RSlChLAUsBhZRoKYlDCDCzoYXE6j2/lHSUYmgdaB9LAIWUaCGHlFKUKEsBSwBLAUsBh5RoKYloMnSUYmgdaB9LAIWUaCGHlFKUKEsBSwJLAUsAh5RoKYloMnSUYmgbjAZzY2FsYXKUk5RoKUMIpGk3PaAY/z+UhpRSlGVzYmhWKYGUfZRoWU5zYmhWKYGUfZRoWU5zYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': (3, 'relu', ), 'b': {'__type__': 'Block', 'w': "<ufunc 'tanh'>", 'b': None, 'note': 'block'}, 'note': 'head'}, np.array([1.5], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(0.95, dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 0.4684139035704614, 'p': 1.0, 'throw': True}, {'__type__': 'Descent', 'eta': 0.02083954983939076}, )}, 'ops': ({'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [{'w': (None, None, ), 'b': {'w': None, 'b': None, 'note': None}, 'note': None}, np.array([-0.00045649812603336653], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), 1.9435121909396935]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': None}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Block', 'w': [3, 'relu'], 'b': {'__type__': 'Block', 'w': "<ufunc 'tanh'>", 'b': None, 'note': 'block'}, 'note': 'head'}, {'__array__': [1.5], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}, {'__array__': 0.95, 'dtype': 'float64'}], 'rule': 'OptimiserChain(ClipNorm(omega=0.4684139035704614, p=1.0, throw=True), Descent(eta=0.02083954983939076))', 'ops': [{'op': 'step', 'grads': None}, {'op': 'step', 'grads': [{'w': [None, None], 'b': {'w': None, 'b': None, 'note': None}, 'note': None}, {'__array__': [-0.00045649812603336653], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 1.9435121909396935]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': None}], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
            for name, clip in [('ClipNorm', {'omega': 0.4684139035704614, 'p': 1.0, 'throw': True})]:
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
