#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[ClipNorm,flat_list] deviates from FLAT-6.

model['dec'][0].w=5.887862505494024, but should be 5.887862497278151 [adapter=keras, path=flat_list, step=4, dtype=float64, observed=8.215872426831083e-09, allowed=2.986533606996094e-14]

Case seed 1555791.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule ClipNorm --path flat_list --seed 1555791
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule ClipNorm --path flat_list --seed 1555791'
RULE = {'name': 'ClipNorm', 'omega': 3.061866765539906, 'p': 2.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.1288938163082092, dtype=np.float64), np.array(2.2965226703766586, dtype=np.float64), np.array([0.99999, 0.9641614667623424], dtype=np.float64), np.array([-0.5108891417116341], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-2.731206763054548, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([1.481985380787461], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(5.474340227365048e-05, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([-2.578351960466824, -6.103515625e-05], dtype=np.float64), np.array([2.525917535948354], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-5.820766091346741e-11, dtype=np.float64), np.array(-6.084979396902394e-106, dtype=np.float64), np.array([-4.1891304037159035e-19, -8.613553720254831e-237], dtype=np.float64), np.array([3.160583297056453], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-2.0278166612594606, dtype=np.float64), np.array(-1.507085705430647e-228, dtype=np.float64), np.array([-0.0035547827140920175, -0.002537616264889731], dtype=np.float64), np.array([0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(5.887862497278151, dtype=np.float64), np.array(2.2965226703766586, dtype=np.float64), np.array([3.581896743180916, 0.9667601181834821], dtype=np.float64), np.array([-7.5806588239873545], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(5.887862505494024, dtype=np.float64), np.array(2.2965226703766586, dtype=np.float64), np.array([3.5818967476383134, 0.9667601181879684], dtype=np.float64), np.array([-7.580658869057851], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.986533606996094e-14
PROGRAM_PICKLE = 'gASVAAUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgSjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCMw0W/byD/I/lHSUYowBYpRoCYwIaWRlbnRpdHmUk5SMBG5vdGWUjARoZWFklHViaBFoFEsAhZRoFoeUUpQoSwEpaB2JQwicUh5HR18CQJR0lGJoEWgUSwCFlGgWh5RSlChLAUsChZRoHYlDEB13Sgfr/+8/SNj5JWna7j+UdJRiaBFoFEsAhZRoFoeUUpQoSwFLAYWUaB2JQwgoDnEvNFngv5R0lGJljAFhlGgYdYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjAhDbGlwTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0AIfrQAtaAljAFwlEdAAAAAAAAAAIwFdGhyb3eUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHXZQofZQoaA5oD4wGc2NhbGFylJOUaB1DCE1s7q8LV1sjlIaUUpRoIk5oJU51aExoHUMIAAAAAAAAAACUhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwKFlGgdiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJoEWgUSwCFlGgWh5RSlChLAUsBhZRoHYlDCLQdek02tvc/lHSUYmVoOGhMaB1DCGh3b+6C2QXAlIaUUpR1c2JoRCmBlH2UaEd9lChoB12UKH2UKGgOaExoHUMIAAAAAAAAAACUhpRSlGgiTmglTnVoTGgdQwgAAAAAAAAAAJSGlFKUaBFoFEsAhZRoFoeUUpQoSwFLAoWUaB2JQxCMQh7+dqAEwAAAAAAAABC/lHSUYmgRaBRLAIWUaBaHlFKUKEsBSwGFlGgdiUMIJFTKQBQ1BECUdJRiZWg4aExoHUMIgE3A+oizDD+UhpRSlHVzYmhEKYGUfZRoR32UKGgHXZQofZQoaA5oTGgdQwgAAAAAAADQvZSGlFKUaCJOaCVOdWhMaB1DCB+smFJVVBaqlIaUUpRoEWgUSwCFlGgWh5RSlChLAUsChZRoHYlDEKiepykL6R68FbPmnWkL7I6UdJRiaBFoFEsAhZRoFoeUUpQoSwFLAYWUaB2JQwhsIUnl30gJQJR0lGJlaDhoTGgdQwgAAAAAAAAAAJSGlFKUdXNiaEQpgZR9lGhHfZQoaAddlCh9lChoDmhMaB1DCAAAAAAAAAAAlIaUUpRoIk5oJU51aExoHUMI8Yz9Po5HopCUhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwKFlGgdiUMQyI8LcOsebb9ojcJbxMlkv5R0lGJoEWgUSwCFlGgWh5RSlChLAUsBhZRoHYlDCAAAAAAAAAAAlHSUYmVoOGhMaB1DCHclE/H3OADAlIaUUpR1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [{'__type__': 'Block', 'w': np.array(1.1288938163082092, dtype=np.float64), 'b': '<function identity>', 'note': 'head'}, np.array(2.2965226703766586, dtype=np.float64), np.array([0.99999, 0.9641614667623424], dtype=np.float64), np.array([-0.5108891417116341], dtype=np.float64)], 'a': np.array(1.1288938163082092, dtype=np.float64)}, 'rule': {'__type__': 'ClipNorm', 'omega': 3.061866765539906, 'p': 2.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [{'w': 2.2958360141471746e-138, 'b': None, 'note': None}, 0.0, np.array([0.0, 0.0], dtype=np.float64), np.array([1.481985380787461], dtype=np.float64)], 'a': -2.731206763054548}}, {'__type__': 'Step', 'grads': {'dec': [{'w': 0.0, 'b': None, 'note': None}, 0.0, np.array([-2.578351960466824, -6.103515625e-05], dtype=np.float64), np.array([2.525917535948354], dtype=np.float64)], 'a': 5.474340227365048e-05}}, {'__type__': 'Step', 'grads': {'dec': [{'w': -5.820766091346741e-11, 'b': None, 'note': None}, -6.084979396902394e-106, np.array([-4.1891304037159035e-19, -8.613553720254831e-237], dtype=np.float64), np.array([3.160583297056453], dtype=np.float64)], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [{'w': 0.0, 'b': None, 'note': None}, -1.507085705430647e-228, np.array([-0.0035547827140920175, -0.002537616264889731], dtype=np.float64), np.array([0.0], dtype=np.float64)], 'a': -2.0278166612594606}}, ), 'dtype': 'float64'}, 'model': {'dec': [{'__type__': 'Block', 'w': {'__array__': 1.1288938163082092, 'dtype': 'float64'}, 'b': '<function identity>', 'note': 'head'}, {'__array__': 2.2965226703766586, 'dtype': 'float64'}, {'__array__': [0.99999, 0.9641614667623424], 'dtype': 'float64'}, {'__array__': [-0.5108891417116341], 'dtype': 'float64'}], 'a': {'__array__': 1.1288938163082092, 'dtype': 'float64'}}, 'rule': 'ClipNorm(omega=3.061866765539906, p=2.0, throw=True)', 'ops': [{'op': 'step', 'grads': {'dec': [{'w': 2.2958360141471746e-138, 'b': None, 'note': None}, 0.0, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [1.481985380787461], 'dtype': 'float64'}], 'a': -2.731206763054548}}, {'op': 'step', 'grads': {'dec': [{'w': 0.0, 'b': None, 'note': None}, 0.0, {'__array__': [-2.578351960466824, -6.103515625e-05], 'dtype': 'float64'}, {'__array__': [2.525917535948354], 'dtype': 'float64'}], 'a': 5.474340227365048e-05}}, {'op': 'step', 'grads': {'dec': [{'w': -5.820766091346741e-11, 'b': None, 'note': None}, -6.084979396902394e-106, {'__array__': [-4.1891304037159035e-19, -8.613553720254831e-237], 'dtype': 'float64'}, {'__array__': [3.160583297056453], 'dtype': 'float64'}], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [{'w': 0.0, 'b': None, 'note': None}, -1.507085705430647e-228, {'__array__': [-0.0035547827140920175, -0.002537616264889731], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}], 'a': -2.0278166612594606}}], 'rules': ['ClipNorm(omega=3.061866765539906, p=2.0, throw=True)'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
