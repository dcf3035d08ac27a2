#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[Adam,flat_list] deviates from FLAT-6.

model[1][0]=-0.0028170283948503543, but should be -0.002817028445971254 [adapter=mlx, path=flat_list, step=4, dtype=float64, observed=5.1120899614148785e-11, allowed=1.5106075991392516e-16]

Case seed 1601696356.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule Adam --path flat_list --seed 1601696356
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule Adam --path flat_list --seed 1601696356'
RULE = {'name': 'Adam', 'eta': 0.0018360068114695806, 'beta': (0.2884524438192747, 0.7908356094194842, ), 'epsilon': 1e-08, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[], []], dtype=np.float64), np.array([-0.0], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([-2.168404344971009e-19], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([0.99999], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([-0.0003255208333333333], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[], []], dtype=np.float64), np.array([-0.002817028445971254], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[], []], dtype=np.float64), np.array([-0.0028170283948503543], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.5106075991392516e-16
PROGRAM_PICKLE = 'gASVpwMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlChdlH2UKIwDZGVjlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgOjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAUAAAAAAAAAlHSUYowBYZRoDWgQSwCFlGgSh5RSlChLAUsCSwBLAIeUaBaMAmY4lImIh5RSlChLA2gaTk5OSv////9K/////0sAdJRiiUMAlHSUYowBYpSMBHJlbHWUdWVoDWgQSwCFlGgSh5RSlChLAUsBhZRoJYlDCAAAAAAAAACAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/XhTFTXjAYowEYmV0YZRHP9J2AT0p7IpHP+lOhnrfAViGlIwHZXBzaWxvbpRHPkV5juIwjDqMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoXZQoXZR9lChoCk5oHmgNaBBLAIWUaBKHlFKUKEsBSwJLAEsAh5RoJYloJ3SUYmgpTnVlaA1oEEsAhZRoEoeUUpQoSwFLAYWUaCWJQwgAAAAAAAAQvJR0lGJlc2JoPymBlH2UaEJdlChdlChdlH2UKGgKTmgeaA1oEEsAhZRoEoeUUpQoSwFLAksASwCHlGgliWgndJRiaClOdWVoDWgQSwCFlGgSh5RSlChLAUsBhZRoJYlDCB13Sgfr/+8/lHSUYmVzYmg/KYGUfZRoQl2UKF2UKF2UfZQoaApOaB5oDWgQSwCFlGgSh5RSlChLAUsCSwBLAIeUaCWJaCd0lGJoKU51ZWgNaBBLAIWUaBKHlFKUKEsBSwGFlGgliUMIAAAAAAAAAACUdJRiZXNiaD8pgZR9lGhCXZQoXZQoXZR9lChoCk5oHmgNaBBLAIWUaBKHlFKUKEsBSwJLAEsAh5RoJYloJ3SUYmgpTnVlaA1oEEsAhZRoEoeUUpQoSwFLAYWUaCWJQwhVVVVVVVU1v5R0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [[[], {'dec': np.array(5, dtype=np.int64), 'a': np.array([[], []], dtype=np.float64), 'b': 'relu'}], np.array([-0.0], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.0018360068114695806, 'beta': (0.2884524438192747, 0.7908356094194842, ), 'epsilon': 1e-08, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [[[], {'dec': None, 'a': np.array([[], []], dtype=np.float64), 'b': None}], np.array([-2.168404344971009e-19], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[[], {'dec': None, 'a': np.array([[], []], dtype=np.float64), 'b': None}], np.array([0.99999], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[[], {'dec': None, 'a': np.array([[], []], dtype=np.float64), 'b': None}], np.array([0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[[], {'dec': None, 'a': np.array([[], []], dtype=np.float64), 'b': None}], np.array([-0.0003255208333333333], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[[], {'dec': {'__array__': 5, 'dtype': 'int64'}, 'a': {'__array__': [[], []], 'dtype': 'float64'}, 'b': 'relu'}], {'__array__': [-0.0], 'dtype': 'float64'}], 'rule': "Adam(eta=0.0018360068114695806, beta=(0.2884524438192747, 0.7908356094194842), epsilon=1e-08, variant='normative')", 'ops': [{'op': 'step', 'grads': [[[], {'dec': None, 'a': {'__array__': [[], []], 'dtype': 'float64'}, 'b': None}], {'__array__': [-2.168404344971009e-19], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[], {'dec': None, 'a': {'__array__': [[], []], 'dtype': 'float64'}, 'b': None}], {'__array__': [0.99999], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[], {'dec': None, 'a': {'__array__': [[], []], 'dtype': 'float64'}, 'b': None}], {'__array__': [0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[], {'dec': None, 'a': {'__array__': [[], []], 'dtype': 'float64'}, 'b': None}], {'__array__': [-0.0003255208333333333], 'dtype': 'float64'}]}], 'rules': ["Adam(eta=0.0018360068114695806, beta=(0.2884524438192747, 0.7908356094194842), epsilon=1e-08, variant='normative')"], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
