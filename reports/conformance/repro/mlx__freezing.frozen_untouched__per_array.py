#!/usr/bin/env python
"""optconf repro: mlx freezing.frozen_untouched[per_array] deviates from FRZ-1.

momentum.velocity[model[1]][0, 1, 0]=0.0, but should be 3.175381890570014 [adapter=mlx, path=per_array, step=4, dtype=float64, observed=3.175381890570014, allowed=2.820305669510871e-14]

Case seed 1802443767.  Inside optconf, replay with:
    optconf replay --adapter mlx --property freezing.frozen_untouched --path per_array --seed 1802443767
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FRZ-1'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property freezing.frozen_untouched --path per_array --seed 1802443767'
RULE = {'name': 'Momentum', 'eta': 0.06321037996387098, 'rho': 0.0, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[1.5642469606990916], [1.5642469606990916]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'freeze', 'keys': [0]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), None]}, {'op': 'thaw', 'keys': []}, {'op': 'step', 'grads': [None, None]}, {'op': 'step', 'grads': [None, np.array([[[-0.7399942565300579], [3.175381890570014]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[1.611022278825439], [1.363529864865766]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([[[1.611022278825439], [1.363529864865766]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.820305669510871e-14
PROGRAM_PICKLE = 'gASVZgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUSwOMBGJpYXOUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsCSwKHlGgRjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGKMBXNjYWxllGgQaBNLAIWUaBWHlFKUKEsBSwFLAUsBh5RoHYlDCEjVf2RHJuU/lHSUYowDYWN0lGgHjAhpZGVudGl0eZSTlHViaBBoE0sAhZRoFYeUUpQoSwFLAUsCSwGHlGgdiUMQtB4x0icH+T+0HjHSJwf5P5R0lGJljARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuZGVzY2VudJSMCE1vbWVudHVtlJOUKYGUfZQojANldGGURz+wLo4ytmpNjANyaG+URwAAAAAAAAAAjAd2YXJpYW50lIwFdG9yY2iUdWKMA29wc5QoaACMBkZyZWV6ZZSTlCmBlH2UjARrZXlzlEsAhZRzYmgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgMTmgNaBBoE0sAhZRoFYeUUpQoSwFLAEsCSwKHlGgdiWggdJRiaCJOaClOdWgQaBNLAIWUaBWHlFKUKEsBSwFLAksBh5RoHYlDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNiaEQpgZR9lGhHXZQofZQoaAxOaA1oEGgTSwCFlGgVh5RSlChLAUsASwJLAoeUaB2JaCB0lGJoIk5oKU51TmVzYmgAjARUaGF3lJOUKYGUfZRoQSlzYmhEKYGUfZRoR12UKH2UKGgMTmgNTmgiTmgpTnVOZXNiaEQpgZR9lGhHXZQoTmgQaBNLAIWUaBWHlFKUKEsBSwFLAksBh5RoHYlDECjIYG8Irue/jHjini5nCUCUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'programs: None inside a gradient', 'programs: freeze then step', 'programs: frozen parts under a global-norm rule', 'programs: step without any gradient', 'programs: thaw of a frozen part then step', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': 3, 'bias': np.array([], dtype=np.float64), 'scale': np.array([[[0.6609227145078558]]], dtype=np.float64), 'act': '<function identity>'}, np.array([[[1.5642469606990916], [1.5642469606990916]]], dtype=np.float64)], 'rule': {'__type__': 'Momentum', 'eta': 0.06321037996387098, 'rho': 0.0, 'variant': 'torch'}, 'ops': ({'__type__': 'Freeze', 'keys': (0, )}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}, np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}, None]}, {'__type__': 'Thaw', 'keys': ()}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, None]}, {'__type__': 'Step', 'grads': [None, np.array([[[-0.7399942565300579], [3.175381890570014]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': 3, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': {'__array__': [[[0.6609227145078558]]], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': [[[1.5642469606990916], [1.5642469606990916]]], 'dtype': 'float64'}], 'rule': "Momentum(eta=0.06321037996387098, rho=0.0, variant='torch')", 'ops': [{'op': 'freeze', 'keys': [0]}, {'op': 'step', 'grads': [{'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}, {'__array__': [[[0.0], [0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}, None]}, {'op': 'thaw', 'keys': []}, {'op': 'step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, None]}, {'op': 'step', 'grads': [None, {'__array__': [[[-0.7399942565300579], [3.175381890570014]]], 'dtype': 'float64'}]}], 'rules': ["Momentum(eta=0.06321037996387098, rho=0.0, variant='torch')"], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (FRZ-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (FRZ-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
