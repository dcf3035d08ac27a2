#!/usr/bin/env python
"""optconf repro: torch stateful.interleaved_ops[flat_list] deviates from ADJ-2.

adam.beta_t[model[0].w[2][0]][1]=0.8800893795483135, but should be 0.7922973746300299 [adapter=torch, path=flat_list, step=1, dtype=float32, observed=0.08779200491828354, allowed=1.765519535433913e-06]

Case seed 3470149394.  Inside optconf, replay with:
    optconf replay --adapter torch --property stateful.interleaved_ops --path flat_list --seed 3470149394
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'flat_list'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter torch --property stateful.interleaved_ops --path flat_list --seed 3470149394'
RULE = {'name': 'Adam', 'eta': 0.002920803937703242, 'beta': (0.001, 0.8901108777169449, ), 'epsilon': 1e-06}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.424717664718628, dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'thaw', 'keys': [2]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.1488741823819327, 0.93813079021441, ), 'epsilon': 1e-06}}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.424717664718628, dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float32), np.array([], dtype=np.float32), np.array(-2.424717664718628, dtype=np.float32), np.array([], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.765519535433913e-06
PROGRAM_PICKLE = 'gASVNgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lF2UKGgHjARQYWlylJOUSwKMAJSGlIGUaA+JSwGGlIGUXZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsASwJLAoeUaBmMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYmFljAFilF2UjARub3RllIwEaGVhZJR1YmgYaBtLAIWUaB2HlFKUKEsBSwCFlGgliWgodJRiaBhoG0sAhZRoHYeUUpQoSwEpaCWJQwgAAABg0mUDwJR0lGJoGGgbSwCFlGgdh5RSlChLAUsAhZRoJYloKHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/Z+1erH6tMowEYmV0YZRHP1BiTdLxqfxHP+x7yc6zddSGlIwHZXBzaWxvbpRHPrDG96C17Y11YowDb3BzlGgAjARUaGF3lJOUKYGUfZSMBGtleXOUSwKFlHNiaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAxdlChOToaUTk6GlF2UaBhoG0sAhZRoHYeUUpQoSwFLAEsCSwKHlGgliWgodJRiYWVoKl2UaCxOdWgYaBtLAIWUaB2HlFKUKEsBSwCFlGgliWgodJRiaBaMBnNjYWxhcpSTlGglQwgAAAAAAAAAAJSGlFKUaBhoG0sAhZRoHYeUUpQoSwFLAIWUaCWJaCh0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaERHP8MOTyhGSjtHP+4FKtzq7cyGlGhGRz6wxvegte2NdXNih5SMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': [(2, '', ), (False, 1, ), [np.array([], dtype=np.float64)]], 'b': [], 'note': 'head'}, np.array([], dtype=np.float64), np.array(-2.424717664718628, dtype=np.float64), np.array([], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.002920803937703242, 'beta': (0.001, 0.8901108777169449, ), 'epsilon': 1e-06}, 'ops': ({'__type__': 'Thaw', 'keys': (2, )}, {'__type__': 'Step', 'grads': [{'w': [(None, None, ), (None, None, ), [np.array([], dtype=np.float64)]], 'b': [], 'note': None}, np.array([], dtype=np.float64), 0.0, np.array([], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (0.1488741823819327, 0.93813079021441, ), 'epsilon': 1e-06}}, ), 'dtype': 'float32'}, 'model': [{'__type__': 'Block', 'w': [[2, ''], [False, 1], [{'__array__': [], 'dtype': 'float64'}]], 'b': [], 'note': 'head'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': -2.424717664718628, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'rule': 'Adam(eta=0.002920803937703242, beta=(0.001, 0.8901108777169449), epsilon=1e-06)', 'ops': [{'op': 'thaw', 'keys': [2]}, {'op': 'step', 'grads': [{'w': [[None, None], [None, None], [{'__array__': [], 'dtype': 'float64'}]], 'b': [], 'note': None}, {'__array__': [], 'dtype': 'float64'}, 0.0, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [0.1488741823819327, 0.93813079021441], 'epsilon': 1e-06}}], 'path': 'flat_list', 'dtype': 'float32', 'step': 1}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adam(params, **{'lr': 0.002920803937703242, 'betas': (0.001, 0.8901108777169449), 'eps': 1e-06, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [[2], None, {'lr': 0.002920803937703242, 'betas': (0.1488741823819327, 0.93813079021441), 'eps': 1e-06, 'weight_decay': 0.0}]):
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
