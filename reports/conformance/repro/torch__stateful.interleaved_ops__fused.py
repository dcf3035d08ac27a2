#!/usr/bin/env python
"""optconf repro: torch stateful.interleaved_ops[fused] deviates from ADJ-2.

adam.beta_t[model[1]][0]=0.3920813930610744, but should be 0.0008070252095335482 [adapter=torch, path=fused, step=5, dtype=float32, observed=0.39127436785154085, allowed=3.6553717604162006e-05]

Case seed 4042118088.  Inside optconf, replay with:
    optconf replay --adapter torch --property stateful.interleaved_ops --path fused --seed 4042118088
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'fused'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter torch --property stateful.interleaved_ops --path fused --seed 4042118088'
RULE = {'name': 'Adam', 'eta': 0.007248372616219837, 'beta': (0.168547290479626, 0.9697993031521251, ), 'epsilon': 0.001}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[1.5], [1.5]], [[1.5], [-3.0]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[2.623509407043457], [3.0]], [[2.506844997406006], [0.8043656945228577]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[2.588413715362549], [1.131047010421753]], [[1.899999976158142], [0.4797199070453644]]], dtype=np.float64)]}, {'op': 'step', 'grads': [None]}, {'op': 'step', 'grads': [None]}, {'op': 'step', 'grads': [np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'eta': 0.0005, 'epsilon': 1e-08}}, {'op': 'adjust', 'changes': {'beta': (0.7913052700919548, 0.9, )}}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[1.4840784232555613], [1.487337645603977]], [[1.4849494468111963], [-3.014187440306749]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[1.4840784072875977], [1.4873377084732056]], [[1.4849493503570557], [-3.0141873359680176]]], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.6553717604162006e-05
PROGRAM_PICKLE = 'gASVRgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5ROfZSMAXeUjARyZWx1lHOGlIGUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksCSwGHlGgSjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDIAAAAAAAAPg/AAAAAAAA+D8AAAAAAAD4PwAAAAAAAAjAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/fbB4NV/KKowEYmV0YZRHP8WS9SY4PnNHP+8ImIxXGluGlIwHZXBzaWxvbpRHP1BiTdLxqfx1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOfZRoC05zhpRoEWgUSwCFlGgWh5RSlChLAUsCSwJLAYeUaB6JQyAAAACA8vwEQAAAAAAAAAhAAAAAwAQOBEAAAAAgXb3pP5R0lGJlc2JoLymBlH2UaDJdlChOfZRoC05zhpRoEWgUSwCFlGgWh5RSlChLAUsCSwJLAYeUaB6JQyAAAABAErUEQAAAAMDEGPI/AAAAYGZm/j8AAAAgu7PeP5R0lGJlc2JoLymBlH2UaDJOc2JoLymBlH2UaDJOc2JoLymBlH2UaDJdlChOfZRoC05zhpRoEWgUSwCFlGgWh5RSlChLAUsCSwJLAYeUaB6JQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaClHP0BiTdLxqfxoLEc+RXmO4jCMOnVzYmhXKYGUfZRoWn2UaCpHP+lSX24GUQtHP+zMzMzMzM2GlHNzYnSUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [(None, {'w': 'relu'}, ), np.array([[[1.5], [1.5]], [[1.5], [-3.0]]], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.007248372616219837, 'beta': (0.168547290479626, 0.9697993031521251, ), 'epsilon': 0.001}, 'ops': ({'__type__': 'Step', 'grads': [(None, {'w': None}, ), np.array([[[2.623509407043457], [3.0]], [[2.506844997406006], [0.8043656945228577]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(None, {'w': None}, ), np.array([[[2.588413715362549], [1.131047010421753]], [[1.899999976158142], [0.4797199070453644]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [(None, {'w': None}, ), np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'eta': 0.0005, 'epsilon': 1e-08}}, {'__type__': 'Adjust', 'changes': {'beta': (0.7913052700919548, 0.9, )}}, ), 'dtype': 'float32'}, 'model': [[None, {'w': 'relu'}], {'__array__': [[[1.5], [1.5]], [[1.5], [-3.0]]], 'dtype': 'float64'}], 'rule': 'Adam(eta=0.007248372616219837, beta=(0.168547290479626, 0.9697993031521251), epsilon=0.001)', 'ops': [{'op': 'step', 'grads': [[None, {'w': None}], {'__array__': [[[2.623509407043457], [3.0]], [[2.506844997406006], [0.8043656945228577]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None, {'w': None}], {'__array__': [[[2.588413715362549], [1.131047010421753]], [[1.899999976158142], [0.4797199070453644]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [[None, {'w': None}], {'__array__': [[[0.0], [0.0]], [[0.0], [0.0]]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'eta': 0.0005, 'epsilon': 1e-08}}, {'op': 'adjust', 'changes': {'beta': [0.7913052700919548, 0.9]}}], 'path': 'fused', 'dtype': 'float32', 'step': 5}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adam(params, **{'lr': 0.007248372616219837, 'betas': (0.168547290479626, 0.9697993031521251), 'eps': 0.001, 'weight_decay': 0.0, 'fused': True})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, None, None, {'lr': 0.0005, 'betas': (0.168547290479626, 0.9697993031521251), 'eps': 1e-08, 'weight_decay': 0.0}, {'lr': 0.0005, 'betas': (0.7913052700919548, 0.9), 'eps': 1e-08, 'weight_decay': 0.0}]):
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
            for name, clip in []:
                if name == "ClipGrad":
                    torch.nn.utils.clip_grad_value_(held, clip["delta"])
                elif name == "ClipGlobalNorm":
                    torch.nn.utils.clip_grad_norm_(held, clip["omega"])
                else:
                    for p in held:
                        torch.nn.utils.clip_grad_norm_([p], clip["omega"], norm_type=clip["p"])
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
