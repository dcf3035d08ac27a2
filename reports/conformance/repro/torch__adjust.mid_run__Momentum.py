#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[Momentum] deviates from MOMENTUM-2.

model[1][0, 1, 0]=0.2784953952566523, but should be 0.3841308106841069 [adapter=torch, path=structured, step=4, dtype=float64, observed=0.10563541542745464, allowed=1.8601497337615453e-15]

Case seed 3984659859.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule Momentum --seed 3984659859
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'MOMENTUM-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule Momentum --seed 3984659859'
RULE = {'name': 'Momentum', 'eta': 0.040910050804535164, 'rho': 0.0, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[-0.48110365433162183], [-1.175494351e-38]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[1.4834664247147521e-270], [-2.6654887289763156]]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'rho': 0.5330758610800067}}, {'op': 'step', 'grads': [np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[2.2250738585072014e-308], [-2.701768941597958]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-0.0038290239026300427], [-9.765625e-09]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[-0.48094700876923346], [0.3841308106841069]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[-0.48094700876923346], [0.2784953952566523]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.8601497337615453e-15
PROGRAM_PICKLE = 'gASV/QIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlCiMAJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMCGlkZW50aXR5lJOUjAVudW1weZSMBHRhbmiUk5RljBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUaAyMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAUsCSwGHlGgMjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEDDJVftmyt6/m2MKAAAAELiUdJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmRlc2NlbnSUjAhNb21lbnR1bZSTlCmBlH2UKIwDZXRhlEc/pPIphJD8lIwDcmhvlEcAAAAAAAAAAIwHdmFyaWFudJSMBXRvcmNolHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKF2UKE5OTmVoEWgTSwCFlGgVh5RSlChLAUsBSwJLAYeUaB2JQxACStQeIRTpB6R6NsHrUgXAlHSUYmVzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lGgpRz/hDvUbtAV5c3NiaC4pgZR9lGgxXZQoXZQoTk5OZWgRaBNLAIWUaBWHlFKUKEsBSwFLAksBh5RoHYlDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNiaC4pgZR9lGgxXZQoXZQoTk5OZWgRaBNLAIWUaBWHlFKUKEsBSwFLAksBh5RoHYlDEAAAAAAAABAAGBjsCDmdBcCUdJRiZXNiaC4pgZR9lGgxXZQoXZQoTk5OZWgRaBNLAIWUaBWHlFKUKEsBSwFLAksBh5RoHYlDEMQq/40LXm+/8WjjiLX4RL6UdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [['', '<function identity at 0x7fb7b3169a80>', "<ufunc 'tanh'>"], np.array([[[-0.48110365433162183], [-1.175494351e-38]]], dtype=np.float64)], 'rule': {'__type__': 'Momentum', 'eta': 0.040910050804535164, 'rho': 0.0, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [[None, None, None], np.array([[[1.4834664247147521e-270], [-2.6654887289763156]]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'rho': 0.5330758610800067}}, {'__type__': 'Step', 'grads': [[None, None, None], np.array([[[0.0], [0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[None, None, None], np.array([[[2.2250738585072014e-308], [-2.701768941597958]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[None, None, None], np.array([[[-0.0038290239026300427], [-9.765625e-09]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [['', '<function identity at 0x7fb7b3169a80>', "<ufunc 'tanh'>"], {'__array__': [[[-0.48110365433162183], [-1.175494351e-38]]], 'dtype': 'float64'}], 'rule': "Momentum(eta=0.040910050804535164, rho=0.0, variant='torch')", 'ops': [{'op': 'step', 'grads': [[None, None, None], {'__array__': [[[1.4834664247147521e-270], [-2.6654887289763156]]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'rho': 0.5330758610800067}}, {'op': 'step', 'grads': [[None, None, None], {'__array__': [[[0.0], [0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None, None, None], {'__array__': [[[2.2250738585072014e-308], [-2.701768941597958]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None, None, None], {'__array__': [[[-0.0038290239026300427], [-9.765625e-09]]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 0.040910050804535164, 'momentum': 0.0, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, {'lr': 0.040910050804535164, 'momentum': 0.5330758610800067, 'weight_decay': 0.0}, None, None, None]):
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
        print("recorded deviation (MOMENTUM-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (MOMENTUM-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
