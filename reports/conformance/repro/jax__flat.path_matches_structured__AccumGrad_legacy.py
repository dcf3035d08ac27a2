#!/usr/bin/env python
"""optconf repro: jax flat.path_matches_structured[AccumGrad,legacy] deviates from FLAT-6.

model[2]=0.8579850740560867, but should be 0.8579850577635594 [adapter=jax, path=legacy, step=4, dtype=float64, observed=1.629252732726627e-08, allowed=2.6870212651103098e-15]

Case seed 2750488571.  Inside optconf, replay with:
    optconf replay --adapter jax --property flat.path_matches_structured --rule AccumGrad --path legacy --seed 2750488571
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property flat.path_matches_structured --rule AccumGrad --path legacy --seed 2750488571'
RULE = {'name': 'AccumGrad', 'n': 3}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.5, dtype=np.float64), np.array(1.119854433072505, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-1.6373764087901443e-243, dtype=np.float64), np.array(1.8856081259268374, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0036810870412561023, dtype=np.float64), np.array(-1.1, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-8.354098866869113e-189, dtype=np.float64), np.array(-2.9252401489792614, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.501227029013752, dtype=np.float64), np.array(0.8579850577635594, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(1.501227029013752, dtype=np.float64), np.array(0.8579850740560867, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.6870212651103098e-15
PROGRAM_PICKLE = 'gASVRAMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjAVudW1weZSMBHRhbmiUk5SMBGJpYXOUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUaA2MB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaA2MBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYowFc2NhbGWUaBNoFUsAhZRoF4eUUpQoSwFLAEsAhpRoHIwCZjiUiYiHlFKUKEsDaCBOTk5K/////0r/////SwB0lGKJaCJ0lGKMA2FjdJRoB4wIaWRlbnRpdHmUk5R1YmgTaBVLAIWUaBeHlFKUKEsBKWgriUMIAAAAAAAA+D+UdJRiaBNoFUsAhZRoF4eUUpQoSwEpaCuJQwiEO2V77OrxP5R0lGJljARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMCUFjY3VtR3JhZJSTlCmBlH2UjAFulEsDc2KMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAxOaBBOaCROaC5OdWgRjAZzY2FsYXKUk5RoK0MIoJ8yzTNcho2UhpRSlGhLaCtDCITXHm1zK/4/lIaUUpRlc2JoRCmBlH2UaEddlCh9lChoDE5oEE5oJE5oLk51aEtoK0MIAAAAAAAAAACUhpRSlGhLaCtDCAAAAAAAAAAAlIaUUpRlc2JoRCmBlH2UaEddlCh9lChoDE5oEE5oJE5oLk51aEtoK0MIsO6Wjswnbr+UhpRSlGhLaCtDCJqZmZmZmfG/lIaUUpRlc2JoRCmBlH2UaEddlCh9lChoDE5oEE5oJE5oLk51aEtoK0MIQjtPj2Kc4piUhpRSlGhLaCtDCCx/pk7kZgfAlIaUUpRlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': np.array([], dtype=np.int64), 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, np.array(1.5, dtype=np.float64), np.array(1.119854433072505, dtype=np.float64)], 'rule': {'__type__': 'AccumGrad', 'n': 3}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, -1.6373764087901443e-243, 1.8856081259268374]}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, 0.0, 0.0]}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, -0.0036810870412561023, -1.1]}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, -8.354098866869113e-189, -2.9252401489792614]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': {'__array__': [], 'dtype': 'int64'}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': 1.5, 'dtype': 'float64'}, {'__array__': 1.119854433072505, 'dtype': 'float64'}], 'rule': 'AccumGrad(n=3)', 'ops': [{'op': 'step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, -1.6373764087901443e-243, 1.8856081259268374]}, {'op': 'step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, 0.0, 0.0]}, {'op': 'step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, -0.0036810870412561023, -1.1]}, {'op': 'step', 'grads': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, -8.354098866869113e-189, -2.9252401489792614]}], 'rules': ['AccumGrad(n=3)'], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
