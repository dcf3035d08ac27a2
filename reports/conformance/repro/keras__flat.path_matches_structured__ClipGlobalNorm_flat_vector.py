#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[ClipGlobalNorm,flat_vector] deviates from FLAT-6.

model['dec'][1]=-3.5471621028233775, but should be -3.547162113780564 [adapter=keras, path=flat_vector, step=4, dtype=float64, observed=1.0957186269422436e-08, allowed=1.6373861946782143e-14]

Case seed 49619992.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_vector --seed 49619992
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_vector --seed 49619992'
RULE = {'name': 'ClipGlobalNorm', 'omega': 1.4702527980055975, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.7607932244552518, dtype=np.float64), np.array(1.3285823295115717, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(1.1479437021484375e-41, dtype=np.float64), np.array(0.0038729275260830642, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.37178779696512354, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0030445842616707644, dtype=np.float64), np.array(1.401298464324817e-45, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.9999999999999996, dtype=np.float64), np.array(-1.1, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-3.547162113780564, dtype=np.float64), np.array(1.7145564630564998, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-3.5471621028233775, dtype=np.float64), np.array(1.7145564600432737, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.6373861946782143e-14
PROGRAM_PICKLE = 'gASV3AMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5R9lChoB4mMAWGUiIwBYpSIdX2UKIwDZW5jlE5oDYwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwGFlGgUjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAIAAAAAAAAAlHSUYmgHaBSMBHRhbmiUk5R1hpSBlGgTaBZLAIWUaBiHlFKUKEsBKWgdjAJmOJSJiIeUUpQoSwNoIU5OTkr/////Sv////9LAHSUYolDCO7bIIQ1LPy/lHSUYmgTaBZLAIWUaBiHlFKUKEsBKWguiUMILLt0i99B9T+UdJRiZWgNaCt1jARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHP/eGJ8xElaaMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKH2UKGgHTmgNTmgOTnV9lChoEE5oDU5oB051hpRoEYwGc2NhbGFylJOUaC5DCEO8xjxJFSWNlIaUUpRoS2guQwhAyQ4iHrpvP5SGlFKUZWgNaEtoLkMIm2MKAAAAcDeUhpRSlHVzYmhBKYGUfZRoRH2UKGgHXZQofZQoaAdOaA1OaA5OdX2UKGgQTmgNTmgHTnWGlGhLaC5DCBAYQQtfy9c/lIaUUpRoS2guQwgAAAAAAAAAAJSGlFKUZWgNaEtoLkMIAAAAAAAAAACUhpRSlHVzYmhBKYGUfZRoRH2UKGgHXZQofZQoaAdOaA1OaA5OdX2UKGgQTmgNTmgHTnWGlGhLaC5DCAAAAAAAAAAAlIaUUpRoS2guQwgAAAAAAACgNpSGlFKUZWgNaEtoLkMIEG2uuvTwaL+UhpRSlHVzYmhBKYGUfZRoRH2UKGgHXZQofZQoaAdOaA1OaA5OdX2UKGgQTmgNTmgHTnWGlGhLaC5DCP///////w9AlIaUUpRoS2guQwiamZmZmZnxv5SGlFKUZWgNaEtoLkMIAAAAAAAEAACUhpRSlHVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [({'dec': False, 'a': True, 'b': True}, {'enc': None, 'a': np.array([2], dtype=np.int64), 'dec': "<ufunc 'tanh'>"}, ), np.array(-1.7607932244552518, dtype=np.float64), np.array(1.3285823295115717, dtype=np.float64)], 'a': np.array(-1.7607932244552518, dtype=np.float64)}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 1.4702527980055975, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [({'dec': None, 'a': None, 'b': None}, {'enc': None, 'a': None, 'dec': None}, ), -2.4122872183598536e-245, 0.0038729275260830642], 'a': 1.1479437021484375e-41}}, {'__type__': 'Step', 'grads': {'dec': [({'dec': None, 'a': None, 'b': None}, {'enc': None, 'a': None, 'dec': None}, ), 0.37178779696512354, 0.0], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [({'dec': None, 'a': None, 'b': None}, {'enc': None, 'a': None, 'dec': None}, ), 0.0, 1.401298464324817e-45], 'a': -0.0030445842616707644}}, {'__type__': 'Step', 'grads': {'dec': [({'dec': None, 'a': None, 'b': None}, {'enc': None, 'a': None, 'dec': None}, ), 3.9999999999999996, -1.1], 'a': 2.1729236899484e-311}}, ), 'dtype': 'float64'}, 'model': {'dec': [[{'dec': False, 'a': True, 'b': True}, {'enc': None, 'a': {'__array__': [2], 'dtype': 'int64'}, 'dec': "<ufunc 'tanh'>"}], {'__array__': -1.7607932244552518, 'dtype': 'float64'}, {'__array__': 1.3285823295115717, 'dtype': 'float64'}], 'a': {'__array__': -1.7607932244552518, 'dtype': 'float64'}}, 'rule': 'ClipGlobalNorm(omega=1.4702527980055975, throw=True)', 'ops': [{'op': 'step', 'grads': {'dec': [[{'dec': None, 'a': None, 'b': None}, {'enc': None, 'a': None, 'dec': None}], -2.4122872183598536e-245, 0.0038729275260830642], 'a': 1.1479437021484375e-41}}, {'op': 'step', 'grads': {'dec': [[{'dec': None, 'a': None, 'b': None}, {'enc': None, 'a': None, 'dec': None}], 0.37178779696512354, 0.0], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [[{'dec': None, 'a': None, 'b': None}, {'enc': None, 'a': None, 'dec': None}], 0.0, 1.401298464324817e-45], 'a': -0.0030445842616707644}}, {'op': 'step', 'grads': {'dec': [[{'dec': None, 'a': None, 'b': None}, {'enc': None, 'a': None, 'dec': None}], 3.9999999999999996, -1.1], 'a': 2.1729236899484e-311}}], 'rules': ['ClipGlobalNorm(omega=1.4702527980055975, throw=True)'], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
