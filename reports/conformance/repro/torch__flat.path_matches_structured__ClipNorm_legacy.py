#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipNorm,legacy] deviates from FLAT-6.

model[1]=-1.1711721665140256, but should be -1.1711730714596866 [adapter=torch, path=legacy, step=4, dtype=float64, observed=9.04945661073242e-07, allowed=2.1669244705576724e-14]

Case seed 1684733345.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipNorm --path legacy --seed 1684733345
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipNorm --path legacy --seed 1684733345'
RULE = {'name': 'ClipNorm', 'omega': 2.674675074419857, 'p': float('inf'), 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.5, dtype=np.float64), np.array(3.8573975758788315, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(2.9556185357201894, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.1962222166510426e-197, dtype=np.float64), np.array(-5.733947345528581e-171, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.401298464324817e-45, dtype=np.float64), np.array(-0.001953134765625, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0035020029601703397, dtype=np.float64), np.array(0.00107421875, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.1711730714596866, dtype=np.float64), np.array(3.8582764918944568, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.1711721665140256, dtype=np.float64), np.array(3.8582764918944568, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.1669244705576724e-14
PROGRAM_PICKLE = 'gASVDQUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoB4wFRGVuc2WUk5QpgZR9lCiMBndlaWdodJROjARiaWFzlH2UKIwBYZRoB4wFQmxvY2uUk5QpgZR9lCiMAXeUiIwBYpSMBW51bXB5lIwEdGFuaJSTlIwEbm90ZZSMBWJsb2NrlHVijANlbmOUXZSIYXWMBXNjYWxllIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgYjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAoaUaBiMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMgAAAAAAAAED/NFGzFDgC4E2xY8x9CT0mF66k5ibzIAsCUdJRijANhY3SUaBp1YmgLKYGUfZQoaA5oEymBlH2UKGgWjACUaBdoImgkSwCFlGgmh5RSlChLAUsBhZRoK4wCaTiUiYiHlFKUKEsDaC9OTk5K/////0r/////SwB0lGKJQwj9/////////5R0lGJoG2gcdWJoD12UiGFoH2giaCRLAIWUaCaHlFKUKEsBKWguiUMIAAAAAAAA4D+UdJRiaDNoB4wIaWRlbnRpdHmUk5R1YoaUgZRoImgkSwCFlGgmh5RSlChLASloLolDCAAAAAAAAPg/lHSUYmgiaCRLAIWUaCaHlFKUKEsBKWguiUMI2I2gQvPbDkCUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjAhDbGlwTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0AFZbwLoHorjAFwlEd/8AAAAAAAAIwFdGhyb3eUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgOTmgPfZQoaBF9lChoFk5oF05oG051aB1dlE5hdWgfTmgzTnV9lChoDn2UKGgWTmgXTmgbTnVoD12UTmFoH05oM051hpRoIIwGc2NhbGFylJOUaC5DCPz0slQbpQdAlIaUUpRocGguQwgAAAAAAAAAAJSGlFKUZXNiaGIpgZR9lGhlXZQofZQoaA5OaA99lChoEX2UKGgWTmgXTmgbTnVoHV2UTmF1aB9OaDNOdX2UKGgOfZQoaBZOaBdOaBtOdWgPXZROYWgfTmgzTnWGlGhwaC5DCKHTGfownQyXlIaUUpRocGguQwikqJXOtyiWnJSGlFKUZXNiaGIpgZR9lGhlXZQofZQoaA5OaA99lChoEX2UKGgWTmgXTmgbTnVoHV2UTmF1aB9OaDNOdX2UKGgOfZQoaBZOaBdOaBtOdWgPXZROYWgfTmgzTnWGlGhwaC5DCAAAAAAAAKA2lIaUUpRocGguQwg5Yi0+BQBgv5SGlFKUZXNiaGIpgZR9lGhlXZQofZQoaA5OaA99lChoEX2UKGgWTmgXTmgbTnVoHV2UTmF1aB9OaDNOdX2UKGgOfZQoaBZOaBdOaBtOdWgPXZROYWgfTmgzTnWGlGhwaC5DCAjT5oU7sGy/lIaUUpRocGguQwiamZmZmZlRP5SGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [({'__type__': 'Dense', 'weight': None, 'bias': {'a': {'__type__': 'Block', 'w': True, 'b': "<ufunc 'tanh'>", 'note': 'block'}, 'enc': [True]}, 'scale': np.array([[6.103515625e-05, 1.1139313007503104e-213], [-3.4040773296100714e-283, -2.3480158539507463]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, {'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': '', 'b': np.array([-3], dtype=np.int64), 'note': 'block'}, 'bias': [True], 'scale': np.array(0.5, dtype=np.float64), 'act': '<function identity>'}, ), np.array(1.5, dtype=np.float64), np.array(3.8573975758788315, dtype=np.float64)], 'rule': {'__type__': 'ClipNorm', 'omega': 2.674675074419857, 'p': float('inf'), 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [({'weight': None, 'bias': {'a': {'w': None, 'b': None, 'note': None}, 'enc': [None]}, 'scale': None, 'act': None}, {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, ), 2.9556185357201894, 0.0]}, {'__type__': 'Step', 'grads': [({'weight': None, 'bias': {'a': {'w': None, 'b': None, 'note': None}, 'enc': [None]}, 'scale': None, 'act': None}, {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, ), -1.1962222166510426e-197, -5.733947345528581e-171]}, {'__type__': 'Step', 'grads': [({'weight': None, 'bias': {'a': {'w': None, 'b': None, 'note': None}, 'enc': [None]}, 'scale': None, 'act': None}, {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, ), 1.401298464324817e-45, -0.001953134765625]}, {'__type__': 'Step', 'grads': [({'weight': None, 'bias': {'a': {'w': None, 'b': None, 'note': None}, 'enc': [None]}, 'scale': None, 'act': None}, {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}, ), -0.0035020029601703397, 0.00107421875]}, ), 'dtype': 'float64'}, 'model': [[{'__type__': 'Dense', 'weight': None, 'bias': {'a': {'__type__': 'Block', 'w': True, 'b': "<ufunc 'tanh'>", 'note': 'block'}, 'enc': [True]}, 'scale': {'__array__': [[6.103515625e-05, 1.1139313007503104e-213], [-3.4040773296100714e-283, -2.3480158539507463]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': '', 'b': {'__array__': [-3], 'dtype': 'int64'}, 'note': 'block'}, 'bias': [True], 'scale': {'__array__': 0.5, 'dtype': 'float64'}, 'act': '<function identity>'}], {'__array__': 1.5, 'dtype': 'float64'}, {'__array__': 3.8573975758788315, 'dtype': 'float64'}], 'rule': 'ClipNorm(omega=2.674675074419857, p=inf, throw=True)', 'ops': [{'op': 'step', 'grads': [[{'weight': None, 'bias': {'a': {'w': None, 'b': None, 'note': None}, 'enc': [None]}, 'scale': None, 'act': None}, {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}], 2.9556185357201894, 0.0]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': {'a': {'w': None, 'b': None, 'note': None}, 'enc': [None]}, 'scale': None, 'act': None}, {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}], -1.1962222166510426e-197, -5.733947345528581e-171]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': {'a': {'w': None, 'b': None, 'note': None}, 'enc': [None]}, 'scale': None, 'act': None}, {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}], 1.401298464324817e-45, -0.001953134765625]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': {'a': {'w': None, 'b': None, 'note': None}, 'enc': [None]}, 'scale': None, 'act': None}, {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None], 'scale': None, 'act': None}], -0.0035020029601703397, 0.00107421875]}], 'rules': ['ClipNorm(omega=2.674675074419857, p=inf, throw=True)'], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
            for clip in [lambda held: [torch.nn.utils.clip_grad_norm_([p], 2.674675074419857, norm_type=inf) for p in held]]:
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
