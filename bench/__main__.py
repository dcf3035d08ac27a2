"""``python -m optconf.bench``: the same as ``optconf bench``."""

import sys

from .cli import main

sys.exit(main())
