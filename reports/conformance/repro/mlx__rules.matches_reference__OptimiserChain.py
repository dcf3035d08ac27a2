#!/usr/bin/env python
"""optconf repro: mlx rules.matches_reference[OptimiserChain] deviates from CHAIN-1.

model[0][1].weight[1]=-3.1506352554403496, but should be -3.150635255584944 [adapter=mlx, path=structured, step=4, dtype=float64, observed=1.445945585487607e-10, allowed=5.960888006708873e-15]

Case seed 886031403.  Inside optconf, replay with:
    optconf replay --adapter mlx --property rules.matches_reference --rule OptimiserChain --seed 886031403
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'CHAIN-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property rules.matches_reference --rule OptimiserChain --seed 886031403'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.006147651876289821, 'beta': (0.47338233769236826, 0.6240637948627447, ), 'epsilon': 1e-06, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1.9697325616660897, -3.1383536453157515], dtype=np.float64), np.array([-1.9745772506931298, -1.401298464324817e-45], dtype=np.float64), np.array([-1.9745772506931298, -1.401298464324817e-45], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([2.776440312572486, 2.776440312572486], dtype=np.float64), np.array([-2.1537684536919754, 3.635983252439834], dtype=np.float64), np.array([-0.017986327404044822, -3.9999999999999996], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-0.0013402687053753466, 0.0003739491949439457], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([0.0023841837769211956, -0.0030858034194469024], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array([-0.0035658582768342342, -1.5966348701004995e-57], dtype=np.float64), np.array([0.9093535243695685, 1.944711926756816], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-0.0026007772896708293, -0.0003375856474624435], dtype=np.float64), np.array([-0.42629191846959547, -1.0877652747688251], dtype=np.float64), np.array([0.001953134765625, -0.000810468288271156], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-1.9819977029802587, -3.150635255584944], dtype=np.float64), np.array([-1.9604465471965693, -0.009464879771424411], dtype=np.float64), np.array([-1.9743621131548894, 0.0066255404988975735], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-1.9819977028365818, -3.1506352554403496], dtype=np.float64), np.array([-1.9604465474553923, -0.009464879801854077], dtype=np.float64), np.array([-1.9743621129072648, 0.006625540521583182], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.960888006708873e-15
PROGRAM_PICKLE = 'gASVzwUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoCIloBowFRGVuc2WUk5QpgZR9lCiMBndlaWdodJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsChZRoEYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxD2jWNKBoT/v+xO7ydZGwnAlHSUYowEYmlhc5RoEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDEP5wslDel/+/AAAAAAAAoLaUdJRijAVzY2FsZZRoEGgTSwCFlGgVh5RSlChLAUsBhZRoHYlDCAAAAAAAAOA/lHSUYowDYWN0lGgGjAhpZGVudGl0eZSTlHVihpSBlF2UKGgQaBNLAIWUaBWHlFKUKEsBKWgajAJpOJSJiIeUUpQoSwNoHk5OTkr/////Sv////9LAHSUYolDCPz/////////lHSUYmgQaBNLAIWUaBWHlFKUKEsBSwKFlGgdiUMQ/nCyUN6X/78AAAAAAACgtpR0lGJoEYwEdGFuaJSTlGWGlIGUjARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMDk9wdGltaXNlckNoYWlulJOUKYGUfZSMBXJ1bGVzlIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP3kuR7wX/l6MBGJldGGURz/eS+VuuSLQRz/j+FSisbNVhpSMB2Vwc2lsb26URz6wxvegte2NjAd2YXJpYW50lIwJbm9ybWF0aXZllHVihZRzYowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5ROfZQoaA1oEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDENhbrlYmNgZA2FuuViY2BkCUdJRiaCJoEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDELMbfvTqOgHALEMwY34WDUCUdJRiaClOaDBOdYaUXZQoTmgQaBNLAIWUaBWHlFKUKEsBSwKFlGgdiUMQAO/m/wFrkr////////8PwJR0lGJOZYaUc2JoXimBlH2UaGFOfZQoaA1oEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDEP7ieZB+9VW/0NAJkNOBOD+UdJRiaCJoEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDEAAAAAAAAAAAAAAAAAAAAACUdJRiaClOaDBOdYaUXZQoTmgQaBNLAIWUaBWHlFKUKEsBSwKFlGgdiUMQKFov6/6HYz9Yz5YYZkdpv5R0lGJOZYaUc2JoXimBlH2UaGFOfZQoaA1oEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDEAAAAAAAAAAAAAAAAAAAAACUdJRiaCJoEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDEFAtzJUlNm2/GaVB+mILJLSUdJRiaClOaDBOdYaUXZQoTmgQaBNLAIWUaBWHlFKUKEsBSwKFlGgdiUMQqG31j2wZ7T+c/NhAih3/P5R0lGJOZYaUc2JoXimBlH2UaGFOfZQoaA1oEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDEGT256w5TmW/0FfBUL8fNr+UdJRiaCJoEGgTSwCFlGgVh5RSlChLAUsChZRoHYlDEJAQGOZdSNu/drSNj3xn8b+UdJRiaClOaDBOdYaUXZQoTmgQaBNLAIWUaBWHlFKUKEsBSwKFlGgdiUMQOWItPgUAYD+o7HJls45Kv5R0lGJOZYaUc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': ((False, {'__type__': 'Dense', 'weight': np.array([-1.9697325616660897, -3.1383536453157515], dtype=np.float64), 'bias': np.array([-1.9745772506931298, -1.401298464324817e-45], dtype=np.float64), 'scale': np.array([0.5], dtype=np.float64), 'act': '<function identity>'}, ), [np.array(-4, dtype=np.int64), np.array([-1.9745772506931298, -1.401298464324817e-45], dtype=np.float64), "<ufunc 'tanh'>"], ), 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.006147651876289821, 'beta': (0.47338233769236826, 0.6240637948627447, ), 'epsilon': 1e-06, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': ((None, {'weight': np.array([2.776440312572486, 2.776440312572486], dtype=np.float64), 'bias': np.array([-2.1537684536919754, 3.635983252439834], dtype=np.float64), 'scale': None, 'act': None}, ), [None, np.array([-0.017986327404044822, -3.9999999999999996], dtype=np.float64), None], )}, {'__type__': 'Step', 'grads': ((None, {'weight': np.array([-0.0013402687053753466, 0.0003739491949439457], dtype=np.float64), 'bias': np.array([0.0, 0.0], dtype=np.float64), 'scale': None, 'act': None}, ), [None, np.array([0.0023841837769211956, -0.0030858034194469024], dtype=np.float64), None], )}, {'__type__': 'Step', 'grads': ((None, {'weight': np.array([0.0, 0.0], dtype=np.float64), 'bias': np.array([-0.0035658582768342342, -1.5966348701004995e-57], dtype=np.float64), 'scale': None, 'act': None}, ), [None, np.array([0.9093535243695685, 1.944711926756816], dtype=np.float64), None], )}, {'__type__': 'Step', 'grads': ((None, {'weight': np.array([-0.0026007772896708293, -0.0003375856474624435], dtype=np.float64), 'bias': np.array([-0.42629191846959547, -1.0877652747688251], dtype=np.float64), 'scale': None, 'act': None}, ), [None, np.array([0.001953134765625, -0.000810468288271156], dtype=np.float64), None], )}, ), 'dtype': 'float64'}, 'model': [[False, {'__type__': 'Dense', 'weight': {'__array__': [-1.9697325616660897, -3.1383536453157515], 'dtype': 'float64'}, 'bias': {'__array__': [-1.9745772506931298, -1.401298464324817e-45], 'dtype': 'float64'}, 'scale': {'__array__': [0.5], 'dtype': 'float64'}, 'act': '<function identity>'}], [{'__array__': -4, 'dtype': 'int64'}, {'__array__': [-1.9745772506931298, -1.401298464324817e-45], 'dtype': 'float64'}, "<ufunc 'tanh'>"]], 'rule': "OptimiserChain(Adam(eta=0.006147651876289821, beta=(0.47338233769236826, 0.6240637948627447), epsilon=1e-06, variant='normative'))", 'ops': [{'op': 'step', 'grads': [[None, {'weight': {'__array__': [2.776440312572486, 2.776440312572486], 'dtype': 'float64'}, 'bias': {'__array__': [-2.1537684536919754, 3.635983252439834], 'dtype': 'float64'}, 'scale': None, 'act': None}], [None, {'__array__': [-0.017986327404044822, -3.9999999999999996], 'dtype': 'float64'}, None]]}, {'op': 'step', 'grads': [[None, {'weight': {'__array__': [-0.0013402687053753466, 0.0003739491949439457], 'dtype': 'float64'}, 'bias': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'scale': None, 'act': None}], [None, {'__array__': [0.0023841837769211956, -0.0030858034194469024], 'dtype': 'float64'}, None]]}, {'op': 'step', 'grads': [[None, {'weight': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'bias': {'__array__': [-0.0035658582768342342, -1.5966348701004995e-57], 'dtype': 'float64'}, 'scale': None, 'act': None}], [None, {'__array__': [0.9093535243695685, 1.944711926756816], 'dtype': 'float64'}, None]]}, {'op': 'step', 'grads': [[None, {'weight': {'__array__': [-0.0026007772896708293, -0.0003375856474624435], 'dtype': 'float64'}, 'bias': {'__array__': [-0.42629191846959547, -1.0877652747688251], 'dtype': 'float64'}, 'scale': None, 'act': None}], [None, {'__array__': [0.001953134765625, -0.000810468288271156], 'dtype': 'float64'}, None]]}], 'rules': ["OptimiserChain(Adam(eta=0.006147651876289821, beta=(0.47338233769236826, 0.6240637948627447), epsilon=1e-06, variant='normative'))"], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (CHAIN-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CHAIN-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
