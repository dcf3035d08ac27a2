#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,structured] deviates from FLAT-6.

model[1]=-1.4429363012313843, but should be -1.442963707358345 [adapter=keras, path=structured, step=4, dtype=float32, observed=2.7406126960727306e-05, allowed=4.567252721864005e-06]

Case seed 3645037880.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path structured --seed 3645037880
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path structured --seed 3645037880'
RULE = {'name': 'RMSProp', 'eta': 0.007013447460198854, 'rho': 0.95, 'epsilon': 0.001, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.499801754951477, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-3.655014991760254, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0003166355309076607, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.6390135288238525, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.5723152160644531, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.442963707358345, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.4429363012313843, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.567252721864005e-06
PROGRAM_PICKLE = 'gASVggIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lImMAWKUSwGMBG5vdGWUjAVibG9ja5R1YowWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgTjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAAAACAw//e/lHSUYmWMBHJ1bGWUjCBvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFwdGl2ZZSMB1JNU1Byb3CUk5QpgZR9lCiMA2V0YZRHP3y6IfeUjhyMA3Job5RHP+5mZmZmZmaMB2Vwc2lsb26URz9QYk3S8an8jAdjZW50cmVklIl1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDE5oDU5oDk51aBCMBnNjYWxhcpSTlGgeQwgAAACAeD0NwJSGlFKUZXNiaC8pgZR9lGgyXZQofZQoaAxOaA1OaA5OdWg2aB5DCAAAAEBDwDS/lIaUUpRlc2JoLymBlH2UaDJdlCh9lChoDE5oDU5oDk51aDZoHkMIAAAAQGY5+r+UhpRSlGVzYmgvKYGUfZRoMl2UKH2UKGgMTmgNTmgOTnVoNmgeQwgAAAAANCj5v5SGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': False, 'b': 1, 'note': 'block'}, np.array(-1.499801754951477, dtype=np.float64)], 'rule': {'__type__': 'RMSProp', 'eta': 0.007013447460198854, 'rho': 0.95, 'epsilon': 0.001, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': [{'w': None, 'b': None, 'note': None}, -3.655014991760254]}, {'__type__': 'Step', 'grads': [{'w': None, 'b': None, 'note': None}, -0.0003166355309076607]}, {'__type__': 'Step', 'grads': [{'w': None, 'b': None, 'note': None}, -1.6390135288238525]}, {'__type__': 'Step', 'grads': [{'w': None, 'b': None, 'note': None}, -1.5723152160644531]}, ), 'dtype': 'float32'}, 'model': [{'__type__': 'Block', 'w': False, 'b': 1, 'note': 'block'}, {'__array__': -1.499801754951477, 'dtype': 'float64'}], 'rule': 'RMSProp(eta=0.007013447460198854, rho=0.95, epsilon=0.001, centred=False)', 'ops': [{'op': 'step', 'grads': [{'w': None, 'b': None, 'note': None}, -3.655014991760254]}, {'op': 'step', 'grads': [{'w': None, 'b': None, 'note': None}, -0.0003166355309076607]}, {'op': 'step', 'grads': [{'w': None, 'b': None, 'note': None}, -1.6390135288238525]}, {'op': 'step', 'grads': [{'w': None, 'b': None, 'note': None}, -1.5723152160644531]}], 'rules': ['RMSProp(eta=0.007013447460198854, rho=0.95, epsilon=0.001, centred=False)'], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
