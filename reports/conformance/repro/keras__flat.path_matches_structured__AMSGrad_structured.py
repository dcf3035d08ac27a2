#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AMSGrad,structured] deviates from FLAT-6.

model['dec'][0][0][1][0, 0]=1.9470806621822656, but should be 1.9470811832818866 [adapter=keras, path=structured, step=4, dtype=float64, observed=5.210996210092134e-07, allowed=3.64968441953303e-15]

Case seed 1903496181.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path structured --seed 1903496181
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path structured --seed 1903496181'
RULE = {'name': 'AMSGrad', 'eta': 0.0037469631745521027, 'beta': (0.2817736264103534, 0.5634415654373156, ), 'epsilon': 0.001, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[1.9445616022221648]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-3.656741902042034]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[-3.1845647757860832e-149]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[1.9847174001396874]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0]], dtype=np.float64), np.array([[]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[1.9470811832818866]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[1.9470806621822656]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.64968441953303e-15
PROGRAM_PICKLE = 'gASVrAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoCYwIaWRlbnRpdHmUk5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloEYwFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwj//////////5R0lGKGlGgQaBNLAIWUaBWHlFKUKEsBSwFLAYaUaBmMAmY4lImIh5RSlChLA2gdTk5OSv////9K/////0sAdJRiiUMI/J9poOwc/z+UdJRihpRdlChoEGgTSwCFlGgVh5RSlChLASloHIlDCP7/////////lHSUYowEcmVsdZRoDWWGlIGUaBBoE0sAhZRoFYeUUpQoSwFLAUsASwCHlGgoiUMAlHSUYmWMAWGUaDh1jARydWxllIweb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMubWF4aW1hlIwHQU1TR3JhZJSTlCmBlH2UKIwDZXRhlEc/brHziWiXpIwEYmV0YZRHP9IIlD+TstRHP+IHtpsYVH+GlIwHZXBzaWxvbpRHP1BiTdLxqfyMB3ZhcmlhbnSUjAV0b3JjaJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKE5OhpRoEGgTSwCFlGgVh5RSlChLAUsBSwGGlGgoiUMIjHf55QFBDcCUdJRihpRdlChOTk5lhpRoEGgTSwCFlGgVh5RSlChLAUsBSwBLAIeUaCiJaDp0lGJlaDxoEGgTSwCFlGgVh5RSlChLAUsBSwBLAIeUaCiJaDp0lGJ1c2JoSymBlH2UaE59lChoB12UKE5OhpRoEGgTSwCFlGgVh5RSlChLAUsBSwGGlGgoiUMIvlBtUJEPGqGUdJRihpRdlChOTk5lhpRoEGgTSwCFlGgVh5RSlChLAUsBSwBLAIeUaCiJaDp0lGJlaDxoEGgTSwCFlGgVh5RSlChLAUsBSwBLAIeUaCiJaDp0lGJ1c2JoSymBlH2UaE59lChoB12UKE5OhpRoEGgTSwCFlGgVh5RSlChLAUsBSwGGlGgoiUMIBG9WCGfB/z+UdJRihpRdlChOTk5lhpRoEGgTSwCFlGgVh5RSlChLAUsBSwBLAIeUaCiJaDp0lGJlaDxoEGgTSwCFlGgVh5RSlChLAUsBSwBLAIeUaCiJaDp0lGJ1c2JoSymBlH2UaE59lChoB12UKE5OhpRoEGgTSwCFlGgVh5RSlChLAUsBSwGGlGgoiUMIAAAAAAAAAACUdJRihpRdlChOTk5lhpRoEGgTSwCFlGgVh5RSlChLAUsBSwBLAIeUaCiJaDp0lGJlaDxoEGgTSwCFlGgVh5RSlChLAUsBSwBLAIeUaCiJaDp0lGJ1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [((('<function identity>', np.array(-1, dtype=np.int64), ), np.array([[1.9445616022221648]], dtype=np.float64), ), [np.array(-2, dtype=np.int64), 'relu', '<function identity>'], ), np.array([[]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}, 'rule': {'__type__': 'AMSGrad', 'eta': 0.0037469631745521027, 'beta': (0.2817736264103534, 0.5634415654373156, ), 'epsilon': 0.001, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [(((None, None, ), np.array([[-3.656741902042034]], dtype=np.float64), ), [None, None, None], ), np.array([[]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [(((None, None, ), np.array([[-3.1845647757860832e-149]], dtype=np.float64), ), [None, None, None], ), np.array([[]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [(((None, None, ), np.array([[1.9847174001396874]], dtype=np.float64), ), [None, None, None], ), np.array([[]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [(((None, None, ), np.array([[0.0]], dtype=np.float64), ), [None, None, None], ), np.array([[]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[[['<function identity>', {'__array__': -1, 'dtype': 'int64'}], {'__array__': [[1.9445616022221648]], 'dtype': 'float64'}], [{'__array__': -2, 'dtype': 'int64'}, 'relu', '<function identity>']], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}, 'rule': "AMSGrad(eta=0.0037469631745521027, beta=(0.2817736264103534, 0.5634415654373156), epsilon=0.001, variant='torch')", 'ops': [{'op': 'step', 'grads': {'dec': [[[[None, None], {'__array__': [[-3.656741902042034]], 'dtype': 'float64'}], [None, None, None]], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[[[None, None], {'__array__': [[-3.1845647757860832e-149]], 'dtype': 'float64'}], [None, None, None]], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[[[None, None], {'__array__': [[1.9847174001396874]], 'dtype': 'float64'}], [None, None, None]], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[[[None, None], {'__array__': [[0.0]], 'dtype': 'float64'}], [None, None, None]], {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}], 'rules': ["AMSGrad(eta=0.0037469631745521027, beta=(0.2817736264103534, 0.5634415654373156), epsilon=0.001, variant='torch')"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
