#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipGlobalNorm,foreach] deviates from FLAT-6.

model['dec'][1][1, 0]=-0.7690743193701239, but should be -0.7690738007643358 [adapter=torch, path=foreach, step=4, dtype=float64, observed=5.186057880912642e-07, allowed=2.0218333202610402e-14]

Case seed 3262034259.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path foreach --seed 3262034259
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'foreach'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path foreach --seed 3262034259'
RULE = {'name': 'ClipGlobalNorm', 'omega': 2.4112594889952255, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-1.2807882924367209, 0.06563351588570843], [-2.8865207808303417, -1.1]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.8639237070370398, -0.3333333333333333], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-1.16415321875e-10, 0.0019716711820606824], [0.004045987964345683, 0.0004463548992956869]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[-5.820766091346741e-11, 0.0018224601912971957], [0.00107421875, 0.0033984768473311923]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[2.168404344971009e-19, 1.9419144314428236], [-3.602810973902592, 6.103515625e-05]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.1479437019748901e-41, -1.3684555315672042e-48], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-1.280788292262098, -1.0822239264892108], [-0.7690738007643358, -1.1038807901193628]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.8639237070370398, -0.3333333333333333], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-1.280788292262098, -1.0822236469607893], [-0.7690743193701239, -1.1038807901105772]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.8639237070370398, -0.3333333333333333], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.0218333202610402e-14
PROGRAM_PICKLE = 'gASVjwYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lImMAWKUjARyZWx1lIwEbm90ZZSMBWJsb2NrlHVihZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsCSwKGlGgXjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDIK7YUd0bfvS/QChArFvNsD8oIAc1mBcHwJqZmZmZmfG/lHSUYmgWaBlLAIWUaBuHlFKUKEsBSwBLAoaUaCOJQwCUdJRiaBZoGUsAhZRoG4eUUpQoSwFLAEsCSwGHlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAmaT+qodL9v1VVVVVVVdW/lHSUYmWMAWGUaB11jARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHQANKQmo7O7uMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKH2UKGgOTmgPTmgRTnWFlGgWaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyDJZnABcD57AvCrwe+1mmg/yACgfOonQT/Q8OOxl0A9P5R0lGJoFmgZSwCFlGgbh5RSlChLAUsASwKGlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAEsCSwGHlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoOWgWaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyBoXxwAAADgvVZxzg+i51C/RHlsoBLbbD8AAAAAAAQAAJR0lGJ1c2JoRCmBlH2UaEd9lChoB12UKH2UKGgOTmgPTmgRTnWFlGgWaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyAAAAAAAADQvXRe37rz210/mpmZmZmZUT8IyEtdH9drP5R0lGJoFmgZSwCFlGgbh5RSlChLAUsASwKGlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAEsCSwGHlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoOWgWaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJ1c2JoRCmBlH2UaEd9lChoB12UKH2UKGgOTmgPTmgRTnWFlGgWaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyAAAAAAAAAQuMQkKRD4Ff8/AKdUj47SDMAAAAAAAAAQP5R0lGJoFmgZSwCFlGgbh5RSlChLAUsASwKGlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAEsCSwGHlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAAAAAAAABwtwAAAAAAAAC2lHSUYmVoOWgWaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyAAAAAAAAAQPJhXcvKRGU+/AAAAAAAAADYq8e9kVaEKNZR0lGJ1c2JoRCmBlH2UaEd9lChoB12UKH2UKGgOTmgPTmgRTnWFlGgWaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJoFmgZSwCFlGgbh5RSlChLAUsASwKGlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAEsCSwGHlGgjiWgsdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoOWgWaBlLAIWUaBuHlFKUKEsBSwJLAoaUaCOJQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJ1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [({'__type__': 'Block', 'w': False, 'b': 'relu', 'note': 'block'}, ), np.array([[-1.2807882924367209, 0.06563351588570843], [-2.8865207808303417, -1.1]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.8639237070370398, -0.3333333333333333], dtype=np.float64)], 'a': np.array([[-1.2807882924367209, 0.06563351588570843], [-2.8865207808303417, -1.1]], dtype=np.float64)}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 2.4112594889952255, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, ), np.array([[1.0414382078028092e-296, 0.0030034593055936407], [0.0005235571818502866, 0.0004463548992956869]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)], 'a': np.array([[-1.16415321875e-10, -0.0010317881235329582], [0.0035224307824953966, 2.1729236899484e-311]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, ), np.array([[-5.820766091346741e-11, 0.0018224601912971957], [0.00107421875, 0.0033984768473311923]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)], 'a': np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, ), np.array([[-1.1754943508222875e-38, 1.942863524558832], [-3.602810973902592, 6.103515625e-05]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([-1.1479437019748901e-41, -1.3684555315672042e-48], dtype=np.float64)], 'a': np.array([[2.168404344971009e-19, -0.0009490931160083147], [1.3684555315672042e-48, 3.4754044698040793e-53]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, ), np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)], 'a': np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[{'__type__': 'Block', 'w': False, 'b': 'relu', 'note': 'block'}], {'__array__': [[-1.2807882924367209, 0.06563351588570843], [-2.8865207808303417, -1.1]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [-1.8639237070370398, -0.3333333333333333], 'dtype': 'float64'}], 'a': {'__array__': [[-1.2807882924367209, 0.06563351588570843], [-2.8865207808303417, -1.1]], 'dtype': 'float64'}}, 'rule': 'ClipGlobalNorm(omega=2.4112594889952255, throw=True)', 'ops': [{'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}], {'__array__': [[1.0414382078028092e-296, 0.0030034593055936407], [0.0005235571818502866, 0.0004463548992956869]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}], 'a': {'__array__': [[-1.16415321875e-10, -0.0010317881235329582], [0.0035224307824953966, 2.1729236899484e-311]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}], {'__array__': [[-5.820766091346741e-11, 0.0018224601912971957], [0.00107421875, 0.0033984768473311923]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}], 'a': {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}], {'__array__': [[-1.1754943508222875e-38, 1.942863524558832], [-3.602810973902592, 6.103515625e-05]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [-1.1479437019748901e-41, -1.3684555315672042e-48], 'dtype': 'float64'}], 'a': {'__array__': [[2.168404344971009e-19, -0.0009490931160083147], [1.3684555315672042e-48, 3.4754044698040793e-53]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}], {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}], 'a': {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}}}], 'rules': ['ClipGlobalNorm(omega=2.4112594889952255, throw=True)'], 'path': 'foreach', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0, 'foreach': True})
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
            for clip in [lambda held: torch.nn.utils.clip_grad_norm_(held, 2.4112594889952255)]:
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
