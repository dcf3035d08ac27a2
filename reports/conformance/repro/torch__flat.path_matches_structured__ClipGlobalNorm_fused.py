#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipGlobalNorm,fused] deviates from FLAT-6.

model['dec'][1][0, 0, 1]=-3.182781087526004, but should be -3.182781386629706 [adapter=torch, path=fused, step=4, dtype=float64, observed=2.991037018063025e-07, allowed=1.929622668043031e-14]

Case seed 1962541181.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path fused --seed 1962541181
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'fused'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path fused --seed 1962541181'
RULE = {'name': 'ClipGlobalNorm', 'omega': 2.2423385227240478, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[-2.220446049250313e-16, -1.2543104706838863e-195], [3.7211174415471344, 3.108315459494449]], [[1.4200822975974629e-282, -2.89437706056557e-23], [2.0905194502773945, 1.9]]], dtype=np.float64), np.array([0.6000504832391131, -1.5], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[2.590026613812727, 1.93447437372713], [3.0846770394269587, -2.429298713798644]], [[0.017463827253091146, 0.7531228675222943], [-1.8095931164619627, 2.4611908490822074]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.00390625, 1.5838900664099826], [-0.0005635759886675499, 0.6444084510792589]], [[-4.0470974124644185e-100, -0.003408693549609154], [-0.0005725387926510941, -0.9763928123262309]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-3.7515613940485864, 1.9171760532274122], [-1.0996744791666668, 0.33430988606770834]], [[-1.256814169784695, -5.820766091346741e-11], [-1.8774482311138132, -0.00024662523279625915]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-0.007166646975442932, -0.0007552645233459459], [0.0006458530245570678, 0.0006458530245570678]], [[0.0006458530245570678, 0.0039062402343749995], [-0.001858394622999604, -0.0032603969754429318]]], dtype=np.float64), np.array([-0.0014211602423443328, 5.820766091346741e-11], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[0.743069883192922, -3.182781386629706], [3.065977707009541, 3.221638572971031]], [[0.5659810124511578, -0.2828732539732385], [3.6276559996374433, 1.9569673770037082]]], dtype=np.float64), np.array([0.6014716434814574, -1.5000000000582077], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([[[0.7430696975997055, -3.182781087526004], [3.065977798399649, 3.2216384516785026]], [[0.5659808969720069, -0.2828732067574139], [3.6276557120478685, 1.9569675312812267]]], dtype=np.float64), np.array([0.6014716434814574, -1.5000000000582077], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.929622668043031e-14
PROGRAM_PICKLE = 'gASVGgcAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoCYwFQmxvY2uUk5QpgZR9lCiMAXeUTowBYpRLAYwEbm90ZZSMBWJsb2NrlHVijBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaBeMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYoaUgZRoFmgZSwCFlGgbh5RSlChLAUsCSwJLAoeUaCOJQ0AAAAAAAACwvP3XZSi0cHeXPCmgONnEDUBgcOF+1N0IQF8RMH1lZWoFC/Ny4dR+QbsYv/RCYrkAQGZmZmZmZv4/lHSUYmgWaBlLAIWUaBuHlFKUKEsBSwKFlGgjiUMQaMAuEp0z4z8AAAAAAAD4v5R0lGJljAFhlGgsdYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0AB8E8t7UkxjAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlCh9lChoEE5oEU5oEk51aBZoGUsAhZRoG4eUUpQoSwFLAIWUaCOJaCZ0lGKGlGgWaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoI4lDQCTDkN9fuARAzLqhZpvz/j+0fNgna60IQB/X/yk0bwPAAPuomwnikT+IGLwglRnoP2ZVZOkX9Py/MC7w04SwA0CUdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoNmgWaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoI4lDQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACUdJRidXNiaEEpgZR9lGhEfZQoaAddlCh9lChoEE5oEU5oEk51aBZoGUsAhZRoG4eUUpQoSwFLAIWUaCOJaCZ0lGKGlGgWaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoI4lDQAAAAAAAAHA/iu9AOti/cbsYcVY4nndCvx13Sgfr/0+/4oV9dpJTTKsAQCpqjOxrv/i077HNwkK/z68C0XlgYr+UdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoNmgWaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoI4lDQNZUUxIvtQ2Q1Ao7HJ1X+T/45wGw0L1jCiirlnP+puQ/1lRTEi+1DZDWVFMSL7UNkNZUUxIvtQ2QiLDOqTss77+UdJRidXNiaEEpgZR9lGhEfZQoaAddlCh9lChoEE5oEU5oEk51aBZoGUsAhZRoG4eUUpQoSwFLAIWUaCOJaCZ0lGKGlGgWaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoI4lDQLD/wp4yAw7A1JMUzMCs/j+amZmZmZnxv1VVVVVVVdU/LguOfwYX9L94W0DBudz4jJbSTrhlCf6/AAAAAAAAAACUdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVoNmgWaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoI4lDQJtjCgAAAHA3AAAAAAAAcLdVVVVVVVU1Px13Sgfr/08/RqjN37SKU78AAAAAAADQveD56kf3LSS/UJYpT68pML+UdJRidXNiaEEpgZR9lGhEfZQoaAddlCh9lChoEE5oEU5oEk51aBZoGUsAhZRoG4eUUpQoSwFLAIWUaCOJaCZ0lGKGlGgWaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoI4lDQFxJNUyMtWq/Oo3lhJ+AlDlcSTVMjLVqv1xJNUyMtWq/XEk1TIy1ar/xaOOItfhEvj7VI7rpZcagXEk1TIy1ar+UdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxDO/tgwx0hXvwAAAAAAANA9lHSUYmVoNmgWaBlLAIWUaBuHlFKUKEsBSwJLAksCh5RoI4lDQAAAAAAAAHC/qJe7Np6/SL////////9vP////////28/////////bz////////9vP2YBPwiscl6/AfIzlqSxiKSUdJRidXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [({'__type__': 'Block', 'w': None, 'b': 1, 'note': 'block'}, np.array([], dtype=np.float64), ), np.array([[[-2.220446049250313e-16, -1.2543104706838863e-195], [3.7211174415471344, 3.108315459494449]], [[1.4200822975974629e-282, -2.89437706056557e-23], [2.0905194502773945, 1.9]]], dtype=np.float64), np.array([0.6000504832391131, -1.5], dtype=np.float64)], 'a': np.array([[[-2.220446049250313e-16, -1.2543104706838863e-195], [3.7211174415471344, 3.108315459494449]], [[1.4200822975974629e-282, -2.89437706056557e-23], [2.0905194502773945, 1.9]]], dtype=np.float64)}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 2.2423385227240478, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, np.array([], dtype=np.float64), ), np.array([[[2.590026613812727, 1.93447437372713], [3.0846770394269587, -2.429298713798644]], [[0.017463827253091146, 0.7531228675222943], [-1.8095931164619627, 2.4611908490822074]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)], 'a': np.array([[[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, np.array([], dtype=np.float64), ), np.array([[[0.00390625, -2.3491126198342147e-22], [-0.0005635759886675499, -0.000976552734375]], [[-4.0470974124644185e-100, -0.003408693549609154], [-0.0005725387926510941, -0.0022432688930020604]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)], 'a': np.array([[[-2.3919004271753052e-231, 1.5838900664099826], [1.2839648188163046e-258, 0.645385003813634]], [[-2.3919004271753052e-231, -2.3919004271753052e-231], [-2.3919004271753052e-231, -0.9741495434332288]]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, np.array([], dtype=np.float64), ), np.array([[[-3.7515613940485864, 1.9171760532274122], [-1.1, 0.3333333333333333]], [[-1.2556214315997738, -3.5558487144063625e-246], [-1.8772942733313918, 0.0]]], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)], 'a': np.array([[[1.1479437021484375e-41, -1.1479437019748901e-41], [0.0003255208333333333, 0.000976552734375]], [[-0.0011927381849212867, -5.820766091346741e-11], [-0.0001539577824214008, -0.00024662523279625915]]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'w': None, 'b': None, 'note': None}, np.array([], dtype=np.float64), ), np.array([[[-0.0032603969754429318, 2.527120109169552e-31], [-0.0032603969754429318, -0.0032603969754429318]], [[-0.0032603969754429318, -9.765625e-09], [-8.55309537022153e-151, -0.0032603969754429318]]], dtype=np.float64), np.array([-0.0014211602423443328, 5.820766091346741e-11], dtype=np.float64)], 'a': np.array([[[-0.00390625, -0.0007552645233459459], [0.0039062499999999996, 0.0039062499999999996]], [[0.0039062499999999996, 0.0039062499999999996], [-0.001858394622999604, -1.0871811561500396e-132]]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[{'__type__': 'Block', 'w': None, 'b': 1, 'note': 'block'}, {'__array__': [], 'dtype': 'float64'}], {'__array__': [[[-2.220446049250313e-16, -1.2543104706838863e-195], [3.7211174415471344, 3.108315459494449]], [[1.4200822975974629e-282, -2.89437706056557e-23], [2.0905194502773945, 1.9]]], 'dtype': 'float64'}, {'__array__': [0.6000504832391131, -1.5], 'dtype': 'float64'}], 'a': {'__array__': [[[-2.220446049250313e-16, -1.2543104706838863e-195], [3.7211174415471344, 3.108315459494449]], [[1.4200822975974629e-282, -2.89437706056557e-23], [2.0905194502773945, 1.9]]], 'dtype': 'float64'}}, 'rule': 'ClipGlobalNorm(omega=2.2423385227240478, throw=True)', 'ops': [{'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}, {'__array__': [], 'dtype': 'float64'}], {'__array__': [[[2.590026613812727, 1.93447437372713], [3.0846770394269587, -2.429298713798644]], [[0.017463827253091146, 0.7531228675222943], [-1.8095931164619627, 2.4611908490822074]]], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}], 'a': {'__array__': [[[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}, {'__array__': [], 'dtype': 'float64'}], {'__array__': [[[0.00390625, -2.3491126198342147e-22], [-0.0005635759886675499, -0.000976552734375]], [[-4.0470974124644185e-100, -0.003408693549609154], [-0.0005725387926510941, -0.0022432688930020604]]], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}], 'a': {'__array__': [[[-2.3919004271753052e-231, 1.5838900664099826], [1.2839648188163046e-258, 0.645385003813634]], [[-2.3919004271753052e-231, -2.3919004271753052e-231], [-2.3919004271753052e-231, -0.9741495434332288]]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}, {'__array__': [], 'dtype': 'float64'}], {'__array__': [[[-3.7515613940485864, 1.9171760532274122], [-1.1, 0.3333333333333333]], [[-1.2556214315997738, -3.5558487144063625e-246], [-1.8772942733313918, 0.0]]], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}], 'a': {'__array__': [[[1.1479437021484375e-41, -1.1479437019748901e-41], [0.0003255208333333333, 0.000976552734375]], [[-0.0011927381849212867, -5.820766091346741e-11], [-0.0001539577824214008, -0.00024662523279625915]]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'w': None, 'b': None, 'note': None}, {'__array__': [], 'dtype': 'float64'}], {'__array__': [[[-0.0032603969754429318, 2.527120109169552e-31], [-0.0032603969754429318, -0.0032603969754429318]], [[-0.0032603969754429318, -9.765625e-09], [-8.55309537022153e-151, -0.0032603969754429318]]], 'dtype': 'float64'}, {'__array__': [-0.0014211602423443328, 5.820766091346741e-11], 'dtype': 'float64'}], 'a': {'__array__': [[[-0.00390625, -0.0007552645233459459], [0.0039062499999999996, 0.0039062499999999996]], [[0.0039062499999999996, 0.0039062499999999996], [-0.001858394622999604, -1.0871811561500396e-132]]], 'dtype': 'float64'}}}], 'rules': ['ClipGlobalNorm(omega=2.2423385227240478, throw=True)'], 'path': 'fused', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0, 'fused': True})
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
            for clip in [lambda held: torch.nn.utils.clip_grad_norm_(held, 2.2423385227240478)]:
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
