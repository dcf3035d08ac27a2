#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[ClipGlobalNorm] deviates from ADJ-2.

model[1][0, 0, 0]=0.001940497641565675, but should be 0.001940465873675662 [adapter=torch, path=structured, step=4, dtype=float64, observed=3.17678900130236e-08, allowed=1.4267902577394339e-15]

Case seed 1355162949.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule ClipGlobalNorm --seed 1355162949
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule ClipGlobalNorm --seed 1355162949'
RULE = {'name': 'ClipGlobalNorm', 'omega': 0.2767748379924393, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[2.2871848197383305e-179]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[-0.001940465873675672]]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'omega': 0.16025420865254408}}, {'op': 'step', 'grads': [np.array([[[-3.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[1.8812273499366627]]], dtype=np.float64)]}, {'op': 'step', 'grads': [None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[0.001940465873675662]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[0.001940497641565675]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.4267902577394339e-15
PROGRAM_PICKLE = 'gASVQgIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCgpjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAUsBSwGHlGgKjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCKXV/MMNutcalHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwOQ2xpcEdsb2JhbE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc/0batz2IgXIwFdGhyb3eUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKCloCWgMSwCFlGgOh5RSlChLAUsBSwFLAYeUaBaJQwiuK9pd58pfv5R0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZRoIUc/xIM1vJrBunNzYmglKYGUfZRoKF2UKCloCWgMSwCFlGgOh5RSlChLAUsBSwFLAYeUaBaJQwgAAAAAAAAIwJR0lGJlc2JoJSmBlH2UaChdlCgpaAloDEsAhZRoDoeUUpQoSwFLAUsBSwGHlGgWiUMIdBmF2YEZ/j+UdJRiZXNiaCUpgZR9lGgoXZQoKU5lc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [(), np.array([[[2.2871848197383305e-179]]], dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 0.2767748379924393, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [(), np.array([[[-0.001940465873675672]]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'omega': 0.16025420865254408}}, {'__type__': 'Step', 'grads': [(), np.array([[[-3.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([[[1.8812273499366627]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), None]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': [[[2.2871848197383305e-179]]], 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=0.2767748379924393, throw=True)', 'ops': [{'op': 'step', 'grads': [[], {'__array__': [[[-0.001940465873675672]]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'omega': 0.16025420865254408}}, {'op': 'step', 'grads': [[], {'__array__': [[[-3.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [[[1.8812273499366627]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], None]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, {'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0}, None, None, None]):
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
            for name, clip in [('ClipGlobalNorm', {'omega': 0.2767748379924393, 'throw': True})]:
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
