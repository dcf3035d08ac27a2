#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[OptimiserChain,per_array] deviates from FLAT-6.

model[1]=2.080101410644999, but should be 2.0809506295531004 [adapter=keras, path=per_array, step=4, dtype=float64, observed=0.0008492189081015233, allowed=4.211283151538315e-15]

Case seed 1581261875.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule OptimiserChain --path per_array --seed 1581261875
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule OptimiserChain --path per_array --seed 1581261875'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.005373030192035131, 'beta': (1.175494351e-38, 0.7204291178759274, ), 'epsilon': 0.001, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[]], [[]]], dtype=np.float64), np.array(2.0690008046453503, dtype=np.float64), np.array([1.1747902352555881, -0.7362477711351323], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array(-0.0015786670310794656, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array(-5.5293118675928145e-52, dtype=np.float64), np.array([-0.5635125003750359, 1.3642663878929424], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array(-0.5483467724963562, dtype=np.float64), np.array([-0.0032495951393323452, 5.960464477539063e-08], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[]], [[]]], dtype=np.float64), np.array(2.0809506295531004, dtype=np.float64), np.array([1.1818906602975812, -0.7432885444325738], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[]], [[]]], dtype=np.float64), np.array(2.080101410644999, dtype=np.float64), np.array([1.1818834056868104, -0.7432855572377662], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.211283151538315e-15
PROGRAM_PICKLE = 'gASVvAYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAXeUSwOMA2VuY5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAwpgZR9lChoD4wWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAUsAh5RoFYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRijARiaWFzlEsDjAVzY2FsZZRoFGgXSwCFlGgZh5RSlChLAUsCSwBLAoeUaCGJaCR0lGKMA2FjdJRoFYwEdGFuaJSTlHViaCZoDCmBlH2UKGgPaC9oJk5oJ2gUaBdLAIWUaBmHlFKUKEsBKWghiUMIlhKkHV6W/r+UdJRiaC1oCowIaWRlbnRpdHmUk5R1YmgnaBRoF0sAhZRoGYeUUpQoSwEpaCGJQwgQXKQPwiIEwJR0lGJoLWg4dWKMAWGUaAwpgZR9lChoD32UKGg+aDhoCE6MA2RlY5ROdWgmfZQoaEKJjAFilGg4dWgnaBRoF0sAhZRoGYeUUpQoSwFLAksCSwCHlGghiWgkdJRiaC1oL3VidWgUaBdLAIWUaBmHlFKUKEsBKWghiUMItMs6S1CNAECUdJRiaBRoF0sAhZRoGYeUUpQoSwFLAoWUaCGJQxCMU4HY8MvyP7jnWHxXj+e/lHSUYmWMBHJ1bGWUjB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jb21wb3NllIwOT3B0aW1pc2VyQ2hhaW6Uk5QpgZR9lIwFcnVsZXOUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/dgIHz0iL14wEYmV0YZRHOBAAAAAKY5tHP+cNwV2Ln6SGlIwHZXBzaWxvbpRHP1BiTdLxqfyMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKFlHNijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgITmgJfZQoaA99lChoD2gUaBdLAIWUaBmHlFKUKEsBSwJLAUsAh5RoIYloJHSUYmgmTmgnTmgtTnVoJn2UKGgPTmgmTmgnTmgtTnVoJ05oLU51aD59lChoD32UKGg+TmgITmhCTnVoJn2UKGhCTmhETnVoJ05oLU51dWgSjAZzY2FsYXKUk5RoIUMIRr5D0WjdWb+UhpRSlGgUaBdLAIWUaBmHlFKUKEsBSwKFlGghiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJlc2JoaimBlH2UaG1dlCh9lChoCE5oCX2UKGgPfZQoaA9oFGgXSwCFlGgZh5RSlChLAUsCSwFLAIeUaCGJaCR0lGJoJk5oJ05oLU51aCZ9lChoD05oJk5oJ05oLU51aCdOaC1OdWg+fZQoaA99lChoPk5oCE5oQk51aCZ9lChoQk5oRE51aCdOaC1OdXVofGghQwh1Le6n6npKtZSGlFKUaBRoF0sAhZRoGYeUUpQoSwFLAoWUaCGJQxBY7/9dSwjivwyE8P0I1PU/lHSUYmVzYmhqKYGUfZRobV2UKH2UKGgITmgJfZQoaA99lChoD2gUaBdLAIWUaBmHlFKUKEsBSwJLAUsAh5RoIYloJHSUYmgmTmgnTmgtTnVoJn2UKGgPTmgmTmgnTmgtTnVoJ05oLU51aD59lChoD32UKGg+TmgITmhCTnVoJn2UKGhCTmhETnVoJ05oLU51dWh8aCFDCAAAAAAAAAAAlIaUUpRoFGgXSwCFlGgZh5RSlChLAUsChZRoIYlDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNiaGopgZR9lGhtXZQofZQoaAhOaAl9lChoD32UKGgPaBRoF0sAhZRoGYeUUpQoSwFLAksBSwCHlGghiWgkdJRiaCZOaCdOaC1OdWgmfZQoaA9OaCZOaCdOaC1OdWgnTmgtTnVoPn2UKGgPfZQoaD5OaAhOaEJOdWgmfZQoaEJOaEROdWgnTmgtTnV1aHxoIUMI6KXXhw6M4b+UhpRSlGgUaBdLAIWUaBmHlFKUKEsBSwKFlGghiUMQQFQoG+Wear8AAAAAAABwPpR0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'w': 3, 'enc': {'__type__': 'Dense', 'weight': {'__type__': 'Dense', 'weight': np.array([[[]], [[]]], dtype=np.float64), 'bias': 3, 'scale': np.array([[], []], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'bias': {'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': None, 'scale': np.array(-1.9117108495567314, dtype=np.float64), 'act': '<function identity>'}, 'scale': np.array(-2.516971704676969, dtype=np.float64), 'act': '<function identity>'}, 'a': {'__type__': 'Dense', 'weight': {'a': '<function identity>', 'w': None, 'dec': None}, 'bias': {'dec': False, 'b': '<function identity>'}, 'scale': np.array([[[], []], [[], []]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}}, np.array(2.0690008046453503, dtype=np.float64), np.array([1.1747902352555881, -0.7362477711351323], dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.005373030192035131, 'beta': (1.175494351e-38, 0.7204291178759274, ), 'epsilon': 0.001, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': [{'w': None, 'enc': {'weight': {'weight': np.array([[[]], [[]]], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 'a': {'weight': {'a': None, 'w': None, 'dec': None}, 'bias': {'dec': None, 'b': None}, 'scale': None, 'act': None}}, -0.0015786670310794656, np.array([0.0, 0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'enc': {'weight': {'weight': np.array([[[]], [[]]], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 'a': {'weight': {'a': None, 'w': None, 'dec': None}, 'bias': {'dec': None, 'b': None}, 'scale': None, 'act': None}}, -5.5293118675928145e-52, np.array([-0.5635125003750359, 1.3642663878929424], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'enc': {'weight': {'weight': np.array([[[]], [[]]], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 'a': {'weight': {'a': None, 'w': None, 'dec': None}, 'bias': {'dec': None, 'b': None}, 'scale': None, 'act': None}}, 0.0, np.array([0.0, 0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'enc': {'weight': {'weight': np.array([[[]], [[]]], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 'a': {'weight': {'a': None, 'w': None, 'dec': None}, 'bias': {'dec': None, 'b': None}, 'scale': None, 'act': None}}, -0.5483467724963562, np.array([-0.0032495951393323452, 5.960464477539063e-08], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'w': 3, 'enc': {'__type__': 'Dense', 'weight': {'__type__': 'Dense', 'weight': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'bias': 3, 'scale': {'__array__': [[], []], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'bias': {'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': None, 'scale': {'__array__': -1.9117108495567314, 'dtype': 'float64'}, 'act': '<function identity>'}, 'scale': {'__array__': -2.516971704676969, 'dtype': 'float64'}, 'act': '<function identity>'}, 'a': {'__type__': 'Dense', 'weight': {'a': '<function identity>', 'w': None, 'dec': None}, 'bias': {'dec': False, 'b': '<function identity>'}, 'scale': {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}}, {'__array__': 2.0690008046453503, 'dtype': 'float64'}, {'__array__': [1.1747902352555881, -0.7362477711351323], 'dtype': 'float64'}], 'rule': "OptimiserChain(Adam(eta=0.005373030192035131, beta=(1.175494351e-38, 0.7204291178759274), epsilon=0.001, variant='normative'))", 'ops': [{'op': 'step', 'grads': [{'w': None, 'enc': {'weight': {'weight': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 'a': {'weight': {'a': None, 'w': None, 'dec': None}, 'bias': {'dec': None, 'b': None}, 'scale': None, 'act': None}}, -0.0015786670310794656, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'enc': {'weight': {'weight': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 'a': {'weight': {'a': None, 'w': None, 'dec': None}, 'bias': {'dec': None, 'b': None}, 'scale': None, 'act': None}}, -5.5293118675928145e-52, {'__array__': [-0.5635125003750359, 1.3642663878929424], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'enc': {'weight': {'weight': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 'a': {'weight': {'a': None, 'w': None, 'dec': None}, 'bias': {'dec': None, 'b': None}, 'scale': None, 'act': None}}, 0.0, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'enc': {'weight': {'weight': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 'a': {'weight': {'a': None, 'w': None, 'dec': None}, 'bias': {'dec': None, 'b': None}, 'scale': None, 'act': None}}, -0.5483467724963562, {'__array__': [-0.0032495951393323452, 5.960464477539063e-08], 'dtype': 'float64'}]}], 'rules': ["OptimiserChain(Adam(eta=0.005373030192035131, beta=(1.175494351e-38, 0.7204291178759274), epsilon=0.001, variant='normative'))"], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


def run_engine():
    # This adapter has no repro_source hook, so the engine is driven through optconf's own
    # adapter (needs optconf installed).  The program is the exact counterexample, pickled.
    if PROGRAM_PICKLE is None:
        sys.exit("no engine-only replay for this case; use: " + REPLAY)
    import base64
    import pickle

    from optconf.adapters import load
    from optconf.reference import trainables

    program = pickle.loads(base64.b64decode(PROGRAM_PICKLE))
    GOT = trainables(load(ADAPTER).run(program, PATH).model)
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
