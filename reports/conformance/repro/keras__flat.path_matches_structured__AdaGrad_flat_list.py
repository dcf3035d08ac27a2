#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdaGrad,flat_list] deviates from FLAT-6.

model[1]=0.09458929224650188, but should be 0.0945892488183395 [adapter=keras, path=flat_list, step=4, dtype=float64, observed=4.3428162385672486e-08, allowed=8.386181795389685e-16]

Case seed 1013493624.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path flat_list --seed 1013493624
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path flat_list --seed 1013493624'
RULE = {'name': 'AdaGrad', 'eta': 0.09437779552754523, 'epsilon': 1e-06}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.3813513280547353e-191, dtype=np.float64), np.array([[2.742485969944593e-162, -2.873861729568997]], dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-1.4004106972145265, dtype=np.float64), np.array([[0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0031389857556465665, dtype=np.float64), np.array([[0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([[-1.3439682147854816e-24, -1.1479437019748901e-41]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([[-0.0037778337993655074, -0.0017089528698835533]], dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.0945892488183395, dtype=np.float64), np.array([[0.09121225670699178, -2.7924459096736207]], dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.09458929224650188, dtype=np.float64), np.array([[0.0883876998837929, -2.801151683826154]], dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.386181795389685e-16
PROGRAM_PICKLE = 'gASVhwMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgLjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCOU7T5z8gk+YlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwFLAoaUaBaJQxAWmAngur1jHnjM7Ter/QbAlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwBLAEsCh5RoFolDAJR0lGJljARydWxllIwgb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhcHRpdmWUjAdBZGFHcmFklJOUKYGUfZQojANldGGURz+4KSSpQmbZjAdlcHNpbG9ulEc+sMb3oLXtjXVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKF2UaAiMBnNjYWxhcpSTlGgWQwhGFBgMFWj2v5SGlFKUaApoDUsAhZRoD4eUUpQoSwFLAUsChpRoFolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaApoDUsAhZRoD4eUUpQoSwFLAEsASwKHlGgWiWgldJRiZXNiaDEpgZR9lGg0XZQoXZRoOGgWQwhYNjgl7rZpv5SGlFKUaApoDUsAhZRoD4eUUpQoSwFLAUsChpRoFolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaApoDUsAhZRoD4eUUpQoSwFLAEsASwKHlGgWiWgldJRiZXNiaDEpgZR9lGg0XZQoXZRoOGgWQwgAAAAAAAAAAJSGlFKUaApoDUsAhZRoD4eUUpQoSwFLAUsChpRoFolDEP6eOR0C//m6AAAAAAAAcLeUdJRiaApoDUsAhZRoD4eUUpQoSwFLAEsASwKHlGgWiWgldJRiZXNiaDEpgZR9lGg0XZQoXZRoOGgWQwgAAAAAAAAAAJSGlFKUaApoDUsAhZRoD4eUUpQoSwFLAUsChpRoFolDEFSkxhOx8m6/PoXwK97/W7+UdJRiaApoDUsAhZRoD4eUUpQoSwFLAEsASwKHlGgWiWgldJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: empty array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [[], np.array(-1.3813513280547353e-191, dtype=np.float64), np.array([[2.742485969944593e-162, -2.873861729568997]], dtype=np.float64), np.array([], dtype=np.float64)], 'rule': {'__type__': 'AdaGrad', 'eta': 0.09437779552754523, 'epsilon': 1e-06}, 'ops': ({'__type__': 'Step', 'grads': [[], -1.4004106972145265, np.array([[0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[], -0.0031389857556465665, np.array([[0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[], 0.0, np.array([[-1.3439682147854816e-24, -1.1479437019748901e-41]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[], 0.0, np.array([[-0.0037778337993655074, -0.0017089528698835533]], dtype=np.float64), np.array([], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': -1.3813513280547353e-191, 'dtype': 'float64'}, {'__array__': [[2.742485969944593e-162, -2.873861729568997]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'rule': 'AdaGrad(eta=0.09437779552754523, epsilon=1e-06)', 'ops': [{'op': 'step', 'grads': [[], -1.4004106972145265, {'__array__': [[0.0, 0.0]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], -0.0031389857556465665, {'__array__': [[0.0, 0.0]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], 0.0, {'__array__': [[-1.3439682147854816e-24, -1.1479437019748901e-41]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], 0.0, {'__array__': [[-0.0037778337993655074, -0.0017089528698835533]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}], 'rules': ['AdaGrad(eta=0.09437779552754523, epsilon=1e-06)'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
