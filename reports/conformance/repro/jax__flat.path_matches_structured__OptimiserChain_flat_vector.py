#!/usr/bin/env python
"""optconf repro: jax flat.path_matches_structured[OptimiserChain,flat_vector] deviates from FLAT-6.

model[3]=-0.7436485207629925, but should be -0.7436485207631016 [adapter=jax, path=flat_vector, step=4, dtype=float64, observed=1.0913492332065289e-13, allowed=1.3236713636239734e-15]

Case seed 3085567225.  Inside optconf, replay with:
    optconf replay --adapter jax --property flat.path_matches_structured --rule OptimiserChain --path flat_vector --seed 3085567225
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property flat.path_matches_structured --rule OptimiserChain --path flat_vector --seed 3085567225'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'AccumGrad', 'n': 3}, {'__type__': 'ClipGrad', 'delta': 0.6929810904331554}, {'__type__': 'Momentum', 'eta': 0.0438413654619025, 'rho': 0.889160802779629, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([1.7618880824902527], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[0.7289832236017366, 0.21208938256506737]], dtype=np.float64), np.array(-0.7436609910750134, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([1.2355108105410999e-197], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[-5.820766091346741e-11, 1.6506832140408996e-05]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([1.7786160511615927], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[8.281332285758103e-198, 3.3814520004843567e-143]], dtype=np.float64), np.array(-0.0008533250582251272, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([3.3222429540591456], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[-2.4409100079816883, -1.7885066723008758]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[0.0024364293697341968, 0.0]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([1.731506845246385], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[0.7593644608456043, 0.23822599955484514]], dtype=np.float64), np.array(-0.7436485207631016, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([1.731506845246385], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[0.7593644608456043, 0.2382259995548435]], dtype=np.float64), np.array(-0.7436485207629925, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.3236713636239734e-15
PROGRAM_PICKLE = 'gASVPAcAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjAVudW1weZSMBHRhbmiUk5SMBGJpYXOUSv3///+MBXNjYWxllIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgOjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgOjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEGrvCz7oihUy////////D0CUdJRijANhY3SUaBB1YmgIjARQYWlylJOUTksChpSBlGgKKYGUfZQoaA19lCiMAXeUjARyZWx1lIwDZW5jlEsAjAFilGgVaBdLAIWUaBmHlFKUKEsBSwGFlGghiUMI5B/YjrEw/D+UdJRidWgRaAopgZR9lChoDWgQaBGMAJRoEmgVaBdLAIWUaBmHlFKUKEsBKWghiUMIAAAAAAAA+L+UdJRiaCZoEHViaBJoFWgXSwCFlGgZh5RSlChLAUsBSwBLAYeUaCGJQwCUdJRiaCZoCIwIaWRlbnRpdHmUk5R1YmVoFWgXSwCFlGgZh5RSlChLAUsCSwBLAIeUaCGJaER0lGJoFWgXSwCFlGgZh5RSlChLAUsBSwKGlGghiUMQuHcWoNRT5z/gD/mwviXLP5R0lGJoFWgXSwCFlGgZh5RSlChLASloIYlDCNhMfyISzOe/lHSUYmWMBHJ1bGWUjB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jb21wb3NllIwOT3B0aW1pc2VyQ2hhaW6Uk5QpgZR9lIwFcnVsZXOUaFmMCUFjY3VtR3JhZJSTlCmBlH2UjAFulEsDc2KMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjAhDbGlwR3JhZJSTlCmBlH2UjAVkZWx0YZRHP+Ys5q4FBK1zYowfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuZGVzY2VudJSMCE1vbWVudHVtlJOUKYGUfZQojANldGGURz+mcmAdveC7jANyaG+URz/sdAFbGlsIjAd2YXJpYW50lIwJbm9ybWF0aXZllHVih5RzYowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChdlCh9lChoDU5oEU5oEk5oJk51Tk6GlH2UKGgNfZQoaC5OaDBOaDFoFWgXSwCFlGgZh5RSlChLAUsBhZRoIYlDCNqH6HPHjQ0XlHSUYnVoEX2UKGgNTmgRTmgSTmgmTnVoEk5oJk51ZWgVaBdLAIWUaBmHlFKUKEsBSwJLAEsAh5RoIYloRHSUYmgVaBdLAIWUaBmHlFKUKEsBSwFLAoaUaCGJQxAAAAAAAADQvQCdBN4ET/E+lHSUYmgTjAZzY2FsYXKUk5RoIUMIAAAAAAAAAACUhpRSlGVzYmh2KYGUfZRoeV2UKF2UKH2UKGgNTmgRTmgSTmgmTnVOToaUfZQoaA19lChoLk5oME5oMWgVaBdLAIWUaBmHlFKUKEsBSwGFlGghiUMIRBO+GjZ1/D+UdJRidWgRfZQoaA1OaBFOaBJOaCZOdWgSTmgmTnVlaBVoF0sAhZRoGYeUUpQoSwFLAksASwCHlGghiWhEdJRiaBVoF0sAhZRoGYeUUpQoSwFLAUsChpRoIYlDEO3zDvoozwMXOgnHEN5jWiKUdJRiaJNoIUMIuETlmzX2S7+UhpRSlGVzYmh2KYGUfZRoeV2UKF2UKH2UKGgNTmgRTmgSTmgmTnVOToaUfZQoaA19lChoLk5oME5oMWgVaBdLAIWUaBmHlFKUKEsBSwGFlGghiUMIWGcoHfSTCkCUdJRidWgRfZQoaA1OaBFOaBJOaCZOdWgSTmgmTnVlaBVoF0sAhZRoGYeUUpQoSwFLAksASwCHlGghiWhEdJRiaBVoF0sAhZRoGYeUUpQoSwFLAUsChpRoIYlDEGcVhtP7hgPAXlwjLLmd/L+UdJRiaJNoIUMIAAAAAAAAAACUhpRSlGVzYmh2KYGUfZRoeV2UKF2UKH2UKGgNTmgRTmgSTmgmTnVOToaUfZQoaA19lChoLk5oME5oMWgVaBdLAIWUaBmHlFKUKEsBSwGFlGghiUMIAAAAAAAAAACUdJRidWgRfZQoaA1OaBFOaBJOaCZOdWgSTmgmTnVlaBVoF0sAhZRoGYeUUpQoSwFLAksASwCHlGghiWhEdJRiaBVoF0sAhZRoGYeUUpQoSwFLAUsChpRoIYlDEOziyA6Q9WM/AAAAAAAAAACUdJRiaJNoIUMIAAAAAAAAAACUhpRSlGVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [[{'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': -3, 'scale': np.array([1.9976491889334817e-67, 3.9999999999999996], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, (None, 2, ), {'__type__': 'Dense', 'weight': {'w': 'relu', 'enc': 0, 'b': np.array([1.7618880824902527], dtype=np.float64)}, 'bias': {'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': '', 'scale': np.array(-1.5, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'scale': np.array([[]], dtype=np.float64), 'act': '<function identity>'}], np.array([[], []], dtype=np.float64), np.array([[0.7289832236017366, 0.21208938256506737]], dtype=np.float64), np.array(-0.7436609910750134, dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'AccumGrad', 'n': 3}, {'__type__': 'ClipGrad', 'delta': 0.6929810904331554}, {'__type__': 'Momentum', 'eta': 0.0438413654619025, 'rho': 0.889160802779629, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, (None, None, ), {'weight': {'w': None, 'enc': None, 'b': np.array([1.2355108105410999e-197], dtype=np.float64)}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}], np.array([[], []], dtype=np.float64), np.array([[-5.820766091346741e-11, 1.6506832140408996e-05]], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, (None, None, ), {'weight': {'w': None, 'enc': None, 'b': np.array([1.7786160511615927], dtype=np.float64)}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}], np.array([[], []], dtype=np.float64), np.array([[8.281332285758103e-198, 3.3814520004843567e-143]], dtype=np.float64), -0.0008533250582251272]}, {'__type__': 'Step', 'grads': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, (None, None, ), {'weight': {'w': None, 'enc': None, 'b': np.array([3.3222429540591456], dtype=np.float64)}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}], np.array([[], []], dtype=np.float64), np.array([[-2.4409100079816883, -1.7885066723008758]], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, (None, None, ), {'weight': {'w': None, 'enc': None, 'b': np.array([0.0], dtype=np.float64)}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}], np.array([[], []], dtype=np.float64), np.array([[0.0024364293697341968, 0.0]], dtype=np.float64), 0.0]}, ), 'dtype': 'float64'}, 'model': [[{'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': -3, 'scale': {'__array__': [1.9976491889334817e-67, 3.9999999999999996], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, [None, 2], {'__type__': 'Dense', 'weight': {'w': 'relu', 'enc': 0, 'b': {'__array__': [1.7618880824902527], 'dtype': 'float64'}}, 'bias': {'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': '', 'scale': {'__array__': -1.5, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'scale': {'__array__': [[]], 'dtype': 'float64'}, 'act': '<function identity>'}], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[0.7289832236017366, 0.21208938256506737]], 'dtype': 'float64'}, {'__array__': -0.7436609910750134, 'dtype': 'float64'}], 'rule': "OptimiserChain(AccumGrad(n=3), ClipGrad(delta=0.6929810904331554), Momentum(eta=0.0438413654619025, rho=0.889160802779629, variant='normative'))", 'ops': [{'op': 'step', 'grads': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None], {'weight': {'w': None, 'enc': None, 'b': {'__array__': [1.2355108105410999e-197], 'dtype': 'float64'}}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[-5.820766091346741e-11, 1.6506832140408996e-05]], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None], {'weight': {'w': None, 'enc': None, 'b': {'__array__': [1.7786160511615927], 'dtype': 'float64'}}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[8.281332285758103e-198, 3.3814520004843567e-143]], 'dtype': 'float64'}, -0.0008533250582251272]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None], {'weight': {'w': None, 'enc': None, 'b': {'__array__': [3.3222429540591456], 'dtype': 'float64'}}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[-2.4409100079816883, -1.7885066723008758]], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None], {'weight': {'w': None, 'enc': None, 'b': {'__array__': [0.0], 'dtype': 'float64'}}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[0.0024364293697341968, 0.0]], 'dtype': 'float64'}, 0.0]}], 'rules': ["OptimiserChain(AccumGrad(n=3), ClipGrad(delta=0.6929810904331554), Momentum(eta=0.0438413654619025, rho=0.889160802779629, variant='normative'))"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
