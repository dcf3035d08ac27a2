#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AMSGrad,legacy] deviates from FLAT-6.

model['a'].weight[0][0]=-1.7057539029974935, but should be -1.7057539029861648 [adapter=keras, path=legacy, step=4, dtype=float64, observed=1.1328715743275097e-11, allowed=3.424415322784343e-15]

Case seed 2478696359.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path legacy --seed 2478696359
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path legacy --seed 2478696359'
RULE = {'name': 'AMSGrad', 'eta': 0.00880687361506052, 'beta': (4.395761861117821e-182, 0.5085267691082077, ), 'epsilon': 1e-08, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1.7145759519221104], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([-3.315967948742406], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([1.3684555315672042e-48], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-0.0019487340768668498], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-0.0022667054532440746], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-1.7057539029861648], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-1.7057539029974935], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.424415322784343e-15
PROGRAM_PICKLE = 'gASVdgQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2VuY5RdlH2UKGgHjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaA2MBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIAAAAAAAAAACUdJRijAFhlE6MA2RlY5SMBHJlbHWUdWFoHYweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRdlChoDGgPSwCFlGgRh5RSlChLAUsBhZRoFYwCZjiUiYiHlFKUKEsDaBlOTk5K/////0r/////SwB0lGKJQwhuN4Ax5277v5R0lGJoDGgPSwCFlGgRh5RSlChLAUsAhZRoGIlDAJR0lGJljARiaWFzlH2UKGgeSwKMAXeUTmgdaA2MBHRhbmiUk5R1jAVzY2FsZZRoDGgPSwCFlGgRh5RSlChLAUsASwCGlGgtiWg1dJRijANhY3SUaCCMCGlkZW50aXR5lJOUdWKMAWKUaAxoD0sAhZRoEYeUUpQoSwFLAIWUaBiJaDV0lGJ1jARydWxllIweb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMubWF4aW1hlIwHQU1TR3JhZJSTlCmBlH2UKIwDZXRhlEc/gglWkUDmzowEYmV0YZRHGkdY+cdOyttHP+BF2e5Our2GlIwHZXBzaWxvbpRHPkV5juIwjDqMB3ZhcmlhbnSUjAV0b3JjaJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UfZQoaAdOaB1OaB5OdWFoHX2UKGglXZQoaAxoD0sAhZRoEYeUUpQoSwFLAYWUaC2JQwh0djM0GocKwJR0lGJOZWg3fZQoaB5OaDlOaB1OdWg8TmhCTnVoRU51c2JoWSmBlH2UaFx9lChoB12UfZQoaAdOaB1OaB5OdWFoHX2UKGglXZQoaAxoD0sAhZRoEYeUUpQoSwFLAYWUaC2JQwgAAAAAAAAANpR0lGJOZWg3fZQoaB5OaDlOaB1OdWg8TmhCTnVoRU51c2JoWSmBlH2UaFx9lChoB12UfZQoaAdOaB1OaB5OdWFoHX2UKGglXZQoaAxoD0sAhZRoEYeUUpQoSwFLAYWUaC2JQwjuVj1Ile1fv5R0lGJOZWg3fZQoaB5OaDlOaB1OdWg8TmhCTnVoRU51c2JoWSmBlH2UaFx9lChoB12UfZQoaAdOaB1OaB5OdWFoHX2UKGglXZQoaAxoD0sAhZRoEYeUUpQoSwFLAYWUaC2JQwhfuVI5oJFiv5R0lGJOZWg3fZQoaB5OaDlOaB1OdWg8TmhCTnVoRU51c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep'], 'program': {'__type__': 'Program', 'model': {'enc': [{'enc': np.array(0, dtype=np.int64), 'a': None, 'dec': 'relu'}], 'a': {'__type__': 'Dense', 'weight': [np.array([-1.7145759519221104], dtype=np.float64), np.array([], dtype=np.int64)], 'bias': {'dec': 2, 'w': None, 'a': "<ufunc 'tanh'>"}, 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, 'b': np.array([], dtype=np.int64)}, 'rule': {'__type__': 'AMSGrad', 'eta': 0.00880687361506052, 'beta': (4.395761861117821e-182, 0.5085267691082077, ), 'epsilon': 1e-08, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': {'enc': [{'enc': None, 'a': None, 'dec': None}], 'a': {'weight': [np.array([-3.315967948742406], dtype=np.float64), None], 'bias': {'dec': None, 'w': None, 'a': None}, 'scale': None, 'act': None}, 'b': None}}, {'__type__': 'Step', 'grads': {'enc': [{'enc': None, 'a': None, 'dec': None}], 'a': {'weight': [np.array([1.3684555315672042e-48], dtype=np.float64), None], 'bias': {'dec': None, 'w': None, 'a': None}, 'scale': None, 'act': None}, 'b': None}}, {'__type__': 'Step', 'grads': {'enc': [{'enc': None, 'a': None, 'dec': None}], 'a': {'weight': [np.array([-0.0019487340768668498], dtype=np.float64), None], 'bias': {'dec': None, 'w': None, 'a': None}, 'scale': None, 'act': None}, 'b': None}}, {'__type__': 'Step', 'grads': {'enc': [{'enc': None, 'a': None, 'dec': None}], 'a': {'weight': [np.array([-0.0022667054532440746], dtype=np.float64), None], 'bias': {'dec': None, 'w': None, 'a': None}, 'scale': None, 'act': None}, 'b': None}}, ), 'dtype': 'float64'}, 'model': {'enc': [{'enc': {'__array__': 0, 'dtype': 'int64'}, 'a': None, 'dec': 'relu'}], 'a': {'__type__': 'Dense', 'weight': [{'__array__': [-1.7145759519221104], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'int64'}], 'bias': {'dec': 2, 'w': None, 'a': "<ufunc 'tanh'>"}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, 'b': {'__array__': [], 'dtype': 'int64'}}, 'rule': "AMSGrad(eta=0.00880687361506052, beta=(4.395761861117821e-182, 0.5085267691082077), epsilon=1e-08, variant='torch')", 'ops': [{'op': 'step', 'grads': {'enc': [{'enc': None, 'a': None, 'dec': None}], 'a': {'weight': [{'__array__': [-3.315967948742406], 'dtype': 'float64'}, None], 'bias': {'dec': None, 'w': None, 'a': None}, 'scale': None, 'act': None}, 'b': None}}, {'op': 'step', 'grads': {'enc': [{'enc': None, 'a': None, 'dec': None}], 'a': {'weight': [{'__array__': [1.3684555315672042e-48], 'dtype': 'float64'}, None], 'bias': {'dec': None, 'w': None, 'a': None}, 'scale': None, 'act': None}, 'b': None}}, {'op': 'step', 'grads': {'enc': [{'enc': None, 'a': None, 'dec': None}], 'a': {'weight': [{'__array__': [-0.0019487340768668498], 'dtype': 'float64'}, None], 'bias': {'dec': None, 'w': None, 'a': None}, 'scale': None, 'act': None}, 'b': None}}, {'op': 'step', 'grads': {'enc': [{'enc': None, 'a': None, 'dec': None}], 'a': {'weight': [{'__array__': [-0.0022667054532440746], 'dtype': 'float64'}, None], 'bias': {'dec': None, 'w': None, 'a': None}, 'scale': None, 'act': None}, 'b': None}}], 'rules': ["AMSGrad(eta=0.00880687361506052, beta=(4.395761861117821e-182, 0.5085267691082077), epsilon=1e-08, variant='torch')"], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
