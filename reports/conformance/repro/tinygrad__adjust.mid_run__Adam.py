#!/usr/bin/env python
"""optconf repro: tinygrad adjust.mid_run[Adam] deviates from ADJ-2.

model[2][0, 1, 0]=-0.2506721615791321, but should be -0.2519190812563759 [adapter=tinygrad, path=structured, step=4, dtype=float32, observed=0.0012469196772438296, allowed=9.984049937932803e-07]

Case seed 3095596603.  Inside optconf, replay with:
    optconf replay --adapter tinygrad --property adjust.mid_run --rule Adam --seed 3095596603
"""

import sys

import numpy as np

ADAPTER = 'tinygrad'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter tinygrad --property adjust.mid_run --rule Adam --seed 3095596603'
RULE = {'name': 'Adam', 'eta': 0.008591162856379776, 'beta': (0.21672759610589648, 0.5, ), 'epsilon': 0.001}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[-0.6063857078552246], [-0.22431783378124237]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-3.6468982696533203], [1.4569242000579834]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-6.103515625e-05], [-0.09437096863985062]]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (1e-05, 0.9281617982127266, )}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-1.6496596336364746], [1.8116278648376465]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.0], [0.0]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[-0.5877576922142307], [-0.2519190812563759]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float32), np.array([[[-0.5882946848869324], [-0.2506721615791321]]], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.984049937932803e-07
PROGRAM_PICKLE = 'gASV8wMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAXeUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaAyMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIBAAAAAAAAACUdJRijANkZWOUSv3///+MAWKUTnWFlGgLaA5LAIWUaBCHlFKUKEsBSwBLAUsCh5RoFIwCZjiUiYiHlFKUKEsDaBhOTk5K/////0r/////SwB0lGKJQwCUdJRiaAtoDksAhZRoEIeUUpQoSwFLAUsCSwGHlGgliUMQAAAAAINn478AAABgcrbMv5R0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP4GYPlwFp5qMBGJldGGURz/LvbrYtS/WRz/gAAAAAAAAhpSMB2Vwc2lsb26URz9QYk3S8an8dWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAhOaBxOaB1OdYWUaAtoDksAhZRoEIeUUpQoSwFLAEsBSwKHlGgliWgndJRiaAtoDksAhZRoEIeUUpQoSwFLAUsCSwGHlGgliUMQAAAAANksDcAAAADAj0/3P5R0lGJlc2JoOymBlH2UaD5dlCh9lChoCE5oHE5oHU51hZRoC2gOSwCFlGgQh5RSlChLAUsASwFLAoeUaCWJaCd0lGJoC2gOSwCFlGgQh5RSlChLAUsBSwJLAYeUaCWJQxAAAAAAAAAQvwAAACCyKLi/lHSUYmVzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lGg2Rz7k+LWI42jxRz/ts4BfFwv6hpRzc2JoOymBlH2UaD5dlCh9lChoCE5oHE5oHU51hZRoC2gOSwCFlGgQh5RSlChLAUsASwFLAoeUaCWJaCd0lGJoC2gOSwCFlGgQh5RSlChLAUsBSwJLAYeUaCWJQxAAAACAAWX6vwAAAIBt/Pw/lHSUYmVzYmg7KYGUfZRoPl2UKH2UKGgITmgcTmgdTnWFlGgLaA5LAIWUaBCHlFKUKEsBSwBLAUsCh5RoJYloJ3SUYmgLaA5LAIWUaBCHlFKUKEsBSwFLAksBh5RoJYlDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [({'w': np.array(4, dtype=np.int64), 'dec': -3, 'b': None}, ), np.array([], dtype=np.float64), np.array([[[-0.6063857078552246], [-0.22431783378124237]]], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.008591162856379776, 'beta': (0.21672759610589648, 0.5, ), 'epsilon': 0.001}, 'ops': ({'__type__': 'Step', 'grads': [({'w': None, 'dec': None, 'b': None}, ), np.array([], dtype=np.float64), np.array([[[-3.6468982696533203], [1.4569242000579834]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'w': None, 'dec': None, 'b': None}, ), np.array([], dtype=np.float64), np.array([[[-6.103515625e-05], [-0.09437096863985062]]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (1e-05, 0.9281617982127266, )}}, {'__type__': 'Step', 'grads': [({'w': None, 'dec': None, 'b': None}, ), np.array([], dtype=np.float64), np.array([[[-1.6496596336364746], [1.8116278648376465]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'w': None, 'dec': None, 'b': None}, ), np.array([], dtype=np.float64), np.array([[[0.0], [0.0]]], dtype=np.float64)]}, ), 'dtype': 'float32'}, 'model': [[{'w': {'__array__': 4, 'dtype': 'int64'}, 'dec': -3, 'b': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-0.6063857078552246], [-0.22431783378124237]]], 'dtype': 'float64'}], 'rule': 'Adam(eta=0.008591162856379776, beta=(0.21672759610589648, 0.5), epsilon=0.001)', 'ops': [{'op': 'step', 'grads': [[{'w': None, 'dec': None, 'b': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-3.6468982696533203], [1.4569242000579834]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'w': None, 'dec': None, 'b': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-6.103515625e-05], [-0.09437096863985062]]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [1e-05, 0.9281617982127266]}}, {'op': 'step', 'grads': [[{'w': None, 'dec': None, 'b': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-1.6496596336364746], [1.8116278648376465]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'w': None, 'dec': None, 'b': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0], [0.0]]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (ADJ-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADJ-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
