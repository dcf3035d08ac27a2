#!/usr/bin/env python
"""optconf repro: jax rules.matches_reference[AccumGrad] deviates from ACCUMGRAD-1.

model[0]['enc']['b'][1]=-2.6578637994984984, but should be -2.6578638093134 [adapter=jax, path=structured, step=4, dtype=float64, observed=9.814901780202945e-09, allowed=5.537107821644386e-15]

Case seed 3203990174.  Inside optconf, replay with:
    optconf replay --adapter jax --property rules.matches_reference --rule AccumGrad --seed 3203990174
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ACCUMGRAD-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property rules.matches_reference --rule AccumGrad --seed 3203990174'
RULE = {'name': 'AccumGrad', 'n': 3}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-2.351696622000007, dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0006951008548768704, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.9140146158227997, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0037918452625022338, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-2.6578638093134, dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-2.6578637994984984, dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.537107821644386e-15
PROGRAM_PICKLE = 'gASVawQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMA2RlY5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUSv7///+MBHJlbHWUaA+HlIwEYmlhc5RoCYwIaWRlbnRpdHmUk5SFlIwFc2NhbGWUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsAhpRoGYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRijANhY3SUaBN1YowDZW5jlH2UKIwBYZRoCymBlH2UKGgOiWgRjACUaBVoGGgbSwCFlGgdh5RSlChLAUsASwJLAYeUaCWJaCh0lGJoKmgTdWJoK12UjAFilGgJjARQYWlylJOUaBmMBHRhbmiUk5RoGGgbSwCFlGgdh5RSlChLASloJYlDCGPUjFFG0ALAlHSUYoaUgZR1dWgYaBtLAIWUaB2HlFKUKEsBSwBLAUsAh5RoJYloKHSUYmWMBHJ1bGWUjB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jb21wb3NllIwJQWNjdW1HcmFklJOUKYGUfZSMAW6USwNzYowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoCH2UKGgOTk5Oh5RoEU6FlGgVTmgqTnVoK32UKGgtfZQoaA5OaBFOaBVOaCpOdWgrXZRoN05oFowGc2NhbGFylJOUaCVDCBgDNbjtxkY/lIaUUpSGlHV1aBhoG0sAhZRoHYeUUpQoSwFLAEsBSwCHlGgliWgodJRiZXNiaFEpgZR9lGhUXZQofZQoaAh9lChoDk5OToeUaBFOhZRoFU5oKk51aCt9lChoLX2UKGgOTmgRTmgVTmgqTnVoK12UaDdOaF5oJUMIOMxglJs/7T+UhpRSlIaUdXVoGGgbSwCFlGgdh5RSlChLAUsASwFLAIeUaCWJaCh0lGJlc2JoUSmBlH2UaFRdlCh9lChoCH2UKGgOTk5Oh5RoEU6FlGgVTmgqTnVoK32UKGgtfZQoaA5OaBFOaBVOaCpOdWgrXZRoN05oXmglQwhIJ5tsExBvP5SGlFKUhpR1dWgYaBtLAIWUaB2HlFKUKEsBSwBLAUsAh5RoJYloKHSUYmVzYmhRKYGUfZRoVF2UKH2UKGgIfZQoaA5OTk6HlGgRToWUaBVOaCpOdWgrfZQoaC19lChoDk5oEU5oFU5oKk51aCtdlGg3TmheaCVDCAAAAAAAAAAAlIaUUpSGlHV1aBhoG0sAhZRoHYeUUpQoSwFLAEsBSwCHlGgliWgodJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'dec': {'__type__': 'Dense', 'weight': (-2, 'relu', 'relu', ), 'bias': ('<function identity>', ), 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, 'enc': {'a': {'__type__': 'Dense', 'weight': False, 'bias': '', 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, 'enc': [], 'b': ("<ufunc 'tanh'>", np.array(-2.351696622000007, dtype=np.float64), )}}, np.array([], dtype=np.float64)], 'rule': {'__type__': 'AccumGrad', 'n': 3}, 'ops': ({'__type__': 'Step', 'grads': [{'dec': {'weight': (None, None, None, ), 'bias': (None, ), 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'enc': [], 'b': (None, 0.0006951008548768704, )}}, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'dec': {'weight': (None, None, None, ), 'bias': (None, ), 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'enc': [], 'b': (None, 0.9140146158227997, )}}, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'dec': {'weight': (None, None, None, ), 'bias': (None, ), 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'enc': [], 'b': (None, 0.0037918452625022338, )}}, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'dec': {'weight': (None, None, None, ), 'bias': (None, ), 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'enc': [], 'b': (None, 0.0, )}}, np.array([], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'dec': {'__type__': 'Dense', 'weight': [-2, 'relu', 'relu'], 'bias': ['<function identity>'], 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, 'enc': {'a': {'__type__': 'Dense', 'weight': False, 'bias': '', 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, 'enc': [], 'b': ["<ufunc 'tanh'>", {'__array__': -2.351696622000007, 'dtype': 'float64'}]}}, {'__array__': [], 'dtype': 'float64'}], 'rule': 'AccumGrad(n=3)', 'ops': [{'op': 'step', 'grads': [{'dec': {'weight': [None, None, None], 'bias': [None], 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'enc': [], 'b': [None, 0.0006951008548768704]}}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'dec': {'weight': [None, None, None], 'bias': [None], 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'enc': [], 'b': [None, 0.9140146158227997]}}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'dec': {'weight': [None, None, None], 'bias': [None], 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'enc': [], 'b': [None, 0.0037918452625022338]}}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'dec': {'weight': [None, None, None], 'bias': [None], 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'enc': [], 'b': [None, 0.0]}}, {'__array__': [], 'dtype': 'float64'}]}], 'rules': ['AccumGrad(n=3)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (ACCUMGRAD-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ACCUMGRAD-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
