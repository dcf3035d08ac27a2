"""``python -m optconf.conformance.bench``: the same as ``optconf bench``."""

import sys

from .cli import main

sys.exit(main())
