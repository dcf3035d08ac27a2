#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdamW,legacy] deviates from FLAT-6.

model['dec'][1]=0.2613347451446469, but should be 0.26133474522179057 [adapter=keras, path=legacy, step=4, dtype=float64, observed=7.714368033262531e-11, allowed=4.799158133809793e-16]

Case seed 1485030978.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path legacy --seed 1485030978
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path legacy --seed 1485030978'
RULE = {'name': 'AdamW', 'eta': 0.00015270689104997318, 'beta': (0.5339026737404834, 0.8389203855780926, ), 'lambda_': 0.002094820936582241, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(0.261075501277678, dtype=np.float64), np.array(-5.61731437275707e-115, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(1.3684555315672042e-48, dtype=np.float64), np.array(-0.9132939998613834, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-3.4967151006438346, dtype=np.float64), np.array(-1.5, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(0.0007970067752629756, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-1.205037227533251e-73, dtype=np.float64), np.array(-1.0959680406540495, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(0.26133474522179057, dtype=np.float64), np.array(0.0005251870496756279, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(0.2613347451446469, dtype=np.float64), np.array(0.0005251865952838894, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.799158133809793e-16
PROGRAM_PICKLE = 'gASVegYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lImMAWKUjAVudW1weZSMBHRhbmiUk5SMBG5vdGWUjARoZWFklHViaAmMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUXZSMBGJpYXOUaBYpgZR9lChoGYwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgQjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwCFlGgQjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGJoG2ggaCJLAIWUaCSHlFKUKEsBKWgpjAJpOJSJiIeUUpQoSwNoLU5OTkr/////Sv////9LAHSUYolDCAMAAAAAAAAAlHSUYowFc2NhbGWUaCBoIksAhZRoJIeUUpQoSwFLAoWUaCyJQxBQD0mQxf7Zv2B8e+8nygtAlHSUYowDYWN0lGgSdWKFlGg6aCBoIksAhZRoJIeUUpQoSwFLAksBhpRoLIlDELDE2uAewNW/mOZ/ZwcbvzKUdJRiaEFoCYwIaWRlbnRpdHmUk5R1YmgJjARQYWlylJOUaCZoEoaUgZSHlGggaCJLAIWUaCSHlFKUKEsBKWgsiUMIUJDxBHa10D+UdJRiaCBoIksAhZRoJIeUUpQoSwEpaCyJQwgB3nfvIiI2qJR0lGJljAFhlGgmdYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/JAP+NLOyHowEYmV0YZRHP+EVuw9ey3FHP+rYb5CALgWGlIwHbGFtYmRhX5RHP2EpKG08L2OMB2Vwc2lsb26URz6wxvegte2NjAZjb3VwbGWUiIwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKH2UKGgOTmgPTmgTTnV9lChoGV2UaBt9lChoGWggaCJLAIWUaCSHlFKUKEsBSwCFlGgsiWgvdJRiaBtOaDpOaEFOdYWUaDpOaEFOdWggaCJLAIWUaCSHlFKUKEsBSwCFlGgsiWgvdJRiToaUh5RoHowGc2NhbGFylJOUaCxDCAAAAAAAAAA2lIaUUpRog2gsQwiYNKFWtDntv5SGlFKUZWhaaCBoIksAhZRoJIeUUpQoSwFLAIWUaCyJaC90lGJ1c2JoaymBlH2UaG59lChoB12UKH2UKGgOTmgPTmgTTnV9lChoGV2UaBt9lChoGWggaCJLAIWUaCSHlFKUKEsBSwCFlGgsiWgvdJRiaBtOaDpOaEFOdYWUaDpOaEFOdWggaCJLAIWUaCSHlFKUKEsBSwCFlGgsiWgvdJRiToaUh5Rog2gsQwiUjkXERfkLwJSGlFKUaINoLEMIAAAAAAAA+L+UhpRSlGVoWmggaCJLAIWUaCSHlFKUKEsBSwCFlGgsiWgvdJRidXNiaGspgZR9lGhufZQoaAddlCh9lChoDk5oD05oE051fZQoaBldlGgbfZQoaBloIGgiSwCFlGgkh5RSlChLAUsAhZRoLIloL3SUYmgbTmg6TmhBTnWFlGg6TmhBTnVoIGgiSwCFlGgkh5RSlChLAUsAhZRoLIloL3SUYk6GlIeUaINoLEMIyLBoBMcdSj+UhpRSlGiDaCxDCAAAAAAAAAAAlIaUUpRlaFpoIGgiSwCFlGgkh5RSlChLAUsAhZRoLIloL3SUYnVzYmhrKYGUfZRobn2UKGgHXZQofZQoaA5OaA9OaBNOdX2UKGgZXZRoG32UKGgZaCBoIksAhZRoJIeUUpQoSwFLAIWUaCyJaC90lGJoG05oOk5oQU51hZRoOk5oQU51aCBoIksAhZRoJIeUUpQoSwFLAIWUaCyJaC90lGJOhpSHlGiDaCxDCKQjW1ywQMuwlIaUUpRog2gsQwgeIMHIFYnxv5SGlFKUZWhaaCBoIksAhZRoJIeUUpQoSwFLAIWUaCyJaC90lGJ1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [({'__type__': 'Block', 'w': False, 'b': "<ufunc 'tanh'>", 'note': 'head'}, {'__type__': 'Dense', 'weight': [], 'bias': ({'__type__': 'Dense', 'weight': np.array([], dtype=np.float64), 'bias': np.array(3, dtype=np.int64), 'scale': np.array([-0.4061750325238238, 3.4737089833793533], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, ), 'scale': np.array([[-0.33985111196950424], [2.9536515859400082e-64]], dtype=np.float64), 'act': '<function identity>'}, (np.array([], dtype=np.float64), "<ufunc 'tanh'>", ), ), np.array(0.261075501277678, dtype=np.float64), np.array(-5.61731437275707e-115, dtype=np.float64)], 'a': np.array([], dtype=np.float64)}, 'rule': {'__type__': 'AdamW', 'eta': 0.00015270689104997318, 'beta': (0.5339026737404834, 0.8389203855780926, ), 'lambda_': 0.002094820936582241, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, {'weight': [], 'bias': ({'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, ), 'scale': None, 'act': None}, (np.array([], dtype=np.float64), None, ), ), 1.3684555315672042e-48, -0.9132939998613834], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, {'weight': [], 'bias': ({'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, ), 'scale': None, 'act': None}, (np.array([], dtype=np.float64), None, ), ), -3.4967151006438346, -1.5], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, {'weight': [], 'bias': ({'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, ), 'scale': None, 'act': None}, (np.array([], dtype=np.float64), None, ), ), 0.0007970067752629756, 0.0], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, {'weight': [], 'bias': ({'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, ), 'scale': None, 'act': None}, (np.array([], dtype=np.float64), None, ), ), -1.205037227533251e-73, -1.0959680406540495], 'a': np.array([], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[{'__type__': 'Block', 'w': False, 'b': "<ufunc 'tanh'>", 'note': 'head'}, {'__type__': 'Dense', 'weight': [], 'bias': [{'__type__': 'Dense', 'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': {'__array__': 3, 'dtype': 'int64'}, 'scale': {'__array__': [-0.4061750325238238, 3.4737089833793533], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}], 'scale': {'__array__': [[-0.33985111196950424], [2.9536515859400082e-64]], 'dtype': 'float64'}, 'act': '<function identity>'}, [{'__array__': [], 'dtype': 'float64'}, "<ufunc 'tanh'>"]], {'__array__': 0.261075501277678, 'dtype': 'float64'}, {'__array__': -5.61731437275707e-115, 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}, 'rule': "AdamW(eta=0.00015270689104997318, beta=(0.5339026737404834, 0.8389203855780926), lambda_=0.002094820936582241, epsilon=1e-06, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}, {'weight': [], 'bias': [{'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], 'scale': None, 'act': None}, [{'__array__': [], 'dtype': 'float64'}, None]], 1.3684555315672042e-48, -0.9132939998613834], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}, {'weight': [], 'bias': [{'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], 'scale': None, 'act': None}, [{'__array__': [], 'dtype': 'float64'}, None]], -3.4967151006438346, -1.5], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}, {'weight': [], 'bias': [{'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], 'scale': None, 'act': None}, [{'__array__': [], 'dtype': 'float64'}, None]], 0.0007970067752629756, 0.0], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}, {'weight': [], 'bias': [{'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], 'scale': None, 'act': None}, [{'__array__': [], 'dtype': 'float64'}, None]], -1.205037227533251e-73, -1.0959680406540495], 'a': {'__array__': [], 'dtype': 'float64'}}}], 'rules': ["AdamW(eta=0.00015270689104997318, beta=(0.5339026737404834, 0.8389203855780926), lambda_=0.002094820936582241, epsilon=1e-06, couple=True, variant='normative')"], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
