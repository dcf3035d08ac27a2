#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[ClipGlobalNorm,flat_list] deviates from FLAT-6.

model[2]=-3.0736060208064555, but should be -3.0736075482794964 [adapter=mlx, path=flat_list, step=4, dtype=float64, observed=1.5274730409409187e-06, allowed=1.9670022631597157e-14]

Case seed 2459539986.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_list --seed 2459539986
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_list --seed 2459539986'
RULE = {'name': 'ClipGlobalNorm', 'omega': 2.00001, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(0.0003285259142427748, dtype=np.float64), np.array([[[1.1754943508222875e-38]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(1.8432147271897472, dtype=np.float64), np.array([[[-1.009651040812034]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-1.4238175189893005, dtype=np.float64), np.array([[[3.951509283396316]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-0.002876810233231485, dtype=np.float64), np.array([[[-2.760022549118453]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(2.3389275699995444, dtype=np.float64), np.array([[[0.023658266273387518]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(-3.0736075482794964, dtype=np.float64), np.array([[[1.0590218836153602]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(-3.0736060208064555, dtype=np.float64), np.array([[[1.0590211584207572]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.9670022631597157e-14
PROGRAM_PICKLE = 'gASV0AMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAXeUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAYWUaAyMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIBQAAAAAAAACUdJRijANkZWOUSwF1aAtoDksAhZRoEIeUUpQoSwFLAEsAhpRoFYwCZjiUiYiHlFKUKEsDaBlOTk5K/////0r/////SwB0lGKJQwCUdJRiaAtoDksAhZRoEIeUUpQoSwEpaCSJQwj+VLwOwIc1P5R0lGJoC2gOSwCFlGgQh5RSlChLAUsBSwFLAYeUaCSJQwgAAAAAAAAQOJR0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHQAAABT4tYjmMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoCE5oHU51aAtoDksAhZRoEIeUUpQoSwFLAEsAhpRoJIloJnSUYmgJjAZzY2FsYXKUk5RoJEMIhJHMuc59/T+UhpRSlGgLaA5LAIWUaBCHlFKUKEsBSwFLAUsBh5RoJIlDCI6PitmHJ/C/lHSUYmVzYmg9KYGUfZRoQF2UKH2UKGgITmgdTnVoC2gOSwCFlGgQh5RSlChLAUsASwCGlGgkiWgmdJRiaEloJEMIln744PTH9r+UhpRSlGgLaA5LAIWUaBCHlFKUKEsBSwFLAUsBh5RoJIlDCHg4MOawnA9AlHSUYmVzYmg9KYGUfZRoQF2UKH2UKGgITmgdTnVoC2gOSwCFlGgQh5RSlChLAUsASwCGlGgkiWgmdJRiaEloJEMI5PnKuxuRZ7+UhpRSlGgLaA5LAIWUaBCHlFKUKEsBSwFLAUsBh5RoJIlDCJB9xbOGFAbAlHSUYmVzYmg9KYGUfZRoQF2UKH2UKGgITmgdTnVoC2gOSwCFlGgQh5RSlChLAUsASwCGlGgkiWgmdJRiaEloJEMI6OJmqB+2AkCUhpRSlGgLaA5LAIWUaBCHlFKUKEsBSwFLAUsBh5RoJIlDCABxsl/fOZg/lHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: sizes that do not divide evenly'], 'program': {'__type__': 'Program', 'model': [{'w': np.array([5], dtype=np.int64), 'dec': 1}, np.array([], dtype=np.float64), np.array(0.0003285259142427748, dtype=np.float64), np.array([[[1.1754943508222875e-38]]], dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 2.00001, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [{'w': None, 'dec': None}, np.array([], dtype=np.float64), 1.8432147271897472, np.array([[[-1.009651040812034]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'dec': None}, np.array([], dtype=np.float64), -1.4238175189893005, np.array([[[3.951509283396316]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'dec': None}, np.array([], dtype=np.float64), -0.002876810233231485, np.array([[[-2.760022549118453]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'dec': None}, np.array([], dtype=np.float64), 2.3389275699995444, np.array([[[0.023658266273387518]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'w': {'__array__': [5], 'dtype': 'int64'}, 'dec': 1}, {'__array__': [], 'dtype': 'float64'}, {'__array__': 0.0003285259142427748, 'dtype': 'float64'}, {'__array__': [[[1.1754943508222875e-38]]], 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=2.00001, throw=True)', 'ops': [{'op': 'step', 'grads': [{'w': None, 'dec': None}, {'__array__': [], 'dtype': 'float64'}, 1.8432147271897472, {'__array__': [[[-1.009651040812034]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'dec': None}, {'__array__': [], 'dtype': 'float64'}, -1.4238175189893005, {'__array__': [[[3.951509283396316]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'dec': None}, {'__array__': [], 'dtype': 'float64'}, -0.002876810233231485, {'__array__': [[[-2.760022549118453]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'dec': None}, {'__array__': [], 'dtype': 'float64'}, 2.3389275699995444, {'__array__': [[[0.023658266273387518]]], 'dtype': 'float64'}]}], 'rules': ['ClipGlobalNorm(omega=2.00001, throw=True)'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
