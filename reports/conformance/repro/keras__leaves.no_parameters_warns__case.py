#!/usr/bin/env python
"""optconf repro: keras leaves.no_parameters_warns deviates from STATE-5.

warnings=[], but should include a UserWarning: setup found no parameters [adapter=keras, path=structured, step=2, dtype=float32]

Case seed 1369861262.  Inside optconf, replay with:
    optconf replay --adapter keras --property leaves.no_parameters_warns --seed 1369861262
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'STATE-5'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter keras --property leaves.no_parameters_warns --seed 1369861262'
RULE = {'name': 'Adam', 'eta': 0.001, 'beta': (0.9, 0.999, ), 'epsilon': 1e-08, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = []
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': []}, {'op': 'step', 'grads': []}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = []
# what the engine gave when the failure was found
RECORDED = []
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVBgEAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lIwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz9QYk3S8an8jARiZXRhlEc/7MzMzMzMzUc/7/fO2RaHK4aUjAdlcHNpbG9ulEc+RXmO4jCMOowHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlE5zYmgVKYGUfZRoGE5zYoaUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['programs: step without any gradient'], 'program': {'__type__': 'Program', 'model': {}, 'rule': {'__type__': 'Adam', 'eta': 0.001, 'beta': (0.9, 0.999, ), 'epsilon': 1e-08, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': None}, ), 'dtype': 'float32'}, 'model': {}, 'rule': "Adam(eta=0.001, beta=(0.9, 0.999), epsilon=1e-08, variant='normative')", 'ops': [{'op': 'step', 'grads': None}, {'op': 'step', 'grads': None}], 'rules': ["Adam(eta=0.001, beta=(0.9, 0.999), epsilon=1e-08, variant='normative')"], 'path': 'structured', 'dtype': 'float32', 'step': 2}


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
        print("recorded deviation (STATE-5); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (STATE-5)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
