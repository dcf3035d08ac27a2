#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[RMSProp] deviates from ADJ-2.

model[3]=-0.00035907517467909046, but should be -0.00035907517367011067 [adapter=keras, path=structured, step=4, dtype=float64, observed=1.0089797920775911e-12, allowed=7.016302046685073e-18]

Case seed 672635629.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule RMSProp --seed 672635629
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule RMSProp --seed 672635629'
RULE = {'name': 'RMSProp', 'eta': 0.002943650190512012, 'rho': 0.0, 'epsilon': 1e-06, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[], []], dtype=np.float64), np.array(1.3018046741216969, dtype=np.float64), np.array(7.056777279118541e-172, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, None, None]}, {'op': 'adjust', 'changes': {'epsilon': 1e-08, 'eta': 0.00035907517488441423}}, {'op': 'step', 'grads': [None, None, None]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), None, np.array(2.957046169824592, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(-1.725223960381928e-99, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[], []], dtype=np.float64), np.array(1.3018046741216969, dtype=np.float64), np.array(-0.00035907517367011067, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[], []], dtype=np.float64), np.array(1.3018046741216969, dtype=np.float64), np.array(-0.00035907517467909046, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.016302046685073e-18
PROGRAM_PICKLE = 'gASVqAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAIaUaAuMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYmgKaA1LAIWUaA+HlFKUKEsBKWgXiUMIPB9SIzHU9D+UdJRiaApoDUsAhZRoD4eUUpQoSwEpaBeJQwhUptJFI9FlHJR0lGJljARydWxllIwgb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhcHRpdmWUjAdSTVNQcm9wlJOUKYGUfZQojANldGGURz9oHUgpklX5jANyaG+URwAAAAAAAAAAjAdlcHNpbG9ulEc+sMb3oLXtjYwHY2VudHJlZJSJdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUTnNiaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UKGguRz5FeY7iMIw6aCxHPzeISCIH9xl1c2JoMimBlH2UaDVOc2JoMimBlH2UaDVdlChdlGgKaA1LAIWUaA+HlFKUKEsBSwJLAIaUaBeJaBp0lGJOaAiMBnNjYWxhcpSTlGgXQwj8RIHSB6gHQJSGlFKUZXNiaDIpgZR9lGg1XZQoXZRoCmgNSwCFlGgPh5RSlChLAUsCSwCGlGgXiWgadJRiaEhoF0MIAAAAAAAAAACUhpRSlGhIaBdDCOfq+GEfMG6rlIaUUpRlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: empty array', 'models: sizes that do not divide evenly', 'programs: None inside a gradient', 'programs: adjust then step', 'programs: step without any gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [[], np.array([[], []], dtype=np.float64), np.array(1.3018046741216969, dtype=np.float64), np.array(7.056777279118541e-172, dtype=np.float64)], 'rule': {'__type__': 'RMSProp', 'eta': 0.002943650190512012, 'rho': 0.0, 'epsilon': 1e-06, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': None}, {'__type__': 'Adjust', 'changes': {'epsilon': 1e-08, 'eta': 0.00035907517488441423}}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [[], np.array([[], []], dtype=np.float64), None, 2.957046169824592]}, {'__type__': 'Step', 'grads': [[], np.array([[], []], dtype=np.float64), 0.0, -1.725223960381928e-99]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': 1.3018046741216969, 'dtype': 'float64'}, {'__array__': 7.056777279118541e-172, 'dtype': 'float64'}], 'rule': 'RMSProp(eta=0.002943650190512012, rho=0.0, epsilon=1e-06, centred=False)', 'ops': [{'op': 'step', 'grads': None}, {'op': 'adjust', 'changes': {'epsilon': 1e-08, 'eta': 0.00035907517488441423}}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [[], {'__array__': [[], []], 'dtype': 'float64'}, None, 2.957046169824592]}, {'op': 'step', 'grads': [[], {'__array__': [[], []], 'dtype': 'float64'}, 0.0, -1.725223960381928e-99]}], 'rules': ['RMSProp(eta=0.002943650190512012, rho=0.0, epsilon=1e-06, centred=False)', 'RMSProp(eta=0.00035907517488441423, rho=0.0, epsilon=1e-08, centred=False)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
