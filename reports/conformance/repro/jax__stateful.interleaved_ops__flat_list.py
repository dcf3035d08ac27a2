#!/usr/bin/env python
"""optconf repro: jax stateful.interleaved_ops[flat_list] deviates from ADJ-2.

optimiserchain.0.beta_t[model[0].weight][0]=0.01, but should be 0.3333333333333333 [adapter=jax, path=flat_list, step=0, dtype=float32, observed=0.3233333333333333, allowed=1.8782582270741388e-07]

Case seed 2686583011.  Inside optconf, replay with:
    optconf replay --adapter jax --property stateful.interleaved_ops --path flat_list --seed 2686583011
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'flat_list'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter jax --property stateful.interleaved_ops --path flat_list --seed 2686583011'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.009142440501378928, 'beta': (0.3333333333333333, 0.7877985994849969, ), 'epsilon': 1e-08}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([1.266491174697876, -2.510434627532959], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'adjust', 'changes': {'beta': (0.01, 0.7533440031783164, ), 'epsilon': 1e-06}}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([1.266491174697876, -2.510434627532959], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([1.266491174697876, -2.510434627532959], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.8782582270741388e-07
PROGRAM_PICKLE = 'gASVfQIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAoWUaA+MBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQAAAAQIxD9D8AAADAXhUEwJR0lGKMBGJpYXOUaA+MBHRhbmiUk5SMBXNjYWxllGgOaBFLAIWUaBOHlFKUKEsBKWgbiUMIAAAAoMrP/b+UdJRijANhY3SUaCJ1YmgGjARQYWlylJOUfZROhpSBlIaUjARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMDk9wdGltaXNlckNoYWlulJOUKYGUfZSMBXJ1bGVzlIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP4K5RZesIYmMBGJldGGURz/VVVVVVVVVRz/pNaVok+zdhpSMB2Vwc2lsb26URz5FeY7iMIw6dWKFlHNijANvcHOUaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UKGg9Rz+EeuFHrhR7Rz/oG2TiCTwfhpRoP0c+sMb3oLXtjXVzYoWUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': ({'__type__': 'Dense', 'weight': np.array([1.266491174697876, -2.510434627532959], dtype=np.float64), 'bias': "<ufunc 'tanh'>", 'scale': np.array(-1.8632303476333618, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, ({}, None, ), ), 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.009142440501378928, 'beta': (0.3333333333333333, 0.7877985994849969, ), 'epsilon': 1e-08}, )}, 'ops': ({'__type__': 'Adjust', 'changes': {'beta': (0.01, 0.7533440031783164, ), 'epsilon': 1e-06}}, ), 'dtype': 'float32'}, 'model': [{'__type__': 'Dense', 'weight': {'__array__': [1.266491174697876, -2.510434627532959], 'dtype': 'float64'}, 'bias': "<ufunc 'tanh'>", 'scale': {'__array__': -1.8632303476333618, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, [{}, None]], 'rule': 'OptimiserChain(Adam(eta=0.009142440501378928, beta=(0.3333333333333333, 0.7877985994849969), epsilon=1e-08))', 'ops': [{'op': 'adjust', 'changes': {'beta': [0.01, 0.7533440031783164], 'epsilon': 1e-06}}], 'path': 'flat_list', 'dtype': 'float32', 'step': 0}


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
        print("recorded deviation (ADJ-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADJ-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
