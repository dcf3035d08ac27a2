#!/usr/bin/env python
"""optconf repro: torch rules.matches_reference[NAdam] deviates from NADAM-1.

model[1]=-0.022677409398394712, but should be -0.022677409434304713 [adapter=torch, path=structured, step=4, dtype=float64, observed=3.5910000667493946e-11, allowed=1.547205191684374e-14]

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
RULE = {'name': 'NAdam', 'eta': 0.008177613651174462, 'beta': (0.17403881595799572, 0.988075416399014, ), 'epsilon': 1e-08, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(-6.906391673130193e-224, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(0.00048828125, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(0.0011168490033672462, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-3.1618570009460963e-285, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(-0.022677409434304713, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(-0.022677409398394712, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.547205191684374e-14
PROGRAM_PICKLE = 'gASVfQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlChK/////4web3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwFRGVuc2WUk5QpgZR9lCiMBndlaWdodJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsAhZRoEYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRijARiaWFzlIwAlIwFc2NhbGWUaBBoE0sAhZRoFYeUUpQoSwFLAEsCSwCHlGgdiWggdJRijANhY3SUaAiMCGlkZW50aXR5lJOUdWJlaBBoE0sAhZRoFYeUUpQoSwEpaB2JQwj+gQARX5CZkZR0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBU5BZGFtlJOUKYGUfZQojANldGGURz+Av2y5h2iYjARiZXRhlEc/xkbnZ2MXf0c/755QVe1KhoaUjAdlcHNpbG9ulEc+RXmO4jCMOowHdmFyaWFudJSMBW9wdGF4lHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKF2UKE59lChoDWgQaBNLAIWUaBWHlFKUKEsBSwCFlGgdiWggdJRiaCJOaCROaCpOdWVoDowGc2NhbGFylJOUaB1DCAAAAAAAAEA/lIaUUpRlc2JoQCmBlH2UaENdlChdlChOfZQoaA1oEGgTSwCFlGgVh5RSlChLAUsAhZRoHYloIHSUYmgiTmgkTmgqTnVlaE1oHUMIAAAAAAAAAACUhpRSlGVzYmhAKYGUfZRoQ12UKF2UKE59lChoDWgQaBNLAIWUaBWHlFKUKEsBSwCFlGgdiWggdJRiaCJOaCROaCpOdWVoTWgdQwhcB2t8Z0xSP5SGlFKUZXNiaEApgZR9lGhDXZQoXZQoTn2UKGgNaBBoE0sAhZRoFYeUUpQoSwFLAIWUaB2JaCB0lGJoIk5oJE5oKk51ZWhNaB1DCB4VcIRSF96ElIaUUpRlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [[-1, {'__type__': 'Dense', 'weight': np.array([], dtype=np.float64), 'bias': '', 'scale': np.array([], dtype=np.float64), 'act': '<function identity at 0x7fb7b3169a80>'}], np.array(-6.906391673130193e-224, dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.008177613651174462, 'beta': (0.17403881595799572, 0.988075416399014, ), 'epsilon': 1e-08, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [[None, {'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}], 0.00048828125]}, {'__type__': 'Step', 'grads': [[None, {'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}], 0.0]}, {'__type__': 'Step', 'grads': [[None, {'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}], 0.0011168490033672462]}, {'__type__': 'Step', 'grads': [[None, {'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}], -3.1618570009460963e-285]}, ), 'dtype': 'float64'}, 'model': [[-1, {'__type__': 'Dense', 'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': '', 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity at 0x7fb7b3169a80>'}], {'__array__': -6.906391673130193e-224, 'dtype': 'float64'}], 'rule': "NAdam(eta=0.008177613651174462, beta=(0.17403881595799572, 0.988075416399014), epsilon=1e-08, variant='optax')", 'ops': [{'op': 'step', 'grads': [[None, {'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], 0.00048828125]}, {'op': 'step', 'grads': [[None, {'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], 0.0]}, {'op': 'step', 'grads': [[None, {'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], 0.0011168490033672462]}, {'op': 'step', 'grads': [[None, {'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], -3.1618570009460963e-285]}], 'variant': 'optax', 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.008177613651174462, 'betas': (0.17403881595799572, 0.988075416399014), 'eps': 1e-08, 'weight_decay': 0.0, 'momentum_decay': inf})
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
