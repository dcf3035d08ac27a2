#!/usr/bin/env python
"""optconf repro: mlx rules.matches_reference[ClipGlobalNorm] deviates from CLIPGLOBALNORM-1.

model[1][0, 0, 1]=-0.3880067731472234, but should be -0.38800701578401264 [adapter=mlx, path=structured, step=4, dtype=float64, observed=2.4263678921609966e-07, allowed=1.3822474689042379e-14]

Case seed 40675045.  Inside optconf, replay with:
    optconf replay --adapter mlx --property rules.matches_reference --rule ClipGlobalNorm --seed 40675045
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'CLIPGLOBALNORM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property rules.matches_reference --rule ClipGlobalNorm --seed 40675045'
RULE = {'name': 'ClipGlobalNorm', 'omega': 1.5, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[2.347169183678421, 0.14957952968945865]], [[-2.2250738585072014e-308, 6.203739092105072e-259]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[0.0, 0.0]], [[0.0, 0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-9.765625e-09, 5.820766091346741e-11]], [[-2.035591741148952e-144, -0.0015341864217693394]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[6.46355027542915e-250, 0.7940515103460628]], [[2.0066669410384765, 0.5016548572302364]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.15870299151397216, -1.8475534896002962e-283]], [[-2.7784012681320878, -1.5]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[2.271869798687264, -0.38800701578401264]], [[-0.04028726387328607, 0.37360630055184846]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[2.271869822505328, -0.3880067731472234]], [[-0.040287067680985666, 0.37360622872231947]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.3822474689042379e-14
PROGRAM_PICKLE = 'gASVNwMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAXeUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAoWUaAyMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQAwAAAAAAAAD//////////5R0lGKMAWKUTnVoC2gOSwCFlGgQh5RSlChLAUsCSwFLAoeUaBWMAmY4lImIh5RSlChLA2gZTk5OSv////9K/////0sAdJRiiUMgaJ8QowDHAkCgaRUKbCXDPwAAAAAAABCAisrhbbUTUwqUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GURz/4AAAAAAAAjAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAhOaB1OdWgLaA5LAIWUaBCHlFKUKEsBSwJLAUsCh5RoJIlDIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYmgyKYGUfZRoNV2UKH2UKGgITmgdTnVoC2gOSwCFlGgQh5RSlChLAUsCSwFLAoeUaCSJQyDxaOOItfhEvgAAAAAAANA9CmnEuB1rGaIWVXog2CJZv5R0lGJlc2JoMimBlH2UaDVdlCh9lChoCE5oHU51aAtoDksAhZRoEIeUUpQoSwFLAksBSwKHlGgkiUMgDUvJT8qCMgzo0oi23mjpPwTMrWWnDQBAiN61fI4N4D+UdJRiZXNiaDIpgZR9lGg1XZQofZQoaAhOaB1OdWgLaA5LAIWUaBCHlFKUKEsBSwJLAUsCh5RoJIlDIGA5Ki9hUMQ/FxsS5DJ5O4WEVq5xKjoGwAAAAAAAAPi/lHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'w': np.array([3, -1], dtype=np.int64), 'b': None}, np.array([[[2.347169183678421, 0.14957952968945865]], [[-2.2250738585072014e-308, 6.203739092105072e-259]]], dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 1.5, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [{'w': None, 'b': None}, np.array([[[0.0, 0.0]], [[0.0, 0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'b': None}, np.array([[[-9.765625e-09, 5.820766091346741e-11]], [[-2.035591741148952e-144, -0.0015341864217693394]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'b': None}, np.array([[[6.46355027542915e-250, 0.7940515103460628]], [[2.0066669410384765, 0.5016548572302364]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': None, 'b': None}, np.array([[[0.15870299151397216, -1.8475534896002962e-283]], [[-2.7784012681320878, -1.5]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'w': {'__array__': [3, -1], 'dtype': 'int64'}, 'b': None}, {'__array__': [[[2.347169183678421, 0.14957952968945865]], [[-2.2250738585072014e-308, 6.203739092105072e-259]]], 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=1.5, throw=True)', 'ops': [{'op': 'step', 'grads': [{'w': None, 'b': None}, {'__array__': [[[0.0, 0.0]], [[0.0, 0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'b': None}, {'__array__': [[[-9.765625e-09, 5.820766091346741e-11]], [[-2.035591741148952e-144, -0.0015341864217693394]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'b': None}, {'__array__': [[[6.46355027542915e-250, 0.7940515103460628]], [[2.0066669410384765, 0.5016548572302364]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': None, 'b': None}, {'__array__': [[[0.15870299151397216, -1.8475534896002962e-283]], [[-2.7784012681320878, -1.5]]], 'dtype': 'float64'}]}], 'rules': ['ClipGlobalNorm(omega=1.5, throw=True)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    # This adapter has no repro_source hook, so the engine is driven through optconf's own
    # adapter (needs optconf installed).  The program is the exact counterexample, pickled.
    if PROGRAM_PICKLE is None:
        sys.exit("no engine-only replay for this case; use: " + REPLAY)
    import base64
    import pickle

    from optconf.adapters import load
    from optconf.reference import trainables

    program = pickle.loads(base64.b64decode(PROGRAM_PICKLE))
    GOT = trainables(load(ADAPTER).run(program, PATH).model)
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
