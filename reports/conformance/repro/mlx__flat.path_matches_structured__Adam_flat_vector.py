#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[Adam,flat_vector] deviates from FLAT-6.

model[2][0, 0, 0]=1.3266093256628324, but should be 1.3266093260022693 [adapter=mlx, path=flat_vector, step=4, dtype=float64, observed=3.3943692301363626e-10, allowed=6.2938364125454644e-15]

Case seed 566174013.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule Adam --path flat_vector --seed 566174013
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule Adam --path flat_vector --seed 566174013'
RULE = {'name': 'Adam', 'eta': 0.00921007988730615, 'beta': (2.225073858507e-311, 0.602049009660836, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[1.3271490397584342, 1.4379907316971918], [3.1937211646189017, -2.3300058869892477]], [[-0.8494459490059976, 2.2250738585072014e-308], [0.03920585671056731, -1.5323443384589488e-22]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.0032938992171998183, 0.0020735767812983894], [-0.0, -7.691129759435449e-13]], [[-0.0010959989781867629, -0.00024383337555027636], [-0.0021809747075068136, 0.0003255208333333333]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.0027360362478830325, 0.0027360362478830325], [0.0027360362478830325, -8.056172807439032e-165]], [[-1.3684555315672042e-48, 0.0027360362478830325], [0.0015536300721831669, 0.00017020951311923823]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-2.33020476876989, -7.303428498596215e-268], [3.3845257015435237, -3.148505047565994]], [[-2.9912420541290317, -2.9912420541290317], [-2.9912420541290317, 2.5368741254289056]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.001220464089432786, -0.0021118838728811005], [-1.2510839352581526e-239, 2.6825358144623377e-102]], [[-0.001953134765625, -0.00385956543121963], [0.0006169694576175855, 0.00241470403074061]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[1.3266093260022693, 1.4312367219763655], [3.172847307152511, -2.3171026862998905]], [[-0.8317156515113682, 0.0067737280729918], [0.05333670581527466, -0.016443885288640277]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([[[1.3266093256628324, 1.431236721741647], [3.1728473069570398, -2.317102686313561]], [[-0.8317156514583998, 0.006773727860079369], [0.053336705790000036, -0.016443885299313437]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.2938364125454644e-15
PROGRAM_PICKLE = 'gASVLAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCgpjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsCSwKHlGgKjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGJoCWgMSwCFlGgOh5RSlChLAUsCSwJLAoeUaBaJQ0Bs4qqhADz1P+RyyZECAvc/VKaUrr2MCUCv2WAg2qMCwAhqVkWpLuu/AAAAAAAAEACAYMRAyhKkP+SsFFT4J2e7lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/gty7/0a2PYwEYmV0YZRHAAAEGJN0vGpHP+ND/Ejio6qGlIwHZXBzaWxvbpRHP1BiTdLxqfyMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwBLAksCh5RoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwJLAksCh5RoFolDQCQSQa3O+2o/FPfDDpv8YD8AAAAAAAAAgH5ZZMeND2u9ZgEj8fP0Ub/gllC/sPUvv1NAWeHV3WG/VVVVVVVVNT+UdJRiZXNiaC8pgZR9lGgyXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwBLAksCh5RoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwJLAksCh5RoFolDQGQMkkbiaWY/ZAySRuJpZj9kDJJG4mlmPxY9s2HssN2dAAAAAAAAALZkDJJG4mlmP9QuaJZldFk/4FaqlUhPJj+UdJRiZXNiaC8pgZR9lGgyXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwBLAksCh5RoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwJLAksCh5RoFolDQKPM1mVCpALACd5zzWAdeIigzgQ2ghMLQOixFGojMAnAgDtnUBDuB8CAO2dQEO4HwIA7Z1AQ7gfAOElWqYRLBECUdJRiZXNiaC8pgZR9lGgyXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwBLAksCh5RoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwJLAksCh5RoFolDQERSZ1b//lM/K9pXBfFMYb+zg6OKCdtUjsnhw2VkCNgqOWItPgUAYL+MOblpGJ5vv0gMUdKDN0Q/5PrtWgDIYz+UdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: empty array'], 'program': {'__type__': 'Program', 'model': [(), np.array([], dtype=np.float64), np.array([[[1.3271490397584342, 1.4379907316971918], [3.1937211646189017, -2.3300058869892477]], [[-0.8494459490059976, 2.2250738585072014e-308], [0.03920585671056731, -1.5323443384589488e-22]]], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.00921007988730615, 'beta': (2.225073858507e-311, 0.602049009660836, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [(), np.array([], dtype=np.float64), np.array([[[0.0032938992171998183, 0.0020735767812983894], [-0.0, -7.691129759435449e-13]], [[-0.0010959989781867629, -0.00024383337555027636], [-0.0021809747075068136, 0.0003255208333333333]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([], dtype=np.float64), np.array([[[0.0027360362478830325, 0.0027360362478830325], [0.0027360362478830325, -8.056172807439032e-165]], [[-1.3684555315672042e-48, 0.0027360362478830325], [0.0015536300721831669, 0.00017020951311923823]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([], dtype=np.float64), np.array([[[-2.33020476876989, -7.303428498596215e-268], [3.3845257015435237, -3.148505047565994]], [[-2.9912420541290317, -2.9912420541290317], [-2.9912420541290317, 2.5368741254289056]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([], dtype=np.float64), np.array([[[0.001220464089432786, -0.0021118838728811005], [-1.2510839352581526e-239, 2.6825358144623377e-102]], [[-0.001953134765625, -0.00385956543121963], [0.0006169694576175855, 0.00241470403074061]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[1.3271490397584342, 1.4379907316971918], [3.1937211646189017, -2.3300058869892477]], [[-0.8494459490059976, 2.2250738585072014e-308], [0.03920585671056731, -1.5323443384589488e-22]]], 'dtype': 'float64'}], 'rule': "Adam(eta=0.00921007988730615, beta=(2.225073858507e-311, 0.602049009660836), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0032938992171998183, 0.0020735767812983894], [-0.0, -7.691129759435449e-13]], [[-0.0010959989781867629, -0.00024383337555027636], [-0.0021809747075068136, 0.0003255208333333333]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0027360362478830325, 0.0027360362478830325], [0.0027360362478830325, -8.056172807439032e-165]], [[-1.3684555315672042e-48, 0.0027360362478830325], [0.0015536300721831669, 0.00017020951311923823]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-2.33020476876989, -7.303428498596215e-268], [3.3845257015435237, -3.148505047565994]], [[-2.9912420541290317, -2.9912420541290317], [-2.9912420541290317, 2.5368741254289056]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.001220464089432786, -0.0021118838728811005], [-1.2510839352581526e-239, 2.6825358144623377e-102]], [[-0.001953134765625, -0.00385956543121963], [0.0006169694576175855, 0.00241470403074061]]], 'dtype': 'float64'}]}], 'rules': ["Adam(eta=0.00921007988730615, beta=(2.225073858507e-311, 0.602049009660836), epsilon=0.001, variant='normative')"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
