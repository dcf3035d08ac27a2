#!/usr/bin/env python
"""optconf repro: torch rules.float16_epsilon_floor[AdamW] deviates from RULE-7.

model['dec'][0][0]['w'][0, 0, 0]=nan, but should be 1.0492294913664957 [adapter=torch, path=structured, step=5, dtype=float16, observed=inf, allowed=0.06527066831207609]

Case seed 2149982616.  Inside optconf, replay with:
    optconf replay --adapter torch --property rules.float16_epsilon_floor --rule AdamW --seed 2149982616
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'RULE-7'
PATH = 'structured'
DTYPE = 'float16'
REPLAY = 'optconf replay --adapter torch --property rules.float16_epsilon_floor --rule AdamW --seed 2149982616'
RULE = {'name': 'AdamW', 'eta': 0.0014881806449768928, 'beta': (0.8943734396008859, 0.5038613495464427, ), 'lambda_': 0.005545061046683758, 'epsilon': 1e-08, 'couple': True, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[1.0537109375]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[0.0]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[2.4052734375]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[1.887451171875]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[3.2568359375]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[2.6318359375]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[1.0492294911904587]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[float('nan')]]], dtype=np.float16), np.array([[]], dtype=np.float16)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 0.06527066831207609
PROGRAM_PICKLE = 'gASVqAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCh9lCiMAXeUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAUsBSwGHlGgOjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAAAAAAA3PA/lHSUYmgHaA6MBHRhbmiUk5R1hZRoDWgQSwCFlGgSh5RSlChLAUsBSwCGlGgaiUMAlHSUYmWMAWGUaBR1jARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBUFkYW1XlJOUKYGUfZQojANldGGURz9YYeHM2IetjARiZXRhlEc/7J61DC/mFUc/4B+h1kCnFYaUjAdsYW1iZGFflEc/drZq/ZjnoIwHZXBzaWxvbpRHPkV5juIwjDqMBmNvdXBsZZSIjAd2YXJpYW50lIwFdG9yY2iUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlCh9lChoCmgNaBBLAIWUaBKHlFKUKEsBSwFLAUsBh5RoGolDCAAAAAAAAAAAlHSUYmgHaCB1hZRoDWgQSwCFlGgSh5RSlChLAUsBSwCGlGgaiWgmdJRiZWgoaEJ1c2JoOSmBlH2UaDx9lChoB12UKH2UKGgKaA1oEEsAhZRoEoeUUpQoSwFLAUsBSwGHlGgaiUMIAAAAAAAc9z+UdJRiaAdOdYWUaA1oEEsAhZRoEoeUUpQoSwFLAUsAhpRoGoloJnSUYmVoKGgNaBBLAIWUaBKHlFKUKEsBSwFLAUsBh5RoGolDCAAAAAAAwO4/lHSUYnVzYmg5KYGUfZRoPH2UKGgHXZQofZQoaApoDWgQSwCFlGgSh5RSlChLAUsBSwFLAYeUaBqJQwgAAAAAAAz3P5R0lGJoB051hZRoDWgQSwCFlGgSh5RSlChLAUsBSwCGlGgaiWgmdJRiZWgoaA1oEEsAhZRoEoeUUpQoSwFLAUsBSwGHlGgaiUMIAAAAAACc3D+UdJRidXNiaDkpgZR9lGg8fZQoaAddlCh9lChoCmgNaBBLAIWUaBKHlFKUKEsBSwFLAUsBh5RoGolDCAAAAAAAAPg/lHSUYmgHTnWFlGgNaBBLAIWUaBKHlFKUKEsBSwFLAIaUaBqJaCZ0lGJlaChoDWgQSwCFlGgSh5RSlChLAUsBSwFLAYeUaBqJQwgAAAAAABz8P5R0lGJ1c2JoOSmBlH2UaDx9lChoB12UKH2UKGgKaA1oEEsAhZRoEoeUUpQoSwFLAUsBSwGHlGgaiUMIAAAAAAAc+j+UdJRiaAdOdYWUaA1oEEsAhZRoEoeUUpQoSwFLAUsAhpRoGoloJnSUYmVoKGgNaBBLAIWUaBKHlFKUKEsBSwFLAUsBh5RoGolDCAAAAAAAAPA/lHSUYnVzYnSUjAVkdHlwZZSMB2Zsb2F0MTaUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [({'w': np.array([[[1.0537109375]]], dtype=np.float64), 'dec': "<ufunc 'tanh'>"}, ), np.array([[]], dtype=np.float64)], 'a': np.array([[[1.0537109375]]], dtype=np.float64)}, 'rule': {'__type__': 'AdamW', 'eta': 0.0014881806449768928, 'beta': (0.8943734396008859, 0.5038613495464427, ), 'lambda_': 0.005545061046683758, 'epsilon': 1e-08, 'couple': True, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [({'w': np.array([[[0.0]]], dtype=np.float64), 'dec': "<ufunc 'tanh'>"}, ), np.array([[]], dtype=np.float64)], 'a': np.array([[[0.0]]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': np.array([[[1.4443359375]]], dtype=np.float64), 'dec': None}, ), np.array([[]], dtype=np.float64)], 'a': np.array([[[0.9609375]]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': np.array([[[1.4404296875]]], dtype=np.float64), 'dec': None}, ), np.array([[]], dtype=np.float64)], 'a': np.array([[[0.447021484375]]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': np.array([[[1.5]]], dtype=np.float64), 'dec': None}, ), np.array([[]], dtype=np.float64)], 'a': np.array([[[1.7568359375]]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': np.array([[[1.6318359375]]], dtype=np.float64), 'dec': None}, ), np.array([[]], dtype=np.float64)], 'a': np.array([[[1.0]]], dtype=np.float64)}}, ), 'dtype': 'float16'}, 'model': {'dec': [[{'w': {'__array__': [[[1.0537109375]]], 'dtype': 'float64'}, 'dec': "<ufunc 'tanh'>"}], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[[1.0537109375]]], 'dtype': 'float64'}}, 'rule': "AdamW(eta=0.0014881806449768928, beta=(0.8943734396008859, 0.5038613495464427), lambda_=0.005545061046683758, epsilon=1e-08, couple=True, variant='torch')", 'ops': [{'op': 'step', 'grads': {'dec': [[{'w': {'__array__': [[[0.0]]], 'dtype': 'float64'}, 'dec': "<ufunc 'tanh'>"}], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[[0.0]]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': {'__array__': [[[1.4443359375]]], 'dtype': 'float64'}, 'dec': None}], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[[0.9609375]]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': {'__array__': [[[1.4404296875]]], 'dtype': 'float64'}, 'dec': None}], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[[0.447021484375]]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': {'__array__': [[[1.5]]], 'dtype': 'float64'}, 'dec': None}], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[[1.7568359375]]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': {'__array__': [[[1.6318359375]]], 'dtype': 'float64'}, 'dec': None}], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[[1.0]]], 'dtype': 'float64'}}}], 'rules': ["AdamW(eta=0.0014881806449768928, beta=(0.8943734396008859, 0.5038613495464427), lambda_=0.005545061046683758, epsilon=1e-08, couple=True, variant='torch')"], 'path': 'structured', 'dtype': 'float16', 'step': 5}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.AdamW(params, **{'lr': 0.0014881806449768928, 'betas': (0.8943734396008859, 0.5038613495464427), 'eps': 1e-08, 'weight_decay': 0.005545061046683758})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, None, None]):
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
            for clip in []:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (RULE-7); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (RULE-7)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
