#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[NAdam,structured] deviates from FLAT-6.

model[0]=0.0062346213191049734, but should be 0.006234621321560695 [adapter=torch, path=structured, step=4, dtype=float64, observed=2.4557213901266195e-12, allowed=4.99319090085504e-16]

Case seed 4268718501.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path structured --seed 4268718501
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path structured --seed 4268718501'
RULE = {'name': 'NAdam', 'eta': 0.0032562401319058266, 'beta': (0.22343130489323487, 0.7693108105927454, ), 'epsilon': 0.001, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-7.365011107370289e-63, dtype=np.float64), np.array([[[-0.3333333333333333], [0.5454736001887364]], [[-3.372169565844528], [1.302184097220235e-108]]], dtype=np.float64), np.array(-1.175494351e-38, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-0.0027864726304738, dtype=np.float64), np.array([[[3.2090211130177266], [-2.8846540471931146]], [[3.9364633132507585], [0.02610677761313429]]], dtype=np.float64), np.array(2.23496663303348, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(5.960464477539063e-08, dtype=np.float64), np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0017367871248193016, dtype=np.float64), np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), np.array(-0.003002034451115425, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.5988194050822893, dtype=np.float64), np.array([[[1.8765767511162812], [3.2081309916355654]], [[1.8765767511162812], [1.8765767511162812]]], dtype=np.float64), np.array(3.020011506951052, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.006234621321560695, dtype=np.float64), np.array([[[-0.34085043478613275], [0.5451349233129357]], [[-3.3792829707025263], [-0.009142601856399413]]], dtype=np.float64), np.array(-0.008750150596751511, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.0062346213191049734, dtype=np.float64), np.array([[[-0.3408504347820493], [0.54513492331011]], [[-3.3792829706985077], [-0.009142601852160391]]], dtype=np.float64), np.array(-0.008750150592473124, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.99319090085504e-16
PROGRAM_PICKLE = 'gASVKQUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwhs8Ah0Aj0Is5R0lGJdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAloDEsAhZRoDoeUUpQoSwFLAIWUaBKMAmk4lImIh5RSlChLA2gWTk5OSv////9K/////0sAdJRiiUMAlHSUYowEYmlhc5ROjAVzY2FsZZRoCWgMSwCFlGgOh5RSlChLASloFYlDCE57QXc4tPy/lHSUYowDYWN0lGgKjAR0YW5olJOUdWJoCWgMSwCFlGgOh5RSlChLAUsCSwJLAYeUaBWJQyBVVVVVVVXVv0iLNA2FdOE/PPOOCTT6CsBOrfDOQ3eIKZR0lGJoEGgJaAxLAIWUaA6HlFKUKEsBKWgViUMIm2MKAAAAELiUdJRiZWWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFTkFkYW2Uk5QpgZR9lCiMA2V0YZRHP2qs1Jv7j9+MBGJldGGURz/MmWWhtaNiRz/onjG0fpAdhpSMB2Vwc2lsb26URz9QYk3S8an8jAd2YXJpYW50lIwFb3B0YXiUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoaAeMBnNjYWxhcpSTlGgVQwjI7zUaqNNmv5SGlFKUXZQofZQoaCBOaCtOaCxOaDJOdWgJaAxLAIWUaA6HlFKUKEsBSwJLAksBh5RoFYlDIGCt5EITrAlAbL9HgMUTB8DIhkJ64H0PQACdNTC8u5o/lHSUYmhUaBVDCAAAAAAAAAAAlIaUUpRoVGgVQwiAPaQvNuEBQJSGlFKUZWVzYmhOKYGUfZRoUV2UKGhUaBVDCF+2hUFTaAYSlIaUUpRdlCh9lChoIE5oK05oLE5oMk51aAloDEsAhZRoDoeUUpQoSwFLAksCSwGHlGgViUMgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACUdJRiaFRoFUMIAAAAAAAAcD6UhpRSlGhUaBVDCAAAAAAAAAAAlIaUUpRlZXNiaE4pgZR9lGhRXZQoaFRoFUMIVHit+Zx0XD+UhpRSlF2UKH2UKGggTmgrTmgsTmgyTnVoCWgMSwCFlGgOh5RSlChLAUsCSwJLAYeUaBWJQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJoVGgVQwiSpwci7VNZsJSGlFKUaFRoFUMIpIk/+biXaL+UhpRSlGVlc2JoTimBlH2UaFFdlChoVGgVQwgAAAAAAAAAAJSGlFKUXZQofZQoaCBOaCtOaCxOaDJOdWgJaAxLAIWUaA6HlFKUKEsBSwJLAksBh5RoFYlDIFyn51d1Bv4/1N7SlECqCUBcp+dXdQb+P1yn51d1Bv4/lHSUYmhUaBVDCEg8IVCHKeO/lIaUUpRoVGgVQwgEMP/K+ygIQJSGlFKUZWVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array(-7.365011107370289e-63, dtype=np.float64), [{'__type__': 'Dense', 'weight': np.array([], dtype=np.int64), 'bias': None, 'scale': np.array(-1.7939991625241478, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, np.array([[[-0.3333333333333333], [0.5454736001887364]], [[-3.372169565844528], [1.302184097220235e-108]]], dtype=np.float64), np.array(-7.365011107370289e-63, dtype=np.float64), np.array(-1.175494351e-38, dtype=np.float64)]], 'rule': {'__type__': 'NAdam', 'eta': 0.0032562401319058266, 'beta': (0.22343130489323487, 0.7693108105927454, ), 'epsilon': 0.001, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [-0.0027864726304738, [{'weight': None, 'bias': None, 'scale': None, 'act': None}, np.array([[[3.2090211130177266], [-2.8846540471931146]], [[3.9364633132507585], [0.02610677761313429]]], dtype=np.float64), 0.0, 2.23496663303348]]}, {'__type__': 'Step', 'grads': [7.748667126246897e-222, [{'weight': None, 'bias': None, 'scale': None, 'act': None}, np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), 5.960464477539063e-08, 0.0]]}, {'__type__': 'Step', 'grads': [0.0017367871248193016, [{'weight': None, 'bias': None, 'scale': None, 'act': None}, np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), -8.749418817183092e-76, -0.003002034451115425]]}, {'__type__': 'Step', 'grads': [0.0, [{'weight': None, 'bias': None, 'scale': None, 'act': None}, np.array([[[1.8765767511162812], [3.2081309916355654]], [[1.8765767511162812], [1.8765767511162812]]], dtype=np.float64), -0.5988194050822893, 3.020011506951052]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': -7.365011107370289e-63, 'dtype': 'float64'}, [{'__type__': 'Dense', 'weight': {'__array__': [], 'dtype': 'int64'}, 'bias': None, 'scale': {'__array__': -1.7939991625241478, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'__array__': [[[-0.3333333333333333], [0.5454736001887364]], [[-3.372169565844528], [1.302184097220235e-108]]], 'dtype': 'float64'}, {'__array__': -7.365011107370289e-63, 'dtype': 'float64'}, {'__array__': -1.175494351e-38, 'dtype': 'float64'}]], 'rule': "NAdam(eta=0.0032562401319058266, beta=(0.22343130489323487, 0.7693108105927454), epsilon=0.001, variant='optax')", 'ops': [{'op': 'step', 'grads': [-0.0027864726304738, [{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'__array__': [[[3.2090211130177266], [-2.8846540471931146]], [[3.9364633132507585], [0.02610677761313429]]], 'dtype': 'float64'}, 0.0, 2.23496663303348]]}, {'op': 'step', 'grads': [7.748667126246897e-222, [{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'__array__': [[[0.0], [0.0]], [[0.0], [0.0]]], 'dtype': 'float64'}, 5.960464477539063e-08, 0.0]]}, {'op': 'step', 'grads': [0.0017367871248193016, [{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'__array__': [[[0.0], [0.0]], [[0.0], [0.0]]], 'dtype': 'float64'}, -8.749418817183092e-76, -0.003002034451115425]]}, {'op': 'step', 'grads': [0.0, [{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'__array__': [[[1.8765767511162812], [3.2081309916355654]], [[1.8765767511162812], [1.8765767511162812]]], 'dtype': 'float64'}, -0.5988194050822893, 3.020011506951052]]}], 'rules': ["NAdam(eta=0.0032562401319058266, beta=(0.22343130489323487, 0.7693108105927454), epsilon=0.001, variant='optax')"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.0032562401319058266, 'betas': (0.22343130489323487, 0.7693108105927454), 'eps': 0.001, 'weight_decay': 0.0, 'momentum_decay': inf})
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
