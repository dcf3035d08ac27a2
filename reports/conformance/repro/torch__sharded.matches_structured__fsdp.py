#!/usr/bin/env python
"""optconf repro: torch sharded.matches_structured[fsdp] deviates from SHARD-1.

the fsdp path raised RuntimeError: Expected cond to be True, but got False. (Could this error message be improved? If so, please report an enhancement request to PyTorch.), but should run as the structured path does [adapter=torch, path=fsdp, step=4, dtype=float32]

Case seed 1056698181.  Inside optconf, replay with:
    optconf replay --adapter torch --property sharded.matches_structured --path fsdp --seed 1056698181
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'SHARD-1'
PATH = 'fsdp'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter torch --property sharded.matches_structured --path fsdp --seed 1056698181'
RULE = {'name': 'RMSProp', 'eta': 0.0043676031212620085, 'rho': 2.2250738585072014e-308, 'epsilon': 1e-08, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[], []], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[], []], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVXAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAWGUjACUjAF3lGgJdYwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAIaUaA6MBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYmWMBHJ1bGWUjCBvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFwdGl2ZZSMB1JNU1Byb3CUk5QpgZR9lCiMA2V0YZRHP3Hjw4kVacyMA3Job5RHABAAAAAAAACMB2Vwc2lsb26URz5FeY7iMIw6jAdjZW50cmVklIl1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoCE5oCk51aA1oEEsAhZRoEoeUUpQoSwFLAksAhpRoGoloHXSUYmVzYmgrKYGUfZRoLl2UKH2UKGgITmgKTnVoDWgQSwCFlGgSh5RSlChLAUsCSwCGlGgaiWgddJRiZXNiaCspgZR9lGguXZQofZQoaAhOaApOdWgNaBBLAIWUaBKHlFKUKEsBSwJLAIaUaBqJaB10lGJlc2JoKymBlH2UaC5dlCh9lChoCE5oCk51aA1oEEsAhZRoEoeUUpQoSwFLAksAhpRoGoloHXSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array'], 'program': {'__type__': 'Program', 'model': [{'a': '', 'w': ''}, np.array([[], []], dtype=np.float64)], 'rule': {'__type__': 'RMSProp', 'eta': 0.0043676031212620085, 'rho': 2.2250738585072014e-308, 'epsilon': 1e-08, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': [{'a': None, 'w': None}, np.array([[], []], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': None, 'w': None}, np.array([[], []], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': None, 'w': None}, np.array([[], []], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': None, 'w': None}, np.array([[], []], dtype=np.float64)]}, ), 'dtype': 'float32'}, 'model': [{'a': '', 'w': ''}, {'__array__': [[], []], 'dtype': 'float64'}], 'rule': 'RMSProp(eta=0.0043676031212620085, rho=2.2250738585072014e-308, epsilon=1e-08, centred=False)', 'ops': [{'op': 'step', 'grads': [{'a': None, 'w': None}, {'__array__': [[], []], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': None, 'w': None}, {'__array__': [[], []], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': None, 'w': None}, {'__array__': [[], []], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': None, 'w': None}, {'__array__': [[], []], 'dtype': 'float64'}]}], 'rules': ['RMSProp(eta=0.0043676031212620085, rho=2.2250738585072014e-308, epsilon=1e-08, centred=False)'], 'path': 'fsdp', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (SHARD-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (SHARD-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
