#!/usr/bin/env python
"""optconf repro: mlx rules.matches_reference[Adam] deviates from ADAM-1.

model[0][0].w.bias[0]=-1.2805506114223955, but should be -1.280550610988421 [adapter=mlx, path=structured, step=4, dtype=float64, observed=4.3397441196191266e-10, allowed=2.7488827941234257e-15]

Case seed 709820347.  Inside optconf, replay with:
    optconf replay --adapter mlx --property rules.matches_reference --rule Adam --seed 709820347
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'ADAM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property rules.matches_reference --rule Adam --seed 709820347'
RULE = {'name': 'Adam', 'eta': 0.008613124109863202, 'beta': (0.5857924463348876, 0.6601907209741922, ), 'epsilon': 1e-08, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1.2656352432303453], dtype=np.float64), np.array(-3.430790593531082, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.0], dtype=np.float64), np.array(-1.1479437021484375e-41, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([2.672621070804283], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0], dtype=np.float64), np.array(1.401298464324817e-45, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0031590187845419223], dtype=np.float64), np.array(-0.0007587456289431223, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-1.280550610988421], dtype=np.float64), np.array(-3.4245472978677967, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-1.2805506114223955], dtype=np.float64), np.array(-3.424547297813624, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.7488827941234257e-15
PROGRAM_PICKLE = 'gASVgQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoB4wFQmxvY2uUk5QpgZR9lCiMAXeUaAeMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjACUjARiaWFzlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwGFlGgZjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCO5tpb0KQPS/lHSUYowFc2NhbGWUaBhoG0sAhZRoHYeUUpQoSwFLAEsBSwGHlGgliUMAlHSUYowDYWN0lGgZjAR0YW5olJOUdWKMAWKUaAeMCGlkZW50aXR5lJOUjARub3RllIwEaGVhZJR1YmgLKYGUfZQoaA5oCWg2SwCGlIGUaDRoCUr+////aDaGlIGUaDdoOHVihpSBlGgYaBtLAIWUaB2HlFKUKEsBKWgliUMImB+1VkJyC8CUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz+Bo8Hy8i3gjARiZXRhlEc/4r7PzOgR1kc/5SBISnaePoaUjAdlcHNpbG9ulEc+RXmO4jCMOowHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDn2UKGgTTmgVaBhoG0sAhZRoHYeUUpQoSwFLAYWUaCWJQwgAAAAAAAAAAJR0lGJoKk5oMU51aDROaDdOdX2UKGgOTk6GlGg0Tk6GlGg3TnWGlGgWjAZzY2FsYXKUk5RoJUMIm2MKAAAAcLeUhpRSlGVzYmhUKYGUfZRoV12UKH2UKGgOfZQoaBNOaBVoGGgbSwCFlGgdh5RSlChLAUsBhZRoJYlDCKCj7SeHYQVAlHSUYmgqTmgxTnVoNE5oN051fZQoaA5OToaUaDROToaUaDdOdYaUaGZoJUMIAAAAAAAAAACUhpRSlGVzYmhUKYGUfZRoV12UKH2UKGgOfZQoaBNOaBVoGGgbSwCFlGgdh5RSlChLAUsBhZRoJYlDCAAAAAAAAAAAlHSUYmgqTmgxTnVoNE5oN051fZQoaA5OToaUaDROToaUaDdOdYaUaGZoJUMIAAAAAAAAoDaUhpRSlGVzYmhUKYGUfZRoV12UKH2UKGgOfZQoaBNOaBVoGGgbSwCFlGgdh5RSlChLAUsBhZRoJYlDCMzuvkvx4Gk/lHSUYmgqTmgxTnVoNE5oN051fZQoaA5OToaUaDROToaUaDdOdYaUaGZoJUMI6AnG1NHcSL+UhpRSlGVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [({'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': '', 'bias': np.array([-1.2656352432303453], dtype=np.float64), 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'b': '<function identity>', 'note': 'head'}, {'__type__': 'Block', 'w': ('<function identity>', 0, ), 'b': (-2, '<function identity>', ), 'note': 'head'}, ), np.array(-3.430790593531082, dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.008613124109863202, 'beta': (0.5857924463348876, 0.6601907209741922, ), 'epsilon': 1e-08, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [({'w': {'weight': None, 'bias': np.array([0.0], dtype=np.float64), 'scale': None, 'act': None}, 'b': None, 'note': None}, {'w': (None, None, ), 'b': (None, None, ), 'note': None}, ), -1.1479437021484375e-41]}, {'__type__': 'Step', 'grads': [({'w': {'weight': None, 'bias': np.array([2.672621070804283], dtype=np.float64), 'scale': None, 'act': None}, 'b': None, 'note': None}, {'w': (None, None, ), 'b': (None, None, ), 'note': None}, ), 0.0]}, {'__type__': 'Step', 'grads': [({'w': {'weight': None, 'bias': np.array([0.0], dtype=np.float64), 'scale': None, 'act': None}, 'b': None, 'note': None}, {'w': (None, None, ), 'b': (None, None, ), 'note': None}, ), 1.401298464324817e-45]}, {'__type__': 'Step', 'grads': [({'w': {'weight': None, 'bias': np.array([0.0031590187845419223], dtype=np.float64), 'scale': None, 'act': None}, 'b': None, 'note': None}, {'w': (None, None, ), 'b': (None, None, ), 'note': None}, ), -0.0007587456289431223]}, ), 'dtype': 'float64'}, 'model': [[{'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': '', 'bias': {'__array__': [-1.2656352432303453], 'dtype': 'float64'}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'b': '<function identity>', 'note': 'head'}, {'__type__': 'Block', 'w': ['<function identity>', 0], 'b': [-2, '<function identity>'], 'note': 'head'}], {'__array__': -3.430790593531082, 'dtype': 'float64'}], 'rule': "Adam(eta=0.008613124109863202, beta=(0.5857924463348876, 0.6601907209741922), epsilon=1e-08, variant='normative')", 'ops': [{'op': 'step', 'grads': [[{'w': {'weight': None, 'bias': {'__array__': [0.0], 'dtype': 'float64'}, 'scale': None, 'act': None}, 'b': None, 'note': None}, {'w': [None, None], 'b': [None, None], 'note': None}], -1.1479437021484375e-41]}, {'op': 'step', 'grads': [[{'w': {'weight': None, 'bias': {'__array__': [2.672621070804283], 'dtype': 'float64'}, 'scale': None, 'act': None}, 'b': None, 'note': None}, {'w': [None, None], 'b': [None, None], 'note': None}], 0.0]}, {'op': 'step', 'grads': [[{'w': {'weight': None, 'bias': {'__array__': [0.0], 'dtype': 'float64'}, 'scale': None, 'act': None}, 'b': None, 'note': None}, {'w': [None, None], 'b': [None, None], 'note': None}], 1.401298464324817e-45]}, {'op': 'step', 'grads': [[{'w': {'weight': None, 'bias': {'__array__': [0.0031590187845419223], 'dtype': 'float64'}, 'scale': None, 'act': None}, 'b': None, 'note': None}, {'w': [None, None], 'b': [None, None], 'note': None}], -0.0007587456289431223]}], 'rules': ["Adam(eta=0.008613124109863202, beta=(0.5857924463348876, 0.6601907209741922), epsilon=1e-08, variant='normative')"], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (ADAM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
