#!/usr/bin/env python
"""optconf repro: torch gradients.through_collection_frozen deviates from EXPR-5.

grad[model['net'][1]]=None, but should be an array [adapter=torch, dtype=float64]

Case seed 1889977757.  Inside optconf, replay with:
    optconf replay --adapter torch --property gradients.through_collection_frozen --seed 1889977757
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'EXPR-5'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property gradients.through_collection_frozen --seed 1889977757'
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
COUNTEREXAMPLE = {'features': ['losses: parameter the loss does not reach', 'models: 0-d array', 'models: carried value', 'models: empty array', 'models: tie across containers'], 'loss': 'Add(a=Add(a=Sum(x=Mul(a=Const(value=array(-2.2482906)), b=Param(index=1))), b=Sum(x=Mul(a=Const(value=array(1.31476493)), b=Param(index=0)))), b=Sum(x=Mul(a=Const(value=array([3.80977329, 3.05663427])), b=Param(index=2))))', 'model': {'net': [{'__type__': 'Block', 'w': {'__type__': 'Block', 'w': [], 'b': {'__type__': 'Block', 'w': -2, 'b': None, 'note': 'block'}, 'note': 'head'}, 'b': [], 'note': 'block'}, {'__array__': 2.6726541519196285, 'dtype': 'float64'}, {'__array__': -1.746017057291263, 'dtype': 'float64'}, {'__array__': [-2.8838558928912956, -0.22035162502093453], 'dtype': 'float64'}, {'__array__': [[[]]], 'dtype': 'float64'}], 'tied': {'__array__': 2.6726541519196285, 'dtype': 'float64'}}, 'via': 'trainables', 'dtype': 'float64', 'frozen': [['net', 3], ['net', 4]], 'path': None, 'step': None}


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
