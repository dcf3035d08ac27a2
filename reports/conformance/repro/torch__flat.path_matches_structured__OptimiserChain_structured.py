#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[OptimiserChain,structured] deviates from FLAT-6.

model['dec'][1][0, 0, 0]=3.4171030992387657, but should be 3.417103187270433 [adapter=torch, path=structured, step=4, dtype=float64, observed=8.803166728910128e-08, allowed=7.984628394783955e-15]

Case seed 813414372.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule OptimiserChain --path structured --seed 813414372
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule OptimiserChain --path structured --seed 813414372'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 1.8139607715961485, 'p': 2.0, 'throw': True}, {'__type__': 'Descent', 'eta': 0.07427413898201733}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-3.8044880542358136e-160, dtype=np.float64), np.array([[[3.147642438355513, -1.5657659973520537]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.001934433616110883, dtype=np.float64), np.array([[[-3.9999999999999996, 1.7607287858631527e-276]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.0480524307058725, dtype=np.float64), np.array([[[0.0, 0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0029296875, dtype=np.float64), np.array([[[0.0, 0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-5.960464477539063e-08, dtype=np.float64), np.array([[[-2.4789806264201384, -5.515768478440696e-307]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.07791711795106711, dtype=np.float64), np.array([[[3.417103187270433, -1.5657659973520537]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.07791711795106712, dtype=np.float64), np.array([[[3.4171030992387657, -1.5657659973520537]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.984628394783955e-15
PROGRAM_PICKLE = 'gASVJAUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAmMBFBhaXKUk5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloFIwFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwj9/////////5R0lGJoE2gWSwCFlGgYh5RSlChLASloHIwCZjiUiYiHlFKUKEsDaCBOTk5K/////0r/////SwB0lGKJQwhaKA/yI2XVnpR0lGKGlIGUjARiaWFzlF2USwBhjAVzY2FsZZRoE2gWSwCFlGgYh5RSlChLAUsChZRoKYlDEGAZHapkgwrAPNnttrCdAECUdJRijANhY3SUaAmMCGlkZW50aXR5lJOUdWJoE2gWSwCFlGgYh5RSlChLAUsBSwFLAoeUaCmJQxC06KEoXy4JQOYNfaVgDfm/lHSUYmWMAWGUaCZ1jARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMDk9wdGltaXNlckNoYWlulJOUKYGUfZSMBXJ1bGVzlIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMCENsaXBOb3JtlJOUKYGUfZQojAVvbWVnYZRHP/0F+7rjt9iMAXCUR0AAAAAAAAAAjAV0aHJvd5SIdWKMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmRlc2NlbnSUjAdEZXNjZW50lJOUKYGUfZSMA2V0YZRHP7MDoUXdx1tzYoaUc2KMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlCh9lChoDk5oEYwGc2NhbGFylJOUaClDCLzHhEeasV8/lIaUUpSGlGgvXZROYWgxTmg4TnVoE2gWSwCFlGgYh5RSlChLAUsBSwFLAoeUaCmJQxD///////8PwPsWKuc2Nq8GlHSUYmVoQWhiaClDCDX01Y0MPFawlIaUUpR1c2JoWimBlH2UaF19lChoB12UKH2UKGgOTmhiaClDCB4AJqDSxPC/lIaUUpSGlGgvXZROYWgxTmg4TnVoE2gWSwCFlGgYh5RSlChLAUsBSwFLAoeUaCmJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoQWhiaClDCAAAAAAAAAAAlIaUUpR1c2JoWimBlH2UaF19lChoB12UKH2UKGgOTmhiaClDCAAAAAAAAGi/lIaUUpSGlGgvXZROYWgxTmg4TnVoE2gWSwCFlGgYh5RSlChLAUsBSwFLAoeUaCmJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoQWhiaClDCNNH9WCYDUi6lIaUUpR1c2JoWimBlH2UaF19lChoB12UKH2UKGgOTmhiaClDCAAAAAAAAAAAlIaUUpSGlGgvXZROYWgxTmg4TnVoE2gWSwCFlGgYh5RSlChLAUsBSwFLAoeUaCmJQxD/Im/L89QDwMjVZZcFyliAlHSUYmVoQWhiaClDCAAAAAAAAHC+lIaUUpR1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [{'__type__': 'Dense', 'weight': (np.array(-3, dtype=np.int64), np.array(-3.8044880542358136e-160, dtype=np.float64), ), 'bias': [0], 'scale': np.array([-3.3141568460588786, 2.076997212537348], dtype=np.float64), 'act': '<function identity>'}, np.array([[[3.147642438355513, -1.5657659973520537]]], dtype=np.float64)], 'a': np.array(-3.8044880542358136e-160, dtype=np.float64)}, 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 1.8139607715961485, 'p': 2.0, 'throw': True}, {'__type__': 'Descent', 'eta': 0.07427413898201733}, )}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [{'weight': (None, 0.001934433616110883, ), 'bias': [None], 'scale': None, 'act': None}, np.array([[[-3.9999999999999996, 1.7607287858631527e-276]]], dtype=np.float64)], 'a': -7.680858582305702e-76}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': (None, -1.0480524307058725, ), 'bias': [None], 'scale': None, 'act': None}, np.array([[[0.0, 0.0]]], dtype=np.float64)], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': (None, -0.0029296875, ), 'bias': [None], 'scale': None, 'act': None}, np.array([[[0.0, 0.0]]], dtype=np.float64)], 'a': -6.07185768337406e-28}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': (None, 0.0, ), 'bias': [None], 'scale': None, 'act': None}, np.array([[[-2.4789806264201384, -5.515768478440696e-307]]], dtype=np.float64)], 'a': -5.960464477539063e-08}}, ), 'dtype': 'float64'}, 'model': {'dec': [{'__type__': 'Dense', 'weight': [{'__array__': -3, 'dtype': 'int64'}, {'__array__': -3.8044880542358136e-160, 'dtype': 'float64'}], 'bias': [0], 'scale': {'__array__': [-3.3141568460588786, 2.076997212537348], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': [[[3.147642438355513, -1.5657659973520537]]], 'dtype': 'float64'}], 'a': {'__array__': -3.8044880542358136e-160, 'dtype': 'float64'}}, 'rule': 'OptimiserChain(ClipNorm(omega=1.8139607715961485, p=2.0, throw=True), Descent(eta=0.07427413898201733))', 'ops': [{'op': 'step', 'grads': {'dec': [{'weight': [None, 0.001934433616110883], 'bias': [None], 'scale': None, 'act': None}, {'__array__': [[[-3.9999999999999996, 1.7607287858631527e-276]]], 'dtype': 'float64'}], 'a': -7.680858582305702e-76}}, {'op': 'step', 'grads': {'dec': [{'weight': [None, -1.0480524307058725], 'bias': [None], 'scale': None, 'act': None}, {'__array__': [[[0.0, 0.0]]], 'dtype': 'float64'}], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [{'weight': [None, -0.0029296875], 'bias': [None], 'scale': None, 'act': None}, {'__array__': [[[0.0, 0.0]]], 'dtype': 'float64'}], 'a': -6.07185768337406e-28}}, {'op': 'step', 'grads': {'dec': [{'weight': [None, 0.0], 'bias': [None], 'scale': None, 'act': None}, {'__array__': [[[-2.4789806264201384, -5.515768478440696e-307]]], 'dtype': 'float64'}], 'a': -5.960464477539063e-08}}], 'rules': ['OptimiserChain(ClipNorm(omega=1.8139607715961485, p=2.0, throw=True), Descent(eta=0.07427413898201733))'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 0.07427413898201733, 'momentum': 0.0, 'weight_decay': 0.0})
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
            for clip in [lambda held: [torch.nn.utils.clip_grad_norm_([p], 1.8139607715961485, norm_type=2.0) for p in held]]:
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
