#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[LAMB] deviates from ADJ-2.

lamb.beta_t[model.bias['w'][0][0]][0]=0.40640404377953054, but should be 0.00013910142950832358 [adapter=jax, path=structured, step=4, dtype=float64, observed=0.4062649423500222, allowed=2.0731206345506963e-14]

Case seed 1121175682.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule LAMB --seed 1121175682
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule LAMB --seed 1121175682'
RULE = {'name': 'LAMB', 'eta': 0.0015162537503826746, 'beta': (0.058422857525048576, 0.5, ), 'epsilon': 1e-06, 'lambda_': 2.225073858507e-311}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[]], [[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(1.0589243756583713, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(2.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(0.62606107538137, dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.8352021509344806, 0.6065339837535436, ), 'eta': 0.003658575518499879}}, {'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(0.99999, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(1.6415751759914397, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[]], [[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(1.0480049143785235, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[]], [[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64), np.array(1.0480049143785235, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.0731206345506963e-14
PROGRAM_PICKLE = 'gASV6QUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUfZQojANlbmOUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaBGMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYowBYpR9lChoDWgQaBNLAIWUaBWHlFKUKEsBKWgdiUMI/v////////+UdJRiaCKJjAFhlE51dYwEYmlhc5R9lCiMAXeUXZRoBowEUGFpcpSTlGgQaBNLAIWUaBWHlFKUKEsBSwJLAUsAh5RoGowCZjiUiYiHlFKUKEsDaB5OTk5K/////0r/////SwB0lGKJaCB0lGJoBowIaWRlbnRpdHmUk5SGlIGUYYwDZGVjlH2UKGg9aBBoE0sAhZRoFYeUUpQoSwEpaB2JQwj//////////5R0lGJoLGgQaBNLAIWUaBWHlFKUKEsBSwJLAUsAh5RoNoloIHSUYmgiaBBoE0sAhZRoFYeUUpQoSwEpaDaJQwggPaavWvHwP5R0lGJ1aCldlGg6YXWMBXNjYWxllGgQaBNLAIWUaBWHlFKUKEsBSwFLAUsAh5RoNoloIHSUYowDYWN0lGg6dWKMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5sYW1ilIwETEFNQpSTlCmBlH2UKIwDZXRhlEc/WNehEU0aH4wEYmV0YZRHP63pmczRYgtHP+AAAAAAAACGlIwHZXBzaWxvbpRHPrDG96C17Y2MB2xhbWJkYV+URwAABBiTdLxqdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAt9lChoDU5oIn2UKGgNTmgiTmgpTnV1aCp9lChoLF2UaBBoE0sAhZRoFYeUUpQoSwFLAksBSwCHlGg2iWggdJRiToaUYWg9fZQoaD1OaCxoEGgTSwCFlGgVh5RSlChLAUsCSwFLAIeUaDaJaCB0lGJoImgOjAZzY2FsYXKUk5RoNkMIAAAAAAAAAECUhpRSlHVoKV2UTmF1aE9OaFVOdXNiaGMpgZR9lGhmfZQoaAt9lChoDU5oIn2UKGgNTmgiTmgpTnV1aCp9lChoLF2UaBBoE0sAhZRoFYeUUpQoSwFLAksBSwCHlGg2iWggdJRiToaUYWg9fZQoaD1OaCxoEGgTSwCFlGgVh5RSlChLAUsCSwFLAIeUaDaJaCB0lGJoImh5aDZDCGz4gTyxCOQ/lIaUUpR1aCldlE5hdWhPTmhVTnVzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lChoXUc/6rn53Hn/l0c/42i59QRKQ4aUaFxHP234lsZ1/cB1c2JoYymBlH2UaGZ9lChoC32UKGgNTmgifZQoaA1OaCJOaClOdXVoKn2UKGgsXZRoEGgTSwCFlGgVh5RSlChLAUsCSwFLAIeUaDaJaCB0lGJOhpRhaD19lChoPU5oLGgQaBNLAIWUaBWHlFKUKEsBSwJLAUsAh5RoNoloIHSUYmgiaHloNkMIHXdKB+v/7z+UhpRSlHVoKV2UTmF1aE9OaFVOdXNiaGMpgZR9lGhmfZQoaAt9lChoDU5oIn2UKGgNTmgiTmgpTnV1aCp9lChoLF2UaBBoE0sAhZRoFYeUUpQoSwFLAksBSwCHlGg2iWggdJRiToaUYWg9fZQoaD1OaCxoEGgTSwCFlGgVh5RSlChLAUsCSwFLAIeUaDaJaCB0lGJoImh5aDZDCFjw7FTkQ/o/lIaUUpR1aCldlE5hdWhPTmhVTnVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: adjust then step'], 'program': {'__type__': 'Program', 'model': {'__type__': 'Dense', 'weight': {'enc': np.array([], dtype=np.int64), 'b': {'enc': np.array(-2, dtype=np.int64), 'b': False, 'a': None}}, 'bias': {'w': [(np.array([[[]], [[]]], dtype=np.float64), '<function identity at 0x7fb98e14be20>', )], 'dec': {'dec': np.array(-1, dtype=np.int64), 'w': np.array([[[]], [[]]], dtype=np.float64), 'b': np.array(1.0589243756583713, dtype=np.float64)}, 'a': ['<function identity at 0x7fb98e14be20>']}, 'scale': np.array([[[]]], dtype=np.float64), 'act': '<function identity at 0x7fb98e14be20>'}, 'rule': {'__type__': 'LAMB', 'eta': 0.0015162537503826746, 'beta': (0.058422857525048576, 0.5, ), 'epsilon': 1e-06, 'lambda_': 2.225073858507e-311}, 'ops': ({'__type__': 'Step', 'grads': {'weight': {'enc': None, 'b': {'enc': None, 'b': None, 'a': None}}, 'bias': {'w': [(np.array([[[]], [[]]], dtype=np.float64), None, )], 'dec': {'dec': None, 'w': np.array([[[]], [[]]], dtype=np.float64), 'b': 2.0}, 'a': [None]}, 'scale': None, 'act': None}}, {'__type__': 'Step', 'grads': {'weight': {'enc': None, 'b': {'enc': None, 'b': None, 'a': None}}, 'bias': {'w': [(np.array([[[]], [[]]], dtype=np.float64), None, )], 'dec': {'dec': None, 'w': np.array([[[]], [[]]], dtype=np.float64), 'b': 0.62606107538137}, 'a': [None]}, 'scale': None, 'act': None}}, {'__type__': 'Adjust', 'changes': {'beta': (0.8352021509344806, 0.6065339837535436, ), 'eta': 0.003658575518499879}}, {'__type__': 'Step', 'grads': {'weight': {'enc': None, 'b': {'enc': None, 'b': None, 'a': None}}, 'bias': {'w': [(np.array([[[]], [[]]], dtype=np.float64), None, )], 'dec': {'dec': None, 'w': np.array([[[]], [[]]], dtype=np.float64), 'b': 0.99999}, 'a': [None]}, 'scale': None, 'act': None}}, {'__type__': 'Step', 'grads': {'weight': {'enc': None, 'b': {'enc': None, 'b': None, 'a': None}}, 'bias': {'w': [(np.array([[[]], [[]]], dtype=np.float64), None, )], 'dec': {'dec': None, 'w': np.array([[[]], [[]]], dtype=np.float64), 'b': 1.6415751759914397}, 'a': [None]}, 'scale': None, 'act': None}}, ), 'dtype': 'float64'}, 'model': {'__type__': 'Dense', 'weight': {'enc': {'__array__': [], 'dtype': 'int64'}, 'b': {'enc': {'__array__': -2, 'dtype': 'int64'}, 'b': False, 'a': None}}, 'bias': {'w': [[{'__array__': [[[]], [[]]], 'dtype': 'float64'}, '<function identity at 0x7fb98e14be20>']], 'dec': {'dec': {'__array__': -1, 'dtype': 'int64'}, 'w': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'b': {'__array__': 1.0589243756583713, 'dtype': 'float64'}}, 'a': ['<function identity at 0x7fb98e14be20>']}, 'scale': {'__array__': [[[]]], 'dtype': 'float64'}, 'act': '<function identity at 0x7fb98e14be20>'}, 'rule': 'LAMB(eta=0.0015162537503826746, beta=(0.058422857525048576, 0.5), epsilon=1e-06, lambda_=2.225073858507e-311)', 'ops': [{'op': 'step', 'grads': {'weight': {'enc': None, 'b': {'enc': None, 'b': None, 'a': None}}, 'bias': {'w': [[{'__array__': [[[]], [[]]], 'dtype': 'float64'}, None]], 'dec': {'dec': None, 'w': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'b': 2.0}, 'a': [None]}, 'scale': None, 'act': None}}, {'op': 'step', 'grads': {'weight': {'enc': None, 'b': {'enc': None, 'b': None, 'a': None}}, 'bias': {'w': [[{'__array__': [[[]], [[]]], 'dtype': 'float64'}, None]], 'dec': {'dec': None, 'w': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'b': 0.62606107538137}, 'a': [None]}, 'scale': None, 'act': None}}, {'op': 'adjust', 'changes': {'beta': [0.8352021509344806, 0.6065339837535436], 'eta': 0.003658575518499879}}, {'op': 'step', 'grads': {'weight': {'enc': None, 'b': {'enc': None, 'b': None, 'a': None}}, 'bias': {'w': [[{'__array__': [[[]], [[]]], 'dtype': 'float64'}, None]], 'dec': {'dec': None, 'w': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'b': 0.99999}, 'a': [None]}, 'scale': None, 'act': None}}, {'op': 'step', 'grads': {'weight': {'enc': None, 'b': {'enc': None, 'b': None, 'a': None}}, 'bias': {'w': [[{'__array__': [[[]], [[]]], 'dtype': 'float64'}, None]], 'dec': {'dec': None, 'w': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'b': 1.6415751759914397}, 'a': [None]}, 'scale': None, 'act': None}}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
