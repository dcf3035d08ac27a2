#!/usr/bin/env python
"""optconf repro: mlx adjust.mid_run[OptimiserChain] deviates from CHAIN-1.

model[2]=0.0066557766150395084, but should be 0.00665577724446367 [adapter=mlx, path=structured, step=2, dtype=float64, observed=6.294241612289642e-10, allowed=2.2266537799156366e-16]

Case seed 1842459959.  Inside optconf, replay with:
    optconf replay --adapter mlx --property adjust.mid_run --rule OptimiserChain --seed 1842459959
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'CHAIN-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property adjust.mid_run --rule OptimiserChain --seed 1842459959'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.004973298224746028, 'beta': (0.2963343259398703, 0.826556245267486, ), 'epsilon': 1e-06, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(2.220446049250313e-16, dtype=np.float64), np.array(-0.0, dtype=np.float64), np.array(-1.3017387836332186, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(-0.000992559379956143, dtype=np.float64), None]}, {'op': 'step', 'grads': [None, np.array(-7.197498120774315e-228, dtype=np.float64), np.array(-8.022777724935178e-145, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(2.220446049250313e-16, dtype=np.float64), np.array(0.00665577724446367, dtype=np.float64), np.array(-1.3017387836332186, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(2.220446049250313e-16, dtype=np.float64), np.array(0.0066557766150395084, dtype=np.float64), np.array(-1.3017387836332186, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.2266537799156366e-16
PROGRAM_PICKLE = 'gASVBwMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lF2UjAFilH2UKIwDZW5jlE5oDE51jARub3RllIwEaGVhZJR1YowWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgWjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAAAAAAAALA8lHSUYmgVaBhLAIWUaBqHlFKUKEsBKWghiUMIAAAAAAAAAICUdJRiaBVoGEsAhZRoGoeUUpQoSwEpaCGJQwheO/oL7NP0v5R0lGJljARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMDk9wdGltaXNlckNoYWlulJOUKYGUfZSMBXJ1bGVzlIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP3Re4ZOoGJCMBGJldGGURz/S9yQ/pgM8Rz/qcyYVN08chpSMB2Vwc2lsb26URz6wxvegte2NjAd2YXJpYW50lIwJbm9ybWF0aXZllHVihZRzYowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgMXZRoDn2UKGgQTmgMTnVoEU51aBOMBnNjYWxhcpSTlGghQwgAAAAAAAAAAJSGlFKUaE5oIUMITkbhhBhDUL+UhpRSlE5lc2JoRSmBlH2UaEhdlCh9lChoDF2UaA59lChoEE5oDE51aBFOdU5oTmghQwhhHqB+H9PFkJSGlFKUaE5oIUMIMnFAQzwJBKKUhpRSlGVzYoaUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'programs: None inside a gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': [], 'b': {'enc': None, 'w': None}, 'note': 'head'}, np.array(2.220446049250313e-16, dtype=np.float64), np.array(-0.0, dtype=np.float64), np.array(-1.3017387836332186, dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.004973298224746028, 'beta': (0.2963343259398703, 0.826556245267486, ), 'epsilon': 1e-06, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': [{'w': [], 'b': {'enc': None, 'w': None}, 'note': None}, 0.0, -0.000992559379956143, None]}, {'__type__': 'Step', 'grads': [{'w': [], 'b': {'enc': None, 'w': None}, 'note': None}, None, -7.197498120774315e-228, -8.022777724935178e-145]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Block', 'w': [], 'b': {'enc': None, 'w': None}, 'note': 'head'}, {'__array__': 2.220446049250313e-16, 'dtype': 'float64'}, {'__array__': -0.0, 'dtype': 'float64'}, {'__array__': -1.3017387836332186, 'dtype': 'float64'}], 'rule': "OptimiserChain(Adam(eta=0.004973298224746028, beta=(0.2963343259398703, 0.826556245267486), epsilon=1e-06, variant='normative'))", 'ops': [{'op': 'step', 'grads': [{'w': [], 'b': {'enc': None, 'w': None}, 'note': None}, 0.0, -0.000992559379956143, None]}, {'op': 'step', 'grads': [{'w': [], 'b': {'enc': None, 'w': None}, 'note': None}, None, -7.197498120774315e-228, -8.022777724935178e-145]}], 'rules': ["OptimiserChain(Adam(eta=0.004973298224746028, beta=(0.2963343259398703, 0.826556245267486), epsilon=1e-06, variant='normative'))"], 'path': 'structured', 'dtype': 'float64', 'step': 2}


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
        print("recorded deviation (CHAIN-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CHAIN-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
