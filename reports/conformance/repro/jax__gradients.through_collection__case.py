#!/usr/bin/env python
"""optconf repro: jax gradients.through_collection deviates from EXPR-5.

grad[model[1]]=an array, but should be None [adapter=jax, dtype=float64]

Case seed 462280396.  Inside optconf, replay with:
    optconf replay --adapter jax --property gradients.through_collection --seed 462280396
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'EXPR-5'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property gradients.through_collection --seed 462280396'
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
COUNTEREXAMPLE = {'features': ['losses: parameter the loss does not reach', 'models: 0-d array', 'models: empty array', 'models: sizes that do not divide evenly'], 'loss': 'Sum(x=Square(x=Param(index=2)))', 'model': [[], {'__array__': [[[2.286452588028979], [-1.369873087180854e-122]], [[-3.8036338191012273], [-3.1129317405683015]]], 'dtype': 'float64'}, {'__array__': -1.2690062430340356e-192, 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'via': 'trainables', 'dtype': 'float64', 'frozen': [], 'path': None, 'step': None}


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
