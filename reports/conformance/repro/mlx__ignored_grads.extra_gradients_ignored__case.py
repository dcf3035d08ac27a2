#!/usr/bin/env python
"""optconf repro: mlx ignored_grads.extra_gradients_ignored deviates from UPD-7.

model['net'][1][1]=-3.530251695255753, but should be -3.53025169525403 [adapter=mlx, path=structured, step=2, dtype=float64, observed=1.723066134218243e-12, allowed=3.138181747470038e-15]

Case seed 2168658886.  Inside optconf, replay with:
    optconf replay --adapter mlx --property ignored_grads.extra_gradients_ignored --seed 2168658886
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'UPD-7'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property ignored_grads.extra_gradients_ignored --seed 2168658886'
RULE = {'name': 'Adam', 'eta': 0.00010000000000000002, 'beta': (0.4750833978081054, 0.5311394939494818, ), 'epsilon': 1e-08, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([8.759038624847268e-199, -3.5300515594562185], dtype=np.float64), np.array(-4.216325014325782e-258, dtype=np.float64), np.array(4.793977559134262e-239, dtype=np.float64), np.array([1.0, 1.0], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([-2.053591150512957, 0.9135660306547235], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(2.168404344971009e-19, dtype=np.float64), None]}, {'op': 'step', 'grads': [np.array([-2.5953882655853313, 1.0237277919282564], dtype=np.float64), np.array(1.9, dtype=np.float64), np.array(-2.5543762314232626e-257, dtype=np.float64), None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([0.0001999865418947609, -3.53025169525403], dtype=np.float64), np.array(-8.38862540832378e-05, dtype=np.float64), np.array(-2.8667871655484444e-15, dtype=np.float64), np.array([1.0, 1.0], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([0.00019998654361026708, -3.530251695255753], dtype=np.float64), np.array(-8.388625865936918e-05, dtype=np.float64), np.array(-2.866787235066284e-15, dtype=np.float64), np.array([1.0, 1.0], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.138181747470038e-15
PROGRAM_PICKLE = 'gASV8QIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA25ldJRdlChdlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgNjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEDRDhmjzwtAWUHcIrIs9DMCUdJRiaAxoD0sAhZRoEYeUUpQoSwEpaBmJQwiH9txi+DSAipR0lGJoDGgPSwCFlGgRh5RSlChLASloGYlDCGabDR+c+nMOlHSUYmWMB2Ryb3BwZWSUaAxoD0sAhZRoEYeUUpQoSwFLAoWUaBmJQxAAAAAAAADwPwAAAAAAAPA/lHSUYnWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/Gjbi6xxDLowEYmV0YZRHP95nxDIdVfJHP+D/GECEEICGlIwHZXBzaWxvbpRHPkV5juIwjDqMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5RoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lGgHXZQoXZRoDGgPSwCFlGgRh5RSlChLAUsChZRoGYlDEB93djLBbQDAGMEM1O477T+UdJRiaAqMBnNjYWxhcpSTlGgZQwgAAAAAAAAAAJSGlFKUaEtoGUMIAAAAAAAAEDyUhpRSlGVzc2JoPSmBlH2UaEB9lGgHXZQoXZRoDGgPSwCFlGgRh5RSlChLAUsChZRoGYlDEKjjSOxawwTAFGmlZDBh8D+UdJRiaEtoGUMIZmZmZmZm/j+UhpRSlGhLaBlDCM0MUT/ti6iKlIaUUpRlc3NihpSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: dict keys out of sorted order', 'models: sizes that do not divide evenly', 'programs: None inside a gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'net': [[], np.array([8.759038624847268e-199, -3.5300515594562185], dtype=np.float64), np.array(-4.216325014325782e-258, dtype=np.float64), np.array(4.793977559134262e-239, dtype=np.float64)], 'dropped': np.array([1.0, 1.0], dtype=np.float64)}, 'rule': {'__type__': 'Adam', 'eta': 0.00010000000000000002, 'beta': (0.4750833978081054, 0.5311394939494818, ), 'epsilon': 1e-08, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'net': [[], np.array([-2.053591150512957, 0.9135660306547235], dtype=np.float64), 0.0, 2.168404344971009e-19]}}, {'__type__': 'Step', 'grads': {'net': [[], np.array([-2.5953882655853313, 1.0237277919282564], dtype=np.float64), 1.9, -2.5543762314232626e-257]}}, ), 'dtype': 'float64'}, 'model': {'net': [[], {'__array__': [8.759038624847268e-199, -3.5300515594562185], 'dtype': 'float64'}, {'__array__': -4.216325014325782e-258, 'dtype': 'float64'}, {'__array__': 4.793977559134262e-239, 'dtype': 'float64'}], 'dropped': {'__array__': [1.0, 1.0], 'dtype': 'float64'}}, 'rule': "Adam(eta=0.00010000000000000002, beta=(0.4750833978081054, 0.5311394939494818), epsilon=1e-08, variant='normative')", 'ops': [{'op': 'step', 'grads': {'net': [[], {'__array__': [-2.053591150512957, 0.9135660306547235], 'dtype': 'float64'}, 0.0, 2.168404344971009e-19]}}, {'op': 'step', 'grads': {'net': [[], {'__array__': [-2.5953882655853313, 1.0237277919282564], 'dtype': 'float64'}, 1.9, -2.5543762314232626e-257]}}], 'rules': ["Adam(eta=0.00010000000000000002, beta=(0.4750833978081054, 0.5311394939494818), epsilon=1e-08, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 2}


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
        print("recorded deviation (UPD-7); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (UPD-7)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
