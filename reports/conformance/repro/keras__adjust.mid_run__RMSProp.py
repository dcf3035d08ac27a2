#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[RMSProp] deviates from ADJ-2.

model['dec'][0][0][0][0]=2.569448164515823, but should be 2.5695525411779183 [adapter=keras, path=structured, step=4, dtype=float64, observed=0.0001043766620951736, allowed=4.586743758681607e-15]

Case seed 672635629.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule RMSProp --seed 672635629
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule RMSProp --seed 672635629'
RULE = {'name': 'RMSProp', 'eta': 0.009111826589345031, 'rho': 0.6029815172294626, 'epsilon': 1e-06, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([2.5688389784873156, 0.4927052664565563], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, None, None]}, {'op': 'adjust', 'changes': {'eta': 0.00044988644514573595}}, {'op': 'step', 'grads': [None, None, np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None]}, {'op': 'step', 'grads': [np.array([-0.002596133244997299, 0.0027067292445144796], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([2.5695525411779183, 0.4919916859528405], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([2.569448164515823, 0.4920893369299155], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.586743758681607e-15
PROGRAM_PICKLE = 'gASVYQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoC4wWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgPjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEDRYSnP7jARAMN1/q3uI3z+UdJRiiIaUgZRoC06MAJSGlIGUhpSBlGgOaBFLAIWUaBOHlFKUKEsBSwJLAEsCh5RoG4lDAJR0lGJoDmgRSwCFlGgTh5RSlChLAUsBSwBLAoeUaBuJaCt0lGJljAFhlGgvdYwEcnVsZZSMIG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYXB0aXZllIwHUk1TUHJvcJSTlCmBlH2UKIwDZXRhlEc/gqk4qaobbowDcmhvlEc/40uf5RL54IwHZXBzaWxvbpRHPrDG96C17Y2MB2NlbnRyZWSUiXVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlE5zYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lGg5Rz89e9eRndX6c3NiaD8pgZR9lGhCfZQoaAddlChOToaUToaUTmgOaBFLAIWUaBOHlFKUKEsBSwFLAEsCh5RoG4loK3SUYmVoMmgOaBFLAIWUaBOHlFKUKEsBSwFLAEsCh5RoG4loK3SUYnVzYmg/KYGUfZRoQk5zYmg/KYGUfZRoQn2UKGgHXZQoaA5oEUsAhZRoE4eUUpQoSwFLAoWUaBuJQxD8K0RsfERlv3i4sjJsLGY/lHSUYk6GlE5OhpSGlGgOaBFLAIWUaBOHlFKUKEsBSwJLAEsCh5RoG4loK3SUYmgOaBFLAIWUaBOHlFKUKEsBSwFLAEsCh5RoG4loK3SUYmVoMmgOaBFLAIWUaBOHlFKUKEsBSwFLAEsCh5RoG4loK3SUYnVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: None inside a gradient', 'programs: adjust then step', 'programs: step without any gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [((np.array([2.5688389784873156, 0.4927052664565563], dtype=np.float64), True, ), (None, '', ), ), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}, 'rule': {'__type__': 'RMSProp', 'eta': 0.009111826589345031, 'rho': 0.6029815172294626, 'epsilon': 1e-06, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': None}, {'__type__': 'Adjust', 'changes': {'eta': 0.00044988644514573595}}, {'__type__': 'Step', 'grads': {'dec': [((None, None, ), None, ), None, np.array([[]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': {'dec': [((np.array([-0.002596133244997299, 0.0027067292445144796], dtype=np.float64), None, ), (None, None, ), ), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)], 'a': np.array([[]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[[{'__array__': [2.5688389784873156, 0.4927052664565563], 'dtype': 'float64'}, True], [None, '']], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}, 'rule': 'RMSProp(eta=0.009111826589345031, rho=0.6029815172294626, epsilon=1e-06, centred=False)', 'ops': [{'op': 'step', 'grads': None}, {'op': 'adjust', 'changes': {'eta': 0.00044988644514573595}}, {'op': 'step', 'grads': {'dec': [[[None, None], None], None, {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': {'dec': [[[{'__array__': [-0.002596133244997299, 0.0027067292445144796], 'dtype': 'float64'}, None], [None, None]], {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}], 'a': {'__array__': [[]], 'dtype': 'float64'}}}], 'rules': ['RMSProp(eta=0.009111826589345031, rho=0.6029815172294626, epsilon=1e-06, centred=False)', 'RMSProp(eta=0.00044988644514573595, rho=0.6029815172294626, epsilon=1e-06, centred=False)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
