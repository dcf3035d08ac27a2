#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[ClipNorm,legacy] deviates from FLAT-6.

model['dec'][2].w[0, 1, 0]=0.33513113735641764, but should be 0.3351310260279303 [adapter=keras, path=legacy, step=4, dtype=float64, observed=1.1132848731776335e-07, allowed=3.0019499526129723e-14]

Case seed 3040421123.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule ClipNorm --path legacy --seed 3040421123
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule ClipNorm --path legacy --seed 3040421123'
RULE = {'name': 'ClipNorm', 'omega': 4.2714348212441005, 'p': 2.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[0.4524210017581334, -2.9520061315683943], [1.9, -0.3797897077929564]], [[-2.5402597678280987, 4.6233564760264763e-178], [2.8901199257030203, 0.19225298778894118]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[0.0034897948094048357, 0.0016478023246457524], [0.0016478023246457524, -0.00185546875]], [[2.168404344971009e-19, 0.00390625], [0.0016478023246457524, 0.0016478023246457524]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-3.184678061190791, 0.6088450545379418], [3.698030469499132, 3.4535898973003953e-209]], [[0.5, -1.4059388494540808], [-4.435809216950482e-88, 1.5327900224667728e-234]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-2.626131894011042, -2.626131894011042], [-2.626131894011042, -2.626131894011042]], [[-2.626131894011042, -2.626131894011042], [-2.626131894011042, -2.626131894011042]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[2.9079221337658208, 3.6929522192629864], [1.6936921326651261e-227, -3.44417734205477]], [[1.8699012290765582, 2.4989929363071354e-90], [1.3318276693571523e-34, 2.229824796552194]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[2.698890411871054, -4.371272396011326], [0.3351310260279303, 3.390895326436438]], [[-2.6718835350486865, 2.6747377442755758], [4.398652387127401, 0.23849366817831785]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[2.698890367857511, -4.371272340460505], [0.33513113735641764, 3.390895325116082]], [[-2.671883492849596, 2.6747377278130204], [4.398652405880444, 0.23849369994706748]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.0019499526129723e-14
PROGRAM_PICKLE = 'gASV+wQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMAXeUfZQoaAcpjAFilIweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwEUGFpcpSTlIwFbnVtcHmUjAR0YW5olJOUaAxOaA+GlIGUhpSBlIwDZW5jlGgMiIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgNjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgNjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAEAAAAAAAAAlHSUYoaUgZR1jANkZWOUXZQoSv3///9oDEr9////ToaUgZRoCowFQmxvY2uUk5QpgZR9lChoB2gXaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoH4wCZjiUiYiHlFKUKEsDaCNOTk5K/////0r/////SwB0lGKJQ0CQyKQ3d/TcP/xrBWS1nQfAZmZmZmZm/j9QAJV9eU7Yv3RUkbZzUgTA1bAWOeD5HRukTBMy9x4HQCBPjvO+m8g/lHSUYmgJiIwEbm90ZZSMBWJsb2NrlHViZXWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwIQ2xpcE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEdAERXzAoD0wYwBcJRHQAAAAAAAAACMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB32UKGgHKWgJTk5OhpSGlGgUTk6GlHVoKV2UKE5OToaUfZQoaAdoF2gZSwCFlGgbh5RSlChLAUsCSwJLAoeUaDeJQ0A4xm9SoZZsP2RbDkZi/1o/ZFsORmL/Wj9mZmZmZmZevwAAAAAAABA8AAAAAAAAcD9kWw5GYv9aP2RbDkZi/1o/lHSUYmgJTmg7TnVldXNiaEgpgZR9lGhLfZQoaAd9lChoByloCU5OToaUhpRoFE5OhpR1aCldlChOTk6GlH2UKGgHaBdoGUsAhZRoG4eUUpQoSwFLAksCSwKHlGg3iUNAONPIfTh6CcAoTLKfqHvjP+ThsP+QlQ1Aykyokju1phQAAAAAAADgP15MKby5fva/JK0P7bg8zK1RmcE/j35jD5R0lGJoCU5oO051ZXVzYmhIKYGUfZRoS32UKGgHfZQoaAcpaAlOTk6GlIaUaBROToaUdWgpXZQoTk5OhpR9lChoB2gXaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoN4lDQGgUPnBRAgXAaBQ+cFECBcBoFD5wUQIFwGgUPnBRAgXAaBQ+cFECBcBoFD5wUQIFwGgUPnBRAgXAaBQ+cFECBcCUdJRiaAlOaDtOdWV1c2JoSCmBlH2UaEt9lChoB32UKGgHKWgJTk5OhpSGlGgUTk6GlHVoKV2UKE5OToaUfZQoaAdoF2gZSwCFlGgbh5RSlChLAUsCSwJLAoeUaDeJQ0C8tf6tbEMHQLRme4gqiw1ATlFJHbit2RDc/q3ZrI0LwPQkGo0d6/0/hKXyILZcVC37mMjo9yDmOCADCGKu1gFAlHSUYmgJTmg7TnVldXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: parameter three levels deep'], 'program': {'__type__': 'Program', 'model': {'w': {'w': (), 'b': ("<ufunc 'tanh'>", (None, "<ufunc 'tanh'>", ), ), 'enc': (True, np.array(1, dtype=np.int64), )}, 'dec': [-3, (-3, None, ), {'__type__': 'Block', 'w': np.array([[[0.4524210017581334, -2.9520061315683943], [1.9, -0.3797897077929564]], [[-2.5402597678280987, 4.6233564760264763e-178], [2.8901199257030203, 0.19225298778894118]]], dtype=np.float64), 'b': True, 'note': 'block'}]}, 'rule': {'__type__': 'ClipNorm', 'omega': 4.2714348212441005, 'p': 2.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'w': {'w': (), 'b': (None, (None, None, ), ), 'enc': (None, None, )}, 'dec': [None, (None, None, ), {'w': np.array([[[0.0034897948094048357, 0.0016478023246457524], [0.0016478023246457524, -0.00185546875]], [[2.168404344971009e-19, 0.00390625], [0.0016478023246457524, 0.0016478023246457524]]], dtype=np.float64), 'b': None, 'note': None}]}}, {'__type__': 'Step', 'grads': {'w': {'w': (), 'b': (None, (None, None, ), ), 'enc': (None, None, )}, 'dec': [None, (None, None, ), {'w': np.array([[[-3.184678061190791, 0.6088450545379418], [3.698030469499132, 3.4535898973003953e-209]], [[0.5, -1.4059388494540808], [-4.435809216950482e-88, 1.5327900224667728e-234]]], dtype=np.float64), 'b': None, 'note': None}]}}, {'__type__': 'Step', 'grads': {'w': {'w': (), 'b': (None, (None, None, ), ), 'enc': (None, None, )}, 'dec': [None, (None, None, ), {'w': np.array([[[-2.626131894011042, -2.626131894011042], [-2.626131894011042, -2.626131894011042]], [[-2.626131894011042, -2.626131894011042], [-2.626131894011042, -2.626131894011042]]], dtype=np.float64), 'b': None, 'note': None}]}}, {'__type__': 'Step', 'grads': {'w': {'w': (), 'b': (None, (None, None, ), ), 'enc': (None, None, )}, 'dec': [None, (None, None, ), {'w': np.array([[[2.9079221337658208, 3.6929522192629864], [1.6936921326651261e-227, -3.44417734205477]], [[1.8699012290765582, 2.4989929363071354e-90], [1.3318276693571523e-34, 2.229824796552194]]], dtype=np.float64), 'b': None, 'note': None}]}}, ), 'dtype': 'float64'}, 'model': {'w': {'w': [], 'b': ["<ufunc 'tanh'>", [None, "<ufunc 'tanh'>"]], 'enc': [True, {'__array__': 1, 'dtype': 'int64'}]}, 'dec': [-3, [-3, None], {'__type__': 'Block', 'w': {'__array__': [[[0.4524210017581334, -2.9520061315683943], [1.9, -0.3797897077929564]], [[-2.5402597678280987, 4.6233564760264763e-178], [2.8901199257030203, 0.19225298778894118]]], 'dtype': 'float64'}, 'b': True, 'note': 'block'}]}, 'rule': 'ClipNorm(omega=4.2714348212441005, p=2.0, throw=True)', 'ops': [{'op': 'step', 'grads': {'w': {'w': [], 'b': [None, [None, None]], 'enc': [None, None]}, 'dec': [None, [None, None], {'w': {'__array__': [[[0.0034897948094048357, 0.0016478023246457524], [0.0016478023246457524, -0.00185546875]], [[2.168404344971009e-19, 0.00390625], [0.0016478023246457524, 0.0016478023246457524]]], 'dtype': 'float64'}, 'b': None, 'note': None}]}}, {'op': 'step', 'grads': {'w': {'w': [], 'b': [None, [None, None]], 'enc': [None, None]}, 'dec': [None, [None, None], {'w': {'__array__': [[[-3.184678061190791, 0.6088450545379418], [3.698030469499132, 3.4535898973003953e-209]], [[0.5, -1.4059388494540808], [-4.435809216950482e-88, 1.5327900224667728e-234]]], 'dtype': 'float64'}, 'b': None, 'note': None}]}}, {'op': 'step', 'grads': {'w': {'w': [], 'b': [None, [None, None]], 'enc': [None, None]}, 'dec': [None, [None, None], {'w': {'__array__': [[[-2.626131894011042, -2.626131894011042], [-2.626131894011042, -2.626131894011042]], [[-2.626131894011042, -2.626131894011042], [-2.626131894011042, -2.626131894011042]]], 'dtype': 'float64'}, 'b': None, 'note': None}]}}, {'op': 'step', 'grads': {'w': {'w': [], 'b': [None, [None, None]], 'enc': [None, None]}, 'dec': [None, [None, None], {'w': {'__array__': [[[2.9079221337658208, 3.6929522192629864], [1.6936921326651261e-227, -3.44417734205477]], [[1.8699012290765582, 2.4989929363071354e-90], [1.3318276693571523e-34, 2.229824796552194]]], 'dtype': 'float64'}, 'b': None, 'note': None}]}}], 'rules': ['ClipNorm(omega=4.2714348212441005, p=2.0, throw=True)'], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
