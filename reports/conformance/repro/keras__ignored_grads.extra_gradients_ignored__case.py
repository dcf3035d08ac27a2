#!/usr/bin/env python
"""optconf repro: keras ignored_grads.extra_gradients_ignored deviates from UPD-7.

model['dropped'][0]=0.9947047752620486, but should be 0.9946890049927848 [adapter=keras, path=structured, step=2, dtype=float64, observed=1.5770269263803982e-05, allowed=2.868010241262483e-15]

Case seed 4200788401.  Inside optconf, replay with:
    optconf replay --adapter keras --property ignored_grads.extra_gradients_ignored --seed 4200788401
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'UPD-7'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property ignored_grads.extra_gradients_ignored --seed 4200788401'
RULE = {'name': 'Adam', 'eta': 0.005965125652672719, 'beta': (0.5814334499927688, 0.984973151764861, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([1.0, 1.0], dtype=np.float64), np.array([1.0, 1.0], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([-0.0036075829704936106, 8.819931393055151e-96], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0022646459219135707, 0.0035147358978454644], dtype=np.float64), np.array([-4.0375961690985e-190, 4.0], dtype=np.float64), np.array([-5.960464477539063e-08, -5.960464477539063e-08], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.9946890049927848, 0.9946878302915519], dtype=np.float64), np.array([1.0, 0.994685702766738], dtype=np.float64), np.array([0.009075728442442487, 0.00021570167058800825], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.9947047752620486, 0.9946980067705533], dtype=np.float64), np.array([1.0, 0.9946857117329723], dtype=np.float64), np.array([0.009058070170334505, 3.854769181054725e-05], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.868010241262483e-15
PROGRAM_PICKLE = 'gASViQgAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA25ldJRdlCh9lCiMA2VuY5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsASwCGlGgOjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGKMA2RlY5RoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRidX2UKGgfaA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYowBd5RoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRidV2UZYweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwEUGFpcpSTlH2UKIwBYZRoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRiaCtoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRidX2UKGgKaA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYowBYpRoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRiaDZoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRidYaUgZSGlIwHZHJvcHBlZJRoDWgQSwCFlGgSh5RSlChLAUsChZRoGolDEAAAAAAAAPA/AAAAAAAA8D+UdJRijAVjb3VudJRLA4wFbGF5ZXKUaDKMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaA1oEEsAhZRoEoeUUpQoSwFLAoWUaBqJQxAAAAAAAADwPwAAAAAAAPA/lHSUYowEYmlhc5RoDWgQSwCFlGgSh5RSlChLAUsChZRoGolDEAAAAAAAAAAAAAAAAAAAAACUdJRijAVzY2FsZZRoDWgQSwCFlGgSh5RSlChLAUsChZRoGolDEAAAAAAAAPA/AAAAAAAA8D+UdJRijANhY3SUaA6MBHRhbmiUk5R1YnWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/eG7jOYQjC4wEYmV0YZRHP+KbGlKQnt9HP++E5mpIlHaGlIwHZXBzaWxvbpRHPrDG96C17Y2MB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5RoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKH2UKGgKaA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYmgfaA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYnV9lChoH2gNaBBLAIWUaBKHlFKUKEsBSwBLAIaUaBqJaB10lGJoK2gNaBBLAIWUaBKHlFKUKEsBSwBLAIaUaBqJaB10lGJ1XZRlfZQoaDZoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRiaCtoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRidX2UKGgKaA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYmhHaA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYmg2aA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYnWGlIaUaFVoDWgQSwCFlGgSh5RSlChLAUsChZRoGolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaFxoDWgQSwCFlGgSh5RSlChLAUsChZRoGolDEAAAAAAAAPA/AAAAAAAA8D+UdJRiaF19lChoYmgNaBBLAIWUaBKHlFKUKEsBSwKFlGgaiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJoaWgNaBBLAIWUaBKHlFKUKEsBSwKFlGgaiUMQWC4HXKaNbb/CZWyv2dYyLJR0lGJocGgNaBBLAIWUaBKHlFKUKEsBSwKFlGgaiUMQAAAAAAAAFEAAAAAAAAAUQJR0lGJod051dXNiaIgpgZR9lGiLfZQoaAddlCh9lChoCmgNaBBLAIWUaBKHlFKUKEsBSwBLAIaUaBqJaB10lGJoH2gNaBBLAIWUaBKHlFKUKEsBSwBLAIaUaBqJaB10lGJ1fZQoaB9oDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRiaCtoDWgQSwCFlGgSh5RSlChLAUsASwCGlGgaiWgddJRidV2UZX2UKGg2aA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYmgraA1oEEsAhZRoEoeUUpQoSwFLAEsAhpRoGoloHXSUYnV9lChoCmgNaBBLAIWUaBKHlFKUKEsBSwBLAIaUaBqJaB10lGJoR2gNaBBLAIWUaBKHlFKUKEsBSwBLAIaUaBqJaB10lGJoNmgNaBBLAIWUaBKHlFKUKEsBSwBLAIaUaBqJaB10lGJ1hpSGlGhVaA1oEEsAhZRoEoeUUpQoSwFLAoWUaBqJQxAkEH6FTo1iPxTFh3fvymw/lHSUYmhcaA1oEEsAhZRoEoeUUpQoSwFLAoWUaBqJQxAAAAAAAADwPwAAAAAAAPA/lHSUYmhdfZQoaGJoDWgQSwCFlGgSh5RSlChLAUsChZRoGolDEA/R6WCEyJyYAAAAAAAAEECUdJRiaGloDWgQSwCFlGgSh5RSlChLAUsChZRoGolDEAAAAAAAAHC+AAAAAAAAcL6UdJRiaHBoDWgQSwCFlGgSh5RSlChLAUsChZRoGolDEAAAAAAAABRAAAAAAAAAFECUdJRiaHdOdXVzYoaUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'net': ([{'enc': np.array([], dtype=np.float64), 'dec': np.array([], dtype=np.float64)}, {'dec': np.array([], dtype=np.float64), 'w': np.array([], dtype=np.float64)}, []], ({'a': np.array([], dtype=np.float64), 'w': np.array([], dtype=np.float64)}, {'enc': np.array([], dtype=np.float64), 'b': np.array([], dtype=np.float64), 'a': np.array([], dtype=np.float64)}, ), ), 'dropped': np.array([1.0, 1.0], dtype=np.float64), 'count': 3, 'layer': {'__type__': 'Dense', 'weight': np.array([1.0, 1.0], dtype=np.float64), 'bias': np.array([0.0, 0.0], dtype=np.float64), 'scale': np.array([1.0, 1.0], dtype=np.float64), 'act': "<ufunc 'tanh'>"}}, 'rule': {'__type__': 'Adam', 'eta': 0.005965125652672719, 'beta': (0.5814334499927688, 0.984973151764861, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'net': ([{'enc': np.array([], dtype=np.float64), 'dec': np.array([], dtype=np.float64)}, {'dec': np.array([], dtype=np.float64), 'w': np.array([], dtype=np.float64)}, []], ({'a': np.array([], dtype=np.float64), 'w': np.array([], dtype=np.float64)}, {'enc': np.array([], dtype=np.float64), 'b': np.array([], dtype=np.float64), 'a': np.array([], dtype=np.float64)}, ), ), 'dropped': np.array([0.0, 0.0], dtype=np.float64), 'count': np.array([1.0, 1.0], dtype=np.float64), 'layer': {'weight': np.array([0.0, 0.0], dtype=np.float64), 'bias': np.array([-0.0036075829704936106, 8.819931393055151e-96], dtype=np.float64), 'scale': np.array([5.0, 5.0], dtype=np.float64), 'act': None}}}, {'__type__': 'Step', 'grads': {'net': ([{'enc': np.array([], dtype=np.float64), 'dec': np.array([], dtype=np.float64)}, {'dec': np.array([], dtype=np.float64), 'w': np.array([], dtype=np.float64)}, []], ({'a': np.array([], dtype=np.float64), 'w': np.array([], dtype=np.float64)}, {'enc': np.array([], dtype=np.float64), 'b': np.array([], dtype=np.float64), 'a': np.array([], dtype=np.float64)}, ), ), 'dropped': np.array([0.0022646459219135707, 0.0035147358978454644], dtype=np.float64), 'count': np.array([1.0, 1.0], dtype=np.float64), 'layer': {'weight': np.array([-4.0375961690985e-190, 4.0], dtype=np.float64), 'bias': np.array([-5.960464477539063e-08, -5.960464477539063e-08], dtype=np.float64), 'scale': np.array([5.0, 5.0], dtype=np.float64), 'act': None}}}, ), 'dtype': 'float64'}, 'model': {'net': [[{'enc': {'__array__': [], 'dtype': 'float64'}, 'dec': {'__array__': [], 'dtype': 'float64'}}, {'dec': {'__array__': [], 'dtype': 'float64'}, 'w': {'__array__': [], 'dtype': 'float64'}}, []], [{'a': {'__array__': [], 'dtype': 'float64'}, 'w': {'__array__': [], 'dtype': 'float64'}}, {'enc': {'__array__': [], 'dtype': 'float64'}, 'b': {'__array__': [], 'dtype': 'float64'}, 'a': {'__array__': [], 'dtype': 'float64'}}]], 'dropped': {'__array__': [1.0, 1.0], 'dtype': 'float64'}, 'count': 3, 'layer': {'__type__': 'Dense', 'weight': {'__array__': [1.0, 1.0], 'dtype': 'float64'}, 'bias': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'scale': {'__array__': [1.0, 1.0], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}}, 'rule': "Adam(eta=0.005965125652672719, beta=(0.5814334499927688, 0.984973151764861), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'step', 'grads': {'net': [[{'enc': {'__array__': [], 'dtype': 'float64'}, 'dec': {'__array__': [], 'dtype': 'float64'}}, {'dec': {'__array__': [], 'dtype': 'float64'}, 'w': {'__array__': [], 'dtype': 'float64'}}, []], [{'a': {'__array__': [], 'dtype': 'float64'}, 'w': {'__array__': [], 'dtype': 'float64'}}, {'enc': {'__array__': [], 'dtype': 'float64'}, 'b': {'__array__': [], 'dtype': 'float64'}, 'a': {'__array__': [], 'dtype': 'float64'}}]], 'dropped': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'count': {'__array__': [1.0, 1.0], 'dtype': 'float64'}, 'layer': {'weight': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'bias': {'__array__': [-0.0036075829704936106, 8.819931393055151e-96], 'dtype': 'float64'}, 'scale': {'__array__': [5.0, 5.0], 'dtype': 'float64'}, 'act': None}}}, {'op': 'step', 'grads': {'net': [[{'enc': {'__array__': [], 'dtype': 'float64'}, 'dec': {'__array__': [], 'dtype': 'float64'}}, {'dec': {'__array__': [], 'dtype': 'float64'}, 'w': {'__array__': [], 'dtype': 'float64'}}, []], [{'a': {'__array__': [], 'dtype': 'float64'}, 'w': {'__array__': [], 'dtype': 'float64'}}, {'enc': {'__array__': [], 'dtype': 'float64'}, 'b': {'__array__': [], 'dtype': 'float64'}, 'a': {'__array__': [], 'dtype': 'float64'}}]], 'dropped': {'__array__': [0.0022646459219135707, 0.0035147358978454644], 'dtype': 'float64'}, 'count': {'__array__': [1.0, 1.0], 'dtype': 'float64'}, 'layer': {'weight': {'__array__': [-4.0375961690985e-190, 4.0], 'dtype': 'float64'}, 'bias': {'__array__': [-5.960464477539063e-08, -5.960464477539063e-08], 'dtype': 'float64'}, 'scale': {'__array__': [5.0, 5.0], 'dtype': 'float64'}, 'act': None}}}], 'rules': ["Adam(eta=0.005965125652672719, beta=(0.5814334499927688, 0.984973151764861), epsilon=1e-06, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 2}


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
        print("recorded deviation (UPD-7); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (UPD-7)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
