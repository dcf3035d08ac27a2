#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdaGrad,per_array] deviates from FLAT-6.

model['a'][1]=-0.047139696603274536, but should be -0.04713967669945025 [adapter=keras, path=per_array, step=4, dtype=float64, observed=1.9903824283185045e-08, allowed=4.180845084261698e-16]

Case seed 4089544500.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path per_array --seed 4089544500
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path per_array --seed 4089544500'
RULE = {'name': 'AdaGrad', 'eta': 0.047055281588016244, 'epsilon': 1e-06}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.465404245746331e-279, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(1.6512093021760341, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0014979584437076745, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.00146484375, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-0.04713967669945025, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-0.047139696603274536, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.180845084261698e-16
PROGRAM_PICKLE = 'gASVxgIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5R9lCiMAWGUTowBYpRLAXVoCYweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwEUGFpcpSTlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgRjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAAAAAAAAAAAlHSUYmgQaBNLAIWUaBWHlFKUKEsBKWgZjAJmOJSJiIeUUpQoSwNoHU5OTkr/////Sv////9LAHSUYolDCIB+g7agmQqGlHSUYoaUgZSMAXeUKXWMBHJ1bGWUjCBvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFwdGl2ZZSMB0FkYUdyYWSUk5QpgZR9lCiMA2V0YZRHP6gXoT8MmHeMB2Vwc2lsb26URz6wxvegte2NdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAd9lChoCU5oCk51aAlOaA6MBnNjYWxhcpSTlGgmQwgcJ/txWmv6P5SGlFKUhpRoLCl1c2JoNymBlH2UaDp9lChoB32UKGgJTmgKTnVoCU5oPmgmQwgAAAAAAAAAAJSGlFKUhpRoLCl1c2JoNymBlH2UaDp9lChoB32UKGgJTmgKTnVoCU5oPmgmQwh8CbKh5IpYP5SGlFKUhpRoLCl1c2JoNymBlH2UaDp9lChoB32UKGgJTmgKTnVoCU5oPmgmQwgAAAAAAABYP5SGlFKUhpRoLCl1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': {'a': None, 'b': 1}, 'a': (np.array(0, dtype=np.int64), np.array(-1.465404245746331e-279, dtype=np.float64), ), 'w': ()}, 'rule': {'__type__': 'AdaGrad', 'eta': 0.047055281588016244, 'epsilon': 1e-06}, 'ops': ({'__type__': 'Step', 'grads': {'dec': {'a': None, 'b': None}, 'a': (None, 1.6512093021760341, ), 'w': ()}}, {'__type__': 'Step', 'grads': {'dec': {'a': None, 'b': None}, 'a': (None, 0.0, ), 'w': ()}}, {'__type__': 'Step', 'grads': {'dec': {'a': None, 'b': None}, 'a': (None, 0.0014979584437076745, ), 'w': ()}}, {'__type__': 'Step', 'grads': {'dec': {'a': None, 'b': None}, 'a': (None, 0.00146484375, ), 'w': ()}}, ), 'dtype': 'float64'}, 'model': {'dec': {'a': None, 'b': 1}, 'a': [{'__array__': 0, 'dtype': 'int64'}, {'__array__': -1.465404245746331e-279, 'dtype': 'float64'}], 'w': []}, 'rule': 'AdaGrad(eta=0.047055281588016244, epsilon=1e-06)', 'ops': [{'op': 'step', 'grads': {'dec': {'a': None, 'b': None}, 'a': [None, 1.6512093021760341], 'w': []}}, {'op': 'step', 'grads': {'dec': {'a': None, 'b': None}, 'a': [None, 0.0], 'w': []}}, {'op': 'step', 'grads': {'dec': {'a': None, 'b': None}, 'a': [None, 0.0014979584437076745], 'w': []}}, {'op': 'step', 'grads': {'dec': {'a': None, 'b': None}, 'a': [None, 0.00146484375], 'w': []}}], 'rules': ['AdaGrad(eta=0.047055281588016244, epsilon=1e-06)'], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
