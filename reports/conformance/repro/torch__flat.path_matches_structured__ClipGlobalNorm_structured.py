#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipGlobalNorm,structured] deviates from FLAT-6.

model[2]=-3.4579238979022344, but should be -3.457923897859006 [adapter=torch, path=structured, step=4, dtype=float64, observed=4.3228531865224795e-11, allowed=6.167959181755744e-15]

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
PARAMS = [np.array([-9.243110807459772e-127, -1.4212211544845643], dtype=np.float64), np.array(-3.454488329290685, dtype=np.float64), np.array(3.9999999999999996, dtype=np.float64), np.array([[[0.0, -4.3748273107995504e-169]], [[2.8185472193684262, 3.0390089904032216]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array(-0.0008818835471330637, dtype=np.float64), np.array(-1.2737434964451837e-11, dtype=np.float64), np.array([[[-3.389889476865843, -0.0]], [[1.4244406958112981e-207, -1.192092896e-07]]], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(-6.114424366395766e-09, dtype=np.float64), np.array([[[0.0, 0.0]], [[0.0, 0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array(0.0035821090537359827, dtype=np.float64), np.array(0.0018999639587447955, dtype=np.float64), np.array([[[0.00107421875, 0.00107421875]], [[0.00107421875, 0.00107421875]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-9.243110807459772e-127, -1.4212211544845643], dtype=np.float64), np.array(-3.457923897859006, dtype=np.float64), np.array(3.9981000421577964, dtype=np.float64), np.array([[[0.5622156295058508, -0.00107421875]], [[2.8174730006184263, 3.037934791461945]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-9.243110807459772e-127, -1.4212211544845643], dtype=np.float64), np.array(-3.4579238979022344, dtype=np.float64), np.array(3.9981000421577964, dtype=np.float64), np.array([[[0.5622154633382909, -0.00107421875]], [[2.8174730006184263, 3.037934791461939]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.167959181755744e-15
PROGRAM_PICKLE = 'gASV8AMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChK/f///4wWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgKjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEL0OZF+eBcSlJlCuZFK99r+UdJRiaAloDEsAhZRoDoeUUpQoSwEpaBaJQwjEvPXGyqILwJR0lGJoCWgMSwCFlGgOh5RSlChLASloFolDCP///////w9AlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwJLAUsCh5RoFolDIAAAAAAAAAAAmk3leKxq+pxgWgt8YowGQChBEPLjTwhAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwOQ2xpcEdsb2JhbE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc/4gZ4eMl0tIwFdGhyb3eUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKE5oCWgMSwCFlGgOh5RSlChLAUsChZRoFolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaAeMBnNjYWxhcpSTlGgWQwgYZTV/xuVMv5SGlFKUaEFoFkMI8rfj1YkCrL2UhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwJLAUsCh5RoFolDIPiLwV9+HgvAAAAAAAAAAIA3GbhrwET9FGhfHAAAAIC+lHSUYmVzYmg1KYGUfZRoOE5zYmg1KYGUfZRoOF2UKE5oCWgMSwCFlGgOh5RSlChLAUsChZRoFolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaEFoFkMIAAAAAAAAAACUhpRSlGhBaBZDCNX0xHThQjq+lIaUUpRoCWgMSwCFlGgOh5RSlChLAUsCSwFLAoeUaBaJQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJlc2JoNSmBlH2UaDhdlChOaAloDEsAhZRoDoeUUpQoSwFLAoWUaBaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmhBaBZDCLRrkSc6WG0/lIaUUpRoQWgWQwi8sT/EBiFfP5SGlFKUaAloDEsAhZRoDoeUUpQoSwFLAksBSwKHlGgWiUMgmpmZmZmZUT+amZmZmZlRP5qZmZmZmVE/mpmZmZmZUT+UdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [-3, np.array([-9.243110807459772e-127, -1.4212211544845643], dtype=np.float64), np.array(-3.454488329290685, dtype=np.float64), np.array(3.9999999999999996, dtype=np.float64), np.array([[[0.0, -4.3748273107995504e-169]], [[2.8185472193684262, 3.0390089904032216]]], dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 0.5632898673171867, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [None, np.array([0.0, 0.0], dtype=np.float64), -0.0008818835471330637, -1.2737434964451837e-11, np.array([[[-3.389889476865843, -0.0]], [[1.4244406958112981e-207, -1.192092896e-07]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [None, np.array([0.0, 0.0], dtype=np.float64), 0.0, -6.114424366395766e-09, np.array([[[0.0, 0.0]], [[0.0, 0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, np.array([0.0, 0.0], dtype=np.float64), 0.0035821090537359827, 0.0018999639587447955, np.array([[[0.00107421875, 0.00107421875]], [[0.00107421875, 0.00107421875]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [-3, {'__array__': [-9.243110807459772e-127, -1.4212211544845643], 'dtype': 'float64'}, {'__array__': -3.454488329290685, 'dtype': 'float64'}, {'__array__': 3.9999999999999996, 'dtype': 'float64'}, {'__array__': [[[0.0, -4.3748273107995504e-169]], [[2.8185472193684262, 3.0390089904032216]]], 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=0.5632898673171867, throw=True)', 'ops': [{'op': 'step', 'grads': [None, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, -0.0008818835471330637, -1.2737434964451837e-11, {'__array__': [[[-3.389889476865843, -0.0]], [[1.4244406958112981e-207, -1.192092896e-07]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [None, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 0.0, -6.114424366395766e-09, {'__array__': [[[0.0, 0.0]], [[0.0, 0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 0.0035821090537359827, 0.0018999639587447955, {'__array__': [[[0.00107421875, 0.00107421875]], [[0.00107421875, 0.00107421875]]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
            for name, clip in [('ClipGlobalNorm', {'omega': 0.5632898673171867, 'throw': True})]:
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
