#!/usr/bin/env python
"""optconf repro: jax rules.matches_reference[AccumGrad] deviates from ACCUMGRAD-1.

model[1]=-2.351125104260562, but should be -2.3511251042784673 [adapter=jax, path=structured, step=4, dtype=float64, observed=1.7905232851944675e-11, allowed=4.178975207804421e-15]

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
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0017145531646196531, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-2.4689142210757567e-239, dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-2.3511251042784673, dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-2.351125104260562, dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.178975207804421e-15
PROGRAM_PICKLE = 'gASV7wIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsAhZRoDYwFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRiToaUgZRoDGgPSwCFlGgRh5RSlChLASloFowCZjiUiYiHlFKUKEsDaBpOTk5K/////0r/////SwB0lGKJQwhj1IxRRtACwJR0lGJoDGgPSwCFlGgRh5RSlChLAUsASwFLAIeUaCWJaBx0lGJljARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMCUFjY3VtR3JhZJSTlCmBlH2UjAFulEsDc2KMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoTk6GlGgKjAZzY2FsYXKUk5RoJUMIAAAAAAAAAACUhpRSlGgMaA9LAIWUaBGHlFKUKEsBSwBLAUsAh5RoJYloHHSUYmVzYmg3KYGUfZRoOl2UKE5OhpRoPmglQwjmHzxxWxdcv5SGlFKUaAxoD0sAhZRoEYeUUpQoSwFLAEsBSwCHlGgliWgcdJRiZXNiaDcpgZR9lGg6XZQoTk6GlGg+aCVDCAAAAAAAAAAAlIaUUpRoDGgPSwCFlGgRh5RSlChLAUsASwFLAIeUaCWJaBx0lGJlc2JoNymBlH2UaDpdlChOToaUaD5oJUMIam6S8RSUZI6UhpRSlGgMaA9LAIWUaBGHlFKUKEsBSwBLAUsAh5RoJYloHHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [(np.array([], dtype=np.int64), None, ), np.array(-2.351696622000007, dtype=np.float64), np.array([], dtype=np.float64)], 'rule': {'__type__': 'AccumGrad', 'n': 3}, 'ops': ({'__type__': 'Step', 'grads': [(None, None, ), 0.0, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(None, None, ), -0.0017145531646196531, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(None, None, ), 0.0, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(None, None, ), -2.4689142210757567e-239, np.array([], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[{'__array__': [], 'dtype': 'int64'}, None], {'__array__': -2.351696622000007, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'rule': 'AccumGrad(n=3)', 'ops': [{'op': 'step', 'grads': [[None, None], 0.0, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None, None], -0.0017145531646196531, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None, None], 0.0, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None, None], -2.4689142210757567e-239, {'__array__': [], 'dtype': 'float64'}]}], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
