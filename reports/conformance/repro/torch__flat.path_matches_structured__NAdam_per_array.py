#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[NAdam,per_array] deviates from FLAT-6.

model.weight.w=-3.4699064945120512, but should be -3.4699064942225615 [adapter=torch, path=per_array, step=4, dtype=float64, observed=2.8948976549258987e-10, allowed=8.941443823179163e-15]

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
PARAMS = [np.array(-3.472704382620158, dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(5.677916561983081e-117, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0010366513386006132, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-3.180998626916793, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.00107421875, dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-3.4699064942225615, dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-3.4699064945120512, dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.941443823179163e-15
PROGRAM_PICKLE = 'gASVXQUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAaMBUJsb2NrlJOUKYGUfZQojAF3lIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgUjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCFA8QDwZyAvAlHSUYowBYpR9lCiMA2VuY5SIjANkZWOUaBNoFksAhZRoGIeUUpQoSwFLAEsAhpRoH4lDAJR0lGKMAWGUSwF1jARub3RllIwFYmxvY2uUdWKMBGJpYXOUaAgpgZR9lChoC2gGjARQYWlylJOUaBNoFksAhZRoGIeUUpQoSwFLAIWUaByMAmk4lImIh5RSlChLA2ggTk5OSv////9K/////0sAdJRiiWgsdJRiaBNoFksAhZRoGIeUUpQoSwEpaDyJQwgFAAAAAAAAAJR0lGKGlIGUaDFoDSmBlH2UKGgQaBNoFksAhZRoGIeUUpQoSwEpaDyJQwgCAAAAAAAAAJR0lGJoJGgGjAhpZGVudGl0eZSTlGgvjARoZWFklHVijAVzY2FsZZRoE2gWSwCFlGgYh5RSlChLASloH4lDCC6LesrN4/a/lHSUYowDYWN0lGhOdWJoUGgTaBZLAIWUaBiHlFKUKEsBSwFLAYaUaB+JQwg5Yi0+BQAAQJR0lGJoVmgUjAR0YW5olJOUdWKMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFTkFkYW2Uk5QpgZR9lCiMA2V0YZRHP4NL6Y+PK+iMBGJldGGURz/nr0139jnTRz/tQzlxlUsbhpSMB2Vwc2lsb26URz5FeY7iMIw6jAd2YXJpYW50lIwFb3B0YXiUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAt9lChoEGgRjAZzY2FsYXKUk5RoH0MIR4oZUeaizCeUhpRSlGgkfZQoaCZOaCdoE2gWSwCFlGgYh5RSlChLAUsASwCGlGgfiWgsdJRiaC5OdWgvTnVoMX2UKGgLTk6GlGgxfZQoaBBOaCROaC9OdWhQTmhWTnVoUE5oVk51c2JobSmBlH2UaHB9lChoC32UKGgQaHRoH0MIZGsv5gf8UD+UhpRSlGgkfZQoaCZOaCdoE2gWSwCFlGgYh5RSlChLAUsASwCGlGgfiWgsdJRiaC5OdWgvTnVoMX2UKGgLTk6GlGgxfZQoaBBOaCROaC9OdWhQTmhWTnVoUE5oVk51c2JobSmBlH2UaHB9lChoC32UKGgQaHRoH0MICNR5aK9yCcCUhpRSlGgkfZQoaCZOaCdoE2gWSwCFlGgYh5RSlChLAUsASwCGlGgfiWgsdJRiaC5OdWgvTnVoMX2UKGgLTk6GlGgxfZQoaBBOaCROaC9OdWhQTmhWTnVoUE5oVk51c2JobSmBlH2UaHB9lChoC32UKGgQaHRoH0MImpmZmZmZUb+UhpRSlGgkfZQoaCZOaCdoE2gWSwCFlGgYh5RSlChLAUsASwCGlGgfiWgsdJRiaC5OdWgvTnVoMX2UKGgLTk6GlGgxfZQoaBBOaCROaC9OdWhQTmhWTnVoUE5oVk51c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly'], 'program': {'__type__': 'Program', 'model': {'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': np.array(-3.472704382620158, dtype=np.float64), 'b': {'enc': True, 'dec': np.array([], dtype=np.float64), 'a': 1}, 'note': 'block'}, 'bias': {'__type__': 'Dense', 'weight': (np.array([], dtype=np.int64), np.array(5, dtype=np.int64), ), 'bias': {'__type__': 'Block', 'w': np.array(2, dtype=np.int64), 'b': '<function identity>', 'note': 'head'}, 'scale': np.array(-1.4306161794017487, dtype=np.float64), 'act': '<function identity>'}, 'scale': np.array([[2.00001]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'rule': {'__type__': 'NAdam', 'eta': 0.009422135060864492, 'beta': (0.7401492445949834, 0.9144561022206718, ), 'epsilon': 1e-08, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': {'weight': {'w': 5.677916561983081e-117, 'b': {'enc': None, 'dec': np.array([], dtype=np.float64), 'a': None}, 'note': None}, 'bias': {'weight': (None, None, ), 'bias': {'w': None, 'b': None, 'note': None}, 'scale': None, 'act': None}, 'scale': None, 'act': None}}, {'__type__': 'Step', 'grads': {'weight': {'w': 0.0010366513386006132, 'b': {'enc': None, 'dec': np.array([], dtype=np.float64), 'a': None}, 'note': None}, 'bias': {'weight': (None, None, ), 'bias': {'w': None, 'b': None, 'note': None}, 'scale': None, 'act': None}, 'scale': None, 'act': None}}, {'__type__': 'Step', 'grads': {'weight': {'w': -3.180998626916793, 'b': {'enc': None, 'dec': np.array([], dtype=np.float64), 'a': None}, 'note': None}, 'bias': {'weight': (None, None, ), 'bias': {'w': None, 'b': None, 'note': None}, 'scale': None, 'act': None}, 'scale': None, 'act': None}}, {'__type__': 'Step', 'grads': {'weight': {'w': -0.00107421875, 'b': {'enc': None, 'dec': np.array([], dtype=np.float64), 'a': None}, 'note': None}, 'bias': {'weight': (None, None, ), 'bias': {'w': None, 'b': None, 'note': None}, 'scale': None, 'act': None}, 'scale': None, 'act': None}}, ), 'dtype': 'float64'}, 'model': {'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': {'__array__': -3.472704382620158, 'dtype': 'float64'}, 'b': {'enc': True, 'dec': {'__array__': [], 'dtype': 'float64'}, 'a': 1}, 'note': 'block'}, 'bias': {'__type__': 'Dense', 'weight': [{'__array__': [], 'dtype': 'int64'}, {'__array__': 5, 'dtype': 'int64'}], 'bias': {'__type__': 'Block', 'w': {'__array__': 2, 'dtype': 'int64'}, 'b': '<function identity>', 'note': 'head'}, 'scale': {'__array__': -1.4306161794017487, 'dtype': 'float64'}, 'act': '<function identity>'}, 'scale': {'__array__': [[2.00001]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'rule': "NAdam(eta=0.009422135060864492, beta=(0.7401492445949834, 0.9144561022206718), epsilon=1e-08, variant='optax')", 'ops': [{'op': 'step', 'grads': {'weight': {'w': 5.677916561983081e-117, 'b': {'enc': None, 'dec': {'__array__': [], 'dtype': 'float64'}, 'a': None}, 'note': None}, 'bias': {'weight': [None, None], 'bias': {'w': None, 'b': None, 'note': None}, 'scale': None, 'act': None}, 'scale': None, 'act': None}}, {'op': 'step', 'grads': {'weight': {'w': 0.0010366513386006132, 'b': {'enc': None, 'dec': {'__array__': [], 'dtype': 'float64'}, 'a': None}, 'note': None}, 'bias': {'weight': [None, None], 'bias': {'w': None, 'b': None, 'note': None}, 'scale': None, 'act': None}, 'scale': None, 'act': None}}, {'op': 'step', 'grads': {'weight': {'w': -3.180998626916793, 'b': {'enc': None, 'dec': {'__array__': [], 'dtype': 'float64'}, 'a': None}, 'note': None}, 'bias': {'weight': [None, None], 'bias': {'w': None, 'b': None, 'note': None}, 'scale': None, 'act': None}, 'scale': None, 'act': None}}, {'op': 'step', 'grads': {'weight': {'w': -0.00107421875, 'b': {'enc': None, 'dec': {'__array__': [], 'dtype': 'float64'}, 'a': None}, 'note': None}, 'bias': {'weight': [None, None], 'bias': {'w': None, 'b': None, 'note': None}, 'scale': None, 'act': None}, 'scale': None, 'act': None}}], 'rules': ["NAdam(eta=0.009422135060864492, beta=(0.7401492445949834, 0.9144561022206718), epsilon=1e-08, variant='optax')"], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
            for clip in []:
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
