#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[ClipGlobalNorm] deviates from CLIPGLOBALNORM-1.

model['dec'][0][0][0, 0, 1]=4.087643192574262, but should be 4.087643250175933 [adapter=keras, path=structured, step=2, dtype=float64, observed=5.760167098856073e-08, allowed=1.2405368418073316e-14]

Case seed 3986420816.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule ClipGlobalNorm --seed 3986420816
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'CLIPGLOBALNORM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule ClipGlobalNorm --seed 3986420816'
RULE = {'name': 'ClipGlobalNorm', 'omega': 2.469889974020311, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[-2.00001, 1.6177532761556224]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[-2.361473085738788e-57, -2.975749032686764]]], dtype=np.float64)]}, {'op': 'step', 'grads': [None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[-2.00001, 4.087643250175933]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[-2.00001, 4.087643192574262]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.2405368418073316e-14
PROGRAM_PICKLE = 'gASV6AIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBSwFLAoeUaA6MBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQOWItPgUAAMA0XWFCUeL5P5R0lGJoCIwFQmxvY2uUk5QpgZR9lCiMAXeUaA1oEEsAhZRoEoeUUpQoSwEpaBeMAmk4lImIh5RSlChLA2gbTk5OSv////9K/////0sAdJRiiUMI+/////////+UdJRijAFilEr+////jARub3RllIwEaGVhZJR1YoaUgZR9lChoB2gKjACUaBSGlIGUjANlbmOUXZRoDWgQSwCFlGgSh5RSlChLAUsChZRoKYlDEPv/////////+/////////+UdJRiYXV9lChoLYhoI2gIjAhpZGVudGl0eZSTlGg2Sv7///91h5SMAWGUaBR1jARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHQAPCVay5FY6MBXRocm93lIh1YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHaA1oEEsAhZRoEoeUUpQoSwFLAUsBSwKHlGgaiUMQ19u+XHulLbRA8kOCVc4HwJR0lGJ9lChoI05oLU5oLk51hpR9lChoB05OhpRoNl2UTmF1ToeUaEJOdXNiaE0pgZR9lGhQTnNihpSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: parameter three levels deep', 'models: tie across containers', 'programs: step without any gradient'], 'program': {'__type__': 'Program', 'model': {'dec': ((np.array([[[-2.00001, 1.6177532761556224]]], dtype=np.float64), {'__type__': 'Block', 'w': np.array(-5, dtype=np.int64), 'b': -2, 'note': 'head'}, ), {'dec': ('', np.array([[[-2.00001, 1.6177532761556224]]], dtype=np.float64), ), 'enc': [np.array([-5, -5], dtype=np.int64)]}, {'b': True, 'w': '<function identity>', 'enc': -2}, ), 'a': np.array([[[-2.00001, 1.6177532761556224]]], dtype=np.float64)}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 2.469889974020311, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'dec': ((np.array([[[-2.361473085738788e-57, -2.975749032686764]]], dtype=np.float64), {'w': None, 'b': None, 'note': None}, ), {'dec': (None, None, ), 'enc': [None]}, None, ), 'a': None}}, {'__type__': 'Step', 'grads': None}, ), 'dtype': 'float64'}, 'model': {'dec': [[{'__array__': [[[-2.00001, 1.6177532761556224]]], 'dtype': 'float64'}, {'__type__': 'Block', 'w': {'__array__': -5, 'dtype': 'int64'}, 'b': -2, 'note': 'head'}], {'dec': ['', {'__array__': [[[-2.00001, 1.6177532761556224]]], 'dtype': 'float64'}], 'enc': [{'__array__': [-5, -5], 'dtype': 'int64'}]}, {'b': True, 'w': '<function identity>', 'enc': -2}], 'a': {'__array__': [[[-2.00001, 1.6177532761556224]]], 'dtype': 'float64'}}, 'rule': 'ClipGlobalNorm(omega=2.469889974020311, throw=True)', 'ops': [{'op': 'step', 'grads': {'dec': [[{'__array__': [[[-2.361473085738788e-57, -2.975749032686764]]], 'dtype': 'float64'}, {'w': None, 'b': None, 'note': None}], {'dec': [None, None], 'enc': [None]}, None], 'a': None}}, {'op': 'step', 'grads': None}], 'rules': ['ClipGlobalNorm(omega=2.469889974020311, throw=True)'], 'path': 'structured', 'dtype': 'float64', 'step': 2}


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
        print("recorded deviation (CLIPGLOBALNORM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CLIPGLOBALNORM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
