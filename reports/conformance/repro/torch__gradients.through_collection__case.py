#!/usr/bin/env python
"""optconf repro: torch gradients.through_collection deviates from EXPR-5.

grad[model['net'][0][0].w[2]]=None, but should be an array [adapter=torch, dtype=float32]

Case seed 3671498825.  Inside optconf, replay with:
    optconf replay --adapter torch --property gradients.through_collection --seed 3671498825
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'EXPR-5'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property gradients.through_collection --seed 3671498825'
RULE = None
# parameters before the run, in reference trainables order (float64)
PARAMS = None
# the operations; gradients as one array (or None) per parameter
OPS = None
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = None
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = None
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['losses: parameter reached twice', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: tie across containers'], 'loss': 'Add(a=Add(a=Sum(x=Tanh(x=Param(index=1))), b=Sum(x=Mul(a=Const(value=array([[[-1.17549435e-38,  3.37332636e+00]],\n\n       [[ 6.89944209e-01, -7.80459880e-02]]])), b=Param(index=0)))), b=Sum(x=Tanh(x=Param(index=0))))', 'model': {'net': [[{'__type__': 'Block', 'w': ['relu', {'__array__': -4, 'dtype': 'int64'}, {'__array__': [[[2.9549267292022705, -0.7699854969978333]], [[2.9549267292022705, 1.0775978565216064]]], 'dtype': 'float64'}], 'b': {'__type__': 'Block', 'w': ['<function identity>'], 'b': {'__array__': [], 'dtype': 'int64'}, 'note': 'block'}, 'note': 'block'}, [{'__type__': 'Dense', 'weight': [2, {'__array__': [[[2.9549267292022705, -0.7699854969978333]], [[2.9549267292022705, 1.0775978565216064]]], 'dtype': 'float64'}, "<ufunc 'tanh'>"], 'bias': [], 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}], [{'__array__': -2, 'dtype': 'int64'}, {'__array__': [-2], 'dtype': 'int64'}, "<ufunc 'tanh'>"]], {'__array__': [[], []], 'dtype': 'float64'}], 'tied': {'__array__': [[[2.9549267292022705, -0.7699854969978333]], [[2.9549267292022705, 1.0775978565216064]]], 'dtype': 'float64'}}, 'via': 'trainables', 'dtype': 'float32', 'frozen': [], 'path': None, 'step': None}


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
        print("recorded deviation (EXPR-5); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (EXPR-5)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
