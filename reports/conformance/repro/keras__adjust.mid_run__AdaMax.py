#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[AdaMax] deviates from ADAMAX-1.

adamax.beta_t[model[3]][1]=0.17828930109262914, but should be 0.42224317767446423 [adapter=keras, path=structured, step=3, dtype=float64, observed=0.2439538765818351, allowed=8.22596238139375e-15]

Case seed 2160872870.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule AdaMax --seed 2160872870
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADAMAX-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule AdaMax --seed 2160872870'
RULE = {'name': 'AdaMax', 'eta': 0.00885124171654888, 'beta': (2.2250738585072014e-308, 0.6498024143341299, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[1.5232155872191298, -3.352763534539644], [-3.0579316493070134, 2.0994491029993547]], [[-2.510827712375191e-201, -3.16224653921954], [-0.7039243866642151, 5.084157430235557e-106]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[3.6568563670819554, -1.2248163322345392e-107], [1.1, 1.0732894905634145e-72]], [[-1.192092896e-07, 3.0924759060093923], [3.0, 0.1729056360927883]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), None, None]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), None, None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[1.5143643479230313, -3.352763534539644], [-3.066782882976986, 2.0994491029993547]], [[0.0009427640092987275, -3.1710977780739036], [-0.712775625430351, -0.00885119052567549]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[1.5143643479230313, -3.352763534539644], [-3.066782882976986, 2.0994491029993547]], [[0.0009427640092987275, -3.1710977780739036], [-0.712775625430351, -0.00885119052567549]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.22596238139375e-15
PROGRAM_PICKLE = 'gASVyQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAeMBUJsb2NrlJOUKYGUfZQojAF3lE6MAWKUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBaMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMI/P////////+UdJRijARub3RllIwFYmxvY2uUdWKMBGJpYXOUSv////+FlIwFc2NhbGWUaBVoGEsAhZRoGoeUUpQoSwFLAoWUaB6MAmY4lImIh5RSlChLA2giTk5OSv////9K/////0sAdJRiiUMQFG2GRSd39j8SboPDxELVNZR0lGKMA2FjdJRoB4wIaWRlbnRpdHmUk5R1YmgVaBhLAIWUaBqHlFKUKEsBSwFLAEsBh5RoMYlDAJR0lGJoFWgYSwCFlGgah5RSlChLAUsBSwFLAIeUaDGJaDx0lGJoFWgYSwCFlGgah5RSlChLAUsCSwJLAoeUaDGJQ0BM0b1OF1/4P5iNILB10grAbGpZ3qR2CMB4/af4q8sAQBC9g6C6mUiWZLLe6UdMCcCYjHJvjIbmv6fVA+MkqBIqlHSUYmgVaBhLAIWUaBqHlFKUKEsBSwFLAEsCh5RoMYloPHSUYmWMBHJ1bGWUjB5vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5tYXhpbWGUjAZBZGFNYXiUk5QpgZR9lCiMA2V0YZRHP4IgmY2cz92MBGJldGGURwAQAAAAAAAARz/kyy5uzalohpSMB2Vwc2lsb26URz6wxvegte2NjAd2YXJpYW50lIwJbm9ybWF0aXZllHVijANvcHOUaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoTmgVaBhLAIWUaBqHlFKUKEsBSwFLAEsBh5RoMYloPHSUYmgVaBhLAIWUaBqHlFKUKEsBSwFLAUsAh5RoMYloPHSUYmgVaBhLAIWUaBqHlFKUKEsBSwJLAksCh5RoMYlDQHxKNuk9QQ1A7xof3+zDvKmamZmZmZnxP4dlZOtmV/4waF8cAAAAgL6U0/8BZL0IQAAAAAAAAAhAYAMomsUhxj+UdJRiaBVoGEsAhZRoGoeUUpQoSwFLAUsASwKHlGgxiWg8dJRiZXNiaFwpgZR9lGhfXZQofZQoaAxOaChOhZRoKk5oNU51aBVoGEsAhZRoGoeUUpQoSwFLAUsASwGHlGgxiWg8dJRiaBVoGEsAhZRoGoeUUpQoSwFLAUsBSwCHlGgxiWg8dJRiTk5lc2JoXCmBlH2UaF9dlCh9lChoDE5oKE6FlGgqTmg1TnVoFWgYSwCFlGgah5RSlChLAUsBSwBLAYeUaDGJaDx0lGJoFWgYSwCFlGgah5RSlChLAUsBSwFLAIeUaDGJaDx0lGJOTmVzYoeUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'programs: None inside a gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': None, 'b': np.array(-4, dtype=np.int64), 'note': 'block'}, 'bias': (-1, ), 'scale': np.array([1.4040901866745275, 2.2730062283524554e-49], dtype=np.float64), 'act': '<function identity>'}, np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[1.5232155872191298, -3.352763534539644], [-3.0579316493070134, 2.0994491029993547]], [[-2.510827712375191e-201, -3.16224653921954], [-0.7039243866642151, 5.084157430235557e-106]]], dtype=np.float64), np.array([[]], dtype=np.float64)], 'rule': {'__type__': 'AdaMax', 'eta': 0.00885124171654888, 'beta': (2.2250738585072014e-308, 0.6498024143341299, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [None, np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[3.6568563670819554, -1.2248163322345392e-107], [1.1, 1.0732894905634145e-72]], [[-1.192092896e-07, 3.0924759060093923], [3.0, 0.1729056360927883]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': (None, ), 'scale': None, 'act': None}, np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), None, None]}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': (None, ), 'scale': None, 'act': None}, np.array([[]], dtype=np.float64), np.array([[[]]], dtype=np.float64), None, None]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': None, 'b': {'__array__': -4, 'dtype': 'int64'}, 'note': 'block'}, 'bias': [-1], 'scale': {'__array__': [1.4040901866745275, 2.2730062283524554e-49], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [[[1.5232155872191298, -3.352763534539644], [-3.0579316493070134, 2.0994491029993547]], [[-2.510827712375191e-201, -3.16224653921954], [-0.7039243866642151, 5.084157430235557e-106]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}], 'rule': "AdaMax(eta=0.00885124171654888, beta=(2.2250738585072014e-308, 0.6498024143341299), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'step', 'grads': [None, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [[[3.6568563670819554, -1.2248163322345392e-107], [1.1, 1.0732894905634145e-72]], [[-1.192092896e-07, 3.0924759060093923], [3.0, 0.1729056360927883]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': None, 'bias': [None], 'scale': None, 'act': None}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[]]], 'dtype': 'float64'}, None, None]}, {'op': 'step', 'grads': [{'weight': None, 'bias': [None], 'scale': None, 'act': None}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[]]], 'dtype': 'float64'}, None, None]}], 'rules': ["AdaMax(eta=0.00885124171654888, beta=(2.2250738585072014e-308, 0.6498024143341299), epsilon=1e-06, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 3}


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
        print("recorded deviation (ADAMAX-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAMAX-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
