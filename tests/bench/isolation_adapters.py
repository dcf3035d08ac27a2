"""A bench engine for the bench worker's isolation tests, loaded by ``module:attr`` in the
worker process.  The case's ``path`` says how preparation behaves; ``device`` reports the worker's
process id, so a test can tell a reused worker from a fresh one."""

import os
import signal
import time

import numpy as np

from optconf.adapters import load
from optconf.bench.protocol import BenchEngine, PreparedStep


class PidStep(PreparedStep):
    nbytes = 4000

    def __init__(self):
        self.device = str(os.getpid())
        self.x = np.zeros(10)

    def step(self):
        self.x += 1.0

    def copy(self):
        self.x.copy()

    def parameters(self):
        return [self.x.copy()]


class Behaving(BenchEngine):
    """``structured`` prepares at once; ``slow`` sleeps (interruptible, like a Python-level
    compiler); ``stuck`` blocks the interrupting signal, like native work; ``exits`` kills
    its process; ``raises`` fails like an engine bug."""

    def __init__(self):
        super().__init__(load("reference"))

    def prepare_step(self, shapes, rule, path, dtype):
        if path == "slow":
            time.sleep(60)
        elif path == "stuck":
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
            time.sleep(60)
        elif path == "exits":
            os._exit(3)
        elif path == "raises":
            raise TypeError("boom")
        return PidStep()
