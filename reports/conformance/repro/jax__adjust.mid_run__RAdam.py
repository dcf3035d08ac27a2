#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[RAdam] deviates from ADJ-2.

model[1]=-3.999996053724166, but should be -3.999995900883898 [adapter=jax, path=structured, step=4, dtype=float64, observed=1.5284026799733397e-07, allowed=7.108528293936762e-15]

Case seed 56588280.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule RAdam --seed 56588280
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule RAdam --seed 56588280'
RULE = {'name': 'RAdam', 'eta': 0.009649017621891624, 'beta': (0.3870584415782819, 0.5, ), 'epsilon': 1e-06, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-3.9999999999999996, dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-0.0039062499999999996, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'epsilon': 0.001, 'beta': (0.03985796952698481, 0.6224586844687798, )}}, {'op': 'step', 'grads': [np.array(7.389449137756693e-268, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1e-08, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0037461002335669423, dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-3.999995900883898, dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-3.999996053724166, dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.108528293936762e-15
PROGRAM_PICKLE = 'gASVSwMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsChZRoCowFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxADAAAAAAAAAAUAAAAAAAAAlHSUYmgJaAxLAIWUaA6HlFKUKEsBKWgTjAJmOJSJiIeUUpQoSwNoF05OTkr/////Sv////9LAHSUYolDCP///////w/AlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAUsAh5RoIIlDAJR0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBVJBZGFtlJOUKYGUfZQojANldGGURz+Dwt04/xU8jARiZXRhlEc/2MWQxQ4LbUc/4AAAAAAAAIaUjAdlcHNpbG9ulEc+sMb3oLXtjYwHdmFyaWFudJSMBW9wdGF4lHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKE5oB4wGc2NhbGFylJOUaCBDCP///////2+/lIaUUpRoCWgMSwCFlGgOh5RSlChLAUsASwFLAIeUaCCJaCh0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaDNHP1BiTdLxqfxoMUc/pGhDhzTsLEc/4+sueZzybIaUdXNiaDgpgZR9lGg7XZQoTmg+aCBDCPrrrsIWZngIlIaUUpRoCWgMSwCFlGgOh5RSlChLAUsASwFLAIeUaCCJaCh0lGJlc2JoOCmBlH2UaDtdlChOaD5oIEMIOoww4o55RT6UhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwBLAUsAh5RoIIloKHSUYmVzYmg4KYGUfZRoO12UKE5oPmggQwg44bM/JLBuP5SGlFKUaAloDEsAhZRoDoeUUpQoSwFLAEsBSwCHlGggiWgodJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [np.array([3, 5], dtype=np.int64), np.array(-3.9999999999999996, dtype=np.float64), np.array([], dtype=np.float64)], 'rule': {'__type__': 'RAdam', 'eta': 0.009649017621891624, 'beta': (0.3870584415782819, 0.5, ), 'epsilon': 1e-06, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [None, -0.0039062499999999996, np.array([], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'epsilon': 0.001, 'beta': (0.03985796952698481, 0.6224586844687798, )}}, {'__type__': 'Step', 'grads': [None, 7.389449137756693e-268, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, 1e-08, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, 0.0037461002335669423, np.array([], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__array__': [3, 5], 'dtype': 'int64'}, {'__array__': -3.9999999999999996, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'rule': "RAdam(eta=0.009649017621891624, beta=(0.3870584415782819, 0.5), epsilon=1e-06, variant='optax')", 'ops': [{'op': 'step', 'grads': [None, -0.0039062499999999996, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'epsilon': 0.001, 'beta': [0.03985796952698481, 0.6224586844687798]}}, {'op': 'step', 'grads': [None, 7.389449137756693e-268, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, 1e-08, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, 0.0037461002335669423, {'__array__': [], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
