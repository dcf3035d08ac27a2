#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,flat_list] deviates from FLAT-6.

model['dec'][0]['b'].w[0, 0, 0]=-1.9020334892787227, but should be -1.8935356880732683 [adapter=keras, path=flat_list, step=4, dtype=float64, observed=0.008497801205454403, allowed=5.438430444244797e-15]

Case seed 1689992989.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path flat_list --seed 1689992989
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path flat_list --seed 1689992989'
RULE = {'name': 'RMSProp', 'eta': 0.006156419005649511, 'rho': 0.0, 'epsilon': 1e-06, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[-1.9], [-6.270764072936086e-62]], [[1.4067576537363764e-89], [-3.0]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.8709113553313337, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[-0.00048828125], [-0.0010294934078478517]], [[-1.3517955255545082e-67], [-0.0012414233184461216]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.00137833250496443, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[1.9059117909032297], [1.1964037441961286e-127]], [[2.484044496789922], [-2.220446049250313e-16]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.001860503924896931, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-5.960464477539063e-08], [-5.960464477539063e-08]], [[-5.960464477539063e-08], [-5.960464477539063e-08]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(-0.42134865733750626, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-0.00023727691837667573], [0.0013977782822321922]], [[-7.706654454188778e-278], [-7.706654454188778e-278]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(3.826562973644865, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[-1.8935356880732683], [0.0003447365514509075]], [[-0.005810107014816974], [-2.9935022266507367]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.8832164357842935, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[-1.9020334892787227], [-0.0005905847417518352]], [[-0.006156051555621442], [-2.9952052307964148]]], dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.881317204730285, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.438430444244797e-15
PROGRAM_PICKLE = 'gASVhAYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCh9lCiMAWKUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjAVCbG9ja5STlCmBlH2UKIwBd5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsCSwJLAYeUaBSMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMgZmZmZmZm/r9E2VGm4ss5s1UoxRH6p3wtAAAAAAAACMCUdJRiaApOjARub3RllIwEaGVhZJR1YowBYZRoDSmBlH2UKGgQSwJoCn2UKIwDZW5jlGgTaBZLAIWUaBiHlFKUKEsBSwKFlGgdjAJpOJSJiIeUUpQoSwNoIU5OTkr/////Sv////9LAHSUYolDEPv/////////BAAAAAAAAACUdJRiaBBoC4wFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRoC4wIaWRlbnRpdHmUk5SMBGJpYXOUaBNoFksAhZRoGIeUUpQoSwFLAIWUaCCJQwCUdJRijAVzY2FsZZRoE2gWSwCFlGgYh5RSlChLAUsCSwKGlGggiUMgGN0z4a1zCcAcoMgzj6kDQNBb3ViW39w/AAAAAAAA+D+UdJRijANhY3SUaDx1YnVoJYwFYmxvY2uUdWJ1aBNoFksAhZRoGIeUUpQoSwEpaCCJQwio52ZfoPcGwJR0lGJlaCdoT3WMBHJ1bGWUjCBvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFwdGl2ZZSMB1JNU1Byb3CUk5QpgZR9lCiMA2V0YZRHP3k3eSSiw8eMA3Job5RHAAAAAAAAAACMB2Vwc2lsb26URz6wxvegte2NjAdjZW50cmVklIl1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKH2UKGgKfZQoaBBoE2gWSwCFlGgYh5RSlChLAUsCSwJLAYeUaCCJQyAAAAAAAABAv95vKSEC3lC/aX3kw8wnDbL+62cj6FZUv5R0lGJoCk5oJU51aCd9lChoEE5oCn2UKGgrTmgQfZQoaDpOaD1oE2gWSwCFlGgYh5RSlChLAUsAhZRoIIloQnSUYmhETmhLTnV1aCVOdXVoEYwGc2NhbGFylJOUaCBDCMyZCUIllVY/lIaUUpRlaCdodWggQwgAAAAAAAAAAJSGlFKUdXNiaF4pgZR9lGhhfZQoaAddlCh9lChoCn2UKGgQaBNoFksAhZRoGIeUUpQoSwFLAksCSwGHlGggiUMgtNevXJ1+/j/AN3hkkruUJQQsnLhS3wNAAAAAAAAAsLyUdJRiaApOaCVOdWgnfZQoaBBOaAp9lChoK05oEH2UKGg6Tmg9aBNoFksAhZRoGIeUUpQoSwFLAIWUaCCJaEJ0lGJoRE5oS051dWglTnV1aHVoIEMIAJ9sGmQO9L6UhpRSlGVoJ2h1aCBDCCRPJnG+y14/lIaUUpR1c2JoXimBlH2UaGF9lChoB12UKH2UKGgKfZQoaBBoE2gWSwCFlGgYh5RSlChLAUsCSwJLAYeUaCCJQyAAAAAAAABwvgAAAAAAAHC+AAAAAAAAcL4AAAAAAABwvpR0lGJoCk5oJU51aCd9lChoEE5oCn2UKGgrTmgQfZQoaDpOaD1oE2gWSwCFlGgYh5RSlChLAUsAhZRoIIloQnSUYmhETmhLTnV1aCVOdXVodWggQwgAAAAAAAAAAJSGlFKUZWgnaHVoIEMIMJneW2D32r+UhpRSlHVzYmheKYGUfZRoYX2UKGgHXZQofZQoaAp9lChoEGgTaBZLAIWUaBiHlFKUKEsBSwJLAksBh5RoIIlDICAahDWxGS+/5H2XALXmVj+3x2WvqttlhrfHZa+q22WGlHSUYmgKTmglTnVoJ32UKGgQTmgKfZQoaCtOaBB9lChoOk5oPWgTaBZLAIWUaBiHlFKUKEsBSwCFlGggiWhCdJRiaEROaEtOdXVoJU51dWh1aCBDCBgdXwzNnA5AlIaUUpRlaCdodWggQwgAAAAAAAAAAJSGlFKUdXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'dec': [{'b': {'__type__': 'Block', 'w': np.array([[[-1.9], [-6.270764072936086e-62]], [[1.4067576537363764e-89], [-3.0]]], dtype=np.float64), 'b': None, 'note': 'head'}, 'a': {'__type__': 'Block', 'w': 2, 'b': {'enc': np.array([-5, 4], dtype=np.int64), 'w': {'__type__': 'Dense', 'weight': '<function identity>', 'bias': np.array([], dtype=np.float64), 'scale': np.array([[-3.1814839929535417, 2.457792667923071], [0.45114668539229985, 1.5]], dtype=np.float64), 'act': '<function identity>'}}, 'note': 'block'}}, np.array(-2.8709113553313337, dtype=np.float64)], 'a': np.array(-2.8709113553313337, dtype=np.float64)}, 'rule': {'__type__': 'RMSProp', 'eta': 0.006156419005649511, 'rho': 0.0, 'epsilon': 1e-06, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [{'b': {'w': np.array([[[-0.00048828125], [-0.0010294934078478517]], [[-1.3517955255545082e-67], [-0.0012414233184461216]]], dtype=np.float64), 'b': None, 'note': None}, 'a': {'w': None, 'b': {'enc': None, 'w': {'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}}, 'note': None}}, 0.00137833250496443], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [{'b': {'w': np.array([[[1.9059117909032297], [1.1964037441961286e-127]], [[2.484044496789922], [-2.220446049250313e-16]]], dtype=np.float64), 'b': None, 'note': None}, 'a': {'w': None, 'b': {'enc': None, 'w': {'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}}, 'note': None}}, -1.9127097085873922e-05], 'a': 0.001879631021982805}}, {'__type__': 'Step', 'grads': {'dec': [{'b': {'w': np.array([[[-5.960464477539063e-08], [-5.960464477539063e-08]], [[-5.960464477539063e-08], [-5.960464477539063e-08]]], dtype=np.float64), 'b': None, 'note': None}, 'a': {'w': None, 'b': {'enc': None, 'w': {'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}}, 'note': None}}, 0.0], 'a': -0.42134865733750626}}, {'__type__': 'Step', 'grads': {'dec': [{'b': {'w': np.array([[[-0.00023727691837667573], [0.0013977782822321922]], [[-7.706654454188778e-278], [-7.706654454188778e-278]]], dtype=np.float64), 'b': None, 'note': None}, 'a': {'w': None, 'b': {'enc': None, 'w': {'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}}, 'note': None}}, 3.826562973644865], 'a': 0.0}}, ), 'dtype': 'float64'}, 'model': {'dec': [{'b': {'__type__': 'Block', 'w': {'__array__': [[[-1.9], [-6.270764072936086e-62]], [[1.4067576537363764e-89], [-3.0]]], 'dtype': 'float64'}, 'b': None, 'note': 'head'}, 'a': {'__type__': 'Block', 'w': 2, 'b': {'enc': {'__array__': [-5, 4], 'dtype': 'int64'}, 'w': {'__type__': 'Dense', 'weight': '<function identity>', 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': {'__array__': [[-3.1814839929535417, 2.457792667923071], [0.45114668539229985, 1.5]], 'dtype': 'float64'}, 'act': '<function identity>'}}, 'note': 'block'}}, {'__array__': -2.8709113553313337, 'dtype': 'float64'}], 'a': {'__array__': -2.8709113553313337, 'dtype': 'float64'}}, 'rule': 'RMSProp(eta=0.006156419005649511, rho=0.0, epsilon=1e-06, centred=False)', 'ops': [{'op': 'step', 'grads': {'dec': [{'b': {'w': {'__array__': [[[-0.00048828125], [-0.0010294934078478517]], [[-1.3517955255545082e-67], [-0.0012414233184461216]]], 'dtype': 'float64'}, 'b': None, 'note': None}, 'a': {'w': None, 'b': {'enc': None, 'w': {'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}}, 'note': None}}, 0.00137833250496443], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [{'b': {'w': {'__array__': [[[1.9059117909032297], [1.1964037441961286e-127]], [[2.484044496789922], [-2.220446049250313e-16]]], 'dtype': 'float64'}, 'b': None, 'note': None}, 'a': {'w': None, 'b': {'enc': None, 'w': {'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}}, 'note': None}}, -1.9127097085873922e-05], 'a': 0.001879631021982805}}, {'op': 'step', 'grads': {'dec': [{'b': {'w': {'__array__': [[[-5.960464477539063e-08], [-5.960464477539063e-08]], [[-5.960464477539063e-08], [-5.960464477539063e-08]]], 'dtype': 'float64'}, 'b': None, 'note': None}, 'a': {'w': None, 'b': {'enc': None, 'w': {'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}}, 'note': None}}, 0.0], 'a': -0.42134865733750626}}, {'op': 'step', 'grads': {'dec': [{'b': {'w': {'__array__': [[[-0.00023727691837667573], [0.0013977782822321922]], [[-7.706654454188778e-278], [-7.706654454188778e-278]]], 'dtype': 'float64'}, 'b': None, 'note': None}, 'a': {'w': None, 'b': {'enc': None, 'w': {'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}}, 'note': None}}, 3.826562973644865], 'a': 0.0}}], 'rules': ['RMSProp(eta=0.006156419005649511, rho=0.0, epsilon=1e-06, centred=False)'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
