#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipGlobalNorm,foreach] deviates from FLAT-6.

model[1][1, 0]=-4.4801143613386145, but should be -4.480114890836318 [adapter=torch, path=foreach, step=4, dtype=float64, observed=5.294977034608905e-07, allowed=1.9281449913784286e-14]

Case seed 3262034259.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path foreach --seed 3262034259
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'foreach'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path foreach --seed 3262034259'
RULE = {'name': 'ClipGlobalNorm', 'omega': 2.4112594889952255, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-1.2807882924367209, 0.06563351588570843], [-2.8865207808303417, 0.7]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.8639237070370398, 0.3], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, -0.5316298286225889], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array([[1.3829614433827038, -5.960464477539063e-08], [1.9890571291029895, -1.7857634341328619]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0024422394270226747, 0.0010539331037208695], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-2.3887902589432986, 0.06563356363979726], [-4.480114890836318, 2.1307191326282036]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.8658803820410819, 0.8307854377994921], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-2.388789890791526, 0.0656335636397814], [-4.4801143613386145, 2.1307186572483747]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.8658803813909448, 0.8307854380800548], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.9281449913784286e-14
PROGRAM_PICKLE = 'gASVKAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMBHJlbHWUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksChpRoC4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQyCu2FHdG370v0AoQKxbzbA/KCAHNZgXB8BmZmZmZmbmP5R0lGJoCmgNSwCFlGgPh5RSlChLAUsASwKGlGgXiUMAlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwBLAksBh5RoF4loIHSUYmgKaA1LAIWUaA+HlFKUKEsBSwKFlGgXiUMQJmk/qqHS/b8zMzMzMzPTP5R0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHQANKQmo7O7uMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOaApoDUsAhZRoD4eUUpQoSwFLAksChpRoF4lDIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwBLAoaUaBeJaCB0lGJoCmgNSwCFlGgPh5RSlChLAUsASwJLAYeUaBeJaCB0lGJoCmgNSwCFlGgPh5RSlChLAUsChZRoF4lDEAAAAAAAAAAAKGPwjhwD4b+UdJRiZXNiaDcpgZR9lGg6TnNiaDcpgZR9lGg6XZQoTmgKaA1LAIWUaA+HlFKUKEsBSwJLAoaUaBeJQyCcUq8tnCD2PwAAAAAAAHC+xPd1kS3T/z+G5L+tfJL8v5R0lGJoCmgNSwCFlGgPh5RSlChLAUsASwKGlGgXiWggdJRiaApoDUsAhZRoD4eUUpQoSwFLAEsCSwGHlGgXiWggdJRiaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxC0YfpOvwFkP/QanA2ERFE/lHSUYmVzYmg3KYGUfZRoOl2UKE5oCmgNSwCFlGgPh5RSlChLAUsCSwKGlGgXiUMgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACUdJRiaApoDUsAhZRoD4eUUpQoSwFLAEsChpRoF4loIHSUYmgKaA1LAIWUaA+HlFKUKEsBSwBLAksBh5RoF4loIHSUYmgKaA1LAIWUaA+HlFKUKEsBSwKFlGgXiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': ['relu', np.array([[-1.2807882924367209, 0.06563351588570843], [-2.8865207808303417, 0.7]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.8639237070370398, 0.3], dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 2.4112594889952255, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [None, np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, -0.5316298286225889], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [None, np.array([[1.3829614433827038, -5.960464477539063e-08], [1.9890571291029895, -1.7857634341328619]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0024422394270226747, 0.0010539331037208695], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': ['relu', {'__array__': [[-1.2807882924367209, 0.06563351588570843], [-2.8865207808303417, 0.7]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [-1.8639237070370398, 0.3], 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=2.4112594889952255, throw=True)', 'ops': [{'op': 'step', 'grads': [None, {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0, -0.5316298286225889], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [None, {'__array__': [[1.3829614433827038, -5.960464477539063e-08], [1.9890571291029895, -1.7857634341328619]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0024422394270226747, 0.0010539331037208695], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}], 'path': 'foreach', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0, 'foreach': True})
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
            for name, clip in [('ClipGlobalNorm', {'omega': 2.4112594889952255, 'throw': True})]:
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
