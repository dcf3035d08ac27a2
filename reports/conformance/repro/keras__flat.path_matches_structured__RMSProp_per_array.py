#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,per_array] deviates from FLAT-6.

model['dec'][1]=-2.989250840640881, but should be -2.9926345270215746 [adapter=keras, path=per_array, step=4, dtype=float64, observed=0.003383686380693529, allowed=5.427082683988241e-15]

Case seed 3923052095.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path per_array --seed 3923052095
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path per_array --seed 3923052095'
RULE = {'name': 'RMSProp', 'eta': 0.005519443401264472, 'rho': 0.0, 'epsilon': 0.001, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-3.0, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-2.984121048062308, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(6.103515625e-05, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.5006964668524576, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0015360643270162806, dtype=np.float64), np.array([[], []], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-2.9926345270215746, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-2.989250840640881, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.427082683988241e-15
PROGRAM_PICKLE = 'gASVQQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiJhZROhpSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloDowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAAAIwJR0lGJoDWgQSwCFlGgSh5RSlChLAUsCSwBLAIeUaBmJQwCUdJRiZYwBYZRoFHWMBHJ1bGWUjCBvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFwdGl2ZZSMB1JNU1Byb3CUk5QpgZR9lCiMA2V0YZRHP3abjk5oqziMA3Job5RHAAAAAAAAAACMB2Vwc2lsb26URz9QYk3S8an8jAdjZW50cmVklIl1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKE6FlE6GlGgLjAZzY2FsYXKUk5RoGUMI5Nwl23rfB8CUhpRSlGgNaBBLAIWUaBKHlFKUKEsBSwJLAEsAh5RoGYloInSUYmVoJGg6aBlDCAAAAAAAAAAAlIaUUpR1c2JoMSmBlH2UaDR9lChoB12UKE6FlE6GlGg6aBlDCAAAAAAAAKC2lIaUUpRoDWgQSwCFlGgSh5RSlChLAUsCSwBLAIeUaBmJaCJ0lGJlaCRoOmgZQwgAAAAAAAAQP5SGlFKUdXNiaDEpgZR9lGg0fZQoaAddlChOhZROhpRoOmgZQwhoVMuYtAXgv5SGlFKUaA1oEEsAhZRoEoeUUpQoSwFLAksASwCHlGgZiWgidJRiZWgkaDpoGUMIrbnJwmxhuCCUhpRSlHVzYmgxKYGUfZRoNH2UKGgHXZQoToWUToaUaDpoGUMIRCxZMXEAXD+UhpRSlGgNaBBLAIWUaBKHlFKUKEsBSwJLAEsAh5RoGYloInSUYmVoJGg6aBlDCOBtp3HFrSa/lIaUUpR1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'dec': [((False, ), None, ), np.array(-3.0, dtype=np.float64), np.array([[], []], dtype=np.float64)], 'a': np.array(-3.0, dtype=np.float64)}, 'rule': {'__type__': 'RMSProp', 'eta': 0.005519443401264472, 'rho': 0.0, 'epsilon': 0.001, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [((None, ), None, ), -2.984121048062308, np.array([[], []], dtype=np.float64)], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [((None, ), None, ), -1.401298464324817e-45, np.array([[], []], dtype=np.float64)], 'a': 6.103515625e-05}}, {'__type__': 'Step', 'grads': {'dec': [((None, ), None, ), -0.5006964668524576, np.array([[], []], dtype=np.float64)], 'a': 4.6550673158811906e-151}}, {'__type__': 'Step', 'grads': {'dec': [((None, ), None, ), 0.0017090897939791164, np.array([[], []], dtype=np.float64)], 'a': -0.00017302546696283585}}, ), 'dtype': 'float64'}, 'model': {'dec': [[[False], None], {'__array__': -3.0, 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}], 'a': {'__array__': -3.0, 'dtype': 'float64'}}, 'rule': 'RMSProp(eta=0.005519443401264472, rho=0.0, epsilon=0.001, centred=False)', 'ops': [{'op': 'step', 'grads': {'dec': [[[None], None], -2.984121048062308, {'__array__': [[], []], 'dtype': 'float64'}], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [[[None], None], -1.401298464324817e-45, {'__array__': [[], []], 'dtype': 'float64'}], 'a': 6.103515625e-05}}, {'op': 'step', 'grads': {'dec': [[[None], None], -0.5006964668524576, {'__array__': [[], []], 'dtype': 'float64'}], 'a': 4.6550673158811906e-151}}, {'op': 'step', 'grads': {'dec': [[[None], None], 0.0017090897939791164, {'__array__': [[], []], 'dtype': 'float64'}], 'a': -0.00017302546696283585}}], 'rules': ['RMSProp(eta=0.005519443401264472, rho=0.0, epsilon=0.001, centred=False)'], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
