#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[Adam,structured] deviates from FLAT-6.

model[1]=3.6655265876367884, but should be 3.6655265889368405 [adapter=mlx, path=structured, step=4, dtype=float64, observed=1.3000520660000348e-09, allowed=7.947848911880005e-15]

Case seed 3224393044.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule Adam --path structured --seed 3224393044
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule Adam --path structured --seed 3224393044'
RULE = {'name': 'Adam', 'eta': 0.00805119165511759, 'beta': (0.4486005252931346, 0.917605824961147, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(3.6857905888143367, dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-3.9936657082335643, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.000929046148303597, dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.0026985073172273253, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-0.002037142022476852, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.002196902537920521, dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(3.6655265889368405, dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-3.9983010912450307, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(3.6655265876367884, dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-3.998301092026026, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.947848911880005e-15
PROGRAM_PICKLE = 'gASVsgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCgpjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMItOW2xn98DUCUdJRiaAloDEsAhZRoDoeUUpQoSwFLAIWUaBWJQwCUdJRiaAloDEsAhZRoDoeUUpQoSwFLAksAhpRoFYloHnSUYmgJaAxLAIWUaA6HlFKUKEsBKWgViUMIoCjAAQfzD8CUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz+AfSSm0goDjARiZXRhlEc/3LXe+kaOR0c/7V0G5Bp4pIaUjAdlcHNpbG9ulEc+sMb3oLXtjYwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCgpaAeMBnNjYWxhcpSTlGgVQwgAAAAAAAAAAJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAIWUaBWJaB50lGJoCWgMSwCFlGgOh5RSlChLAUsCSwCGlGgViWgedJRiaD5oFUMIAAAAAAAAAACUhpRSlGVzYmg4KYGUfZRoO12UKCloPmgVQwiYcGZpZ3FOP5SGlFKUaAloDEsAhZRoDoeUUpQoSwFLAIWUaBWJaB50lGJoCWgMSwCFlGgOh5RSlChLAUsCSwCGlGgViWgedJRiaD5oFUMIFMOdFS4bZj+UhpRSlGVzYmg4KYGUfZRoO12UKCloPmgVQwgAAAAAAAAAAJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAIWUaBWJaB50lGJoCWgMSwCFlGgOh5RSlChLAUsCSwCGlGgViWgedJRiaD5oFUMID5+kSzKwYL+UhpRSlGVzYmg4KYGUfZRoO12UKCloPmgVQwhQGLERPf9hP5SGlFKUaAloDEsAhZRoDoeUUpQoSwFLAIWUaBWJaB50lGJoCWgMSwCFlGgOh5RSlChLAUsCSwCGlGgViWgedJRiaD5oFUMIAAAAAAAAAACUhpRSlGVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: empty array', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [(), np.array(3.6857905888143367, dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-3.9936657082335643, dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.00805119165511759, 'beta': (0.4486005252931346, 0.917605824961147, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [(), 0.0, np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [(), 0.000929046148303597, np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), 0.0026985073172273253]}, {'__type__': 'Step', 'grads': [(), 0.0, np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), -0.002037142022476852]}, {'__type__': 'Step', 'grads': [(), 0.002196902537920521, np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), 0.0]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': 3.6857905888143367, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': -3.9936657082335643, 'dtype': 'float64'}], 'rule': "Adam(eta=0.00805119165511759, beta=(0.4486005252931346, 0.917605824961147), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'step', 'grads': [[], 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [[], 0.000929046148303597, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, 0.0026985073172273253]}, {'op': 'step', 'grads': [[], 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, -0.002037142022476852]}, {'op': 'step', 'grads': [[], 0.002196902537920521, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, 0.0]}], 'rules': ["Adam(eta=0.00805119165511759, beta=(0.4486005252931346, 0.917605824961147), epsilon=1e-06, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
