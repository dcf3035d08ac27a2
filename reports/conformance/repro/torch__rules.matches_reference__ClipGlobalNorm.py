#!/usr/bin/env python
"""optconf repro: torch rules.matches_reference[ClipGlobalNorm] deviates from CLIPGLOBALNORM-1.

model[1][1, 0]=-1.500317192526275, but should be -1.5003171931671848 [adapter=torch, path=structured, step=4, dtype=float64, observed=6.409097697002153e-10, allowed=3.2324444845202465e-15]

Case seed 514826386.  Inside optconf, replay with:
    optconf replay --adapter torch --property rules.matches_reference --rule ClipGlobalNorm --seed 514826386
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'CLIPGLOBALNORM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property rules.matches_reference --rule ClipGlobalNorm --seed 514826386'
RULE = {'name': 'ClipGlobalNorm', 'omega': 2.7385218224471113, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[1.8102650057330925], [-1.4979252697419994]], dtype=np.float64), np.array(3.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[1.7448866483523177e-173], [0.002577491403995812]], dtype=np.float64), np.array(2.9910648074513357, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0], [0.0]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.001887325691311643], [-0.0005133318276757731]], dtype=np.float64), np.array(-3.0813129611559162, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.001953134765625], [0.00048828125]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[1.8066345075786658], [-1.5003171931671848]], dtype=np.float64), np.array(3.000000465083441, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[1.806634508123032], [-1.500317192526275]], dtype=np.float64), np.array(3.0000004918990335, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.2324444845202465e-15
PROGRAM_PICKLE = 'gASVsQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lGgHjARQYWlylJOUjARyZWx1lIwFbnVtcHmUjAR0YW5olJOUhpSBlIwBYpR9lCiMA2VuY5RoD4wBYZSIdYwEbm90ZZSMBGhlYWSUdWKMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5RoEIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsCSwGGlGgQjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEFx4S3DY9vw/Rk3WfID397+UdJRiaB1oH0sAhZRoIYeUUpQoSwEpaCmJQwgAAAAAAAAIQJR0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHQAXofiEWV1+MBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDE5OhpRoFX2UKGgXTmgYTnVoGU51aB1oH0sAhZRoIYeUUpQoSwFLAksBhpRoKYlDEN3jh9w1QxEcZPQlKWQdZT+UdJRiaBuMBnNjYWxhcpSTlGgpQwicwsFis+0HQJSGlFKUZXNiaD0pgZR9lGhAXZQofZQoaAxOToaUaBV9lChoF05oGE51aBlOdWgdaB9LAIWUaCGHlFKUKEsBSwJLAYaUaCmJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmhMaClDCAAAAAAAAAAAlIaUUpRlc2JoPSmBlH2UaEBdlCh9lChoDE5OhpRoFX2UKGgXTmgYTnVoGU51aB1oH0sAhZRoIYeUUpQoSwFLAksBhpRoKYlDEITXv4cE7F4/OPC3tCPSQL+UdJRiaExoKUMIoD7naIemCMCUhpRSlGVzYmg9KYGUfZRoQF2UKH2UKGgMTk6GlGgVfZQoaBdOaBhOdWgZTnVoHWgfSwCFlGghh5RSlChLAUsCSwGGlGgpiUMQOWItPgUAYD8AAAAAAABAP5R0lGJoTGgpQwgAAAAAAAAAAJSGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': ('relu', "<ufunc 'tanh'>", ), 'b': {'enc': 'relu', 'a': True}, 'note': 'head'}, np.array([[1.8102650057330925], [-1.4979252697419994]], dtype=np.float64), np.array(3.0, dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 2.7385218224471113, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [{'w': (None, None, ), 'b': {'enc': None, 'a': None}, 'note': None}, np.array([[1.7448866483523177e-173], [0.002577491403995812]], dtype=np.float64), 2.9910648074513357]}, {'__type__': 'Step', 'grads': [{'w': (None, None, ), 'b': {'enc': None, 'a': None}, 'note': None}, np.array([[0.0], [0.0]], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [{'w': (None, None, ), 'b': {'enc': None, 'a': None}, 'note': None}, np.array([[0.001887325691311643], [-0.0005133318276757731]], dtype=np.float64), -3.0813129611559162]}, {'__type__': 'Step', 'grads': [{'w': (None, None, ), 'b': {'enc': None, 'a': None}, 'note': None}, np.array([[0.001953134765625], [0.00048828125]], dtype=np.float64), 0.0]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Block', 'w': ['relu', "<ufunc 'tanh'>"], 'b': {'enc': 'relu', 'a': True}, 'note': 'head'}, {'__array__': [[1.8102650057330925], [-1.4979252697419994]], 'dtype': 'float64'}, {'__array__': 3.0, 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=2.7385218224471113, throw=True)', 'ops': [{'op': 'step', 'grads': [{'w': [None, None], 'b': {'enc': None, 'a': None}, 'note': None}, {'__array__': [[1.7448866483523177e-173], [0.002577491403995812]], 'dtype': 'float64'}, 2.9910648074513357]}, {'op': 'step', 'grads': [{'w': [None, None], 'b': {'enc': None, 'a': None}, 'note': None}, {'__array__': [[0.0], [0.0]], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [{'w': [None, None], 'b': {'enc': None, 'a': None}, 'note': None}, {'__array__': [[0.001887325691311643], [-0.0005133318276757731]], 'dtype': 'float64'}, -3.0813129611559162]}, {'op': 'step', 'grads': [{'w': [None, None], 'b': {'enc': None, 'a': None}, 'note': None}, {'__array__': [[0.001953134765625], [0.00048828125]], 'dtype': 'float64'}, 0.0]}], 'rules': ['ClipGlobalNorm(omega=2.7385218224471113, throw=True)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0})
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
            for clip in [lambda held: torch.nn.utils.clip_grad_norm_(held, 2.7385218224471113)]:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (CLIPGLOBALNORM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CLIPGLOBALNORM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
