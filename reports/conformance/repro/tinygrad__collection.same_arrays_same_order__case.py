#!/usr/bin/env python
"""optconf repro: tinygrad collection.same_arrays_same_order deviates from COLL-1.

len(collect(model))=7, but should be 4 [adapter=tinygrad, dtype=float32]

Case seed 591774878.  Inside optconf, replay with:
    optconf replay --adapter tinygrad --property collection.same_arrays_same_order --seed 591774878
"""

import sys

import numpy as np

ADAPTER = 'tinygrad'
CLAUSE = 'COLL-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter tinygrad --property collection.same_arrays_same_order --seed 591774878'
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
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly'], 'model': [[[{'__array__': [], 'dtype': 'float64'}, [-3, '<function identity>'], {'__type__': 'Dense', 'weight': False, 'bias': {'__array__': [-1], 'dtype': 'int64'}, 'scale': {'__array__': 3.979010820388794, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}], [], [{'__type__': 'Block', 'w': '', 'b': '<function identity>', 'note': 'head'}, {'__type__': 'Dense', 'weight': None, 'bias': 'relu', 'scale': {'__array__': -3.12276029586792, 'dtype': 'float64'}, 'act': '<function identity>'}]], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': 0.0, 'dtype': 'float64'}, {'__array__': [9.999999747378752e-06, -2.059011936187744], 'dtype': 'float64'}], 'dtype': 'float32', 'path': None, 'step': None}


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
        print("recorded deviation (COLL-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (COLL-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
