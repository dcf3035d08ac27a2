#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[NAdam] deviates from ADJ-2.

model[2]=1.1875222728025145, but should be 1.1812361350034986 [adapter=torch, path=structured, step=4, dtype=float64, observed=0.0062861377990159895, allowed=3.256849423456343e-15]

Case seed 224410198.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule NAdam --seed 224410198
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule NAdam --seed 224410198'
RULE = {'name': 'NAdam', 'eta': 0.001, 'beta': (9.525943755200707e-12, 0.5, ), 'epsilon': 1e-08, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-1.0102326405934323, 1.8476014168458024]], dtype=np.float64), np.array(1.2, dtype=np.float64), np.array(-0.3177304328494186, dtype=np.float64), np.array([0.9], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[0.0007122142329646841, 0.0037858777526573444]], dtype=np.float64), np.array(-0.0007355219394378004, dtype=np.float64), np.array(0.000244140625, dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0, 0.0]], dtype=np.float64), np.array(2.2164482518314615e-249, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([1.7673064796164308e-135], dtype=np.float64)]}, {'op': 'step', 'grads': [None, np.array(0.0, dtype=np.float64), np.array(-2.4945928977131146e-72, dtype=np.float64), np.array([2.705479064373575e-104], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.18526591986217555, 0.8666121779126776, ), 'eta': 0.007719913896504535}}, {'op': 'step', 'grads': [None, np.array(1.0127760521995297, dtype=np.float64), None, np.array([0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-1.01123262655292, 1.8466014194871812]], dtype=np.float64), np.array(1.1812361350034986, dtype=np.float64), np.array(-0.3187303918911058, dtype=np.float64), np.array([0.9], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-1.01123262655292, 1.8466014194871812]], dtype=np.float64), np.array(1.1875222728025145, dtype=np.float64), np.array(-0.3187303918911058, dtype=np.float64), np.array([0.9], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.256849423456343e-15
PROGRAM_PICKLE = 'gASVrgQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lIiIiIeUjAFilF2UKIwEcmVsdZROjACUZYwEbm90ZZSMBWJsb2NrlHVijBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAUsChpRoF4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxBONYuz6Snwv/RV1oDGj/0/lHSUYmgWaBlLAIWUaBuHlFKUKEsBKWgjiUMIMzMzMzMz8z+UdJRiaBZoGUsAhZRoG4eUUpQoSwEpaCOJQwgwD4IGslXUv5R0lGJoFmgZSwCFlGgbh5RSlChLAUsBhZRoI4lDCM3MzMzMzOw/lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFTkFkYW2Uk5QpgZR9lCiMA2V0YZRHP1BiTdLxqfyMBGJldGGURz2k8qEtBoW/Rz/gAAAAAAAAhpSMB2Vwc2lsb26URz5FeY7iMIw6jAd2YXJpYW50lIwFb3B0YXiUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAxOTk6HlGgOXZQoTk5OZWgSTnVoFmgZSwCFlGgbh5RSlChLAUsBSwKGlGgjiUMQuF1Oa3xWRz+8U0ykjwNvP5R0lGJoFIwGc2NhbGFylJOUaCNDCDi3clYBGki/lIaUUpRoVWgjQwgAAAAAAAAwP5SGlFKUaBZoGUsAhZRoG4eUUpQoSwFLAYWUaCOJQwgAAAAAAAAAAJR0lGJlc2JoRimBlH2UaEldlCh9lChoDE5OToeUaA5dlChOTk5laBJOdWgWaBlLAIWUaBuHlFKUKEsBSwFLAoaUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmhVaCNDCC4moNECvU8MlIaUUpRoVWgjQwgAAAAAAAAAAJSGlFKUaBZoGUsAhZRoG4eUUpQoSwFLAYWUaCOJQwhzTovugI30I5R0lGJlc2JoRimBlH2UaEldlCh9lChoDE5oDl2UKE5OTmVoEk51TmhVaCNDCAAAAAAAAAAAlIaUUpRoVWgjQwgIimJ+WKERsZSGlFKUaBZoGUsAhZRoG4eUUpQoSwFLAYWUaCOJQwg0VB1+agZvKpR0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaD9HP8e2yy1vihBHP+u7SXZOaLqGlGg+Rz9/nuqbai4jdXNiaEYpgZR9lGhJXZQofZQoaAxOTk6HlGgOTmgSTnVOaFVoI0MITOdlqVQ08D+UhpRSlE5oFmgZSwCFlGgbh5RSlChLAUsBhZRoI4lDCAAAAAAAAAAAlHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': (True, True, True, ), 'b': ['relu', None, ''], 'note': 'block'}, np.array([[-1.0102326405934323, 1.8476014168458024]], dtype=np.float64), np.array(1.2, dtype=np.float64), np.array(-0.3177304328494186, dtype=np.float64), np.array([0.9], dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.001, 'beta': (9.525943755200707e-12, 0.5, ), 'epsilon': 1e-08, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [{'w': (None, None, None, ), 'b': [None, None, None], 'note': None}, np.array([[0.0007122142329646841, 0.0037858777526573444]], dtype=np.float64), -0.0007355219394378004, 0.000244140625, np.array([0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': (None, None, None, ), 'b': [None, None, None], 'note': None}, np.array([[0.0, 0.0]], dtype=np.float64), 2.2164482518314615e-249, 0.0, np.array([1.7673064796164308e-135], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'b': [None, None, None], 'note': None}, None, 0.0, -2.4945928977131146e-72, np.array([2.705479064373575e-104], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (0.18526591986217555, 0.8666121779126776, ), 'eta': 0.007719913896504535}}, {'__type__': 'Step', 'grads': [{'w': (None, None, None, ), 'b': None, 'note': None}, None, 1.0127760521995297, None, np.array([0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Block', 'w': [True, True, True], 'b': ['relu', None, ''], 'note': 'block'}, {'__array__': [[-1.0102326405934323, 1.8476014168458024]], 'dtype': 'float64'}, {'__array__': 1.2, 'dtype': 'float64'}, {'__array__': -0.3177304328494186, 'dtype': 'float64'}, {'__array__': [0.9], 'dtype': 'float64'}], 'rule': "NAdam(eta=0.001, beta=(9.525943755200707e-12, 0.5), epsilon=1e-08, variant='optax')", 'ops': [{'op': 'step', 'grads': [{'w': [None, None, None], 'b': [None, None, None], 'note': None}, {'__array__': [[0.0007122142329646841, 0.0037858777526573444]], 'dtype': 'float64'}, -0.0007355219394378004, 0.000244140625, {'__array__': [0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': [None, None, None], 'b': [None, None, None], 'note': None}, {'__array__': [[0.0, 0.0]], 'dtype': 'float64'}, 2.2164482518314615e-249, 0.0, {'__array__': [1.7673064796164308e-135], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'b': [None, None, None], 'note': None}, None, 0.0, -2.4945928977131146e-72, {'__array__': [2.705479064373575e-104], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [0.18526591986217555, 0.8666121779126776], 'eta': 0.007719913896504535}}, {'op': 'step', 'grads': [{'w': [None, None, None], 'b': None, 'note': None}, None, 1.0127760521995297, None, {'__array__': [0.0], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.001, 'betas': (9.525943755200707e-12, 0.5), 'eps': 1e-08, 'weight_decay': 0.0, 'momentum_decay': inf})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, {'lr': 0.007719913896504535, 'betas': (0.18526591986217555, 0.8666121779126776), 'eps': 1e-08, 'weight_decay': 0.0, 'momentum_decay': inf}, None]):
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
