#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AMSGrad,flat_list] deviates from FLAT-6.

model['dec'][1][1, 0, 0]=-1.7143246437108812, but should be -1.7143243657034455 [adapter=keras, path=flat_list, step=4, dtype=float64, observed=2.7800743573891395e-07, allowed=3.966549522632585e-15]

Case seed 1682027116.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path flat_list --seed 1682027116
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path flat_list --seed 1682027116'
RULE = {'name': 'AMSGrad', 'eta': 0.0071669531405843265, 'beta': (0.867416714877303, 0.6761305695893468, ), 'epsilon': 1e-06, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[-1.7328551949805884]], [[-1.7328551949805884]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(2.6255473759783072, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[-1.597484822978632]], [[-0.026798126852862758]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.4659970235652187e-229, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0]], [[0.0]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(2.449084829389232, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-1.915296686065083]], [[-1.5542132965103292]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(-0.0010237103064041227, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-1.0414386076027262]], [[-3.178072409989304e-262]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[-1.7098838395257319]], [[-1.7143243657034455]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(2.6145404118803657, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[-1.7098838454499752]], [[-1.7143246437108812]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(2.614540413442549, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.966549522632585e-15
PROGRAM_PICKLE = 'gASVLgQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlChdlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAUsBh5RoDYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxBGU3Jexrn7v0ZTcl7Gufu/lHSUYmgMaA9LAIWUaBGHlFKUKEsBSwBLAYaUaBmJQwCUdJRiaAxoD0sAhZRoEYeUUpQoSwEpaBmJQwhQZ4/7HgEFQJR0lGJljAFhlGgmdYwEcnVsZZSMHm9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLm1heGltYZSMB0FNU0dyYWSUk5QpgZR9lCiMA2V0YZRHP31bGFWcxWGMBGJldGGURz/rweCyzNtTRz/lotyThsl/hpSMB2Vwc2lsb26URz6wxvegte2NjAd2YXJpYW50lIwFdG9yY2iUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlChdlGgMaA9LAIWUaBGHlFKUKEsBSwJLAUsBh5RoGYlDEA7L6D5Mj/m/AFu12fdwm7+UdJRiaAxoD0sAhZRoEYeUUpQoSwFLAEsBhpRoGYloInSUYmgKjAZzY2FsYXKUk5RoGUMIoJJTpZvtd5CUhpRSlGVoKWhLaBlDCAAAAAAAAAAAlIaUUpR1c2JoOCmBlH2UaDt9lChoB12UKF2UaAxoD0sAhZRoEYeUUpQoSwFLAksBSwGHlGgZiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJoDGgPSwCFlGgRh5RSlChLAUsASwGGlGgZiWgidJRiaEtoGUMIGNp6ybmXA0CUhpRSlGVoKWhLaBlDCHK1opzsRUOTlIaUUpR1c2JoOCmBlH2UaDt9lChoB12UKF2UaAxoD0sAhZRoEYeUUpQoSwFLAksBSwGHlGgZiUMQXpZMIw6l/r/NUvjCDt74v5R0lGJoDGgPSwCFlGgRh5RSlChLAUsASwGGlGgZiWgidJRiaEtoGUMIxmNXksDFUL+UhpRSlGVoKWhLaBlDCAAAAAAAAAAAlIaUUpR1c2JoOCmBlH2UaDt9lChoB12UKF2UaAxoD0sAhZRoEYeUUpQoSwFLAksBSwGHlGgZiUMQtiCHh7up8L92BsAmxgOkiZR0lGJoDGgPSwCFlGgRh5RSlChLAUsASwGGlGgZiWgidJRiaEtoGUMIAAAAAAAAAACUhpRSlGVoKWhLaBlDCAAAAAAAAAAAlIaUUpR1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: dict keys out of sorted order', 'models: empty array', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [[], np.array([[[-1.7328551949805884]], [[-1.7328551949805884]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(2.6255473759783072, dtype=np.float64)], 'a': np.array(2.6255473759783072, dtype=np.float64)}, 'rule': {'__type__': 'AMSGrad', 'eta': 0.0071669531405843265, 'beta': (0.867416714877303, 0.6761305695893468, ), 'epsilon': 1e-06, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [[], np.array([[[-1.597484822978632]], [[-0.026798126852862758]]], dtype=np.float64), np.array([], dtype=np.float64), -2.4659970235652187e-229], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [[], np.array([[[0.0]], [[0.0]]], dtype=np.float64), np.array([], dtype=np.float64), 2.449084829389232], 'a': -6.988526738481429e-216}}, {'__type__': 'Step', 'grads': {'dec': [[], np.array([[[-1.915296686065083]], [[-1.5542132965103292]]], dtype=np.float64), np.array([], dtype=np.float64), -0.0010237103064041227], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [[], np.array([[[-1.0414386076027262]], [[-3.178072409989304e-262]]], dtype=np.float64), np.array([], dtype=np.float64), 0.0], 'a': 0.0}}, ), 'dtype': 'float64'}, 'model': {'dec': [[], {'__array__': [[[-1.7328551949805884]], [[-1.7328551949805884]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': 2.6255473759783072, 'dtype': 'float64'}], 'a': {'__array__': 2.6255473759783072, 'dtype': 'float64'}}, 'rule': "AMSGrad(eta=0.0071669531405843265, beta=(0.867416714877303, 0.6761305695893468), epsilon=1e-06, variant='torch')", 'ops': [{'op': 'step', 'grads': {'dec': [[], {'__array__': [[[-1.597484822978632]], [[-0.026798126852862758]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, -2.4659970235652187e-229], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [[], {'__array__': [[[0.0]], [[0.0]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 2.449084829389232], 'a': -6.988526738481429e-216}}, {'op': 'step', 'grads': {'dec': [[], {'__array__': [[[-1.915296686065083]], [[-1.5542132965103292]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, -0.0010237103064041227], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [[], {'__array__': [[[-1.0414386076027262]], [[-3.178072409989304e-262]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 0.0], 'a': 0.0}}], 'rules': ["AMSGrad(eta=0.0071669531405843265, beta=(0.867416714877303, 0.6761305695893468), epsilon=1e-06, variant='torch')"], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
