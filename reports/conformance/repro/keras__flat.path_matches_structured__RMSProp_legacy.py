#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,legacy] deviates from FLAT-6.

model[0]=-3.8397526036990377, but should be -3.8394502044490517 [adapter=keras, path=legacy, step=4, dtype=float64, observed=0.0003023992499859851, allowed=6.990449009780115e-15]

Case seed 442387088.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path legacy --seed 442387088
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path legacy --seed 442387088'
RULE = {'name': 'RMSProp', 'eta': 0.009356442374577167, 'rho': 0.01, 'epsilon': 0.001, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-3.8407877918717688, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-3.715275655333393, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.784681608731511, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(2.498317339845815e-25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.00043911404177177484, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-3.8394502044490517, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-3.8397526036990377, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.990449009780115e-15
PROGRAM_PICKLE = 'gASVaAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwjwuCfz7rkOwJR0lGJdlCgpaBBlZYwEcnVsZZSMIG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYXB0aXZllIwHUk1TUHJvcJSTlCmBlH2UKIwDZXRhlEc/gyl4cAu1oIwDcmhvlEc/hHrhR64Ue4wHZXBzaWxvbpRHP1BiTdLxqfyMB2NlbnRyZWSUiXVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKGgHjAZzY2FsYXKUk5RoFUMIAAAAAAAAAACUhpRSlF2UKCloLWgVQwhQQVpx4rgNwJSGlFKUZWVzYmgnKYGUfZRoKl2UKGgtaBVDCNBS9fuobWe/lIaUUpRdlCgpaC1oFUMIGL7kQ4oz6T+UhpRSlGVlc2JoJymBlH2UaCpdlChoLWgVQwgAAAAAAAAAAJSGlFKUXZQoKWgtaBVDCOry4WNtVNM6lIaUUpRlZXNiaCcpgZR9lGgqXZQoaC1oFUMIDCUaeHMXUD+UhpRSlF2UKCloLWgVQwgeZ9CUOklXv5SGlFKUZWVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': [np.array(-3.8407877918717688, dtype=np.float64), [(), np.array(-3.8407877918717688, dtype=np.float64)]], 'rule': {'__type__': 'RMSProp', 'eta': 0.009356442374577167, 'rho': 0.01, 'epsilon': 0.001, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': [0.0, [(), -3.715275655333393]]}, {'__type__': 'Step', 'grads': [-0.0028599071953670854, [(), 0.7875415159268782]]}, {'__type__': 'Step', 'grads': [0.0, [(), 2.498317339845815e-25]]}, {'__type__': 'Step', 'grads': [0.0009821536663444123, [(), -0.0014212677081161871]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': -3.8407877918717688, 'dtype': 'float64'}, [[], {'__array__': -3.8407877918717688, 'dtype': 'float64'}]], 'rule': 'RMSProp(eta=0.009356442374577167, rho=0.01, epsilon=0.001, centred=False)', 'ops': [{'op': 'step', 'grads': [0.0, [[], -3.715275655333393]]}, {'op': 'step', 'grads': [-0.0028599071953670854, [[], 0.7875415159268782]]}, {'op': 'step', 'grads': [0.0, [[], 2.498317339845815e-25]]}, {'op': 'step', 'grads': [0.0009821536663444123, [[], -0.0014212677081161871]]}], 'rules': ['RMSProp(eta=0.009356442374577167, rho=0.01, epsilon=0.001, centred=False)'], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
