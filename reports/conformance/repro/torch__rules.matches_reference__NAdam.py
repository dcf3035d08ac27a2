#!/usr/bin/env python
"""optconf repro: torch rules.matches_reference[NAdam] deviates from NADAM-1.

model.weight[0][1]=0.5911238447260292, but should be 0.5911238452455606 [adapter=torch, path=structured, step=4, dtype=float64, observed=5.195314178862986e-10, allowed=2.0140986453361466e-15]

Case seed 457803034.  Inside optconf, replay with:
    optconf replay --adapter torch --property rules.matches_reference --rule NAdam --seed 457803034
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'NADAM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property rules.matches_reference --rule NAdam --seed 457803034'
RULE = {'name': 'NAdam', 'eta': 0.006799757953901561, 'beta': (0.7100117648686513, 0.5812121863789981, ), 'epsilon': 1e-06, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.6075502280203819, dtype=np.float64), np.array([3.2565403685773866, 2.020061583433751], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(1.712559041339266, dtype=np.float64), np.array([-0.37665506169520047, -1.033527643043596], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0013345802276065895, dtype=np.float64), np.array([-0.0018860418491086681, -0.00185546875], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([-8.039124139737721e-189, -8.419786965748691e-193], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([2.737186541634911e-293, -2.00001], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.5911238452455606, dtype=np.float64), np.array([3.2730600555372886, 2.0411365351856183], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.5911238447260292, dtype=np.float64), np.array([3.273060056058197, 2.0411365358096085], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.0140986453361466e-15
PROGRAM_PICKLE = 'gASVXAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUXZRoBowEUGFpcpSTlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgSjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEAEAAAAAAAAABQAAAAAAAACUdJRiaBFoFEsAhZRoFoeUUpQoSwEpaBuMAmY4lImIh5RSlChLA2gfTk5OSv////9K/////0sAdJRiiUMI2MsALQ1x4z+UdJRihpSBlGGMBGJpYXOUaA5dlChLAUsCaBFoFEsAhZRoFoeUUpQoSwFLAoWUaCiJQxA4JmkJZQ0KQBAIJgwWKQBAlHSUYmVK/v///4mIh5SGlIGUjAVzY2FsZZRoEWgUSwCFlGgWh5RSlChLASloKIlDCERD4h1qofg/lHSUYowDYWN0lGgSjAR0YW5olJOUdWKMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFTkFkYW2Uk5QpgZR9lCiMA2V0YZRHP3vaECCGCKOMBGJldGGURz/muGqXvFrsRz/imUpMkRo+hpSMB2Vwc2lsb26URz6wxvegte2NjAd2YXJpYW50lIwFb3B0YXiUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAtdlE5oD4wGc2NhbGFylJOUaChDCBRXME+kZvs/lIaUUpSGlGFoLl2UKE5OaBFoFEsAhZRoFoeUUpQoSwFLAoWUaCiJQxDQo/bUHRvYv7YlJkhUifC/lHSUYmVOTk6HlIaUaDlOaD9OdXNiaFApgZR9lGhTfZQoaAtdlE5oV2goQwhGBJ2bot1Vv5SGlFKUhpRhaC5dlChOTmgRaBRLAIWUaBaHlFKUKEsBSwKFlGgoiUMQ1kvkA6LmXr9mZmZmZmZev5R0lGJlTk5Oh5SGlGg5Tmg/TnVzYmhQKYGUfZRoU32UKGgLXZROaFdoKEMIAAAAAAAAAACUhpRSlIaUYWguXZQoTk5oEWgUSwCFlGgWh5RSlChLAUsChZRoKIlDENiHIdnA6OGYe4wSt1i7DpiUdJRiZU5OToeUhpRoOU5oP051c2JoUCmBlH2UaFN9lChoC12UTmhXaChDCAAAAAAAAAAAlIaUUpSGlGFoLl2UKE5OaBFoFEsAhZRoFoeUUpQoSwFLAoWUaCiJQxAMNeJ1R3sxAzliLT4FAADAlHSUYmVOTk6HlIaUaDlOaD9OdXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'__type__': 'Dense', 'weight': [(np.array([1, 5], dtype=np.int64), np.array(0.6075502280203819, dtype=np.float64), )], 'bias': ([1, 2, np.array([3.2565403685773866, 2.020061583433751], dtype=np.float64)], (-2, False, True, ), ), 'scale': np.array(1.5394078414285142, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'rule': {'__type__': 'NAdam', 'eta': 0.006799757953901561, 'beta': (0.7100117648686513, 0.5812121863789981, ), 'epsilon': 1e-06, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': {'weight': [(None, 1.712559041339266, )], 'bias': ([None, None, np.array([-0.37665506169520047, -1.033527643043596], dtype=np.float64)], (None, None, None, ), ), 'scale': None, 'act': None}}, {'__type__': 'Step', 'grads': {'weight': [(None, -0.0013345802276065895, )], 'bias': ([None, None, np.array([-0.0018860418491086681, -0.00185546875], dtype=np.float64)], (None, None, None, ), ), 'scale': None, 'act': None}}, {'__type__': 'Step', 'grads': {'weight': [(None, 0.0, )], 'bias': ([None, None, np.array([-8.039124139737721e-189, -8.419786965748691e-193], dtype=np.float64)], (None, None, None, ), ), 'scale': None, 'act': None}}, {'__type__': 'Step', 'grads': {'weight': [(None, 0.0, )], 'bias': ([None, None, np.array([2.737186541634911e-293, -2.00001], dtype=np.float64)], (None, None, None, ), ), 'scale': None, 'act': None}}, ), 'dtype': 'float64'}, 'model': {'__type__': 'Dense', 'weight': [[{'__array__': [1, 5], 'dtype': 'int64'}, {'__array__': 0.6075502280203819, 'dtype': 'float64'}]], 'bias': [[1, 2, {'__array__': [3.2565403685773866, 2.020061583433751], 'dtype': 'float64'}], [-2, False, True]], 'scale': {'__array__': 1.5394078414285142, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'rule': "NAdam(eta=0.006799757953901561, beta=(0.7100117648686513, 0.5812121863789981), epsilon=1e-06, variant='optax')", 'ops': [{'op': 'step', 'grads': {'weight': [[None, 1.712559041339266]], 'bias': [[None, None, {'__array__': [-0.37665506169520047, -1.033527643043596], 'dtype': 'float64'}], [None, None, None]], 'scale': None, 'act': None}}, {'op': 'step', 'grads': {'weight': [[None, -0.0013345802276065895]], 'bias': [[None, None, {'__array__': [-0.0018860418491086681, -0.00185546875], 'dtype': 'float64'}], [None, None, None]], 'scale': None, 'act': None}}, {'op': 'step', 'grads': {'weight': [[None, 0.0]], 'bias': [[None, None, {'__array__': [-8.039124139737721e-189, -8.419786965748691e-193], 'dtype': 'float64'}], [None, None, None]], 'scale': None, 'act': None}}, {'op': 'step', 'grads': {'weight': [[None, 0.0]], 'bias': [[None, None, {'__array__': [2.737186541634911e-293, -2.00001], 'dtype': 'float64'}], [None, None, None]], 'scale': None, 'act': None}}], 'rules': ["NAdam(eta=0.006799757953901561, beta=(0.7100117648686513, 0.5812121863789981), epsilon=1e-06, variant='optax')"], 'variant': 'optax', 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.006799757953901561, 'betas': (0.7100117648686513, 0.5812121863789981), 'eps': 1e-06, 'weight_decay': 0.0, 'momentum_decay': inf})
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
        print("recorded deviation (NADAM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (NADAM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
