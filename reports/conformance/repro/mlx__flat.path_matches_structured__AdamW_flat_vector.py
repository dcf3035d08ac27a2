#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[AdamW,flat_vector] deviates from FLAT-6.

model[1][0, 1]=3.6878600489192226, but should be 3.6878600487789304 [adapter=mlx, path=flat_vector, step=4, dtype=float64, observed=1.4029222228373328e-10, allowed=6.749595598351802e-15]

Case seed 3295988477.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule AdamW --path flat_vector --seed 3295988477
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule AdamW --path flat_vector --seed 3295988477'
RULE = {'name': 'AdamW', 'eta': 0.002577447993030279, 'beta': (4.976126567940127e-237, 0.5589996742974613, ), 'lambda_': 0.0033187864568613654, 'epsilon': 1e-08, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[7.89852027125475e-144, 3.6934090006056266], [-3.5436707338561604, -3.4823083149968497]], dtype=np.float64), np.array(-0.5, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[-2.539192586508481, 1.1754943508222875e-38], [1.1994864160461036, 2.2308782274421954]], dtype=np.float64), np.array(2.1458675398797784e-31, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[-0.00010925685811411217, 0.0027898261502002884], [2.168404344971009e-19, 0.0031516048443712297]], dtype=np.float64), np.array(0.2832741561561223, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[0.0016121154003434718, 0.0012512859071405957], [-0.0009679535214388432, 5.368310803904887e-83]], dtype=np.float64), np.array(-1.175494351e-38, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[0.0025720525512753145, 3.6878600487789304], [-3.5461197483158298, -3.4847754586152107]], dtype=np.float64), np.array(-0.5035088637898656, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([[0.0025720526273248306, 3.6878600489192226], [-3.546119748391899, -3.4847754586909105]], dtype=np.float64), np.array(-0.5035088636616049, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.749595598351802e-15
PROGRAM_PICKLE = 'gASVVgUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoB4wFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRdlCiMBW51bXB5lIwEdGFuaJSTlIwAlGWMBGJpYXOUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUaBCMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsCSwCHlGgQjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGKMBHJlbHWUaAeMCGlkZW50aXR5lJOUh5SMBXNjYWxllGgXaBlLAIWUaBuHlFKUKEsBSwFLAEsBh5RoI4loJnSUYowDYWN0lGgSdWJoCWgJiU6GlIGUaBOGlIGUhpSBlGgXaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyDmvSfhPag4ImDTogQajA1A4KKtCnBZDMCwADx2xNsLwJR0lGJoF2gZSwCFlGgbh5RSlChLASloI4lDCAAAAAAAAOC/lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFQWRhbVeUk5QpgZR9lCiMA2V0YZRHP2UdTNrKY/+MBGJldGGURw7gM5xH4jf8Rz/h41NI8qHHhpSMB2xhbWJkYV+URz9rL//pbZYwjAdlcHNpbG9ulEc+RXmO4jCMOowGY291cGxllIiMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaA5dlChOTmVoFGgXaBlLAIWUaBuHlFKUKEsBSwBLAksAh5RoI4loJnSUYk5Oh5RoLE5oMk51Tk6GlE6GlIaUaBdoGUsAhZRoG4eUUpQoSwFLAksChpRoI4lDIIhl6jNEUATAAAAAAAAAEDjUoA6rGDHzPwzIIa/W2AFAlHSUYmgVjAZzY2FsYXKUk5RoI0MIrUY64spokTmUhpRSlGVzYmhUKYGUfZRoV12UKH2UKGgOXZQoTk5laBRoF2gZSwCFlGgbh5RSlChLAUsASwJLAIeUaCOJaCZ0lGJOToeUaCxOaDJOdU5OhpROhpSGlGgXaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJoa2gjQwgAAAAAAAAAAJSGlFKUZXNiaFQpgZR9lGhXXZQofZQoaA5dlChOTmVoFGgXaBlLAIWUaBuHlFKUKEsBSwBLAksAh5RoI4loJnSUYk5Oh5RoLE5oMk51Tk6GlE6GlIaUaBdoGUsAhZRoG4eUUpQoSwFLAksChpRoI4lDIMCYpIcapBy/+MxzgrDaZj8AAAAAAAAQPKRSkfdk0Wk/lHSUYmhraCNDCNCFH+0pIdI/lIaUUpRlc2JoVCmBlH2UaFddlCh9lChoDl2UKE5OZWgUaBdoGUsAhZRoG4eUUpQoSwFLAEsCSwCHlGgjiWgmdJRiTk6HlGgsTmgyTnVOToaUToaUhpRoF2gZSwCFlGgbh5RSlChLAUsCSwKGlGgjiUMgZKT/urNpWj9csSQDRoBUP3j/+1vIt0+/foWW2XYS2i6UdJRiaGtoI0MIm2MKAAAAELiUhpRSlGVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [({'__type__': 'Dense', 'weight': ["<ufunc 'tanh'>", ''], 'bias': (np.array([], dtype=np.float64), 'relu', '<function identity>', ), 'scale': np.array([[]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, ((False, None, ), '', ), ), np.array([[7.89852027125475e-144, 3.6934090006056266], [-3.5436707338561604, -3.4823083149968497]], dtype=np.float64), np.array(-0.5, dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.002577447993030279, 'beta': (4.976126567940127e-237, 0.5589996742974613, ), 'lambda_': 0.0033187864568613654, 'epsilon': 1e-08, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [({'weight': [None, None], 'bias': (np.array([], dtype=np.float64), None, None, ), 'scale': None, 'act': None}, ((None, None, ), None, ), ), np.array([[-2.539192586508481, 1.1754943508222875e-38], [1.1994864160461036, 2.2308782274421954]], dtype=np.float64), 2.1458675398797784e-31]}, {'__type__': 'Step', 'grads': [({'weight': [None, None], 'bias': (np.array([], dtype=np.float64), None, None, ), 'scale': None, 'act': None}, ((None, None, ), None, ), ), np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [({'weight': [None, None], 'bias': (np.array([], dtype=np.float64), None, None, ), 'scale': None, 'act': None}, ((None, None, ), None, ), ), np.array([[-0.00010925685811411217, 0.0027898261502002884], [2.168404344971009e-19, 0.0031516048443712297]], dtype=np.float64), 0.2832741561561223]}, {'__type__': 'Step', 'grads': [({'weight': [None, None], 'bias': (np.array([], dtype=np.float64), None, None, ), 'scale': None, 'act': None}, ((None, None, ), None, ), ), np.array([[0.0016121154003434718, 0.0012512859071405957], [-0.0009679535214388432, 5.368310803904887e-83]], dtype=np.float64), -1.175494351e-38]}, ), 'dtype': 'float64'}, 'model': [[{'__type__': 'Dense', 'weight': ["<ufunc 'tanh'>", ''], 'bias': [{'__array__': [], 'dtype': 'float64'}, 'relu', '<function identity>'], 'scale': {'__array__': [[]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, [[False, None], '']], {'__array__': [[7.89852027125475e-144, 3.6934090006056266], [-3.5436707338561604, -3.4823083149968497]], 'dtype': 'float64'}, {'__array__': -0.5, 'dtype': 'float64'}], 'rule': "AdamW(eta=0.002577447993030279, beta=(4.976126567940127e-237, 0.5589996742974613), lambda_=0.0033187864568613654, epsilon=1e-08, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [[{'weight': [None, None], 'bias': [{'__array__': [], 'dtype': 'float64'}, None, None], 'scale': None, 'act': None}, [[None, None], None]], {'__array__': [[-2.539192586508481, 1.1754943508222875e-38], [1.1994864160461036, 2.2308782274421954]], 'dtype': 'float64'}, 2.1458675398797784e-31]}, {'op': 'step', 'grads': [[{'weight': [None, None], 'bias': [{'__array__': [], 'dtype': 'float64'}, None, None], 'scale': None, 'act': None}, [[None, None], None]], {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [[{'weight': [None, None], 'bias': [{'__array__': [], 'dtype': 'float64'}, None, None], 'scale': None, 'act': None}, [[None, None], None]], {'__array__': [[-0.00010925685811411217, 0.0027898261502002884], [2.168404344971009e-19, 0.0031516048443712297]], 'dtype': 'float64'}, 0.2832741561561223]}, {'op': 'step', 'grads': [[{'weight': [None, None], 'bias': [{'__array__': [], 'dtype': 'float64'}, None, None], 'scale': None, 'act': None}, [[None, None], None]], {'__array__': [[0.0016121154003434718, 0.0012512859071405957], [-0.0009679535214388432, 5.368310803904887e-83]], 'dtype': 'float64'}, -1.175494351e-38]}], 'rules': ["AdamW(eta=0.002577447993030279, beta=(4.976126567940127e-237, 0.5589996742974613), lambda_=0.0033187864568613654, epsilon=1e-08, couple=True, variant='normative')"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
