#!/usr/bin/env python
"""optconf repro: mlx freezing.thaw_resumes[flat_vector] deviates from FRZ-2.

momentum.velocity[model[2]][0]=0.0, but should be 0.0037413130048662424 [adapter=mlx, path=flat_vector, step=4, dtype=float32, observed=0.0037413130048662424, allowed=1.7839970611888134e-08]

Case seed 570087479.  Inside optconf, replay with:
    optconf replay --adapter mlx --property freezing.thaw_resumes --path flat_vector --seed 570087479
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FRZ-2'
PATH = 'flat_vector'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter mlx --property freezing.thaw_resumes --path flat_vector --seed 570087479'
RULE = {'name': 'Momentum', 'eta': 0.05252971704539641, 'rho': 0.0, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([-1.82416570186615], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, None]}, {'op': 'freeze', 'keys': []}, {'op': 'step', 'grads': [None, None]}, {'op': 'thaw', 'keys': []}, {'op': 'step', 'grads': [None, None]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([0.0037413130048662424], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([-1.8243622319796737], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float32), np.array([-1.8243622779846191], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.7839970611888134e-08
PROGRAM_PICKLE = 'gASV+AIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoCX2UKIwBYZROjANkZWOUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAYWUaBCMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMI+/////////+UdJRidWgJSwOMBHJlbHWUhpSBlIaUgZSFlF2UaAeMCGlkZW50aXR5lJOUYYaUgZRoD2gSSwCFlGgUh5RSlChLAUsASwFLAIeUaBmMAmY4lImIh5RSlChLA2gdTk5OSv////9K/////0sAdJRiiUMAlHSUYmgPaBJLAIWUaBSHlFKUKEsBSwGFlGgyiUMIAAAAYMgv/b+UdJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmRlc2NlbnSUjAhNb21lbnR1bZSTlCmBlH2UKIwDZXRhlEc/quUs0Y5knIwDcmhvlEcAAAAAAAAAAIwHdmFyaWFudJSMBXRvcmNolHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlE5zYmgAjAZGcmVlemWUk5QpgZR9lIwEa2V5c5Qpc2JoSCmBlH2UaEtOc2JoAIwEVGhhd5STlCmBlH2UaFApc2JoSCmBlH2UaEtOc2JoSCmBlH2UaEtdlCh9lChoC05oDE51Tk6GlIaUhZRdlE5hhpRoD2gSSwCFlGgUh5RSlChLAUsASwFLAIeUaDKJaDR0lGJoD2gSSwCFlGgUh5RSlChLAUsBhZRoMolDCAAAACAapm4/lHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: sizes that do not divide evenly', 'programs: freeze then step', 'programs: step without any gradient', 'programs: thaw of a frozen part then step'], 'program': {'__type__': 'Program', 'model': [((({'a': None, 'dec': np.array([-5], dtype=np.int64)}, (3, 'relu', ), ), ), ['<function identity>'], ), np.array([], dtype=np.float64), np.array([-1.82416570186615], dtype=np.float64)], 'rule': {'__type__': 'Momentum', 'eta': 0.05252971704539641, 'rho': 0.0, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': None}, {'__type__': 'Freeze', 'keys': ()}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Thaw', 'keys': ()}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [((({'a': None, 'dec': None}, (None, None, ), ), ), [None], ), np.array([], dtype=np.float64), np.array([0.0037413130048662424], dtype=np.float64)]}, ), 'dtype': 'float32'}, 'model': [[[[{'a': None, 'dec': {'__array__': [-5], 'dtype': 'int64'}}, [3, 'relu']]], ['<function identity>']], {'__array__': [], 'dtype': 'float64'}, {'__array__': [-1.82416570186615], 'dtype': 'float64'}], 'rule': "Momentum(eta=0.05252971704539641, rho=0.0, variant='torch')", 'ops': [{'op': 'step', 'grads': None}, {'op': 'freeze', 'keys': []}, {'op': 'step', 'grads': None}, {'op': 'thaw', 'keys': []}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [[[[{'a': None, 'dec': None}, [None, None]]], [None]], {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0037413130048662424], 'dtype': 'float64'}]}], 'rules': ["Momentum(eta=0.05252971704539641, rho=0.0, variant='torch')"], 'path': 'flat_vector', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (FRZ-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (FRZ-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
