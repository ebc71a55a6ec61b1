"""``python -m tomes``: the same command line as the ``tomes`` script."""

import sys

from tomes.cli import main

sys.exit(main())
