#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[OptimiserChain,structured] deviates from FLAT-6.

model[2]=-2.000443555680078, but should be -2.0004435490884847 [adapter=keras, path=structured, step=4, dtype=float64, observed=6.591593493254777e-09, allowed=6.017161757921236e-15]

Case seed 3537298467.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule OptimiserChain --path structured --seed 3537298467
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule OptimiserChain --path structured --seed 3537298467'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'ClipGlobalNorm', 'omega': 3.4217193941713995, 'throw': True}, {'__type__': 'Descent', 'eta': 0.04503640234933312}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[]]], dtype=np.float64), np.array(-2.1544195403414768, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[]]], dtype=np.float64), np.array(0.000976552734375, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]]], dtype=np.float64), np.array(0.0018198542354911302, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]]], dtype=np.float64), np.array(-3.439093652244754, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[]]], dtype=np.float64), np.array(-2.0004435490884847, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[]]], dtype=np.float64), np.array(-2.000443555680078, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.017161757921236e-15
PROGRAM_PICKLE = 'gASVngQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUXZQoaAeMBFBhaXKUk5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBhZRoE4wFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgBAAAAAAAAAJR0lGJoE4wEdGFuaJSTlIaUgZSMAJRoJYaUZYwEYmlhc5RoD2glaBJoFUsAhZRoF4eUUpQoSwFLAYWUaB+JQwgEAAAAAAAAAJR0lGKGlIGUjAVzY2FsZZRoEmgVSwCFlGgXh5RSlChLAUsBhZRoHIwCZjiUiYiHlFKUKEsDaCBOTk5K/////0r/////SwB0lGKJQwjkdWzhx2cJQJR0lGKMA2FjdJRoJXViaBJoFUsAhZRoF4eUUpQoSwFLAUsBSwCHlGg6iUMAlHSUYmgSaBVLAIWUaBeHlFKUKEsBKWg6iUMIOwrdT0A8AcCUdJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0ALX65q8HDVjAV0aHJvd5SIdWKMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmRlc2NlbnSUjAdEZXNjZW50lJOUKYGUfZSMA2V0YZRHP6cPAuZwlIxzYoaUc2KMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAxdlChOToaUTk6GlGVoKk5OhpRoM05oPk51aBJoFUsAhZRoF4eUUpQoSwFLAUsBSwCHlGg6iWhDdJRiaBCMBnNjYWxhcpSTlGg6Qwgdd0oH6/9PP5SGlFKUZXNiaGEpgZR9lGhkXZQofZQoaAxdlChOToaUTk6GlGVoKk5OhpRoM05oPk51aBJoFUsAhZRoF4eUUpQoSwFLAUsBSwCHlGg6iWhDdJRiaHFoOkMI5OkxmwXRXT+UhpRSlGVzYmhhKYGUfZRoZF2UKH2UKGgMXZQoTk6GlE5OhpRlaCpOToaUaDNOaD5OdWgSaBVLAIWUaBeHlFKUKEsBSwFLAUsAh5RoOoloQ3SUYmhxaDpDCAAAAAAAAAAAlIaUUpRlc2JoYSmBlH2UaGRdlCh9lChoDF2UKE5OhpROToaUZWgqTk6GlGgzTmg+TnVoEmgVSwCFlGgXh5RSlChLAUsBSwFLAIeUaDqJaEN0lGJocWg6QwjoLWKIQ4MLwJSGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': [(np.array([1], dtype=np.int64), "<ufunc 'tanh'>", ), ('', "<ufunc 'tanh'>", )], 'bias': ("<ufunc 'tanh'>", np.array([4], dtype=np.int64), ), 'scale': np.array([3.1756742106651803], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, np.array([[[]]], dtype=np.float64), np.array(-2.1544195403414768, dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'ClipGlobalNorm', 'omega': 3.4217193941713995, 'throw': True}, {'__type__': 'Descent', 'eta': 0.04503640234933312}, )}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': [(None, None, ), (None, None, )], 'bias': (None, None, ), 'scale': None, 'act': None}, np.array([[[]]], dtype=np.float64), 0.000976552734375]}, {'__type__': 'Step', 'grads': [{'weight': [(None, None, ), (None, None, )], 'bias': (None, None, ), 'scale': None, 'act': None}, np.array([[[]]], dtype=np.float64), 0.0018198542354911302]}, {'__type__': 'Step', 'grads': [{'weight': [(None, None, ), (None, None, )], 'bias': (None, None, ), 'scale': None, 'act': None}, np.array([[[]]], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [{'weight': [(None, None, ), (None, None, )], 'bias': (None, None, ), 'scale': None, 'act': None}, np.array([[[]]], dtype=np.float64), -3.439093652244754]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': [[{'__array__': [1], 'dtype': 'int64'}, "<ufunc 'tanh'>"], ['', "<ufunc 'tanh'>"]], 'bias': ["<ufunc 'tanh'>", {'__array__': [4], 'dtype': 'int64'}], 'scale': {'__array__': [3.1756742106651803], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': -2.1544195403414768, 'dtype': 'float64'}], 'rule': 'OptimiserChain(ClipGlobalNorm(omega=3.4217193941713995, throw=True), Descent(eta=0.04503640234933312))', 'ops': [{'op': 'step', 'grads': [{'weight': [[None, None], [None, None]], 'bias': [None, None], 'scale': None, 'act': None}, {'__array__': [[[]]], 'dtype': 'float64'}, 0.000976552734375]}, {'op': 'step', 'grads': [{'weight': [[None, None], [None, None]], 'bias': [None, None], 'scale': None, 'act': None}, {'__array__': [[[]]], 'dtype': 'float64'}, 0.0018198542354911302]}, {'op': 'step', 'grads': [{'weight': [[None, None], [None, None]], 'bias': [None, None], 'scale': None, 'act': None}, {'__array__': [[[]]], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [{'weight': [[None, None], [None, None]], 'bias': [None, None], 'scale': None, 'act': None}, {'__array__': [[[]]], 'dtype': 'float64'}, -3.439093652244754]}], 'rules': ['OptimiserChain(ClipGlobalNorm(omega=3.4217193941713995, throw=True), Descent(eta=0.04503640234933312))'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
