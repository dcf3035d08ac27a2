#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipGlobalNorm,fused] deviates from FLAT-6.

model[1][0]=1.4999895776013503, but should be 1.49999 [adapter=torch, path=fused, step=4, dtype=float64, observed=4.223986496132426e-07, allowed=1.3322658531933485e-14]

Case seed 1962541181.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path fused --seed 1962541181
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'fused'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path fused --seed 1962541181'
RULE = {'name': 'ClipGlobalNorm', 'omega': 1.5, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1e-05], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-0.6248632848537463, dtype=np.float64), np.array(-1.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.0], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-3.55114671628648], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(1.6497457196456169e-18, dtype=np.float64), np.array(4.757027292640897e-08, dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array([8.203365856803687e-32], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.003143087700602251, dtype=np.float64), np.array(-0.18862787962226069, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([1.49999], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-0.6280063725543485, dtype=np.float64), np.array(-0.8113721404713641, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([1.4999895776013503], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-0.6280063725543485, dtype=np.float64), np.array(-0.8113721404713583, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.3322658531933485e-14
PROGRAM_PICKLE = 'gASVYQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAeMBUJsb2NrlJOUKYGUfZQojAF3lImMAWKUiIwEbm90ZZSMBGhlYWSUdWKMBGJpYXOUXZRoB4wIaWRlbnRpdHmUk5RhjAVzY2FsZZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsChZRoHYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxCamZmZmZmpP8DFa1CU9L0KlHSUYowDYWN0lGgYdWJoHGgfSwCFlGghh5RSlChLAUsBhZRoKYlDCPFo44i1+OS+lHSUYmgcaB9LAIWUaCGHlFKUKEsBSwJLAEsBh5RoKYlDAJR0lGJoHGgfSwCFlGghh5RSlChLASloKYlDCAhgnUnh/uO/lHSUYmgcaB9LAIWUaCGHlFKUKEsBKWgpiUMIAAAAAAAA8L+UdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GURz/4AAAAAAAAjAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAx9lChoEU5oEk5oE051aBVdlE5haBlOaC5OdWgcaB9LAIWUaCGHlFKUKEsBSwGFlGgpiUMIAAAAAAAAAACUdJRiaBxoH0sAhZRoIYeUUpQoSwFLAksASwGHlGgpiWg5dJRiaBqMBnNjYWxhcpSTlGgpQwgAAAAAAAAAAJSGlFKUaGNoKUMIAAAAAAAAAACUhpRSlGVzYmhPKYGUfZRoUl2UKH2UKGgMfZQoaBFOaBJOaBNOdWgVXZROYWgZTmguTnVoHGgfSwCFlGghh5RSlChLAUsBhZRoKYlDCFz8DZy/aAzAlHSUYmgcaB9LAIWUaCGHlFKUKEsBSwJLAEsBh5RoKYloOXSUYmhjaClDCH9LPzK0bj48lIaUUpRoY2gpQwhhv9kuAoppPpSGlFKUZXNiaE8pgZR9lGhSTnNiaE8pgZR9lGhSXZQofZQoaAx9lChoEU5oEk5oE051aBVdlE5haBlOaC5OdWgcaB9LAIWUaCGHlFKUKEsBSwGFlGgpiUMIyFAT+BafejmUdJRiaBxoH0sAhZRoIYeUUpQoSwFLAksASwGHlGgpiWg5dJRiaGNoKUMILNI9XIi/aT+UhpRSlGhjaClDCCC0C1f1JMi/lIaUUpRlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': False, 'b': True, 'note': 'head'}, 'bias': ['<function identity at 0x7fb7b3169a80>'], 'scale': np.array([0.05, 6.234457406432579e-257], dtype=np.float64), 'act': '<function identity at 0x7fb7b3169a80>'}, np.array([-1e-05], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-0.6248632848537463, dtype=np.float64), np.array(-1.0, dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 1.5, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, np.array([0.0], dtype=np.float64), np.array([[], []], dtype=np.float64), 0.0, 0.0]}, {'__type__': 'Step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, np.array([-3.55114671628648], dtype=np.float64), np.array([[], []], dtype=np.float64), 1.6497457196456169e-18, 4.757027292640897e-08]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, np.array([8.203365856803687e-32], dtype=np.float64), np.array([[], []], dtype=np.float64), 0.003143087700602251, -0.18862787962226069]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': False, 'b': True, 'note': 'head'}, 'bias': ['<function identity at 0x7fb7b3169a80>'], 'scale': {'__array__': [0.05, 6.234457406432579e-257], 'dtype': 'float64'}, 'act': '<function identity at 0x7fb7b3169a80>'}, {'__array__': [-1e-05], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': -0.6248632848537463, 'dtype': 'float64'}, {'__array__': -1.0, 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=1.5, throw=True)', 'ops': [{'op': 'step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, 0.0, 0.0]}, {'op': 'step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, {'__array__': [-3.55114671628648], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, 1.6497457196456169e-18, 4.757027292640897e-08]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, {'__array__': [8.203365856803687e-32], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, 0.003143087700602251, -0.18862787962226069]}], 'path': 'fused', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0, 'fused': True})
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
            for name, clip in [('ClipGlobalNorm', {'omega': 1.5, 'throw': True})]:
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
