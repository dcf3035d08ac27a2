#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipGlobalNorm,structured] deviates from FLAT-6.

model['dec'][0].weight[1]=-1.4213697384484874, but should be -1.4213697384946662 [adapter=torch, path=structured, step=4, dtype=float64, observed=4.6178838530863686e-11, allowed=2.5259156091818256e-15]

Case seed 3452981641.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path structured --seed 3452981641
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path structured --seed 3452981641'
RULE = {'name': 'ClipGlobalNorm', 'omega': 0.5632898673171867, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-9.243110807459772e-127, -1.4212211544845643], dtype=np.float64), np.array(-3.454488329290685, dtype=np.float64), np.array(3.9999999999999996, dtype=np.float64), np.array([[[1.401298464324817e-45, -4.3748273107995504e-169]], [[2.8185472193684262, 3.0390089904032216]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array(0.3333333333333333, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[[1.6311385679976533, -6.5351850406420976e-223]], [[-6.103515625e-05, 1.4182574562278587]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array(-0.0005098121034082708, dtype=np.float64), np.array(-1.3684555315672042e-48, dtype=np.float64), np.array([[[2.70256095675526, 2.70256095675526]], [[3.684208957991208, 3.880529896894897]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0004797949479795607, 0.0008487258574751159], dtype=np.float64), np.array(6.152910193885262e-264, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[[-0.5, 1.2341418851284418]], [[-2.9287228785579487, -0.04688473865607268]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-1.7436941734818393e-27, -1.1754943508222875e-38], dtype=np.float64), np.array(0.0010813549597690512, dtype=np.float64), np.array(4.683244196809272e-185, dtype=np.float64), np.array([[[0.0, 0.0]], [[0.0, 0.0]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-8.399633022792244e-05, -1.4213697384946662], dtype=np.float64), np.array(-3.5413784038073057, dtype=np.float64), np.array(3.9999999999999996, dtype=np.float64), np.array([[[-0.5640862438426009, -0.4475660670570709]], [[3.0156871970569763, 2.3495183385727687]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-8.39963041223705e-05, -1.4213697384484874], dtype=np.float64), np.array(-3.541378364559044, dtype=np.float64), np.array(3.9999999999999996, dtype=np.float64), np.array([[[-0.5640860437501983, -0.44756596470089777]], [[3.0156870856933864, 2.349518553594817]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.5259156091818256e-15
PROGRAM_PICKLE = 'gASVugUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAoWUaBKMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQvQ5kX54FxKUmUK5kUr32v5R0lGKMBGJpYXOUaBKMBHRhbmiUk5SMBXNjYWxllGgRaBRLAIWUaBaHlFKUKEsBKWgeiUMILHcxJHJR8T+UdJRijANhY3SUaCV1YmgRaBRLAIWUaBaHlFKUKEsBKWgeiUMIxLz1xsqiC8CUdJRiaBFoFEsAhZRoFoeUUpQoSwEpaB6JQwj///////8PQJR0lGJoEWgUSwCFlGgWh5RSlChLAUsCSwFLAoeUaB6JQyAAAAAAAACgNppN5XisavqcYFoLfGKMBkAoQRDy408IQJR0lGJljAFhlGgvdYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GURz/iBnh4yXS0jAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlCh9lChoDmgRaBRLAIWUaBaHlFKUKEsBSwKFlGgeiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJoI05oJk5oLE51aA+MBnNjYWxhcpSTlGgeQwhVVVVVVVXVP5SGlFKUaFZoHkMIAAAAAAAAAACUhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwJLAUsCh5RoHolDIAS1TMEkGfo/7kKbQsc8zpEAAAAAAAAQv6zo/LousfY/lHSUYmVoPWhWaB5DCAAAAAAAAAAAlIaUUpR1c2JoSCmBlH2UaEt9lChoB12UKH2UKGgOaBFoFEsAhZRoFoeUUpQoSwFLAoWUaB6JQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgjTmgmTmgsTnVoVmgeQwgAAAAAAAAAAJSGlFKUaFZoHkMIAAAAAAAAALaUhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwJLAUsCh5RoHolDILiuZUfYngVAuK5lR9ieBUCsntGLQnkNQLyCMkJTCw9AlHSUYmVoPWhWaB5DCKjT1iedtEC/lIaUUpR1c2JoSCmBlH2UaEt9lChoB12UKH2UKGgOaBFoFEsAhZRoFoeUUpQoSwFLAoWUaB6JQxDwb0Ccn3E/PxhFi+agz0s/lHSUYmgjTmgmTmgsTnVoVmgeQwg29SpnusxICZSGlFKUaFZoHkMIAAAAAAAAAACUhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwJLAUsCh5RoHolDIAAAAAAAAOC/1AG0jwu/8z+AoLNCBm4HwIAua8ZGAai/lHSUYmVoPWhWaB5DCAAAAAAAAAAAlIaUUpR1c2JoSCmBlH2UaEt9lChoB12UKH2UKGgOaBFoFEsAhZRoFoeUUpQoSwFLAoWUaB6JQxDLVO84ykRhugAAAAAAABC4lHSUYmgjTmgmTmgsTnVoVmgeQwgAAAAAAAAAAJSGlFKUaFZoHkMIfFLqtrJ4qRmUhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwJLAUsCh5RoHolDIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoPWhWaB5DCIw8AQyIt1E/lIaUUpR1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [{'__type__': 'Dense', 'weight': np.array([-9.243110807459772e-127, -1.4212211544845643], dtype=np.float64), 'bias': "<ufunc 'tanh'>", 'scale': np.array(1.082384244327339, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, np.array(-3.454488329290685, dtype=np.float64), np.array(3.9999999999999996, dtype=np.float64), np.array([[[1.401298464324817e-45, -4.3748273107995504e-169]], [[2.8185472193684262, 3.0390089904032216]]], dtype=np.float64)], 'a': np.array(-3.454488329290685, dtype=np.float64)}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 0.5632898673171867, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [{'weight': np.array([0.0, 0.0], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, 0.3333333333333333, 0.0, np.array([[[1.6311385679976533, -6.5351850406420976e-223]], [[-6.103515625e-05, 1.4182574562278587]]], dtype=np.float64)], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': np.array([0.0, 0.0], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, 0.0, -1.3684555315672042e-48, np.array([[[2.70256095675526, 2.70256095675526]], [[3.684208957991208, 3.880529896894897]]], dtype=np.float64)], 'a': -0.0005098121034082708}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': np.array([0.0004797949479795607, 0.0008487258574751159], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, 6.152910193885262e-264, 0.0, np.array([[[-0.5, 1.2341418851284418]], [[-2.9287228785579487, -0.04688473865607268]]], dtype=np.float64)], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': np.array([-1.7436941734818393e-27, -1.1754943508222875e-38], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, 0.0, 4.683244196809272e-185, np.array([[[0.0, 0.0]], [[0.0, 0.0]]], dtype=np.float64)], 'a': 0.0010813549597690512}}, ), 'dtype': 'float64'}, 'model': {'dec': [{'__type__': 'Dense', 'weight': {'__array__': [-9.243110807459772e-127, -1.4212211544845643], 'dtype': 'float64'}, 'bias': "<ufunc 'tanh'>", 'scale': {'__array__': 1.082384244327339, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'__array__': -3.454488329290685, 'dtype': 'float64'}, {'__array__': 3.9999999999999996, 'dtype': 'float64'}, {'__array__': [[[1.401298464324817e-45, -4.3748273107995504e-169]], [[2.8185472193684262, 3.0390089904032216]]], 'dtype': 'float64'}], 'a': {'__array__': -3.454488329290685, 'dtype': 'float64'}}, 'rule': 'ClipGlobalNorm(omega=0.5632898673171867, throw=True)', 'ops': [{'op': 'step', 'grads': {'dec': [{'weight': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, 0.3333333333333333, 0.0, {'__array__': [[[1.6311385679976533, -6.5351850406420976e-223]], [[-6.103515625e-05, 1.4182574562278587]]], 'dtype': 'float64'}], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [{'weight': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, 0.0, -1.3684555315672042e-48, {'__array__': [[[2.70256095675526, 2.70256095675526]], [[3.684208957991208, 3.880529896894897]]], 'dtype': 'float64'}], 'a': -0.0005098121034082708}}, {'op': 'step', 'grads': {'dec': [{'weight': {'__array__': [0.0004797949479795607, 0.0008487258574751159], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, 6.152910193885262e-264, 0.0, {'__array__': [[[-0.5, 1.2341418851284418]], [[-2.9287228785579487, -0.04688473865607268]]], 'dtype': 'float64'}], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [{'weight': {'__array__': [-1.7436941734818393e-27, -1.1754943508222875e-38], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, 0.0, 4.683244196809272e-185, {'__array__': [[[0.0, 0.0]], [[0.0, 0.0]]], 'dtype': 'float64'}], 'a': 0.0010813549597690512}}], 'rules': ['ClipGlobalNorm(omega=0.5632898673171867, throw=True)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
            for clip in [lambda held: torch.nn.utils.clip_grad_norm_(held, 0.5632898673171867)]:
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
