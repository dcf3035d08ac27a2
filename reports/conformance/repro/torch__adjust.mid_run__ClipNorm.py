#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[ClipNorm] deviates from CLIPNORM-1.

model[2][0, 0, 0]=0.5108348681090152, but should be 0.5108350152009088 [adapter=torch, path=structured, step=3, dtype=float64, observed=1.470918935542187e-07, allowed=8.080484897270696e-15]

Case seed 3792631530.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule ClipNorm --seed 3792631530
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'CLIPNORM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule ClipNorm --seed 3792631530'
RULE = {'name': 'ClipNorm', 'omega': 0.5883677208345413, 'p': float('inf'), 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[-0.07957118312722589, -0.07957118312722589]], [[-3.711740578715373, 0.5]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, np.array([[[-0.0018054273749935012, 0.0035838689159426278]], [[-0.0003363684620197394, -1.1479437021484375e-41]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-3.9999999999999996, 0.25]], [[-3.28159812424863, -4.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-0.000233050118599973, -0.0019224387219526902]], [[-0.0013531706707947187, 0.003385960485148748]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[0.5108350152009088, -0.11800559587337466]], [[-3.2273544373177905, 1.0849817603493925]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([[[0.5108348681090152, -0.11800558668013131]], [[-3.227354557991911, 1.0849816132574992]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.080484897270696e-15
PROGRAM_PICKLE = 'gASVxAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCgpjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwJLAUsCh5RoFolDIEBHPO3GXrS/QEc87cZetL+UjGYLpbENwAAAAAAAAOA/lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwIQ2xpcE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc/4tPoiuA0iIwBcJRHf/AAAAAAAACMBXRocm93lIh1YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKClOaAloDEsAhZRoDoeUUpQoSwFLAksBSwKHlGgWiUMg5kT64YKUXb/YHzD56lttP5A0NYtTCza/m2MKAAAAcLeUdJRiZXNiaCwpgZR9lGgvXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwCFlGgWiWgZdJRiaAloDEsAhZRoDoeUUpQoSwFLAksBSwKHlGgWiUMg////////D8AAAAAAAADQPzwacoS2QArAAAAAAAAAEMCUdJRiZXNiaCwpgZR9lGgvXZQoTmgJaAxLAIWUaA6HlFKUKEsBSwCFlGgWiWgZdJRiaAloDEsAhZRoDoeUUpQoSwFLAksBSwKHlGgWiUMgoK+CRt2LLr/+Uh7cSn9fvx7fufGbK1a/QI6Tsd+8az+UdJRiZXNih5SMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [(), np.array([], dtype=np.float64), np.array([[[-0.07957118312722589, -0.07957118312722589]], [[-3.711740578715373, 0.5]]], dtype=np.float64)], 'rule': {'__type__': 'ClipNorm', 'omega': 0.5883677208345413, 'p': float('inf'), 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [(), None, np.array([[[-0.0018054273749935012, 0.0035838689159426278]], [[-0.0003363684620197394, -1.1479437021484375e-41]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(), np.array([], dtype=np.float64), np.array([[[-3.9999999999999996, 0.25]], [[-3.28159812424863, -4.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, np.array([], dtype=np.float64), np.array([[[-0.000233050118599973, -0.0019224387219526902]], [[-0.0013531706707947187, 0.003385960485148748]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-0.07957118312722589, -0.07957118312722589]], [[-3.711740578715373, 0.5]]], 'dtype': 'float64'}], 'rule': 'ClipNorm(omega=0.5883677208345413, p=inf, throw=True)', 'ops': [{'op': 'step', 'grads': [[], None, {'__array__': [[[-0.0018054273749935012, 0.0035838689159426278]], [[-0.0003363684620197394, -1.1479437021484375e-41]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[], {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-3.9999999999999996, 0.25]], [[-3.28159812424863, -4.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-0.000233050118599973, -0.0019224387219526902]], [[-0.0013531706707947187, 0.003385960485148748]]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 3}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None]):
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
            for name, clip in [('ClipNorm', {'omega': 0.5883677208345413, 'p': inf, 'throw': True})]:
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
        print("recorded deviation (CLIPNORM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CLIPNORM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
