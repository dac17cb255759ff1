"""`python -m ocifake serve …`: the same as the `ocifake` command."""

import sys

from .server import main

sys.exit(main())
