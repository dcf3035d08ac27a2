#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[ClipGlobalNorm,structured] deviates from FLAT-6.

model[1]=-2.683951246942904, but should be -2.683951246733895 [adapter=mlx, path=structured, step=4, dtype=float64, observed=2.0900881025909257e-10, allowed=4.7835653827864884e-15]

Case seed 2604968227.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule ClipGlobalNorm --path structured --seed 2604968227
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule ClipGlobalNorm --path structured --seed 2604968227'
RULE = {'name': 'ClipGlobalNorm', 'omega': 0.4957288509106875, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-2.6861645559377454, dtype=np.float64), np.array(-1.3981247973966364, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(2.6987653671090966e-81, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(-3.3869769024135756, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0026852719508232478, dtype=np.float64), np.array(-2.5236770371263155, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0016858383724270769, dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-2.683951246733895, dtype=np.float64), np.array(-0.4066673761979811, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-2.683951246942904, dtype=np.float64), np.array(-0.40666771899203624, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.7835653827864884e-15
PROGRAM_PICKLE = 'gASV6gMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lGgHjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lE6MBGJpYXOUjARyZWx1lIwFc2NhbGWUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAUsASwKHlGgYjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGKMA2FjdJRoGIwEdGFuaJSTlHVijAFilGgOKYGUfZQoaBGMAJRoEksAaBRoF2gaSwCFlGgch5RSlChLASloJIlDCJjk8kQInQ/AlHSUYmgpaCt1YowEbm90ZZSMBWJsb2NrlHViaBdoGksAhZRoHIeUUpQoSwEpaCSJQwh0arvXQ30FwJR0lGJoF2gaSwCFlGgch5RSlChLASloJIlDCA65iBu4Xva/lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwOQ2xpcEdsb2JhbE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc/37oFgJYVgowFdGhyb3eUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgMfZQoaBFOaBJOaBROaClOdWgsfZQoaBFOaBJOaBROaClOdWg1TnVoFYwGc2NhbGFylJOUaCRDCNbJB7rOejQvlIaUUpRoVGgkQwgAAAAAAAAAAJSGlFKUZXNiaEspgZR9lGhOXZQofZQoaAx9lChoEU5oEk5oFE5oKU51aCx9lChoEU5oEk5oFE5oKU51aDVOdWhUaCRDCAAAAAAAAAAAlIaUUpRoVGgkQwi4Y6FYhxgLwJSGlFKUZXNiaEspgZR9lGhOXZQofZQoaAx9lChoEU5oEk5oFE5oKU51aCx9lChoEU5oEk5oFE5oKU51aDVOdWhUaCRDCAx4tWZs/2W/lIaUUpRoVGgkQwhY/SCWfTAEwJSGlFKUZXNiaEspgZR9lGhOXZQofZQoaAx9lChoEU5oEk5oFE5oKU51aCx9lChoEU5oEk5oFE5oKU51aDVOdWhUaCRDCN41Qivrnlu/lIaUUpRoVGgkQwgAAAAAAAAAAJSGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': None, 'bias': 'relu', 'scale': np.array([[]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'b': {'__type__': 'Dense', 'weight': '', 'bias': 0, 'scale': np.array(-3.951675928747658, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'note': 'block'}, np.array(-2.6861645559377454, dtype=np.float64), np.array(-1.3981247973966364, dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 0.4957288509106875, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [{'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 2.6987653671090966e-81, 0.0]}, {'__type__': 'Step', 'grads': [{'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 0.0, -3.3869769024135756]}, {'__type__': 'Step', 'grads': [{'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, -0.0026852719508232478, -2.5236770371263155]}, {'__type__': 'Step', 'grads': [{'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, -0.0016858383724270769, 0.0]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': None, 'bias': 'relu', 'scale': {'__array__': [[]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'b': {'__type__': 'Dense', 'weight': '', 'bias': 0, 'scale': {'__array__': -3.951675928747658, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'note': 'block'}, {'__array__': -2.6861645559377454, 'dtype': 'float64'}, {'__array__': -1.3981247973966364, 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=0.4957288509106875, throw=True)', 'ops': [{'op': 'step', 'grads': [{'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 2.6987653671090966e-81, 0.0]}, {'op': 'step', 'grads': [{'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 0.0, -3.3869769024135756]}, {'op': 'step', 'grads': [{'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, -0.0026852719508232478, -2.5236770371263155]}, {'op': 'step', 'grads': [{'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, -0.0016858383724270769, 0.0]}], 'rules': ['ClipGlobalNorm(omega=0.4957288509106875, throw=True)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
