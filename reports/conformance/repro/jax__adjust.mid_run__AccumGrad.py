#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[AccumGrad] deviates from ADJ-2.

model[1][1, 1, 0]=-0.798185419911053, but should be -0.7981853847773129 [adapter=jax, path=structured, step=4, dtype=float64, observed=3.5133740028392424e-08, allowed=8.514728874952073e-15]

Case seed 923839064.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule AccumGrad --seed 923839064
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule AccumGrad --seed 923839064'
RULE = {'name': 'AccumGrad', 'n': 3}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[-2.282058456776971e-89, 2.1982299943433286e-190], [0.828010233992102, 1.1754943508222875e-38]], [[2.725989804944554, 0.5], [-2.31002968886755e-226, -2.928805970768625]]], dtype=np.float64), np.array([3.361218560945643, -1.842679574277583e-103], dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[0.001171875, -2.535247852461963e-179], [-0.000786781010050753, -0.0033071740600016577]], [[-0.0036043324353821505, 0.0007836719378443721], [-0.003134657568324121, -0.0014332870707638597]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-1.9523679978304273e-11, -3.7291205055614896], [2.196442465792977, -4.668649913645404e-256]], [[-0.22767256510611933, 2.220446049250313e-16], [2.3955820237857566, -2.9239970421139496]]], dtype=np.float64), np.array([-3.7253568427604584, 0.2057132127401653], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'n': 3}}, {'op': 'step', 'grads': [np.array([[[0.003387664412917178, -2.8177645961925796e-244], [0.0005095338813558307, -0.003774290119871567]], [[-0.000814688944212179, 0.0012991984812288871], [0.0021087881145066354, -0.003339899485623781]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[4.8828125e-07, 1.1479437021484375e-41], [0.003035243431198419, 4.8828125e-07]], [[6.14341413527441e-67, 0.001118699335840024], [-1.709168486953153e-86, -0.0015093237206160923]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[-0.0015198464644644995, 1.2430401685204966], [0.09595516110400804, 0.002360488059957742]], [[2.8033536671064585, 0.49930570986030887], [-0.7981853847773129, -1.9525492278785128]]], dtype=np.float64), np.array([4.603004175199129, -0.06857107091338843], dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[-0.0015198464864944355, 1.2430401643117268], [0.095955194586541, 0.0023604880265941457]], [[2.803353667784687, 0.49930570986759143], [-0.798185419911053, -1.9525492383228964]]], dtype=np.float64), np.array([4.603004166694137, -0.06857107083002727], dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.514728874952073e-15
PROGRAM_PICKLE = 'gASV+wQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMBW51bXB5lIwEdGFuaJSTlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgHjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAksCh5RoB4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQ0ATp0/GQD6Hrbxvd19vV48Y+Pp3UQ9/6j8AAAAAAAAQOPC6K77TzgVAAAAAAAAA4D8JYn8nseMVkQg/JtMxbgfAlHSUYmgMaA5LAIWUaBCHlFKUKEsBSwKFlGgYiUMQ/MGPjsbjCkDytSGU5GmaqpR0lGJoDGgOSwCFlGgQh5RSlChLAUsASwBLAYeUaBiJQwCUdJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjAlBY2N1bUdyYWSUk5QpgZR9lIwBbpRLA3NijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKE5oDGgOSwCFlGgQh5RSlChLAUsCSwJLAoeUaBiJQ0AzMzMzMzNTP8LxLxDVTNqaCDaIWv/HSb+socGNpRdrv+RU4j3Vhm2/CMUCrOqtST88/a532q1pv0a8D0ake1e/lHSUYmgMaA5LAIWUaBCHlFKUKEsBSwKFlGgYiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJoDGgOSwCFlGgQh5RSlChLAUsASwBLAYeUaBiJaCd0lGJlc2JoMimBlH2UaDVdlChOaAxoDksAhZRoEIeUUpQoSwFLAksCSwKHlGgYiUNAONHvZ213tb0w1rEhPdUNwPACcW1QkgFASY1iwDsK7Iog4qnmXyTNvwAAAAAAALA80Fx46CYqA0BY16uPWGQHwJR0lGJoDGgOSwCFlGgQh5RSlChLAUsChZRoGIlDEBiwbOOHzQ3AIHyJgM9Uyj+UdJRiaAxoDksAhZRoEIeUUpQoSwFLAEsASwGHlGgYiWgndJRiZXNiaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UaC9LA3NzYmgyKYGUfZRoNV2UKE5oDGgOSwCFlGgQh5RSlChLAUsCSwJLAoeUaBiJQ0AwLKB7csBrP2WJBj2iyF6NGPalrUeyQD94wyyUQutuv6hGly8bskq/7Jo5vztJVT/UTo3/ckZhP1h8AeJGXGu/lHSUYmgMaA5LAIWUaBCHlFKUKEsBSwKFlGgYiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJoDGgOSwCFlGgQh5RSlChLAUsASwBLAYeUaBiJaCd0lGJlc2JoMimBlH2UaDVdlChOaAxoDksAhZRoEIeUUpQoSwFLAksCSwKHlGgYiUNA/Knx0k1ioD6bYwoAAABwN+R3t+hd3Wg//Knx0k1ioD4yWcFSB5AwMgRz70MqVFI/17ouEAwAIa5WUDkBkLpYv5R0lGJoDGgOSwCFlGgQh5RSlChLAUsChZRoGIlDEAAAAAAAAAAAAAAAAAAAAACUdJRiaAxoDksAhZRoEIeUUpQoSwFLAEsASwGHlGgYiWgndJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': ["<ufunc 'tanh'>", np.array([[[-2.282058456776971e-89, 2.1982299943433286e-190], [0.828010233992102, 1.1754943508222875e-38]], [[2.725989804944554, 0.5], [-2.31002968886755e-226, -2.928805970768625]]], dtype=np.float64), np.array([3.361218560945643, -1.842679574277583e-103], dtype=np.float64), np.array([], dtype=np.float64)], 'rule': {'__type__': 'AccumGrad', 'n': 3}, 'ops': ({'__type__': 'Step', 'grads': [None, np.array([[[0.001171875, -2.535247852461963e-179], [-0.000786781010050753, -0.0033071740600016577]], [[-0.0036043324353821505, 0.0007836719378443721], [-0.003134657568324121, -0.0014332870707638597]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, np.array([[[-1.9523679978304273e-11, -3.7291205055614896], [2.196442465792977, -4.668649913645404e-256]], [[-0.22767256510611933, 2.220446049250313e-16], [2.3955820237857566, -2.9239970421139496]]], dtype=np.float64), np.array([-3.7253568427604584, 0.2057132127401653], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'n': 3}}, {'__type__': 'Step', 'grads': [None, np.array([[[0.003387664412917178, -2.8177645961925796e-244], [0.0005095338813558307, -0.003774290119871567]], [[-0.000814688944212179, 0.0012991984812288871], [0.0021087881145066354, -0.003339899485623781]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, np.array([[[4.8828125e-07, 1.1479437021484375e-41], [0.003035243431198419, 4.8828125e-07]], [[6.14341413527441e-67, 0.001118699335840024], [-1.709168486953153e-86, -0.0015093237206160923]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': ["<ufunc 'tanh'>", {'__array__': [[[-2.282058456776971e-89, 2.1982299943433286e-190], [0.828010233992102, 1.1754943508222875e-38]], [[2.725989804944554, 0.5], [-2.31002968886755e-226, -2.928805970768625]]], 'dtype': 'float64'}, {'__array__': [3.361218560945643, -1.842679574277583e-103], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'rule': 'AccumGrad(n=3)', 'ops': [{'op': 'step', 'grads': [None, {'__array__': [[[0.001171875, -2.535247852461963e-179], [-0.000786781010050753, -0.0033071740600016577]], [[-0.0036043324353821505, 0.0007836719378443721], [-0.003134657568324121, -0.0014332870707638597]]], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, {'__array__': [[[-1.9523679978304273e-11, -3.7291205055614896], [2.196442465792977, -4.668649913645404e-256]], [[-0.22767256510611933, 2.220446049250313e-16], [2.3955820237857566, -2.9239970421139496]]], 'dtype': 'float64'}, {'__array__': [-3.7253568427604584, 0.2057132127401653], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'n': 3}}, {'op': 'step', 'grads': [None, {'__array__': [[[0.003387664412917178, -2.8177645961925796e-244], [0.0005095338813558307, -0.003774290119871567]], [[-0.000814688944212179, 0.0012991984812288871], [0.0021087881145066354, -0.003339899485623781]]], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, {'__array__': [[[4.8828125e-07, 1.1479437021484375e-41], [0.003035243431198419, 4.8828125e-07]], [[6.14341413527441e-67, 0.001118699335840024], [-1.709168486953153e-86, -0.0015093237206160923]]], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
