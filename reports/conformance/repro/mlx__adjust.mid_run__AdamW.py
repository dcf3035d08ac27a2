#!/usr/bin/env python
"""optconf repro: mlx adjust.mid_run[AdamW] deviates from ADAMW-1.

model[1]=-1.3302983550376775, but should be -1.3302983550752687 [adapter=mlx, path=structured, step=1, dtype=float64, observed=3.75912634353881e-11, allowed=6.118660214412856e-16]

Case seed 3404790062.  Inside optconf, replay with:
    optconf replay --adapter mlx --property adjust.mid_run --rule AdamW --seed 3404790062
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'ADAMW-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property adjust.mid_run --rule AdamW --seed 3404790062'
RULE = {'name': 'AdamW', 'eta': 0.0011104076011931394, 'beta': (0.5123443284590894, 0.6977609502524967, ), 'lambda_': 0.008154193862819894, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[], []], dtype=np.float64), np.array(-1.3292312635052332, dtype=np.float64), np.array([-2.5963726557574116, -2.5963726557574116], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, np.array(3.449835731080767e-05, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[], []], dtype=np.float64), np.array(-1.3302983550752687, dtype=np.float64), np.array([-2.5963491469561215, -2.5963491469561215], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[], []], dtype=np.float64), np.array(-1.3302983550376775, dtype=np.float64), np.array([-2.5963491469561215, -2.5963491469561215], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.118660214412856e-16
PROGRAM_PICKLE = 'gASVoAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5ROjAVudW1weZSMBHRhbmiUk5SGlF2UjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUaAqMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksASwKHlGgKjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGJoB4wIaWRlbnRpdHmUk5SGlGGGlIGUaBFoE0sAhZRoFYeUUpQoSwEpaB2JQwg2NlkAiET1v5R0lGJoEWgTSwCFlGgVh5RSlChLAUsChZRoHYlDEGyn5QZfxQTAbKflBl/FBMCUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/UjFjFUVLKIwEYmV0YZRHP+BlH+7gu1xHP+ZUDsW4VNeGlIwHbGFtYmRhX5RHP4CzJV+6ezuMB2Vwc2lsb26URz6wxvegte2NjAZjb3VwbGWUiIwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKE5dlE5OhpRhhpRoD4wGc2NhbGFylJOUaB1DCIDsBIhKFgI/lIaUUpRoEWgTSwCFlGgVh5RSlChLAUsChZRoHYlDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNihZSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: parameter three levels deep', 'programs: None inside a gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [((None, "<ufunc 'tanh'>", ), [(np.array([[], []], dtype=np.float64), '<function identity>', )], ), np.array(-1.3292312635052332, dtype=np.float64), np.array([-2.5963726557574116, -2.5963726557574116], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.0011104076011931394, 'beta': (0.5123443284590894, 0.6977609502524967, ), 'lambda_': 0.008154193862819894, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [(None, [(None, None, )], ), 3.449835731080767e-05, np.array([0.0, 0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[[None, "<ufunc 'tanh'>"], [[{'__array__': [[], []], 'dtype': 'float64'}, '<function identity>']]], {'__array__': -1.3292312635052332, 'dtype': 'float64'}, {'__array__': [-2.5963726557574116, -2.5963726557574116], 'dtype': 'float64'}], 'rule': "AdamW(eta=0.0011104076011931394, beta=(0.5123443284590894, 0.6977609502524967), lambda_=0.008154193862819894, epsilon=1e-06, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [[None, [[None, None]]], 3.449835731080767e-05, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}], 'rules': ["AdamW(eta=0.0011104076011931394, beta=(0.5123443284590894, 0.6977609502524967), lambda_=0.008154193862819894, epsilon=1e-06, couple=True, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 1}


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
        print("recorded deviation (ADAMW-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAMW-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
