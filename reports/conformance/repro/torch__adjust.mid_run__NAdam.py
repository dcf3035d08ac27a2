#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[NAdam] deviates from ADJ-2.

model[0].weight.weight.w=-1.0179268171571432, but should be -1.0179268163141262 [adapter=torch, path=structured, step=4, dtype=float64, observed=8.43016989549028e-10, allowed=2.56523857073674e-15]

Case seed 224410198.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule NAdam --seed 224410198
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule NAdam --seed 224410198'
RULE = {'name': 'NAdam', 'eta': 0.005334118726374134, 'beta': (0.43813869125451504, 0.7586784883364995, ), 'epsilon': 0.001, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.0102326405934323, dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, np.array([], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'epsilon': 1e-06, 'beta': (0.7955403057717024, 0.5, )}}, {'op': 'step', 'grads': [None, None]}, {'op': 'step', 'grads': [np.array(0.002330112444868483, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.0179268163141262, dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.0179268171571432, dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.56523857073674e-15
PROGRAM_PICKLE = 'gASViwQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAkpgZR9lChoDGgHjAVCbG9ja5STlCmBlH2UKIwBd5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloF4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwhONYuz6Snwv5R0lGKMAWKUaBZoGUsAhZRoG4eUUpQoSwEpaB+MAmk4lImIh5RSlChLA2gjTk5OSv////9K/////0sAdJRiiUMI+/////////+UdJRijARub3RllIwFYmxvY2uUdWKMBGJpYXOUfZQojANkZWOUjACUjANlbmOUaDZ1jAVzY2FsZZRoFmgZSwCFlGgbh5RSlChLAUsASwJLAIeUaCKJQwCUdJRijANhY3SUaAeMCGlkZW50aXR5lJOUdWJoM2gHjARQYWlylJOUfZQoaCdoFmgZSwCFlGgbh5RSlChLAUsChZRoLYlDEP3//////////v////////+UdJRiaDVLAXVoCSmBlH2UKGgMaEFoM4hoOGgWaBlLAIWUaBuHlFKUKEsBSwBLAUsBh5RoIoloPXSUYmg/aEF1Yl2Uh5SMBHJlbHWUhpSBlGg4aBZoGUsAhZRoG4eUUpQoSwEpaCKJQwgWopxNYMz3v5R0lGJoP2hBdWJoFmgZSwCFlGgbh5RSlChLAUsAhZRoIoloPXSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFTkFkYW2Uk5QpgZR9lCiMA2V0YZRHP3XZOpe5YImMBGJldGGURz/cCnbdgzl7Rz/oRxgb8q/9hpSMB2Vwc2lsb26URz9QYk3S8an8jAd2YXJpYW50lIwFb3B0YXiUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAxOaDNOfZQoaAxOaDNOaDhOaD9OdV2Uh5ROhpRoOE5oP051aBZoGUsAhZRoG4eUUpQoSwFLAIWUaCKJaD10lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaGpHPrDG96C17Y1oaEc/6XUQ8X4Ow0c/4AAAAAAAAIaUdXNiaG8pgZR9lGhyTnNiaG8pgZR9lGhyXZQofZQoaAx9lChoDH2UKGgTaBSMBnNjYWxhcpSTlGgiQwgcEuWXmRZjP5SGlFKUaCdOaDFOdWgzfZQoaDVOaDdOdWg4Tmg/TnVoM05oOE5oP051aBZoGUsAhZRoG4eUUpQoSwFLAIWUaCKJaD10lGJlc2JobymBlH2UaHJOc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: None inside a gradient', 'programs: adjust then step', 'programs: step without any gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': np.array(-1.0102326405934323, dtype=np.float64), 'b': np.array(-5, dtype=np.int64), 'note': 'block'}, 'bias': {'dec': '', 'enc': ''}, 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, 'bias': (({'b': np.array([-3, -2], dtype=np.int64), 'dec': 1}, {'__type__': 'Dense', 'weight': '<function identity>', 'bias': True, 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, [], ), 'relu', ), 'scale': np.array(-1.4873965293610403, dtype=np.float64), 'act': '<function identity>'}, np.array([], dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.005334118726374134, 'beta': (0.43813869125451504, 0.7586784883364995, ), 'epsilon': 0.001, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': None, 'bias': ((None, {'weight': None, 'bias': None, 'scale': None, 'act': None}, [], ), None, ), 'scale': None, 'act': None}, np.array([], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'epsilon': 1e-06, 'beta': (0.7955403057717024, 0.5, )}}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [{'weight': {'weight': {'w': 0.002330112444868483, 'b': None, 'note': None}, 'bias': {'dec': None, 'enc': None}, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': {'__array__': -1.0102326405934323, 'dtype': 'float64'}, 'b': {'__array__': -5, 'dtype': 'int64'}, 'note': 'block'}, 'bias': {'dec': '', 'enc': ''}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, 'bias': [[{'b': {'__array__': [-3, -2], 'dtype': 'int64'}, 'dec': 1}, {'__type__': 'Dense', 'weight': '<function identity>', 'bias': True, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, []], 'relu'], 'scale': {'__array__': -1.4873965293610403, 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': [], 'dtype': 'float64'}], 'rule': "NAdam(eta=0.005334118726374134, beta=(0.43813869125451504, 0.7586784883364995), epsilon=0.001, variant='optax')", 'ops': [{'op': 'step', 'grads': [{'weight': None, 'bias': [[None, {'weight': None, 'bias': None, 'scale': None, 'act': None}, []], None], 'scale': None, 'act': None}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'epsilon': 1e-06, 'beta': [0.7955403057717024, 0.5]}}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [{'weight': {'weight': {'w': 0.002330112444868483, 'b': None, 'note': None}, 'bias': {'dec': None, 'enc': None}, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}], 'rules': ["NAdam(eta=0.005334118726374134, beta=(0.43813869125451504, 0.7586784883364995), epsilon=0.001, variant='optax')", "NAdam(eta=0.005334118726374134, beta=(0.7955403057717024, 0.5), epsilon=1e-06, variant='optax')"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.005334118726374134, 'betas': (0.43813869125451504, 0.7586784883364995), 'eps': 0.001, 'weight_decay': 0.0, 'momentum_decay': inf})
    frozen = set()
    for op, extra in zip(OPS, [None, {'lr': 0.005334118726374134, 'betas': (0.7955403057717024, 0.5), 'eps': 1e-06, 'weight_decay': 0.0, 'momentum_decay': inf}, None, None, None]):
        if op["op"] == "freeze":
            frozen |= set(extra)
        elif op["op"] == "thaw":
            frozen -= set(extra)
        elif op["op"] == "adjust":
            opt.param_groups[0].update(extra)
        else:
            for i, (p, g) in enumerate(zip(params, op["grads"])):
                p.grad = None if g is None or i in frozen else torch.tensor(g, dtype=dtype)
            held = [p for p in params if p.grad is not None]
            for clip in []:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
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
