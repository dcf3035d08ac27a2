#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[ClipGlobalNorm,flat_list] deviates from FLAT-6.

model['a'][1][1]=0.0009467099010670578, but should be 0.0009467097882033511 [adapter=keras, path=flat_list, step=4, dtype=float64, observed=1.1286370666177548e-10, allowed=8.408895138894247e-18]

Case seed 3807597681.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_list --seed 3807597681
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_list --seed 3807597681'
RULE = {'name': 'ClipGlobalNorm', 'omega': 0.5639946865341051, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-5.960464477539063e-08, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-3.317860693000753e-266, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-5.820766091346741e-11, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0009467693346404656, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.0009467097882033511, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.0009467099010670578, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.408895138894247e-18
PROGRAM_PICKLE = 'gASVUQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMAWGUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjARQYWlylJOUaAiMBUJsb2NrlJOUKYGUfZQojAF3lEsDjAFilIwFbnVtcHmUjAR0YW5olJOUjARub3RllIwEaGVhZJR1YmgKiIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgRjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgRjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAAAAAAAAHC+lHSUYoaUgZSGlIGUjANkZWOUaAiMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUSv////+MBGJpYXOUSv7///+MBXNjYWxllGgYaBpLAIWUaByHlFKUKEsBKWgjiUMI0RXheglQS5eUdJRijANhY3SUaBN1YnWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwOQ2xpcEdsb2JhbE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc/4gw+lbkEH4wFdGhyb3eUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHfZQoaA9OaBBOaBROdU5oFowGc2NhbGFylJOUaCNDCAAAAAAAAAAAlIaUUpSGlIaUaCx9lChoMU5oMk5oM05oOU51dXNiaEQpgZR9lGhHfZQoaAd9lChoD05oEE5oFE51TmhLaCNDCJVj4eYEHtGIlIaUUpSGlIaUaCx9lChoMU5oMk5oM05oOU51dXNiaEQpgZR9lGhHfZQoaAd9lChoD05oEE5oFE51TmhLaCNDCAAAAAAAANC9lIaUUpSGlIaUaCx9lChoMU5oMk5oM05oOU51dXNiaEQpgZR9lGhHfZQoaAd9lChoD05oEE5oFE51TmhLaCNDCOgkIaoTBk+/lIaUUpSGlIaUaCx9lChoMU5oMk5oM05oOU51dXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'a': ({'__type__': 'Block', 'w': 3, 'b': "<ufunc 'tanh'>", 'note': 'head'}, (True, np.array(-5.960464477539063e-08, dtype=np.float64), ), ), 'dec': {'__type__': 'Dense', 'weight': -1, 'bias': -2, 'scale': np.array(-1.8269076506711558e-196, dtype=np.float64), 'act': "<ufunc 'tanh'>"}}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 0.5639946865341051, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'a': ({'w': None, 'b': None, 'note': None}, (None, 0.0, ), ), 'dec': {'weight': None, 'bias': None, 'scale': None, 'act': None}}}, {'__type__': 'Step', 'grads': {'a': ({'w': None, 'b': None, 'note': None}, (None, -3.317860693000753e-266, ), ), 'dec': {'weight': None, 'bias': None, 'scale': None, 'act': None}}}, {'__type__': 'Step', 'grads': {'a': ({'w': None, 'b': None, 'note': None}, (None, -5.820766091346741e-11, ), ), 'dec': {'weight': None, 'bias': None, 'scale': None, 'act': None}}}, {'__type__': 'Step', 'grads': {'a': ({'w': None, 'b': None, 'note': None}, (None, -0.0009467693346404656, ), ), 'dec': {'weight': None, 'bias': None, 'scale': None, 'act': None}}}, ), 'dtype': 'float64'}, 'model': {'a': [{'__type__': 'Block', 'w': 3, 'b': "<ufunc 'tanh'>", 'note': 'head'}, [True, {'__array__': -5.960464477539063e-08, 'dtype': 'float64'}]], 'dec': {'__type__': 'Dense', 'weight': -1, 'bias': -2, 'scale': {'__array__': -1.8269076506711558e-196, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}}, 'rule': 'ClipGlobalNorm(omega=0.5639946865341051, throw=True)', 'ops': [{'op': 'step', 'grads': {'a': [{'w': None, 'b': None, 'note': None}, [None, 0.0]], 'dec': {'weight': None, 'bias': None, 'scale': None, 'act': None}}}, {'op': 'step', 'grads': {'a': [{'w': None, 'b': None, 'note': None}, [None, -3.317860693000753e-266]], 'dec': {'weight': None, 'bias': None, 'scale': None, 'act': None}}}, {'op': 'step', 'grads': {'a': [{'w': None, 'b': None, 'note': None}, [None, -5.820766091346741e-11]], 'dec': {'weight': None, 'bias': None, 'scale': None, 'act': None}}}, {'op': 'step', 'grads': {'a': [{'w': None, 'b': None, 'note': None}, [None, -0.0009467693346404656]], 'dec': {'weight': None, 'bias': None, 'scale': None, 'act': None}}}], 'rules': ['ClipGlobalNorm(omega=0.5639946865341051, throw=True)'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
