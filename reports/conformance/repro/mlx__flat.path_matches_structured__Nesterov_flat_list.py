#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[Nesterov,flat_list] deviates from FLAT-6.

nesterov.velocity[model['dec']['w'].bias]=0.0, but should be -5.960464477539063e-08 [adapter=mlx, path=flat_list, step=4, dtype=float64, observed=5.960464477539063e-08, allowed=1.8215231772466915e-17]

Case seed 1060992547.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule Nesterov --path flat_list --seed 1060992547
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule Nesterov --path flat_list --seed 1060992547'
RULE = {'name': 'Nesterov', 'eta': 0.07325883179582475, 'rho': 0.0, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.3925558704078762, dtype=np.float64), np.array(0.3925558704078762, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(2.1200429685193676, dtype=np.float64), np.array(1.16415321875e-10, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-2.9865295530418106, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(9.765625e-09, dtype=np.float64), np.array(0.00146484375, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.345001507121399e-278, dtype=np.float64), np.array(-5.960464477539063e-08, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.4560336646413263, dtype=np.float64), np.array(0.392448562024026, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.4560336646413263, dtype=np.float64), np.array(0.392448562024026, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.8215231772466915e-17
PROGRAM_PICKLE = 'gASVkAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMAXeUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjARQYWlylJOUaAqMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsAhZRoDowFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRiToaUgZRoCIwFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRoDowEdGFuaJSTlIwEYmlhc5RLAYwFc2NhbGWUaA1oEEsAhZRoEoeUUpQoSwEpaBeMAmY4lImIh5RSlChLA2gbTk5OSv////9K/////0sAdJRiiUMIsMVLpYWE2T+UdJRijANhY3SUaAiMCGlkZW50aXR5lJOUdWKGlIGUjANlbmOUXZSMA2RlY5R9lCiMAWKUXZQoiE6MAJRlaAdoIimBlH2UKGglaA1oEEsAhZRoEoeUUpQoSwEpaC+JQwgQTFCooh/ZP5R0lGJoKGgNaBBLAIWUaBKHlFKUKEsBKWgviUMIEExQqKIf2T+UdJRiaCloDWgQSwCFlGgSh5RSlChLAUsCSwFLAIeUaC+JaB10lGJoM2gndWJ1dYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmRlc2NlbnSUjAhOZXN0ZXJvdpSTlCmBlH2UKIwDZXRhlEc/ssEXPrTLo4wDcmhvlEcAAAAAAAAAAIwHdmFyaWFudJSMBXRvcmNolHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHTk6GlH2UKGglTmgoTmgpTmgzTnWGlGg4XZRoOn2UKGg8XZQoTk5OZWgHfZQoaCVoC4wGc2NhbGFylJOUaC9DCFg+fxbZ9QBAlIaUUpRoKGhpaC9DCGhfHAAAAOA9lIaUUpRoKU5oM051dXVzYmhcKYGUfZRoX32UKGgHTk6GlH2UKGglTmgoTmgpTmgzTnWGlGg4XZRoOn2UKGg8XZQoTk5OZWgHfZQoaCVoaWgvQwgM0TabaeQHwJSGlFKUaChoaWgvQwgAAAAAAAAAAJSGlFKUaClOaDNOdXV1c2JoXCmBlH2UaF99lChoB05OhpR9lChoJU5oKE5oKU5oM051hpRoOF2UaDp9lChoPF2UKE5OTmVoB32UKGglaGloL0MI8WjjiLX4RD6UhpRSlGgoaGloL0MIAAAAAAAAWD+UhpRSlGgpTmgzTnV1dXNiaFwpgZR9lGhffZQoaAdOToaUfZQoaCVOaChOaClOaDNOdYaUaDhdlGg6fZQoaDxdlChOTk5laAd9lChoJWhpaC9DCPgKp/unhD6GlIaUUpRoKGhpaC9DCAAAAAAAAHC+lIaUUpRoKU5oM051dXVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'w': ((np.array([], dtype=np.int64), None, ), {'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': 1, 'scale': np.array(0.39871350423990304, dtype=np.float64), 'act': '<function identity>'}, ), 'enc': [], 'dec': {'b': [True, None, ''], 'w': {'__type__': 'Dense', 'weight': np.array(0.3925558704078762, dtype=np.float64), 'bias': np.array(0.3925558704078762, dtype=np.float64), 'scale': np.array([[[]], [[]]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}}}, 'rule': {'__type__': 'Nesterov', 'eta': 0.07325883179582475, 'rho': 0.0, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': {'w': ((None, None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), 'enc': [], 'dec': {'b': [None, None, None], 'w': {'weight': 2.1200429685193676, 'bias': 1.16415321875e-10, 'scale': None, 'act': None}}}}, {'__type__': 'Step', 'grads': {'w': ((None, None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), 'enc': [], 'dec': {'b': [None, None, None], 'w': {'weight': -2.9865295530418106, 'bias': 0.0, 'scale': None, 'act': None}}}}, {'__type__': 'Step', 'grads': {'w': ((None, None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), 'enc': [], 'dec': {'b': [None, None, None], 'w': {'weight': 9.765625e-09, 'bias': 0.00146484375, 'scale': None, 'act': None}}}}, {'__type__': 'Step', 'grads': {'w': ((None, None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), 'enc': [], 'dec': {'b': [None, None, None], 'w': {'weight': -1.345001507121399e-278, 'bias': -5.960464477539063e-08, 'scale': None, 'act': None}}}}, ), 'dtype': 'float64'}, 'model': {'w': [[{'__array__': [], 'dtype': 'int64'}, None], {'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': 1, 'scale': {'__array__': 0.39871350423990304, 'dtype': 'float64'}, 'act': '<function identity>'}], 'enc': [], 'dec': {'b': [True, None, ''], 'w': {'__type__': 'Dense', 'weight': {'__array__': 0.3925558704078762, 'dtype': 'float64'}, 'bias': {'__array__': 0.3925558704078762, 'dtype': 'float64'}, 'scale': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}}}, 'rule': "Nesterov(eta=0.07325883179582475, rho=0.0, variant='torch')", 'ops': [{'op': 'step', 'grads': {'w': [[None, None], {'weight': None, 'bias': None, 'scale': None, 'act': None}], 'enc': [], 'dec': {'b': [None, None, None], 'w': {'weight': 2.1200429685193676, 'bias': 1.16415321875e-10, 'scale': None, 'act': None}}}}, {'op': 'step', 'grads': {'w': [[None, None], {'weight': None, 'bias': None, 'scale': None, 'act': None}], 'enc': [], 'dec': {'b': [None, None, None], 'w': {'weight': -2.9865295530418106, 'bias': 0.0, 'scale': None, 'act': None}}}}, {'op': 'step', 'grads': {'w': [[None, None], {'weight': None, 'bias': None, 'scale': None, 'act': None}], 'enc': [], 'dec': {'b': [None, None, None], 'w': {'weight': 9.765625e-09, 'bias': 0.00146484375, 'scale': None, 'act': None}}}}, {'op': 'step', 'grads': {'w': [[None, None], {'weight': None, 'bias': None, 'scale': None, 'act': None}], 'enc': [], 'dec': {'b': [None, None, None], 'w': {'weight': -1.345001507121399e-278, 'bias': -5.960464477539063e-08, 'scale': None, 'act': None}}}}], 'rules': ["Nesterov(eta=0.07325883179582475, rho=0.0, variant='torch')"], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
