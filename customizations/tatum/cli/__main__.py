"""`python -m tatum.cli`: the same as the `tatum` console script."""

import sys

from . import main

sys.exit(main())
