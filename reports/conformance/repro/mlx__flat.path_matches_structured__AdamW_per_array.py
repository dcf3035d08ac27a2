#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[AdamW,per_array] deviates from FLAT-6.

model[2][0, 0, 0]=1.8190505093912028, but should be 1.8190505095207874 [adapter=mlx, path=per_array, step=4, dtype=float64, observed=1.295845653004335e-10, allowed=3.3451533501511135e-15]

Case seed 1704523965.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule AdamW --path per_array --seed 1704523965
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule AdamW --path per_array --seed 1704523965'
RULE = {'name': 'AdamW', 'eta': 0.0004908425933417606, 'beta': (0.6012771243895225, 0.9321099699675398, ), 'lambda_': 1.401298464324817e-45, 'epsilon': 1e-08, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[1.8204913262721876, 4.073984052366646e-83], [-1.069635251100633, -1.069635251100633]]], dtype=np.float64), np.array([-2.1535185096837135], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.001953134765625, 0.0010324512955028316], [-2.1729236899484e-311, 2.7041978120799683e-62]]], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[1.8632275989174348e-156, 1.114147494960405], [-1.3666483053483431, 0.13695807001780924]]], dtype=np.float64), np.array([-0.0023027413194554084], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[3.1654023491058663, -2.3896413460329007], [-3.79584915530161e-182, -0.5269218061024938]]], dtype=np.float64), np.array([-0.0009029907406058616], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-0.00346580874855929, -9.765625e-09], [-0.0039062499999999996, -0.0013695636139589742]]], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[1.8190505095207874, -0.0004677594335193139], [-1.0687812782252901, -1.0694996892848312]]], dtype=np.float64), np.array([-2.152439456523123], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([[[1.8190505093912028, -0.00046775947133139404], [-1.068781278125435, -1.0694996892855206]]], dtype=np.float64), np.array([-2.152439456400919], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.3451533501511135e-15
PROGRAM_PICKLE = 'gASVTQUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlH2UKIwBYZRLA4wBYpSJjANlbmOUiXVhjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaA+MBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYmgOaBFLAIWUaBOHlFKUKEsBSwFLAksCh5RoG4lDIPTZT4O7IP0/OnFEozfJ0y72A2LaOR3xv/YDYto5HfG/lHSUYmgOaBFLAIWUaBOHlFKUKEsBSwGFlGgbiUMIr2CT6Wc6AcCUdJRiaA5oEUsAhZRoE4eUUpQoSwFLAksBSwCHlGgbiWgedJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/QBV8cWS8K4wEYmV0YZRHP+M9qYYiv+JHP+3T2EmpJ/GGlIwHbGFtYmRhX5RHNqAAAAAAAACMB2Vwc2lsb26URz5FeY7iMIw6jAZjb3VwbGWUiIwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChdlH2UKGgJTmgKTmgLTnVhaA5oEUsAhZRoE4eUUpQoSwFLAIWUaBuJaB50lGJoDmgRSwCFlGgTh5RSlChLAUsBSwJLAoeUaBuJQyA5Yi0+BQBgP/QiISNq6lA/AAAAAAAEAICKEmmTtD8mM5R0lGJoDmgRSwCFlGgTh5RSlChLAUsBhZRoG4lDCAAAAAAAAAAAlHSUYmgOaBFLAIWUaBOHlFKUKEsBSwJLAUsAh5RoG4loHnSUYmVzYmhBKYGUfZRoRF2UKF2UfZQoaAlOaApOaAtOdWFoDmgRSwCFlGgTh5RSlChLAUsAhZRoG4loHnSUYmgOaBFLAIWUaBOHlFKUKEsBSwFLAksCh5RoG4lDIHETxhHUlJkffGfcUozT8T/mrQmdyt31v6Ar04/Xh8E/lHSUYmgOaBFLAIWUaBOHlFKUKEsBSwGFlGgbiUMICwwQ1TLdYr+UdJRiaA5oEUsAhZRoE4eUUpQoSwFLAksBSwCHlGgbiWgedJRiZXNiaEEpgZR9lGhEXZQoXZR9lChoCU5oCk5oC051YWgOaBFLAIWUaBOHlFKUKEsBSwCFlGgbiWgedJRiaA5oEUsAhZRoE4eUUpQoSwFLAUsCSwKHlGgbiUMg7LqAd75SCUC7CzNI/B0DwCiTHjVEKUSaiE2YHovc4L+UdJRiaA5oEUsAhZRoE4eUUpQoSwFLAYWUaBuJQwiI/IjZ1ZZNv5R0lGJoDmgRSwCFlGgTh5RSlChLAUsCSwFLAIeUaBuJaB50lGJlc2JoQSmBlH2UaERdlChdlH2UKGgJTmgKTmgLTnVhaA5oEUsAhZRoE4eUUpQoSwFLAIWUaBuJaB50lGJoDmgRSwCFlGgTh5RSlChLAUsBSwJLAoeUaBuJQyAMClbnU2Rsv/Fo44i1+ES+////////b79Ot6G7XXBWv5R0lGJoDmgRSwCFlGgTh5RSlChLAUsBhZRoG4lDCAAAAAAAAAAAlHSUYmgOaBFLAIWUaBOHlFKUKEsBSwJLAUsAh5RoG4loHnSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [[{'a': 3, 'b': False, 'enc': False}], np.array([], dtype=np.float64), np.array([[[1.8204913262721876, 4.073984052366646e-83], [-1.069635251100633, -1.069635251100633]]], dtype=np.float64), np.array([-2.1535185096837135], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.0004908425933417606, 'beta': (0.6012771243895225, 0.9321099699675398, ), 'lambda_': 1.401298464324817e-45, 'epsilon': 1e-08, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [[{'a': None, 'b': None, 'enc': None}], np.array([], dtype=np.float64), np.array([[[0.001953134765625, 0.0010324512955028316], [-2.1729236899484e-311, 2.7041978120799683e-62]]], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[{'a': None, 'b': None, 'enc': None}], np.array([], dtype=np.float64), np.array([[[1.8632275989174348e-156, 1.114147494960405], [-1.3666483053483431, 0.13695807001780924]]], dtype=np.float64), np.array([-0.0023027413194554084], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[{'a': None, 'b': None, 'enc': None}], np.array([], dtype=np.float64), np.array([[[3.1654023491058663, -2.3896413460329007], [-3.79584915530161e-182, -0.5269218061024938]]], dtype=np.float64), np.array([-0.0009029907406058616], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[{'a': None, 'b': None, 'enc': None}], np.array([], dtype=np.float64), np.array([[[-0.00346580874855929, -9.765625e-09], [-0.0039062499999999996, -0.0013695636139589742]]], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[{'a': 3, 'b': False, 'enc': False}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[1.8204913262721876, 4.073984052366646e-83], [-1.069635251100633, -1.069635251100633]]], 'dtype': 'float64'}, {'__array__': [-2.1535185096837135], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}], 'rule': "AdamW(eta=0.0004908425933417606, beta=(0.6012771243895225, 0.9321099699675398), lambda_=1.401298464324817e-45, epsilon=1e-08, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [[{'a': None, 'b': None, 'enc': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.001953134765625, 0.0010324512955028316], [-2.1729236899484e-311, 2.7041978120799683e-62]]], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'a': None, 'b': None, 'enc': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[1.8632275989174348e-156, 1.114147494960405], [-1.3666483053483431, 0.13695807001780924]]], 'dtype': 'float64'}, {'__array__': [-0.0023027413194554084], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'a': None, 'b': None, 'enc': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[3.1654023491058663, -2.3896413460329007], [-3.79584915530161e-182, -0.5269218061024938]]], 'dtype': 'float64'}, {'__array__': [-0.0009029907406058616], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'a': None, 'b': None, 'enc': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-0.00346580874855929, -9.765625e-09], [-0.0039062499999999996, -0.0013695636139589742]]], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}]}], 'rules': ["AdamW(eta=0.0004908425933417606, beta=(0.6012771243895225, 0.9321099699675398), lambda_=1.401298464324817e-45, epsilon=1e-08, couple=True, variant='normative')"], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
