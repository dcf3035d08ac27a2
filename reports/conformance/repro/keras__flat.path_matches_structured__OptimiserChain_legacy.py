#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[OptimiserChain,legacy] deviates from FLAT-6.

model['dec'][3][0, 0, 0]=-3.8322349546376846, but should be -3.832234955137499 [adapter=keras, path=legacy, step=4, dtype=float64, observed=4.998144120804682e-10, allowed=9.241874591239134e-15]

Case seed 649247708.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule OptimiserChain --path legacy --seed 649247708
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule OptimiserChain --path legacy --seed 649247708'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 1.9685530133002824, 'p': 2.0, 'throw': True}, {'__type__': 'Adam', 'eta': 0.002134743765372458, 'beta': (0.9499999999999998, 0.7529673070919015, ), 'epsilon': 1e-06, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-3.830050992097581]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-1.1479437019748901e-41]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[2.2278670624363315]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[5.960464477539063e-08]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-3.832234955137499]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-3.8322349546376846]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.241874591239134e-15
PROGRAM_PICKLE = 'gASV/AQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiIhZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBSwCGlGgNjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGJoDGgPSwCFlGgRh5RSlChLAUsBSwCGlGgZiWgcdJRiaAxoD0sAhZRoEYeUUpQoSwFLAUsBSwGHlGgZiUMIXJJIxvGjDsCUdJRiZYwBYZRoIHWMBHJ1bGWUjB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jb21wb3NllIwOT3B0aW1pc2VyQ2hhaW6Uk5QpgZR9lIwFcnVsZXOUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwIQ2xpcE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc//38xcckSS4wBcJRHQAAAAAAAAACMBXRocm93lIh1Yowcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP2F84dULLciMBGJldGGURz/uZmZmZmZlRz/oGE7k3VdLhpSMB2Vwc2lsb26URz6wxvegte2NjAd2YXJpYW50lIwJbm9ybWF0aXZllHVihpRzYowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKE6FlGgMaA9LAIWUaBGHlFKUKEsBSwFLAIaUaBmJaBx0lGJoDGgPSwCFlGgRh5RSlChLAUsBSwCGlGgZiWgcdJRiaAxoD0sAhZRoEYeUUpQoSwFLAUsBSwGHlGgZiUMIAAAAAAAAcLeUdJRiZWgpaAxoD0sAhZRoEYeUUpQoSwFLAUsAhpRoGYloHHSUYnVzYmhHKYGUfZRoSn2UKGgHXZQoToWUaAxoD0sAhZRoEYeUUpQoSwFLAUsAhpRoGYloHHSUYmgMaA9LAIWUaBGHlFKUKEsBSwFLAIaUaBmJaBx0lGJoDGgPSwCFlGgRh5RSlChLAUsBSwFLAYeUaBmJQwgAAAAAAAAAAJR0lGJlaCloDGgPSwCFlGgRh5RSlChLAUsBSwCGlGgZiWgcdJRidXNiaEcpgZR9lGhKfZQoaAddlChOhZRoDGgPSwCFlGgRh5RSlChLAUsBSwCGlGgZiWgcdJRiaAxoD0sAhZRoEYeUUpQoSwFLAUsAhpRoGYloHHSUYmgMaA9LAIWUaBGHlFKUKEsBSwFLAUsBh5RoGYlDCED/Z/er0gFAlHSUYmVoKWgMaA9LAIWUaBGHlFKUKEsBSwFLAIaUaBmJaBx0lGJ1c2JoRymBlH2UaEp9lChoB12UKE6FlGgMaA9LAIWUaBGHlFKUKEsBSwFLAIaUaBmJaBx0lGJoDGgPSwCFlGgRh5RSlChLAUsBSwCGlGgZiWgcdJRiaAxoD0sAhZRoEYeUUpQoSwFLAUsBSwGHlGgZiUMIAAAAAAAAcD6UdJRiZWgpaAxoD0sAhZRoEYeUUpQoSwFLAUsAhpRoGYloHHSUYnVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [(True, ), np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-3.830050992097581]]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}, 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 1.9685530133002824, 'p': 2.0, 'throw': True}, {'__type__': 'Adam', 'eta': 0.002134743765372458, 'beta': (0.9499999999999998, 0.7529673070919015, ), 'epsilon': 1e-06, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [(None, ), np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-1.1479437019748901e-41]]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [(None, ), np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [(None, ), np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[2.2278670624363315]]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [(None, ), np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[5.960464477539063e-08]]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[True], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-3.830050992097581]]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}, 'rule': "OptimiserChain(ClipNorm(omega=1.9685530133002824, p=2.0, throw=True), Adam(eta=0.002134743765372458, beta=(0.9499999999999998, 0.7529673070919015), epsilon=1e-06, variant='normative'))", 'ops': [{'op': 'step', 'grads': {'dec': [[None], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-1.1479437019748901e-41]]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[None], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[0.0]]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[None], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[2.2278670624363315]]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[None], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[5.960464477539063e-08]]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}], 'rules': ["OptimiserChain(ClipNorm(omega=1.9685530133002824, p=2.0, throw=True), Adam(eta=0.002134743765372458, beta=(0.9499999999999998, 0.7529673070919015), epsilon=1e-06, variant='normative'))"], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
