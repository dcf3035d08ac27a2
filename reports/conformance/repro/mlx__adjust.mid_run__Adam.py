#!/usr/bin/env python
"""optconf repro: mlx adjust.mid_run[Adam] deviates from ADAM-1.

adam.beta_t[model['enc']['enc'][0][0]][0]=0.13279885757935106, but should be 0.6036685975768797 [adapter=mlx, path=structured, step=3, dtype=float64, observed=0.4708697399975287, allowed=8.042481315276358e-16]

Case seed 4095124826.  Inside optconf, replay with:
    optconf replay --adapter mlx --property adjust.mid_run --rule Adam --seed 4095124826
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'ADAM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property adjust.mid_run --rule Adam --seed 4095124826'
RULE = {'name': 'Adam', 'eta': 0.0012028931438994377, 'beta': (0.6036685975768797, 0.5, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(1.583955124963718, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), None]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), None]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(1.583955124963718, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(1.583955124963718, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.042481315276358e-16
PROGRAM_PICKLE = 'gASVHQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMAXeUfZQojANkZWOUSwGMA2VuY5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsASwJLAIeUaA6MBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYowBYpRoDowEdGFuaJSTlHVoCn2UKGgKXZRoDWgQSwCFlGgSh5RSlChLASloGolDCOzPQFThV/k/lHSUYmGFlGgfXZSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RK/////06GlIGUYXWMAWGUfZQoaApOaAeMAJRoH051dYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz9TtUytrCAhjARiZXRhlEc/41FAzobgU0c/4AAAAAAAAIaUjAdlcHNpbG9ulEc+sMb3oLXtjYwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHfZQoaAlOaApoDWgQSwCFlGgSh5RSlChLAUsASwJLAIeUaBqJaB10lGJoH051aAp9lChoCk6FlGgfTnVoME51c2JoQSmBlH2UaER9lChoB32UKGgJTmgKaA1oEEsAhZRoEoeUUpQoSwFLAEsCSwCHlGgaiWgddJRiaB9OdWgKfZQoaApdlE5hhZRoH12UTmF1aDB9lChoCk5oB05oH051dXNiaEEpgZR9lGhEfZQoaAd9lChoCU5oCmgNaBBLAIWUaBKHlFKUKEsBSwBLAksAh5RoGoloHXSUYmgfTnVoCk5oMH2UKGgKTmgHTmgfTnV1c2KHlIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: None inside a gradient'], 'program': {'__type__': 'Program', 'model': {'w': {'dec': 1, 'enc': np.array([], dtype=np.float64), 'b': "<ufunc 'tanh'>"}, 'enc': {'enc': ([np.array(1.583955124963718, dtype=np.float64)], ), 'b': [(-1, None, )]}, 'a': {'enc': None, 'w': '', 'b': None}}, 'rule': {'__type__': 'Adam', 'eta': 0.0012028931438994377, 'beta': (0.6036685975768797, 0.5, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'w': {'dec': None, 'enc': np.array([], dtype=np.float64), 'b': None}, 'enc': {'enc': (None, ), 'b': None}, 'a': None}}, {'__type__': 'Step', 'grads': {'w': {'dec': None, 'enc': np.array([], dtype=np.float64), 'b': None}, 'enc': {'enc': ([None], ), 'b': [None]}, 'a': {'enc': None, 'w': None, 'b': None}}}, {'__type__': 'Step', 'grads': {'w': {'dec': None, 'enc': np.array([], dtype=np.float64), 'b': None}, 'enc': None, 'a': {'enc': None, 'w': None, 'b': None}}}, ), 'dtype': 'float64'}, 'model': {'w': {'dec': 1, 'enc': {'__array__': [], 'dtype': 'float64'}, 'b': "<ufunc 'tanh'>"}, 'enc': {'enc': [[{'__array__': 1.583955124963718, 'dtype': 'float64'}]], 'b': [[-1, None]]}, 'a': {'enc': None, 'w': '', 'b': None}}, 'rule': "Adam(eta=0.0012028931438994377, beta=(0.6036685975768797, 0.5), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'step', 'grads': {'w': {'dec': None, 'enc': {'__array__': [], 'dtype': 'float64'}, 'b': None}, 'enc': {'enc': [None], 'b': None}, 'a': None}}, {'op': 'step', 'grads': {'w': {'dec': None, 'enc': {'__array__': [], 'dtype': 'float64'}, 'b': None}, 'enc': {'enc': [[None]], 'b': [None]}, 'a': {'enc': None, 'w': None, 'b': None}}}, {'op': 'step', 'grads': {'w': {'dec': None, 'enc': {'__array__': [], 'dtype': 'float64'}, 'b': None}, 'enc': None, 'a': {'enc': None, 'w': None, 'b': None}}}], 'rules': ["Adam(eta=0.0012028931438994377, beta=(0.6036685975768797, 0.5), epsilon=1e-06, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 3}


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
        print("recorded deviation (ADAM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
