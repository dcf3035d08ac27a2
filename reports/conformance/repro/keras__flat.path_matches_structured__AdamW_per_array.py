#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdamW,per_array] deviates from FLAT-6.

model[1][1][0]=-1.5938637256622314, but should be -1.5940591546236371 [adapter=keras, path=per_array, step=4, dtype=float32, observed=0.00019542896140567478, allowed=1.8886824158761527e-06]

Case seed 3998055533.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path per_array --seed 3998055533
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path per_array --seed 3998055533'
RULE = {'name': 'AdamW', 'eta': 0.009950988727598867, 'beta': (0.7758534977009515, 0.5929516993416822, ), 'lambda_': 0.006640035843439706, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[], []]], dtype=np.float64), np.array([-1.5810281038284302], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[], []]], dtype=np.float64), np.array([5.960464477539063e-08], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[], []]], dtype=np.float64), np.array([3.1036465167999268], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[], []]], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[], []]], dtype=np.float64), np.array([-1.899999976158142], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[], []]], dtype=np.float64), np.array([-1.5940591546236371], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[], []]], dtype=np.float32), np.array([-1.5938637256622314], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.8886824158761527e-06
PROGRAM_PICKLE = 'gASVvQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBSwJLAIeUaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYl2UKF2UaAloDEsAhZRoDoeUUpQoSwFLAYWUaBaJQwgAAAAg5Ev5v5R0lGJoEGVljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBUFkYW1XlJOUKYGUfZQojANldGGURz+EYS8ZLucijARiZXRhlEc/6NPKtuOcCkc/4vl115j2/YaUjAdsYW1iZGFflEc/ezKVDKthzIwHZXBzaWxvbpRHPrDG96C17Y2MBmNvdXBsZZSIjAd2YXJpYW50lIwJbm9ybWF0aXZllHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKGgJaAxLAIWUaA6HlFKUKEsBSwFLAksAh5RoFoloGXSUYl2UKF2UaAloDEsAhZRoDoeUUpQoSwFLAYWUaBaJQwgAAAAAAABwPpR0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwJLAIeUaBaJaBl0lGJlZXNiaDMpgZR9lGg2XZQoaAloDEsAhZRoDoeUUpQoSwFLAUsCSwCHlGgWiWgZdJRiXZQoXZRoCWgMSwCFlGgOh5RSlChLAUsBhZRoFolDCAAAAKBE1AhAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAksAh5RoFoloGXSUYmVlc2JoMymBlH2UaDZdlChoCWgMSwCFlGgOh5RSlChLAUsBSwJLAIeUaBaJaBl0lGJdlChdlGgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMIAAAAAAAAAACUdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsCSwCHlGgWiWgZdJRiZWVzYmgzKYGUfZRoNl2UKGgJaAxLAIWUaA6HlFKUKEsBSwFLAksAh5RoFoloGXSUYl2UKF2UaAloDEsAhZRoDoeUUpQoSwFLAYWUaBaJQwgAAABgZmb+v5R0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwJLAIeUaBaJaBl0lGJlZXNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array([[[], []]], dtype=np.float64), [[], np.array([-1.5810281038284302], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]], 'rule': {'__type__': 'AdamW', 'eta': 0.009950988727598867, 'beta': (0.7758534977009515, 0.5929516993416822, ), 'lambda_': 0.006640035843439706, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [np.array([[[], []]], dtype=np.float64), [[], np.array([5.960464477539063e-08], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [np.array([[[], []]], dtype=np.float64), [[], np.array([3.1036465167999268], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [np.array([[[], []]], dtype=np.float64), [[], np.array([0.0], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [np.array([[[], []]], dtype=np.float64), [[], np.array([-1.899999976158142], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]]}, ), 'dtype': 'float32'}, 'model': [{'__array__': [[[], []]], 'dtype': 'float64'}, [[], {'__array__': [-1.5810281038284302], 'dtype': 'float64'}, {'__array__': [[[], []]], 'dtype': 'float64'}]], 'rule': "AdamW(eta=0.009950988727598867, beta=(0.7758534977009515, 0.5929516993416822), lambda_=0.006640035843439706, epsilon=1e-06, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'__array__': [[[], []]], 'dtype': 'float64'}, [[], {'__array__': [5.960464477539063e-08], 'dtype': 'float64'}, {'__array__': [[[], []]], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [{'__array__': [[[], []]], 'dtype': 'float64'}, [[], {'__array__': [3.1036465167999268], 'dtype': 'float64'}, {'__array__': [[[], []]], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [{'__array__': [[[], []]], 'dtype': 'float64'}, [[], {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [[[], []]], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [{'__array__': [[[], []]], 'dtype': 'float64'}, [[], {'__array__': [-1.899999976158142], 'dtype': 'float64'}, {'__array__': [[[], []]], 'dtype': 'float64'}]]}], 'rules': ["AdamW(eta=0.009950988727598867, beta=(0.7758534977009515, 0.5929516993416822), lambda_=0.006640035843439706, epsilon=1e-06, couple=True, variant='normative')"], 'path': 'per_array', 'dtype': 'float32', 'step': 4}


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
