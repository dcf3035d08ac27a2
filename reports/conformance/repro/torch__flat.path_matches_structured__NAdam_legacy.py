#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[NAdam,legacy] deviates from FLAT-6.

model[1][1]=0.02023302580286766, but should be 0.020233025601867665 [adapter=torch, path=legacy, step=4, dtype=float64, observed=2.0099999442635408e-10, allowed=9.812951148311549e-16]

Case seed 891075845.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path legacy --seed 891075845
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path legacy --seed 891075845'
RULE = {'name': 'NAdam', 'eta': 0.0067510958119720325, 'beta': (0.5843278700682231, 0.7364830861856507, ), 'epsilon': 1e-06, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1.401298464324817e-45, -5.146144591598547e-199], dtype=np.float64), np.array(1.401298464324817e-45, dtype=np.float64), np.array([[[1.544519759750135], [1.3375783391667138e-20]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.003873012452710746, -0.0023026992731447287], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.003803560491730003, -0.001953134765625], dtype=np.float64), np.array(2.220446049250313e-16, dtype=np.float64), np.array([[[0.0023398875261204845], [0.0019699100040218593]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array(-0.00013584116010399456, dtype=np.float64), np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-0.29266125164026224, -1.7027694772978526e-237], dtype=np.float64), np.array(2.482306385728551, dtype=np.float64), np.array([[[-0.08882311126906028], [-1.401298464324817e-45]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-0.010940265216387161, 0.020233025601867665], dtype=np.float64), np.array(-7.310469709397895e-05, dtype=np.float64), np.array([[[1.5423543094102123], [-0.011548760092849135]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-0.01094026538849189, 0.02023302580286766], dtype=np.float64), np.array(-7.310469324599105e-05, dtype=np.float64), np.array([[[1.5423543093443468], [-0.011548760190988036]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.812951148311549e-16
PROGRAM_PICKLE = 'gASVfwUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMA2VuY5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lH2UKGgIjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBOMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIAQAAAAAAAACUdJRijAFilGgJjAhpZGVudGl0eZSTlHVoI32UKGgOTmgISv3///+MA2RlY5RoEmgVSwCFlGgXh5RSlChLAUsAhZRoHolDAJR0lGJ1jARub3RllIwFYmxvY2uUdWJoJ4l1aBJoFUsAhZRoF4eUUpQoSwFLAoWUaBuMAmY4lImIh5RSlChLA2gfTk5OSv////9K/////0sAdJRiiUMQAAAAAAAAoLY1leSGErLDlpR0lGJoEmgVSwCFlGgXh5RSlChLASloNolDCAAAAAAAAKA2lHSUYmgSaBVLAIWUaBeHlFKUKEsBSwFLAksBh5RoNolDEBRxAlpatvg/zcEnOiqVzzuUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVOQWRhbZSTlCmBlH2UKIwDZXRhlEc/e6cJe5fjw4wEYmV0YZRHP+Ky0FyCswpHP+eRRPonL0OGlIwHZXBzaWxvbpRHPrDG96C17Y2MB3ZhcmlhbnSUjAVvcHRheJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoCH2UKGgOfZQoaAhOaCNOdWgjfZQoaA5OaAhOaCdOdWguTnVoJ051aBJoFUsAhZRoF4eUUpQoSwFLAoWUaDaJQxDQ2ki6S7pvP9MBQ0Ic3WK/lHSUYmgQjAZzY2FsYXKUk5RoNkMIAAAAAAAAAACUhpRSlGgSaBVLAIWUaBeHlFKUKEsBSwFLAksBh5RoNolDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNiaFMpgZR9lGhWXZQofZQoaAh9lChoDn2UKGgITmgjTnVoI32UKGgOTmgITmgnTnVoLk51aCdOdWgSaBVLAIWUaBeHlFKUKEsBSwKFlGg2iUMQxGhz/aQobz85Yi0+BQBgv5R0lGJoY2g2QwgAAAAAAACwPJSGlFKUaBJoFUsAhZRoF4eUUpQoSwFLAUsCSwGHlGg2iUMQLArVjBkrYz+EBGNhMyNgP5R0lGJlc2JoUymBlH2UaFZdlCh9lChoCH2UKGgOfZQoaAhOaCNOdWgjfZQoaA5OaAhOaCdOdWguTnVoJ051aBJoFUsAhZRoF4eUUpQoSwFLAoWUaDaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmhjaDZDCKA9Ia4SziG/lIaUUpRoEmgVSwCFlGgXh5RSlChLAUsBSwJLAYeUaDaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYmhTKYGUfZRoVl2UKH2UKGgIfZQoaA59lChoCE5oI051aCN9lChoDk5oCE5oJ051aC5OdWgnTnVoEmgVSwCFlGgXh5RSlChLAUsChZRoNolDEJB8JkL2utK/hE6mtAstxo6UdJRiaGNoNkMIRNlKc8PbA0CUhpRSlGgSaBVLAIWUaBeHlFKUKEsBSwFLAksBh5RoNolDEMCSB4Ycvba/AAAAAAAAoLaUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'enc': {'__type__': 'Block', 'w': {'enc': np.array(1, dtype=np.int64), 'b': '<function identity>'}, 'b': {'w': None, 'enc': -3, 'dec': np.array([], dtype=np.int64)}, 'note': 'block'}, 'dec': False}, np.array([-1.401298464324817e-45, -5.146144591598547e-199], dtype=np.float64), np.array(1.401298464324817e-45, dtype=np.float64), np.array([[[1.544519759750135], [1.3375783391667138e-20]]], dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.0067510958119720325, 'beta': (0.5843278700682231, 0.7364830861856507, ), 'epsilon': 1e-06, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [{'enc': {'w': {'enc': None, 'b': None}, 'b': {'w': None, 'enc': None, 'dec': None}, 'note': None}, 'dec': None}, np.array([0.003873012452710746, -0.0023026992731447287], dtype=np.float64), 0.0, np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'enc': {'w': {'enc': None, 'b': None}, 'b': {'w': None, 'enc': None, 'dec': None}, 'note': None}, 'dec': None}, np.array([0.003803560491730003, -0.001953134765625], dtype=np.float64), 2.220446049250313e-16, np.array([[[0.0023398875261204845], [0.0019699100040218593]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'enc': {'w': {'enc': None, 'b': None}, 'b': {'w': None, 'enc': None, 'dec': None}, 'note': None}, 'dec': None}, np.array([0.0, 0.0], dtype=np.float64), -0.00013584116010399456, np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'enc': {'w': {'enc': None, 'b': None}, 'b': {'w': None, 'enc': None, 'dec': None}, 'note': None}, 'dec': None}, np.array([-0.29266125164026224, -1.7027694772978526e-237], dtype=np.float64), 2.482306385728551, np.array([[[-0.08882311126906028], [-1.401298464324817e-45]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'enc': {'__type__': 'Block', 'w': {'enc': {'__array__': 1, 'dtype': 'int64'}, 'b': '<function identity>'}, 'b': {'w': None, 'enc': -3, 'dec': {'__array__': [], 'dtype': 'int64'}}, 'note': 'block'}, 'dec': False}, {'__array__': [-1.401298464324817e-45, -5.146144591598547e-199], 'dtype': 'float64'}, {'__array__': 1.401298464324817e-45, 'dtype': 'float64'}, {'__array__': [[[1.544519759750135], [1.3375783391667138e-20]]], 'dtype': 'float64'}], 'rule': "NAdam(eta=0.0067510958119720325, beta=(0.5843278700682231, 0.7364830861856507), epsilon=1e-06, variant='optax')", 'ops': [{'op': 'step', 'grads': [{'enc': {'w': {'enc': None, 'b': None}, 'b': {'w': None, 'enc': None, 'dec': None}, 'note': None}, 'dec': None}, {'__array__': [0.003873012452710746, -0.0023026992731447287], 'dtype': 'float64'}, 0.0, {'__array__': [[[0.0], [0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'enc': {'w': {'enc': None, 'b': None}, 'b': {'w': None, 'enc': None, 'dec': None}, 'note': None}, 'dec': None}, {'__array__': [0.003803560491730003, -0.001953134765625], 'dtype': 'float64'}, 2.220446049250313e-16, {'__array__': [[[0.0023398875261204845], [0.0019699100040218593]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'enc': {'w': {'enc': None, 'b': None}, 'b': {'w': None, 'enc': None, 'dec': None}, 'note': None}, 'dec': None}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, -0.00013584116010399456, {'__array__': [[[0.0], [0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'enc': {'w': {'enc': None, 'b': None}, 'b': {'w': None, 'enc': None, 'dec': None}, 'note': None}, 'dec': None}, {'__array__': [-0.29266125164026224, -1.7027694772978526e-237], 'dtype': 'float64'}, 2.482306385728551, {'__array__': [[[-0.08882311126906028], [-1.401298464324817e-45]]], 'dtype': 'float64'}]}], 'rules': ["NAdam(eta=0.0067510958119720325, beta=(0.5843278700682231, 0.7364830861856507), epsilon=1e-06, variant='optax')"], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.0067510958119720325, 'betas': (0.5843278700682231, 0.7364830861856507), 'eps': 1e-06, 'weight_decay': 0.0, 'momentum_decay': inf})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, None]):
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
