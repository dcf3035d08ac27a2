#!/usr/bin/env python
"""optconf repro: keras rules.matches_reference[ClipGlobalNorm] deviates from CLIPGLOBALNORM-1.

model[0][1]['w'].weight[0][0, 0, 0]=-0.6119315371448573, but should be -0.6119315599989233 [adapter=keras, path=structured, step=4, dtype=float64, observed=2.2854066084043723e-08, allowed=5.435044059244761e-15]

Case seed 1283779174.  Inside optconf, replay with:
    optconf replay --adapter keras --property rules.matches_reference --rule ClipGlobalNorm --seed 1283779174
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'CLIPGLOBALNORM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property rules.matches_reference --rule ClipGlobalNorm --seed 1283779174'
RULE = {'name': 'ClipGlobalNorm', 'omega': 0.7332085889454754, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[-7.72321100021942e-160]]], dtype=np.float64), np.array(-2.6966174852062956e-167, dtype=np.float64), np.array(0.5, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[0.0]]], dtype=np.float64), np.array(0.0026440192343244635, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[2.6149335418922774]]], dtype=np.float64), np.array(-4.4583167483491876e-111, dtype=np.float64), np.array(-1.7259604741801033, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0]]], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0]]], dtype=np.float64), np.array(2.1300811170150986, dtype=np.float64), np.array(-6.506439589851197e-217, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[-0.6119315599989233]]], dtype=np.float64), np.array(-0.7358526081797998, dtype=np.float64), np.array(0.9038992458283367, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[-0.6119315371448573]]], dtype=np.float64), np.array(-0.7358526326319311, dtype=np.float64), np.array(0.9038992307437411, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.435044059244761e-15
PROGRAM_PICKLE = 'gASVdgUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoCWgJiEr9////hpSBlGgHjAVCbG9ja5STlCmBlH2UKIwBd5SMBW51bXB5lIwEdGFuaJSTlIwBYpRoE4wEbm90ZZSMBWJsb2NrlHVihpSBlH2UKGgQaAeMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUXZQojBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUaBGMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAUsBSwGHlGgRjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCBQmbKNet+WelHSUYowEcmVsdZRljARiaWFzlF2UKGgzaCJoJEsAhZRoJoeUUpQoSwFLAoWUaCuMAmk4lImIh5RSlChLA2gvTk5OSv////9K/////0sAdJRiiUMQAwAAAAAAAAD7/////////5R0lGJljAVzY2FsZZRoImgkSwCFlGgmh5RSlChLAUsBSwJLAYeUaC6JQxDwUlY9C9zQv0DlmiboXgxAlHSUYowDYWN0lGgTdWKMA2VuY5R9lChoSGgiaCRLAIWUaCaHlFKUKEsBKWguiUMIlvqMtjxxWZ2UdJRijAFhlEsAdXWGlIGUaCJoJEsAhZRoJoeUUpQoSwEpaC6JQwgAAAAAAADgP5R0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHP+d2cdvVWRSMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOToaUfZQoaBBOaBROaBVOdYaUfZQoaBB9lChoHl2UKGgiaCRLAIWUaCaHlFKUKEsBSwFLAUsBh5RoLolDCAAAAAAAAAAAlHSUYk5laDRdlChOTmVoQE5oR051aEh9lChoSGggjAZzY2FsYXKUk5RoLkMIKICGBOmoZT+UhpRSlGhPTnV1hpRodWguQwgAAAAAAAAAAJSGlFKUZXNiaGEpgZR9lGhkXZQoTk6GlH2UKGgQTmgUTmgVTnWGlH2UKGgQfZQoaB5dlChoImgkSwCFlGgmh5RSlChLAUsBSwFLAYeUaC6JQwhQIN1GYusEQJR0lGJOZWg0XZQoTk5laEBOaEdOdWhIfZQoaEhodWguQwgbLj/+lHEFqZSGlFKUaE9OdXWGlGh1aC5DCNas7LqInfu/lIaUUpRlc2JoYSmBlH2UaGRdlChOToaUfZQoaBBOaBROaBVOdYaUfZQoaBB9lChoHl2UKGgiaCRLAIWUaCaHlFKUKEsBSwFLAUsBh5RoLolDCAAAAAAAAAAAlHSUYk5laDRdlChOTmVoQE5oR051aEh9lChoSGh1aC5DCAAAAAAAAAAAlIaUUpRoT051dYaUaHVoLkMIAAAAAAAAAACUhpRSlGVzYmhhKYGUfZRoZF2UKE5OhpR9lChoEE5oFE5oFU51hpR9lChoEH2UKGgeXZQoaCJoJEsAhZRoJoeUUpQoSwFLAUsBSwGHlGguiUMIAAAAAAAAAACUdJRiTmVoNF2UKE5OZWhATmhHTnVoSH2UKGhIaHVoLkMIiEH792cKAUCUhpRSlGhPTnV1hpRodWguQwj2U6DitbUMk5SGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [(((True, -3, ), {'__type__': 'Block', 'w': "<ufunc 'tanh'>", 'b': "<ufunc 'tanh'>", 'note': 'block'}, ), {'w': {'__type__': 'Dense', 'weight': [np.array([[[-7.72321100021942e-160]]], dtype=np.float64), 'relu'], 'bias': ['relu', np.array([3, -5], dtype=np.int64)], 'scale': np.array([[[-0.26343041410409196], [3.546341230012928]]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'enc': {'enc': np.array(-2.6966174852062956e-167, dtype=np.float64), 'a': 0}}, ), np.array(0.5, dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 0.7332085889454754, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [(((None, None, ), {'w': None, 'b': None, 'note': None}, ), {'w': {'weight': [np.array([[[0.0]]], dtype=np.float64), None], 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'enc': 0.0026440192343244635, 'a': None}}, ), 0.0]}, {'__type__': 'Step', 'grads': [(((None, None, ), {'w': None, 'b': None, 'note': None}, ), {'w': {'weight': [np.array([[[2.6149335418922774]]], dtype=np.float64), None], 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'enc': -4.4583167483491876e-111, 'a': None}}, ), -1.7259604741801033]}, {'__type__': 'Step', 'grads': [(((None, None, ), {'w': None, 'b': None, 'note': None}, ), {'w': {'weight': [np.array([[[0.0]]], dtype=np.float64), None], 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'enc': 0.0, 'a': None}}, ), 0.0]}, {'__type__': 'Step', 'grads': [(((None, None, ), {'w': None, 'b': None, 'note': None}, ), {'w': {'weight': [np.array([[[0.0]]], dtype=np.float64), None], 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'enc': 2.1300811170150986, 'a': None}}, ), -6.506439589851197e-217]}, ), 'dtype': 'float64'}, 'model': [[[[True, -3], {'__type__': 'Block', 'w': "<ufunc 'tanh'>", 'b': "<ufunc 'tanh'>", 'note': 'block'}], {'w': {'__type__': 'Dense', 'weight': [{'__array__': [[[-7.72321100021942e-160]]], 'dtype': 'float64'}, 'relu'], 'bias': ['relu', {'__array__': [3, -5], 'dtype': 'int64'}], 'scale': {'__array__': [[[-0.26343041410409196], [3.546341230012928]]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'enc': {'enc': {'__array__': -2.6966174852062956e-167, 'dtype': 'float64'}, 'a': 0}}], {'__array__': 0.5, 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=0.7332085889454754, throw=True)', 'ops': [{'op': 'step', 'grads': [[[[None, None], {'w': None, 'b': None, 'note': None}], {'w': {'weight': [{'__array__': [[[0.0]]], 'dtype': 'float64'}, None], 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'enc': 0.0026440192343244635, 'a': None}}], 0.0]}, {'op': 'step', 'grads': [[[[None, None], {'w': None, 'b': None, 'note': None}], {'w': {'weight': [{'__array__': [[[2.6149335418922774]]], 'dtype': 'float64'}, None], 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'enc': -4.4583167483491876e-111, 'a': None}}], -1.7259604741801033]}, {'op': 'step', 'grads': [[[[None, None], {'w': None, 'b': None, 'note': None}], {'w': {'weight': [{'__array__': [[[0.0]]], 'dtype': 'float64'}, None], 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'enc': 0.0, 'a': None}}], 0.0]}, {'op': 'step', 'grads': [[[[None, None], {'w': None, 'b': None, 'note': None}], {'w': {'weight': [{'__array__': [[[0.0]]], 'dtype': 'float64'}, None], 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'enc': 2.1300811170150986, 'a': None}}], -6.506439589851197e-217]}], 'rules': ['ClipGlobalNorm(omega=0.7332085889454754, throw=True)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (CLIPGLOBALNORM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CLIPGLOBALNORM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
