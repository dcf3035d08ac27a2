#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[NAdam,flat_vector] deviates from FLAT-6.

model[2][0]=2.047343210056046, but should be 2.047343210246993 [adapter=torch, path=flat_vector, step=4, dtype=float64, observed=1.9094681391607082e-10, allowed=4.151774929290785e-15]

Case seed 3254518615.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path flat_vector --seed 3254518615
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path flat_vector --seed 3254518615'
RULE = {'name': 'NAdam', 'eta': 0.005694526873839274, 'beta': (0.5659908196595453, 0.5385982099688944, ), 'epsilon': 1e-06, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.039463954479439], dtype=np.float64), np.array(-0.5, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[], []], [[], []]], dtype=np.float64), np.array([-1.1479437019748901e-41], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[], []], [[], []]], dtype=np.float64), np.array([-0.0011862292722013153], dtype=np.float64), np.array(2.5058953225532523, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[], []], [[], []]], dtype=np.float64), np.array([0.001093749940844887], dtype=np.float64), np.array(0.0027679324674479075, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[], []], [[], []]], dtype=np.float64), np.array([-0.0019923245540035494], dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.047343210246993], dtype=np.float64), np.array(-0.5095118322618516, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.047343210056046], dtype=np.float64), np.array(-0.5095118320061506, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.151774929290785e-15
PROGRAM_PICKLE = 'gASV3QUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAkpgZR9lChoDImMBGJpYXOUTowFc2NhbGWUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBSMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMImymtf3ci9y2UdJRijANhY3SUaBSMBHRhbmiUk5R1YmgPaAkpgZR9lChoDGgJKYGUfZQoaAxoB4wIaWRlbnRpdHmUk5RoD2gTaBZLAIWUaBiHlFKUKEsBKWgcjAJpOJSJiIeUUpQoSwNoIE5OTkr/////Sv////9LAHSUYolDCAAAAAAAAAAAlHSUYmgQaBNoFksAhZRoGIeUUpQoSwFLAEsBSwCHlGgfiUMAlHSUYmgkaCx1YmgPSv////9oEGgTaBZLAIWUaBiHlFKUKEsBSwBLAIaUaB+JaDp0lGJoJGgmdWJoEGgTaBZLAIWUaBiHlFKUKEsBSwBLAEsCh5RoH4loOnSUYmgkaCZ1YmgTaBZLAIWUaBiHlFKUKEsBSwJLAksAh5RoH4loOnSUYmgTaBZLAIWUaBiHlFKUKEsBSwGFlGgfiUMIVOFOetJQAECUdJRiaBNoFksAhZRoGIeUUpQoSwEpaB+JQwgAAAAAAADgv5R0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBU5BZGFtlJOUKYGUfZQojANldGGURz93UyTrB4HUjARiZXRhlEc/4hyYx4jEdEc/4TwyUDAEcoaUjAdlcHNpbG9ulEc+sMb3oLXtjYwHdmFyaWFudJSMBW9wdGF4lHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgMfZQoaAxOaA9OaBBOaCROdWgPfZQoaAx9lChoDE5oD05oEE5oJE51aA9OaBBOaCROdWgQTmgkTnVoE2gWSwCFlGgYh5RSlChLAUsCSwJLAIeUaB+JaDp0lGJoE2gWSwCFlGgYh5RSlChLAUsBhZRoH4lDCAAAAAAAAHC3lHSUYmgRjAZzY2FsYXKUk5RoH0MIAAAAAAAAAACUhpRSlGVzYmhkKYGUfZRoZ12UKH2UKGgMfZQoaAxOaA9OaBBOaCROdWgPfZQoaAx9lChoDE5oD05oEE5oJE51aA9OaBBOaCROdWgQTmgkTnVoE2gWSwCFlGgYh5RSlChLAUsCSwJLAIeUaB+JaDp0lGJoE2gWSwCFlGgYh5RSlChLAUsBhZRoH4lDCEaXf/tnb1O/lHSUYmh5aB9DCFSGzNgSDARAlIaUUpRlc2JoZCmBlH2UaGddlCh9lChoDH2UKGgMTmgPTmgQTmgkTnVoD32UKGgMfZQoaAxOaA9OaBBOaCROdWgPTmgQTmgkTnVoEE5oJE51aBNoFksAhZRoGIeUUpQoSwFLAksCSwCHlGgfiWg6dJRiaBNoFksAhZRoGIeUUpQoSwFLAYWUaB+JQwgkpnUOhetRP5R0lGJoeWgfQwgwcpttxqxmP5SGlFKUZXNiaGQpgZR9lGhnXZQofZQoaAx9lChoDE5oD05oEE5oJE51aA99lChoDH2UKGgMTmgPTmgQTmgkTnVoD05oEE5oJE51aBBOaCROdWgTaBZLAIWUaBiHlFKUKEsBSwJLAksAh5RoH4loOnSUYmgTaBZLAIWUaBiHlFKUKEsBSwGFlGgfiUMI88atGTVSYL+UdJRiaHloH0MIAAAAAAAAAACUhpRSlGVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Dense', 'weight': False, 'bias': None, 'scale': np.array(2.907394302674318e-87, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'bias': {'__type__': 'Dense', 'weight': {'__type__': 'Dense', 'weight': '<function identity>', 'bias': np.array(0, dtype=np.int64), 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, 'bias': -1, 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.039463954479439], dtype=np.float64), np.array(-0.5, dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.005694526873839274, 'beta': (0.5659908196595453, 0.5385982099688944, ), 'epsilon': 1e-06, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[], []], [[], []]], dtype=np.float64), np.array([-1.1479437019748901e-41], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [{'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[], []], [[], []]], dtype=np.float64), np.array([-0.0011862292722013153], dtype=np.float64), 2.5058953225532523]}, {'__type__': 'Step', 'grads': [{'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[], []], [[], []]], dtype=np.float64), np.array([0.001093749940844887], dtype=np.float64), 0.0027679324674479075]}, {'__type__': 'Step', 'grads': [{'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[], []], [[], []]], dtype=np.float64), np.array([-0.0019923245540035494], dtype=np.float64), 0.0]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Dense', 'weight': False, 'bias': None, 'scale': {'__array__': 2.907394302674318e-87, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'bias': {'__type__': 'Dense', 'weight': {'__type__': 'Dense', 'weight': '<function identity>', 'bias': {'__array__': 0, 'dtype': 'int64'}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, 'bias': -1, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [2.039463954479439], 'dtype': 'float64'}, {'__array__': -0.5, 'dtype': 'float64'}], 'rule': "NAdam(eta=0.005694526873839274, beta=(0.5659908196595453, 0.5385982099688944), epsilon=1e-06, variant='optax')", 'ops': [{'op': 'step', 'grads': [{'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [-1.1479437019748901e-41], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [{'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [-0.0011862292722013153], 'dtype': 'float64'}, 2.5058953225532523]}, {'op': 'step', 'grads': [{'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [0.001093749940844887], 'dtype': 'float64'}, 0.0027679324674479075]}, {'op': 'step', 'grads': [{'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': {'weight': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [-0.0019923245540035494], 'dtype': 'float64'}, 0.0]}], 'rules': ["NAdam(eta=0.005694526873839274, beta=(0.5659908196595453, 0.5385982099688944), epsilon=1e-06, variant='optax')"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.005694526873839274, 'betas': (0.5659908196595453, 0.5385982099688944), 'eps': 1e-06, 'weight_decay': 0.0, 'momentum_decay': inf})
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
