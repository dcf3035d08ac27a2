#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdamW,structured] deviates from FLAT-6.

model[1]=-1.60681632378281, but should be -1.6068160118559256 [adapter=keras, path=structured, step=4, dtype=float64, observed=3.1192688432213345e-07, allowed=2.9182037584396596e-15]

Case seed 1438868115.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path structured --seed 1438868115
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path structured --seed 1438868115'
RULE = {'name': 'AdamW', 'eta': 0.00937909015532188, 'beta': (0.12243446335297926, 0.968042707798152, ), 'lambda_': 0.009999999999999998, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.607419451486153, dtype=np.float64), np.array([[-5.474416018126701e-277, -1.848163274313149]], dtype=np.float64), np.array(2.3774594450351305, dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([[-0.0022795465925646587, -0.0015916099423889502]], dtype=np.float64), np.array(-3.2804467051555806e-279, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.6335423647636154e-36, dtype=np.float64), np.array([[2.3551031232591395, 2.2544068215438605e-276]], dtype=np.float64), np.array(2.4033692377516545, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([[0.0, 0.0]], dtype=np.float64), np.array(1.9367606157254142, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-5.820766091346741e-11, dtype=np.float64), np.array([[-3.7512155106879153, 3.571469884645982]], dtype=np.float64), np.array(3.2625968685078313, dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.6068160118559256, dtype=np.float64), np.array([[0.00951201887320969, -1.852499191400535]], dtype=np.float64), np.array(2.341781022988936, dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.60681632378281, dtype=np.float64), np.array([[0.009493189806879954, -1.8525305594449295]], dtype=np.float64), np.array(2.341781066991047, dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.9182037584396596e-15
PROGRAM_PICKLE = 'gASV1AYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAWGUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lGgJjAVCbG9ja5STlCmBlH2UKIwBd5RK/////4wBYpSMAJSMBG5vdGWUjAVibG9ja5R1YowEYmlhc5RoCYwEUGFpcpSTlGgJjAhpZGVudGl0eZSTlEsChpSBlIwFc2NhbGWUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaCOMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYowDYWN0lGgjjAR0YW5olJOUdWKMA2VuY5R9lChoCGgLKYGUfZQoaA6IaBhOaB9oImglSwCFlGgnh5RSlChLASloL4lDCHz7+wgzhbuKlHSUYmg0aBx1YmgTaCJoJUsAhZRoJ4eUUpQoSwFLAoWUaCyMAmk4lImIh5RSlChLA2gwTk5OSv////9K/////0sAdJRiiUMQAAAAAAAAAAABAAAAAAAAAJR0lGKFlIwDZGVjlGgaaDZK/////4aUgZR1dWgiaCVLAIWUaCeHlFKUKEsBKWgviUMIhmVxdf23+b+UdJRiaCJoJUsAhZRoJ4eUUpQoSwFLAUsChpRoL4lDEBjhUc+YaJOG9n1NpxOS/b+UdJRiaCJoJUsAhZRoJ4eUUpQoSwEpaC+JQwgE8B91CQUDQJR0lGJoImglSwCFlGgnh5RSlChLAUsASwJLAoeUaC+JaDJ0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBUFkYW1XlJOUKYGUfZQojANldGGURz+DNVgr3eL0jARiZXRhlEc/v1fdcAEdgUc/7vo0s2P6p4aUjAdsYW1iZGFflEc/hHrhR64UeowHZXBzaWxvbpRHPrDG96C17Y2MBmNvdXBsZZSIjAd2YXJpYW50lIwJbm9ybWF0aXZllHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgIfZQoaA59lChoE05oFE5oFk51aBhOToaUaB9OaDROdWg3fZQoaAh9lChoDk5oGE5oH05oNE51aBNOhZRoS05OhpR1dWggjAZzY2FsYXKUk5RoL0MIAAAAAAAAAACUhpRSlGgiaCVLAIWUaCeHlFKUKEsBSwFLAoaUaC+JQxDDnxJCjqxivzaYoimyE1q/lHSUYmiBaC9DCFSdHeP/xR2GlIaUUpRoImglSwCFlGgnh5RSlChLAUsASwJLAoeUaC+JaDJ0lGJlc2JocymBlH2UaHZdlCh9lChoCH2UKGgOfZQoaBNOaBROaBZOdWgYTk6GlGgfTmg0TnVoN32UKGgIfZQoaA5OaBhOaB9OaDROdWgTToWUaEtOToaUdXVogWgvQwhae2Hg7F6BOJSGlFKUaCJoJUsAhZRoJ4eUUpQoSwFLAUsChpRoL4lDEPzXaE5A1wJAH+s4OkT7swaUdJRiaIFoL0MIsNiiphk6A0CUhpRSlGgiaCVLAIWUaCeHlFKUKEsBSwBLAksCh5RoL4loMnSUYmVzYmhzKYGUfZRodl2UKH2UKGgIfZQoaA59lChoE05oFE5oFk51aBhOToaUaB9OaDROdWg3fZQoaAh9lChoDk5oGE5oH05oNE51aBNOhZRoS05OhpR1dWiBaC9DCAAAAAAAAAAAlIaUUpRoImglSwCFlGgnh5RSlChLAUsBSwKGlGgviUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJogWgvQwgsiwuz+Pz+P5SGlFKUaCJoJUsAhZRoJ4eUUpQoSwFLAEsCSwKHlGgviWgydJRiZXNiaHMpgZR9lGh2XZQofZQoaAh9lChoDn2UKGgTTmgUTmgWTnVoGE5OhpRoH05oNE51aDd9lChoCH2UKGgOTmgYTmgfTmg0TnVoE06FlGhLTk6GlHV1aIFoL0MIAAAAAAAA0L2UhpRSlGgiaCVLAIWUaCeHlFKUKEsBSwFLAoaUaC+JQxBkOBVHfQIOwIigic1ekgxAlHSUYmiBaC9DCGgvEmPMGQpAlIaUUpRoImglSwCFlGgnh5RSlChLAUsASwJLAoeUaC+JaDJ0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'a': {'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': -1, 'b': '', 'note': 'block'}, 'bias': ('<function identity>', 2, ), 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'enc': {'a': {'__type__': 'Dense', 'weight': True, 'bias': None, 'scale': np.array(-5.727657403926645e-257, dtype=np.float64), 'act': '<function identity>'}, 'w': (np.array([0, 1], dtype=np.int64), ), 'dec': ("<ufunc 'tanh'>", -1, )}}, np.array(-1.607419451486153, dtype=np.float64), np.array([[-5.474416018126701e-277, -1.848163274313149]], dtype=np.float64), np.array(2.3774594450351305, dtype=np.float64), np.array([], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.00937909015532188, 'beta': (0.12243446335297926, 0.968042707798152, ), 'lambda_': 0.009999999999999998, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [{'a': {'weight': {'w': None, 'b': None, 'note': None}, 'bias': (None, None, ), 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'w': (None, ), 'dec': (None, None, )}}, 0.0, np.array([[-0.0022795465925646587, -0.0015916099423889502]], dtype=np.float64), -3.2804467051555806e-279, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': {'weight': {'w': None, 'b': None, 'note': None}, 'bias': (None, None, ), 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'w': (None, ), 'dec': (None, None, )}}, 1.6335423647636154e-36, np.array([[2.3551031232591395, 2.2544068215438605e-276]], dtype=np.float64), 2.4033692377516545, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': {'weight': {'w': None, 'b': None, 'note': None}, 'bias': (None, None, ), 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'w': (None, ), 'dec': (None, None, )}}, 0.0, np.array([[0.0, 0.0]], dtype=np.float64), 1.9367606157254142, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': {'weight': {'w': None, 'b': None, 'note': None}, 'bias': (None, None, ), 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'w': (None, ), 'dec': (None, None, )}}, -5.820766091346741e-11, np.array([[-3.7512155106879153, 3.571469884645982]], dtype=np.float64), 3.2625968685078313, np.array([], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'a': {'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': -1, 'b': '', 'note': 'block'}, 'bias': ['<function identity>', 2], 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'enc': {'a': {'__type__': 'Dense', 'weight': True, 'bias': None, 'scale': {'__array__': -5.727657403926645e-257, 'dtype': 'float64'}, 'act': '<function identity>'}, 'w': [{'__array__': [0, 1], 'dtype': 'int64'}], 'dec': ["<ufunc 'tanh'>", -1]}}, {'__array__': -1.607419451486153, 'dtype': 'float64'}, {'__array__': [[-5.474416018126701e-277, -1.848163274313149]], 'dtype': 'float64'}, {'__array__': 2.3774594450351305, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'rule': "AdamW(eta=0.00937909015532188, beta=(0.12243446335297926, 0.968042707798152), lambda_=0.009999999999999998, epsilon=1e-06, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'a': {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'w': [None], 'dec': [None, None]}}, 0.0, {'__array__': [[-0.0022795465925646587, -0.0015916099423889502]], 'dtype': 'float64'}, -3.2804467051555806e-279, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'w': [None], 'dec': [None, None]}}, 1.6335423647636154e-36, {'__array__': [[2.3551031232591395, 2.2544068215438605e-276]], 'dtype': 'float64'}, 2.4033692377516545, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'w': [None], 'dec': [None, None]}}, 0.0, {'__array__': [[0.0, 0.0]], 'dtype': 'float64'}, 1.9367606157254142, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': {'weight': {'w': None, 'b': None, 'note': None}, 'bias': [None, None], 'scale': None, 'act': None}, 'enc': {'a': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'w': [None], 'dec': [None, None]}}, -5.820766091346741e-11, {'__array__': [[-3.7512155106879153, 3.571469884645982]], 'dtype': 'float64'}, 3.2625968685078313, {'__array__': [], 'dtype': 'float64'}]}], 'rules': ["AdamW(eta=0.00937909015532188, beta=(0.12243446335297926, 0.968042707798152), lambda_=0.009999999999999998, epsilon=1e-06, couple=True, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
