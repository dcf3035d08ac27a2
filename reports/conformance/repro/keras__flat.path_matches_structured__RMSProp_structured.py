#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,structured] deviates from FLAT-6.

model[1][1, 0]=-1.090010594434513, but should be -1.084012434517526 [adapter=keras, path=structured, step=4, dtype=float64, observed=0.005998159916987156, allowed=6.091963252195797e-15]

Case seed 3645037880.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path structured --seed 3645037880
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path structured --seed 3645037880'
RULE = {'name': 'RMSProp', 'eta': 0.008928009477963164, 'rho': 6.6979280135127e-295, 'epsilon': 0.001, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[], []], dtype=np.float64), np.array([[1.192092896e-07, -3.340212969191427], [-1.1, 1.192092896e-07]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([[-0.5868857344863789, -3.013605670898187], [-3.013605670898187, 0.4922780598639589]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([[-3.943355070812437, 1.633828466175399], [3.090671335447393, -5.960464477539063e-08]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([[-3.541633127696766, -0.05653857516287264], [-1.6808708102432024, 2.225042407211097]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([[-0.0026553913174514176, 1.0265283562154168e-38], [-0.003792092293999615, 0.003331681499219046]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[], []], dtype=np.float64), np.array([[0.03324976447083928, -3.3314376258024887], [-1.084012434517526, -0.024700171497915042]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[], []], dtype=np.float64), np.array([[0.02751763582119013, -3.332419766832289], [-1.090010594434513, -0.01877206859994664]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.091963252195797e-15
PROGRAM_PICKLE = 'gASVSAYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lH2UKGgMaAkpgZR9lChoDIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgTjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAQAAAAAAAAAlHSUYowBYpRoEmgVSwCFlGgXh5RSlChLASloHolDCAUAAAAAAAAAlHSUYowEbm90ZZSMBWJsb2NrlHVijAFhlGgSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoG4wCZjiUiYiHlFKUKEsDaB9OTk5K/////0r/////SwB0lGKJQwCUdJRiaC5oB4wIaWRlbnRpdHmUk5SHlIwDZGVjlImFlHVoI2gHjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lGgSaBVLAIWUaBeHlFKUKEsBKWgeiUMI/f////////+UdJRijARiaWFzlEr9////jAVzY2FsZZRoEmgVSwCFlGgXh5RSlChLASloMolDCABXOHWG3wbAlHSUYowDYWN0lGgTjAR0YW5olJOUdWJoKYwEaGVhZJR1YmgSaBVLAIWUaBeHlFKUKEsBSwJLAoaUaDKJQyBoXxwAAACAPmDRwpPBuArAmpmZmZmZ8b9oXxwAAACAPpR0lGJljARydWxllIwgb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhcHRpdmWUjAdSTVNQcm9wlJOUKYGUfZQojANldGGURz+CSNklz1GVjANyaG+URwLbYK3hEyJtjAdlcHNpbG9ulEc/UGJN0vGp/IwHY2VudHJlZJSJdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAx9lChoDH2UKGgMTmgjTmgpTnVoK2gSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoMoloNHSUYmgSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoMoloNHSUYk6HlGg5ToWUdWgjfZQoaD9OaEVOaEZOaExOdWgpTnVoEmgVSwCFlGgXh5RSlChLAUsCSwKGlGgyiUMgOHSDl8TH4r8AYjxK3RsIwABiPErdGwjAsNvp1XuB3z+UdJRiZXNiaGIpgZR9lGhlXZQofZQoaAx9lChoDH2UKGgMTmgjTmgpTnVoK2gSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoMoloNHSUYmgSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoMoloNHSUYk6HlGg5ToWUdWgjfZQoaD9OaEVOaEZOaExOdWgpTnVoEmgVSwCFlGgXh5RSlChLAUsCSwKGlGgyiUMg0D1Nvv2LD8B09FdRKST6Pxhzo+SxuQhAAAAAAAAAcL6UdJRiZXNiaGIpgZR9lGhlXZQofZQoaAx9lChoDH2UKGgMTmgjTmgpTnVoK2gSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoMoloNHSUYmgSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoMoloNHSUYk6HlGg5ToWUdWgjfZQoaD9OaEVOaEZOaExOdWgpTnVoEmgVSwCFlGgXh5RSlChLAUsCSwKGlGgyiUMgOBrPv0NVDMCA7pLGn/Ksv666bMrY5Pq/bHqZCOPMAUCUdJRiZXNiaGIpgZR9lGhlXZQofZQoaAx9lChoDH2UKGgMTmgjTmgpTnVoK2gSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoMoloNHSUYmgSaBVLAIWUaBeHlFKUKEsBSwJLAEsAh5RoMoloNHSUYk6HlGg5ToWUdWgjfZQoaD9OaEVOaEZOaExOdWgpTnVoEmgVSwCFlGgXh5RSlChLAUsCSwKGlGgyiUMgHKq6W8LAZb/ZCO7I2/ELOGRGWwyYEG+/JACO4gpLaz+UdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': {'w': {'__type__': 'Block', 'w': np.array(4, dtype=np.int64), 'b': np.array(5, dtype=np.int64), 'note': 'block'}, 'a': (np.array([[], []], dtype=np.float64), np.array([[], []], dtype=np.float64), '<function identity>', ), 'dec': (False, )}, 'b': {'__type__': 'Dense', 'weight': np.array(-3, dtype=np.int64), 'bias': -3, 'scale': np.array(-2.859143176824432, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'note': 'head'}, np.array([[1.192092896e-07, -3.340212969191427], [-1.1, 1.192092896e-07]], dtype=np.float64)], 'rule': {'__type__': 'RMSProp', 'eta': 0.008928009477963164, 'rho': 6.6979280135127e-295, 'epsilon': 0.001, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': [{'w': {'w': {'w': None, 'b': None, 'note': None}, 'a': (np.array([[], []], dtype=np.float64), np.array([[], []], dtype=np.float64), None, ), 'dec': (None, )}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, np.array([[-0.5868857344863789, -3.013605670898187], [-3.013605670898187, 0.4922780598639589]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': {'w': {'w': None, 'b': None, 'note': None}, 'a': (np.array([[], []], dtype=np.float64), np.array([[], []], dtype=np.float64), None, ), 'dec': (None, )}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, np.array([[-3.943355070812437, 1.633828466175399], [3.090671335447393, -5.960464477539063e-08]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': {'w': {'w': None, 'b': None, 'note': None}, 'a': (np.array([[], []], dtype=np.float64), np.array([[], []], dtype=np.float64), None, ), 'dec': (None, )}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, np.array([[-3.541633127696766, -0.05653857516287264], [-1.6808708102432024, 2.225042407211097]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': {'w': {'w': None, 'b': None, 'note': None}, 'a': (np.array([[], []], dtype=np.float64), np.array([[], []], dtype=np.float64), None, ), 'dec': (None, )}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, np.array([[-0.0026553913174514176, 1.0265283562154168e-38], [-0.003792092293999615, 0.003331681499219046]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Block', 'w': {'w': {'__type__': 'Block', 'w': {'__array__': 4, 'dtype': 'int64'}, 'b': {'__array__': 5, 'dtype': 'int64'}, 'note': 'block'}, 'a': [{'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, '<function identity>'], 'dec': [False]}, 'b': {'__type__': 'Dense', 'weight': {'__array__': -3, 'dtype': 'int64'}, 'bias': -3, 'scale': {'__array__': -2.859143176824432, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'note': 'head'}, {'__array__': [[1.192092896e-07, -3.340212969191427], [-1.1, 1.192092896e-07]], 'dtype': 'float64'}], 'rule': 'RMSProp(eta=0.008928009477963164, rho=6.6979280135127e-295, epsilon=0.001, centred=False)', 'ops': [{'op': 'step', 'grads': [{'w': {'w': {'w': None, 'b': None, 'note': None}, 'a': [{'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, None], 'dec': [None]}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, {'__array__': [[-0.5868857344863789, -3.013605670898187], [-3.013605670898187, 0.4922780598639589]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': {'w': {'w': None, 'b': None, 'note': None}, 'a': [{'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, None], 'dec': [None]}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, {'__array__': [[-3.943355070812437, 1.633828466175399], [3.090671335447393, -5.960464477539063e-08]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': {'w': {'w': None, 'b': None, 'note': None}, 'a': [{'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, None], 'dec': [None]}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, {'__array__': [[-3.541633127696766, -0.05653857516287264], [-1.6808708102432024, 2.225042407211097]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': {'w': {'w': None, 'b': None, 'note': None}, 'a': [{'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, None], 'dec': [None]}, 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, {'__array__': [[-0.0026553913174514176, 1.0265283562154168e-38], [-0.003792092293999615, 0.003331681499219046]], 'dtype': 'float64'}]}], 'rules': ['RMSProp(eta=0.008928009477963164, rho=6.6979280135127e-295, epsilon=0.001, centred=False)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
