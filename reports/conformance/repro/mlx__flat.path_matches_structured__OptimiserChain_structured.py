#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[OptimiserChain,structured] deviates from FLAT-6.

model[1][0]=3.7985546455132986, but should be 3.798554646187998 [adapter=mlx, path=structured, step=4, dtype=float64, observed=6.746994074546819e-10, allowed=6.9461478767242045e-15]

Case seed 2504311189.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule OptimiserChain --path structured --seed 2504311189
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule OptimiserChain --path structured --seed 2504311189'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.002730832346267435, 'beta': (0.5281415295970434, 0.6842006101635669, ), 'epsilon': 1e-08, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([3.8067681681763617], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.001953134765625], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0029247652076018395], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-2.756624367800537e-231], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([3.798554646187998], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([3.7985546455132986], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.9461478767242045e-15
PROGRAM_PICKLE = 'gASVoAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCgpjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAYWUaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIoCuO3kJ0DkCUdJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz9mXvhzx0qjjARiZXRhlEc/4OaJEKjrQUc/5eT4rZHI1IaUjAdlcHNpbG9ulEc+RXmO4jCMOowHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YoWUc2KMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMIOWItPgUAYD+UdJRiZXNiaDApgZR9lGgzXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMIrLtIXa31Zz+UdJRiZXNiaDApgZR9lGgzXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMI0hb6FmweEZCUdJRiZXNiaDApgZR9lGgzXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMIAAAAAAAAAACUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [(), np.array([3.8067681681763617], dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.002730832346267435, 'beta': (0.5281415295970434, 0.6842006101635669, ), 'epsilon': 1e-08, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': [(), np.array([0.001953134765625], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([0.0029247652076018395], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([-2.756624367800537e-231], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': [3.8067681681763617], 'dtype': 'float64'}], 'rule': "OptimiserChain(Adam(eta=0.002730832346267435, beta=(0.5281415295970434, 0.6842006101635669), epsilon=1e-08, variant='normative'))", 'ops': [{'op': 'step', 'grads': [[], {'__array__': [0.001953134765625], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [0.0029247652076018395], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [-2.756624367800537e-231], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [0.0], 'dtype': 'float64'}]}], 'rules': ["OptimiserChain(Adam(eta=0.002730832346267435, beta=(0.5281415295970434, 0.6842006101635669), epsilon=1e-08, variant='normative'))"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
